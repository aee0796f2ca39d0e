"""What an event produced, for its officer: exhibitors, products, buyers by country, RFQs,
quotes, deals, orders and their value in rupiah (and US dollars at the admin's rate)."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.money.rates import convert, current_rate
from orders.models import Order, OrderStatus
from promotions.models import Application, ApplicationStatus, Event, EventProduct, Quote, QuoteStatus, Registration, Rfq
from promotions.services import require_officer

LOST = (OrderStatus.CANCELLED, OrderStatus.EXPIRED)


def event_report(event: Event, *, actor) -> dict:
    require_officer(actor)
    count = lambda stmt: db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0  # noqa: E731
    by_country = dict(db.session.execute(
        sa.select(Registration.country, sa.func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.country).order_by(sa.func.count().desc(), Registration.country)).all())
    by_type = dict(db.session.execute(
        sa.select(Registration.buyer_type, sa.func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.buyer_type)).all())
    rfq_ids = sa.select(Rfq.id).where(Rfq.event_id == event.id)
    quote_ids = sa.select(Quote.id).where(Quote.rfq_id.in_(rfq_ids))
    orders = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Order.total_idr - Order.refunded_idr), 0))
        .where(Order.source == f"event:{event.slug}", Order.status.not_in(LOST),
               Order.status != OrderStatus.PENDING_PAYMENT)).one()
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(
        Order.source == f"event:{event.slug}", Order.status == OrderStatus.PENDING_PAYMENT)) or 0
    value_idr = int(orders[1])
    rate = current_rate("USD")
    return {
        "event": event.slug,
        "exhibitors": count(sa.select(Application.id).where(
            Application.event_id == event.id, Application.status == ApplicationStatus.ACCEPTED)),
        "applications": count(sa.select(Application.id).where(Application.event_id == event.id)),
        "products": count(sa.select(EventProduct.id).where(EventProduct.event_id == event.id)),
        "registrations": {"total": sum(by_country.values()), "by_country": by_country,
                          "by_type": by_type},
        "rfqs": count(rfq_ids),
        "quotes": count(quote_ids),
        "deals": count(sa.select(Quote.id).where(Quote.id.in_(quote_ids),
                                                 Quote.status == QuoteStatus.ACCEPTED)),
        "orders": int(orders[0]),
        "orders_awaiting_payment": int(pending),
        "value_idr": value_idr,
        "value_usd": float(convert(value_idr, rate)) if rate else None,
        "usd_rate": {"idr_per_usd": str(rate.idr_per_unit), "valid_on": rate.valid_on.isoformat()}
        if rate else None,
    }


def report_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "value"])
    for key in ("event", "exhibitors", "applications", "products", "rfqs", "quotes", "deals",
                "orders", "orders_awaiting_payment", "value_idr", "value_usd"):
        writer.writerow([key, "" if report[key] is None else report[key]])
    writer.writerow(["registrations_total", report["registrations"]["total"]])
    for country, n in report["registrations"]["by_country"].items():
        writer.writerow([f"registrations_{country}", n])
    return out.getvalue()
