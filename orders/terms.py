"""Trade terms of an order made from an accepted quote (export terms).

A quote answers an RFQ that names an Incoterm; `promotions.trade` checks what each term needs
(a port, a freight line, made to order with a lead time) and hands the result here as
`TradeTerms`. The order keeps them in `OrderTradeTerms`, and they change two things at
checkout (`orders.checkout.place_checkout(trade_terms=...)`):

- the seller's freight line replaces parcel shipping: `Order.shipping_idr` is `freight_idr`,
  which is 0 for the terms where the buyer pays the main carriage (EXW, FCA, FOB);
- a made-to-order order reserves no stock (the goods do not exist yet), gives none back when
  cancelled, and once paid waits "in production" (`orders.state`) until the seller ships it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orders.models import Order, OrderTradeTerms

INCOTERMS = ("EXW", "FCA", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")
#: terms where the seller pays the main carriage, so a quote carries the seller's freight line
#: in rupiah (CIF and CIP: insurance included in it; DDP: import duties too); with the others
#: (EXW, FCA, FOB) the buyer pays it, and an order from the quote charges no shipping at all
FREIGHT_TERMS = ("CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")
#: the sea terms whose port a quote must name: FOB the port of loading, CFR and CIF the port of
#: destination (the other terms may name their place in the same field)
PORT_TERMS = ("FOB", "CFR", "CIF")


@dataclass(frozen=True)
class TradeTerms:
    """What an accepted quote agreed, as the order keeps it."""

    incoterm: str
    port: str | None = None
    freight_idr: int = 0
    made_to_order: bool = False
    lead_time_days: int = 0
    ready_by: date | None = None

    def row(self) -> OrderTradeTerms:
        return OrderTradeTerms(incoterm=self.incoterm, port=self.port, freight_idr=self.freight_idr,
                               made_to_order=self.made_to_order, lead_time_days=self.lead_time_days,
                               ready_by=self.ready_by)


def terms_label(incoterm: str, port: str | None) -> str:
    """How a term is written: "FOB Panjang", "CIF Rotterdam", or just "EXW"."""
    return f"{incoterm} {port}" if port else incoterm


def carriage_included(incoterm: str, freight_idr: int) -> bool:
    """Whether the unit price includes the seller's carriage: a freight term quoted without a
    freight line (the API's documented quote body, `promotions.trade.quote_terms`)."""
    return incoterm in FREIGHT_TERMS and not freight_idr


def apply_to_cart(cart, terms: TradeTerms) -> None:
    """Charge the quote's freight line instead of the parcel shipping `build_cart` computed."""
    for group in cart.groups:
        group.shipping_idr = terms.freight_idr
    cart.total_idr = sum(g.subtotal_idr + g.shipping_idr for g in cart.groups)


def trade_terms_json(order: Order) -> dict | None:
    """The order's `trade_terms` in the API; None for an order from the cart."""
    terms = order.trade_terms
    if terms is None:
        return None
    return {"incoterm": terms.incoterm, "port": terms.port,
            "label": terms_label(terms.incoterm, terms.port), "freight_idr": terms.freight_idr,
            "freight_included": carriage_included(terms.incoterm, terms.freight_idr),
            "made_to_order": terms.made_to_order, "lead_time_days": terms.lead_time_days,
            "ready_by": terms.ready_by.isoformat() if terms.ready_by else None}
