"""Credit packs ("paket pengajuan KUR"): what a seller shares with a bank for a KUR loan
(Kredit Usaha Rakyat), frozen when issued, behind a verification code.

The seller chooses the sections (`SECTIONS`): the business profile (name, NIB, address, verified
status, scale, years active), the marketplace's sales month by month over the 12 months ending
today (WIB), each month with the invoices of its orders so any figure can be traced back, and
the SAK EMKM statements of the same period (books.statements). Everything is copied into
`CreditPack.contents` at issue, so the pack and its public page never change afterwards.

A sale is an order paid in the month (the WIB day of its "pay" event), at its goods value
(subtotal less discount, shipping apart); an order refunded in full is left out. The statements
count marketplace sales when the money is released to the store, so the two can differ by the
orders paid but not yet completed.

The verification code (`new_code`: 12 characters of an alphabet without look-alikes, written
XXXX-XXXX-XXXX) is what the bank officer types at `/verifikasi`: the public page shows only the
pack's totals (`public_summary`), never an order, an invoice number or a buyer. The seller may
revoke a code; a revoked pack's page says so and shows no figures.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from books.models import CreditPack
from catalog import services as catalog_services
from catalog.models import Store
from marketplace.accounts.models import User
from marketplace.errors import NotFound, ValidationError
from marketplace.extensions import db
from marketplace.money.rates import today_wib
from marketplace.timeutil import day_start, marketplace_day, utcnow
from orders.invoices import invoice_number
from orders.models import Order, OrderEvent

SECTIONS = ("profile", "sales", "statements")
SECTION_LABELS = {
    "profile": _l("Profil usaha (NIB, alamat, status verifikasi, skala, lama berusaha)"),
    "sales": _l("Penjualan 12 bulan di Pasar UMKM, per bulan, dengan nomor fakturnya"),
    "statements": _l("Laporan keuangan terbaru (laba rugi dan posisi keuangan)"),
}
#: no 0/O, 1/I/L: a code read over the phone or typed from paper stays unambiguous
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
#: the version of `contents`, for whoever reads old packs
CONTENTS_VERSION = 1


# --- codes --------------------------------------------------------------------------------------

def new_code() -> str:
    """A fresh random code, "XXXX-XXXX-XXXX" (31^12, about 2^59 possibilities)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str | None) -> str | None:
    """A typed code in its stored form ("abcd efgh-jkmn" -> "ABCD-EFGH-JKMN"), or None when it
    cannot be one (wrong length or a character outside the alphabet)."""
    raw = "".join(ch for ch in (text or "")[:40].upper() if ch not in " -\t")
    if len(raw) != CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


# --- the period and its figures -----------------------------------------------------------------

def pack_period(today: date) -> tuple[date, date]:
    """The 12 months ending today: from the first day of the month 11 months back to today."""
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1), today


def _months(start: date, end: date) -> list[str]:
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def monthly_sales(store: Store, start: date, end: date) -> dict:
    """The store's paid orders from `start` to `end` (WIB days, inclusive) by WIB month of
    payment: each month's total and its invoices (number, day paid, goods value)."""
    since, until = day_start(start), day_start(date.fromordinal(end.toordinal() + 1))
    # the store's orders' "pay" moves only (not every order's in the marketplace)
    paid = (sa.select(OrderEvent.order_id, sa.func.min(OrderEvent.at).label("paid_at"))
            .join(Order, Order.id == OrderEvent.order_id)
            .where(OrderEvent.action == "pay", Order.store_id == store.id)
            .group_by(OrderEvent.order_id).subquery())
    rows = db.session.execute(
        sa.select(Order.id, Order.created_at, (Order.subtotal_idr - Order.discount_idr).label("goods"),
                  paid.c.paid_at)
        .join(paid, paid.c.order_id == Order.id)
        .where(Order.store_id == store.id, paid.c.paid_at >= since, paid.c.paid_at < until,
               sa.not_(sa.and_(Order.total_idr > 0, Order.refunded_idr >= Order.total_idr)))
        .order_by(paid.c.paid_at, Order.id)).all()
    months = {key: {"month": key, "total_idr": 0, "orders": 0, "invoices": []} for key in _months(start, end)}
    for row in rows:
        day = marketplace_day(row.paid_at)
        month = months[f"{day.year:04d}-{day.month:02d}"]
        month["total_idr"] += int(row.goods)
        month["orders"] += 1
        month["invoices"].append({"number": invoice_number(row), "date": day.isoformat(),
                                  "amount_idr": int(row.goods)})
    listed = list(months.values())
    return {"total_idr": sum(m["total_idr"] for m in listed), "orders": sum(m["orders"] for m in listed),
            "months": listed}


def _label(text) -> dict:
    with force_locale("id"):
        label_id = str(text)
    with force_locale("en"):
        label_en = str(text)
    return {"id": label_id, "en": label_en}


def _lines(lines) -> list[dict]:
    return [{"code": line.code, "group": line.group, "amount_idr": int(line.amount_idr),
             "label": _label(line.label)} for line in lines]


def frozen_statements(store: Store, start: date, end: date) -> dict:
    """The income statement of `start`..`end` and the financial position at `end`, as JSON
    (each line's label in both languages)."""
    from books import statements

    st = statements.statements(store, start, end)
    income, position = st.income, st.position
    return {
        "start": start.isoformat(), "end": end.isoformat(),
        "income": {"revenue_idr": income.revenue_idr, "cogs_idr": income.cogs_idr,
                   "gross_profit_idr": income.gross_profit_idr,
                   "operating_expenses_idr": income.operating_expenses_idr,
                   "expenses_idr": income.expenses_idr, "net_income_idr": income.net_income_idr,
                   "lines": _lines(income.lines)},
        "position": {"at": position.at.isoformat(), "assets_idr": position.assets_idr,
                     "liabilities_idr": position.liabilities_idr, "equity_idr": position.equity_idr,
                     "balanced": position.balanced, "lines": _lines(position.lines)},
    }


def _years_between(since: date, day: date) -> int:
    return day.year - since.year - ((day.month, day.day) < (since.month, since.day))


def profile(store: Store, today: date) -> dict:
    """The business profile as the pack freezes it."""
    since = marketplace_day(store.created_at)
    return {
        "name": store.name, "nib": store.nib,
        "address": {"district": store.district.name if store.district else None,
                    "regency": store.regency.name, "province": store.province.name},
        "verified": store.verified,
        "verified_on": marketplace_day(store.verified_at).isoformat() if store.verified_at else None,
        "scale": store.scale, "since": since.isoformat(), "years_active": max(0, _years_between(since, today)),
    }


# --- packs --------------------------------------------------------------------------------------

def clean_sections(chosen) -> list[str]:
    """The chosen sections in their fixed order; at least one."""
    picked = [s for s in SECTIONS if s in set(chosen or ())]
    if not picked:
        raise ValidationError(fields={"sections": _l("Pilih paling sedikit satu bagian.")})
    return picked


def issue_pack(store: Store, sections, *, actor: User, today: date | None = None) -> CreditPack:
    """Issue a pack of `sections` for `store` (its owner only), its contents frozen now."""
    catalog_services.require_owner(store, actor)
    picked = clean_sections(sections)
    today = today or today_wib()
    start, end = pack_period(today)
    contents = {"version": CONTENTS_VERSION, "store": {"name": store.name, "slug": store.slug},
                "issued_on": today.isoformat(), "period": {"start": start.isoformat(), "end": end.isoformat()}}
    if "profile" in picked:
        contents["profile"] = profile(store, today)
    if "sales" in picked:
        contents["sales"] = monthly_sales(store, start, end)
    if "statements" in picked:
        contents["statements"] = frozen_statements(store, start, end)
    code = new_code()
    while db.session.scalar(sa.select(CreditPack.id).where(CreditPack.code == code)) is not None:
        code = new_code()  # never in practice (2^59 codes); the unique index guards anyway
    pack = CreditPack(store_id=store.id, code=code, period_start=start, period_end=end, sections=picked,
                      contents=contents, created_by_id=actor.id)
    db.session.add(pack)
    db.session.flush()
    return pack


def packs_of(store: Store, *, actor: User) -> list[CreditPack]:
    """The store's packs, newest first (its owner only)."""
    catalog_services.require_owner(store, actor)
    return list(db.session.scalars(sa.select(CreditPack).where(CreditPack.store_id == store.id)
                                   .order_by(CreditPack.created_at.desc(), CreditPack.id.desc())))


def pack_of(store: Store, pack_id: int, *, actor: User) -> CreditPack:
    """One of the store's packs (its owner only); another store's is "not found"."""
    catalog_services.require_owner(store, actor)
    pack = db.session.get(CreditPack, pack_id)
    if pack is None or pack.store_id != store.id:
        raise NotFound()
    return pack


def revoke_pack(store: Store, pack_id: int, *, actor: User) -> CreditPack:
    """Revoke a pack's code: its public page then says "revoked" and shows nothing else."""
    pack = pack_of(store, pack_id, actor=actor)
    if pack.revoked_at is None:
        pack.revoked_at = utcnow()
        db.session.flush()
    return pack


# --- the public check ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicSummary:
    """What a bank officer with the code sees: the totals, nothing that names an order or a buyer."""

    code: str
    store_name: str
    issued_at: datetime
    revoked_at: datetime | None
    period_start: date
    period_end: date
    sections: tuple
    #: the 12-month total and each month's total (None when sales were not shared or revoked)
    sales_total_idr: int | None
    months: tuple
    #: the statements' totals (None when not shared or revoked)
    income: dict | None
    position: dict | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


INCOME_TOTALS = ("revenue_idr", "cogs_idr", "gross_profit_idr", "expenses_idr", "net_income_idr")
POSITION_TOTALS = ("assets_idr", "liabilities_idr", "equity_idr")


def public_summary(code: str | None) -> PublicSummary:
    """The pack behind a typed code as its public page shows it; NotFound for an unknown code."""
    normal = normalise_code(code)
    pack = db.session.scalar(sa.select(CreditPack).where(CreditPack.code == normal)) if normal else None
    if pack is None:
        raise NotFound()
    c = pack.contents
    shown = pack.revoked_at is None
    sales = c.get("sales") if shown else None
    st = c.get("statements") if shown else None
    return PublicSummary(
        code=pack.code, store_name=c["store"]["name"], issued_at=pack.created_at, revoked_at=pack.revoked_at,
        period_start=pack.period_start, period_end=pack.period_end, sections=tuple(pack.sections),
        sales_total_idr=sales["total_idr"] if sales else None,
        months=tuple((m["month"], m["total_idr"]) for m in sales["months"]) if sales else (),
        income={k: st["income"][k] for k in INCOME_TOTALS} if st else None,
        position={k: st["position"][k] for k in POSITION_TOTALS} if st else None)
