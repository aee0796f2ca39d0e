"""Exchange rates: the model and its rules (set, look up, convert, format)."""
from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.numbers import format_currency, get_currency_precision
from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.errors import Forbidden, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import utcnow

log = logging.getLogger(__name__)

DISPLAY_CURRENCIES = ("USD", "EUR", "SGD", "MYR", "JPY", "CNY", "AUD", "SAR")


class ExchangeRate(db.Model):
    """How many rupiah one unit of a currency is worth from a given day, as an admin set it."""

    __tablename__ = "exchange_rates"
    __table_args__ = (sa.UniqueConstraint("currency", "valid_on", name="uq_exchange_rates_currency_day"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    idr_per_unit: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(18, 4))
    valid_on: so.Mapped[date] = so.mapped_column(sa.Date)
    set_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


def set_rate(currency: str, idr_per_unit, valid_on: date, *, actor) -> ExchangeRate:
    """Record a rate (admins only); the same currency and day is replaced."""
    if not actor.is_admin:
        raise Forbidden()
    currency = (currency or "").strip().upper()
    errors = {}
    if currency not in DISPLAY_CURRENCIES:
        errors["currency"] = _l("Mata uang tidak didukung.")
    try:
        rate = Decimal(str(idr_per_unit).replace(",", "."))
        if not rate.is_finite() or rate <= 0 or rate > Decimal("100000000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["idr_per_unit"] = _l("Kurs harus angka positif (rupiah per satuan).")
        rate = None
    if errors:
        raise ValidationError(fields=errors)
    row = db.session.scalar(sa.select(ExchangeRate).where(
        ExchangeRate.currency == currency, ExchangeRate.valid_on == valid_on))
    before = None if row is None else {"idr_per_unit": str(row.idr_per_unit)}
    if row is None:
        row = ExchangeRate(currency=currency, valid_on=valid_on)
        db.session.add(row)
    row.idr_per_unit = rate.quantize(Decimal("0.0001"))
    row.set_by_id = actor.id
    db.session.flush()
    audit.record("exchange_rate.set", row, before=before, actor=actor, after={
        "currency": currency, "valid_on": valid_on, "idr_per_unit": str(row.idr_per_unit)})
    log.info("exchange rate set", extra={"currency": currency, "idr_per_unit": str(row.idr_per_unit),
                                         "valid_on": valid_on.isoformat(), "actor_id": actor.id})
    return row


def today_wib() -> date:
    """Today's date in the marketplace's time zone (WIB by default), the day rates are set for."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def current_rate(currency: str, on: date | None = None) -> ExchangeRate | None:
    """The latest rate for `currency` valid on `on` (today in WIB by default)."""
    on = on or today_wib()
    return db.session.scalar(
        sa.select(ExchangeRate).where(ExchangeRate.currency == currency.upper(),
                                      ExchangeRate.valid_on <= on)
        .order_by(ExchangeRate.valid_on.desc()).limit(1))


def latest_rates() -> list[ExchangeRate]:
    rows = db.session.scalars(sa.select(ExchangeRate).order_by(
        ExchangeRate.currency, ExchangeRate.valid_on.desc())).all()
    seen, latest = set(), []
    for row in rows:
        if row.currency not in seen:
            seen.add(row.currency)
            latest.append(row)
    return latest


def convert(amount_idr: int, rate: ExchangeRate) -> Decimal:
    """Rupiah to the rate's currency, rounded to its minor unit (display only): cents for most,
    whole yen for JPY, as Babel's currency data says."""
    places = Decimal(1).scaleb(-get_currency_precision(rate.currency))
    return (Decimal(amount_idr) / Decimal(rate.idr_per_unit)).quantize(places, ROUND_HALF_UP)


def format_foreign(amount_idr: int, rate: ExchangeRate, locale: str = "en") -> str:
    return format_currency(convert(amount_idr, rate), rate.currency, locale=locale)
