"""Orders with trade terms (orders/terms.py), as an accepted quote places them: the freight line
instead of parcel shipping, the terms on the order, and made-to-order goods that take no stock
and wait "in production" once paid (the state machine's `produce` move)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from catalog.addresses import clean_address
from catalog.models import Product
from marketplace.errors import Conflict, Forbidden
from marketplace.notifications import Notification
from orders import state
from orders.cart import build_cart
from orders.checkout import place_checkout
from orders.models import Order, OrderStatus
from orders.payments.service import expire_unpaid
from orders.terms import TradeTerms
from tests.conftest import confirm_transfer_of
from tests.orders.conftest import TOKYO


def place(buyer, product, quantity, terms):
    checkout = place_checkout(buyer, {product.id: quantity}, clean_address(TOKYO),
                              payment_method="bank_transfer", trade_terms=terms)
    return checkout.orders[0]


def stock_of(db, product) -> tuple[int, int]:
    db.session.expire_all()
    row = db.session.get(Product, product.id)
    return row.stock, row.sold_count


def test_the_freight_line_replaces_parcel_shipping(db, make_user, make_product):
    # given 200 packs of 250 g, whose parcel shipping to Tokyo is Rp6.130.000
    product = make_product(price_idr=72000, stock=500, weight_g=250)
    buyer = make_user()
    parcel = build_cart({product.id: 200}, clean_address(TOKYO)).groups[0].shipping_idr
    assert parcel == 6_130_000
    # when orders are placed FOB Panjang and CIF Rotterdam with a freight line
    fob = place(buyer, product, 200, TradeTerms("FOB", "Panjang"))
    cif = place(buyer, product, 100, TradeTerms("CIF", "Rotterdam", freight_idr=4_500_000))
    # then the FOB order charges no shipping at all, the CIF order its freight line
    assert (fob.shipping_idr, fob.total_idr) == (0, 72000 * 200)
    assert (cif.shipping_idr, cif.total_idr) == (4_500_000, 72000 * 100 + 4_500_000)
    assert fob.checkout.total_idr == fob.total_idr
    # and both keep their terms; stock is reserved as for any checkout
    assert (fob.trade_terms.incoterm, fob.trade_terms.port, fob.made_to_order) == ("FOB", "Panjang", False)
    assert cif.trade_terms.freight_idr == 4_500_000
    assert stock_of(db, product) == (200, 300)


def test_a_cart_order_has_no_terms_and_cannot_go_into_production(db, make_user, make_product):
    # given an order placed from the cart, paid
    product = make_product(stock=5)
    order = place_checkout(make_user(), {product.id: 1}, clean_address(TOKYO),
                           payment_method="bank_transfer").orders[0]
    confirm_transfer_of(order.id)
    # then it stays paid (no production), and the system cannot move it there
    assert order.trade_terms is None and order.status == OrderStatus.PAID
    with pytest.raises(Conflict):
        state.transition(order, "produce", actor=None)
    # and nobody else may ever ask for the move
    with pytest.raises(Forbidden):
        state.transition(order, "produce", actor=product.store.owner)


def test_made_to_order_takes_no_stock_and_waits_in_production_until_shipped(db, make_user, make_product):
    # given 3 units in stock and a made-to-order order of 500, ready in 30 days
    product = make_product(stock=3)
    buyer = make_user()
    seller = product.store.owner
    order = place(buyer, product, 500, TradeTerms("FOB", "Panjang", made_to_order=True,
                                                  lead_time_days=30, ready_by=date(2027, 1, 15)))
    db.session.commit()
    # then the stock is untouched
    assert order.status == OrderStatus.PENDING_PAYMENT and stock_of(db, product) == (3, 0)
    # when the seller confirms the transfer, it is paid and goes into production at once
    confirm_transfer_of(order.id)
    assert order.status == OrderStatus.IN_PRODUCTION
    assert [(e.status, e.action) for e in order.events] == [
        ("pending_payment", "place"), ("paid", "pay"), ("in_production", "produce")]
    # and the buyer hears it, with the day it should be ready
    note = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == buyer.id, Notification.kind == "order_in_production"))
    assert note.params["ready"] == "15 Jan 2027"
    # the seller may ship it (or cancel); the buyer may no longer cancel
    assert state.allowed_actions(order, seller) == ["ship", "cancel"]
    assert state.allowed_actions(order, buyer) == []
    with pytest.raises(Forbidden):
        state.transition(order, "cancel", actor=buyer)
    state.transition(order, "ship", actor=seller, courier="Samudera Indonesia",
                     tracking_number="BL-PJG-2027-0001")
    assert order.status == OrderStatus.SHIPPED and stock_of(db, product) == (3, 0)


def test_cancelling_or_expiring_made_to_order_gives_no_stock_back(db, make_user, make_product):
    # given made-to-order orders on a product with 10 units in stock
    product = make_product(stock=10)
    seller = product.store.owner
    terms = TradeTerms("EXW", made_to_order=True, lead_time_days=7, ready_by=date(2027, 1, 1))
    produced = place(make_user(), product, 50, terms)
    unpaid = place(make_user(), product, 40, terms)
    confirm_transfer_of(produced.id)
    # when the seller cancels the one in production and the other expires unpaid
    state.transition(produced, "cancel", actor=seller, reason="Bahan baku tidak tersedia")
    unpaid.checkout.expires_at = unpaid.checkout.created_at
    db.session.flush()
    assert expire_unpaid() == 1
    # then the shelf still holds its 10 units, no more
    assert (produced.status, unpaid.status) == (OrderStatus.CANCELLED, OrderStatus.EXPIRED)
    assert stock_of(db, product) == (10, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 2
