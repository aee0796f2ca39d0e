"""An order's invoice (faktur, issue 12): one document per store order, as a printable page and
as PDF, in the reader's language.

Every order has one. An order made from an accepted quote (`order.trade_terms`) is an export
sale: its invoice is a *Proforma Invoice* while unpaid (what the buyer's bank or importer needs to
pay) and a *Commercial Invoice* once paid, it names the Incoterm with its port, the freight line,
made to order with its ready-by day and the destination country, and it gives every amount also
in US dollars as an estimate at the rate valid on the invoice's day. A cart order shows the
reader's display currency as its pages do (`marketplace.money`). Rupiah is what is charged.

The PDF is the same HTML rendered by WeasyPrint, which never goes to the network: its URL fetcher
serves only the app's own static files (the stylesheet), and fonts are the system's (Debian's
DejaVu, installed by scripts/pdf.sh with Pango).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale
from flask import render_template
from flask_babel import lazy_gettext as _l

from marketplace import pdf
from marketplace.i18n import current_lang
from marketplace.money.rates import current_rate, format_foreign, today_wib
from marketplace.money.views import ShownRate, display_rate, rate_amount, rate_day
from marketplace.timeutil import marketplace_day
from orders.models import Order, PaymentStatus
from orders.state import order_payment_status

#: The currency an export invoice is estimated in, whatever the reader chose.
EXPORT_CURRENCY = "USD"

TITLES = {
    "invoice": _l("Faktur"),
    "proforma": _l("Proforma Invoice"),
    "commercial": _l("Commercial Invoice"),
}


@dataclass(frozen=True)
class Invoice:
    """What an invoice shows beyond the order itself."""

    order: Order
    #: "invoice" (a cart order), "proforma" (a quote's order, unpaid) or "commercial" (paid)
    kind: str
    #: "INV-2026-000123": the year (WIB) the order was placed and its number
    number: str
    #: the invoice's day: the day the order was paid, else today (WIB)
    issued_on: date
    paid_at: datetime | None
    #: the rate of the approximate amounts (None: rupiah only)
    fx: ShownRate | None
    #: the currency whose rate is missing (an export invoice without a USD rate), else None
    fx_missing: str | None

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

    def foreign(self, amount_idr: int) -> str | None:
        """`amount_idr` in the estimate's currency ("US$907,03"), or None without a rate."""
        if self.fx is None:
            return None
        return format_foreign(int(amount_idr), self.fx, locale="id" if current_lang() == "id" else "en_001")

    def country_name(self, code: str | None) -> str:
        """A country's name in the reader's language ("Jepang" / "Japan")."""
        code = code or "ID"
        return Locale.parse(current_lang()).territories.get(code, code)


def invoice_number(order) -> str:
    """An order's invoice number, "INV-2026-000123": the WIB year it was placed and its id (any
    object with `id` and `created_at`: an Order or a row of them)."""
    return f"INV-{marketplace_day(order.created_at).year}-{order.id:06d}"


def invoice_for(order: Order) -> Invoice:
    """The invoice of an order its reader may see (`orders.services.order_for` checked that)."""
    paid_at = next((e.at for e in order.events if e.action == "pay"), None)
    paid = order_payment_status(order) in (PaymentStatus.PAID, PaymentStatus.REFUNDED)
    issued_on = marketplace_day(paid_at) if paid_at else today_wib()
    if order.trade_terms is None:
        kind, fx, missing = "invoice", display_rate(), None
    else:
        kind = "commercial" if paid else "proforma"
        row = current_rate(EXPORT_CURRENCY, on=issued_on)
        fx = None if row is None else ShownRate(row.currency, row.idr_per_unit, row.valid_on)
        missing = EXPORT_CURRENCY if fx is None else None
    return Invoice(order=order, kind=kind, number=invoice_number(order),
                   issued_on=issued_on, paid_at=paid_at, fx=fx, fx_missing=missing)


def render_html(invoice: Invoice) -> str:
    """The invoice as a standalone page (its own small stylesheet, print CSS included)."""
    return render_template("orders/invoice.html", invoice=invoice, order=invoice.order,
                           checkout=invoice.order.checkout, terms=invoice.order.trade_terms,
                           rate_amount=rate_amount, rate_day=rate_day)


def render_pdf(invoice: Invoice) -> bytes:
    """The invoice page as a PDF, rendered without any network access."""
    return pdf.html_to_pdf(render_html(invoice))
