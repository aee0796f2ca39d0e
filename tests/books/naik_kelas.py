"""Helpers of the scale, credit pack and officer tests: paid orders and cash sales made by hand."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from marketplace.extensions import db

WIB = ZoneInfo("Asia/Jakarta")
_refs = itertools.count(1)


def wib(day: date, hour: int = 10) -> datetime:
    """A moment of a WIB day, as UTC."""
    return datetime.combine(day, time(hour), tzinfo=WIB).astimezone(UTC)


def paid_order(store, buyer, goods_idr: int, paid_at: datetime, *, shipping_idr: int = 12000,
               refunded_idr: int = 0, paid: bool = True):
    """An order of `store` placed and (unless `paid=False`) paid at `paid_at`, committed."""
    from orders.models import Checkout, Order, OrderEvent

    n = next(_refs)
    checkout = Checkout(reference=f"TEST-{n:06d}", buyer_id=buyer.id, payment_method="bank_transfer",
                        payment_status="paid" if paid else "pending", total_idr=goods_idr + shipping_idr,
                        shipping_address={"name": buyer.name, "phone": "081299990000"},
                        created_at=paid_at, expires_at=paid_at, paid_at=paid_at if paid else None)
    order = Order(checkout=checkout, store_id=store.id, buyer_id=buyer.id, status="paid" if paid else "pending_payment",
                  subtotal_idr=goods_idr, shipping_idr=shipping_idr, total_idr=goods_idr + shipping_idr,
                  refunded_idr=refunded_idr, shipping_zone="same_province", created_at=paid_at)
    if paid:
        order.events.append(OrderEvent(status="paid", action="pay", at=paid_at))
    db.session.add(order)
    db.session.commit()
    return order


def cash_sale(store, amount_idr: int, day: date) -> None:
    """The seller records a cash sale outside the marketplace (books.services), committed."""
    from books import services

    services.record_entry(store, {"date": day.isoformat(), "kind": "income", "category": "cash_sale",
                                  "amount_idr": amount_idr, "method": "cash"}, actor=store.owner)
    db.session.commit()
