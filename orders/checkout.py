"""Checkout: one cart becomes one order per store, paid once.

Stock is reserved with one conditional UPDATE per product (`stock >= quantity`), in product-id
order so concurrent checkouts never deadlock; a product that runs out refuses the whole
checkout, and the caller's rollback leaves no order and no reservation behind. Totals come from
the database, in integers. A card payment is created (and, with a payment method, confirmed)
inside the same transaction: a declined card refuses the checkout the same way.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from catalog.addresses import clean_address
from catalog.models import Product, ProductStatus
from catalog.signals import products_changed
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from orders import state
from orders.cart import Bag, build_cart
from orders.models import Checkout, Order, OrderEvent, OrderLine, OrderStatus, PaymentMethod, PaymentStatus
from orders.notifications import notify
from orders.payments import stripe as payments


class PaymentDeclined(DomainError):
    status = 402
    code = "payment_declined"
    default_message = _l("Pembayaran ditolak oleh bank penerbit kartu.")


def reserve_stock(product_id: int, quantity: int) -> bool:
    """Take `quantity` units if (and only if) that many are there. Atomic on every database."""
    result = db.session.execute(
        sa.update(Product)
        .where(Product.id == product_id, Product.status == ProductStatus.ACTIVE,
               Product.stock >= quantity)
        .values(stock=Product.stock - quantity, sold_count=Product.sold_count + quantity)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def place_checkout(buyer: User, bag: Bag, *, shipping_address, payment_method: str,
                   payment_method_id: str | None = None, idempotency_key: str | None = None,
                   source: str | None = None,
                   fixed_prices: dict[int, tuple[int, str]] | None = None) -> Checkout:
    """Turn the buyer's cart into a paid-or-pending checkout with one order per store.

    `fixed_prices` carries agreed prices (an accepted quote) into the same checkout path.
    Raises ValidationError (bad address, empty cart), Conflict `out_of_stock`, PaymentDeclined.
    """
    if idempotency_key:
        earlier = db.session.scalar(sa.select(Checkout).where(
            Checkout.idempotency_key == idempotency_key, Checkout.buyer_id == buyer.id))
        if earlier is not None:
            return earlier
    if payment_method not in (PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER):
        raise ValidationError(fields={"payment_method": _l("Pilih kartu atau transfer bank.")})
    if payment_method == PaymentMethod.CARD and not payments.configured():
        raise ValidationError(fields={"payment_method": _l(
            "Pembayaran kartu belum tersedia; pilih transfer bank.")})
    address = clean_address(shipping_address)
    cart = build_cart(bag.quantities(), address, fixed_prices)
    if cart.empty:
        raise ValidationError(_l("Keranjang Anda kosong."), code="empty_cart")
    if any(line.product.store.owner_id == buyer.id for line in cart.lines):
        raise Conflict(_l("Anda tidak dapat membeli produk toko sendiri."), code="own_product")
    for line in cart.lines:
        if line.problem == "below_moq":
            raise ValidationError(fields={f"items.{line.product.id}": _l(
                "Minimal pembelian %(n)d.", n=line.product.min_order_qty)})
        if line.problem == "unavailable":
            raise Conflict(_l("%(title)s tidak dijual lagi.", title=line.product.title),
                           code="unavailable", fields={f"items.{line.product.id}": _l("Tidak dijual lagi.")})

    # Reserve every line, in product-id order (a fixed lock order: no deadlocks).
    for line in sorted(cart.lines, key=lambda item: item.product.id):
        if not reserve_stock(line.product.id, line.quantity):
            raise Conflict(
                _l("Stok %(title)s tidak cukup.", title=line.product.title), code="out_of_stock",
                fields={f"items.{line.product.id}": _l("Stok tidak cukup.")})

    hours = current_app.config["CARD_PAYMENT_HOURS" if payment_method == PaymentMethod.CARD
                               else "TRANSFER_PAYMENT_HOURS"]
    checkout = Checkout(reference=uuid.uuid4().hex, buyer_id=buyer.id,
                        payment_method=payment_method, payment_status=PaymentStatus.PENDING,
                        total_idr=cart.total_idr, shipping_address=address,
                        idempotency_key=idempotency_key,
                        expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(checkout)
    for group in cart.groups:
        order = Order(store_id=group.store.id, buyer_id=buyer.id, status=OrderStatus.PENDING_PAYMENT,
                      subtotal_idr=group.subtotal_idr, shipping_idr=group.shipping_idr,
                      discount_idr=0, total_idr=group.subtotal_idr + group.shipping_idr,
                      weight_g=group.weight_g, shipping_zone=group.zone,
                      source=source or next((item.source for item in group.lines if item.source), None))
        order.lines = [OrderLine(product_id=item.product.id, title=item.product.title, sku=item.product.sku,
                                 unit_price_idr=item.unit_price_idr, quantity=item.quantity,
                                 line_total_idr=item.line_total_idr, weight_g=item.product.weight_g)
                       for item in group.lines]
        order.events = [OrderEvent(status=OrderStatus.PENDING_PAYMENT, action="place",
                                   actor_id=buyer.id)]
        checkout.orders.append(order)
    db.session.flush()
    products_changed.send(None, product_ids=[item.product.id for item in cart.lines])

    if payment_method == PaymentMethod.CARD:
        intent = payments.create_intent(
            checkout.total_idr, reference=checkout.reference,
            idempotency_key=f"checkout-{checkout.reference}",
            payment_method_id=payment_method_id)
        if intent.status == "failed":
            raise PaymentDeclined(intent.error or PaymentDeclined.default_message)
        checkout.stripe_payment_intent_id = intent.id
        checkout.stripe_client_secret = intent.client_secret
        if intent.status == "succeeded":
            mark_paid(checkout)
    bag.clear()
    for order in checkout.orders:
        notify(order.store.owner_id, "order_placed", order)
    db.session.flush()
    return checkout


def mark_paid(checkout: Checkout) -> None:
    """The whole checkout is paid (card): every pending order moves to paid."""
    if checkout.payment_status == PaymentStatus.PAID:
        return
    checkout.payment_status = PaymentStatus.PAID
    checkout.paid_at = utcnow()
    checkout.payment_error = None
    for order in checkout.orders:
        if order.status == OrderStatus.PENDING_PAYMENT:
            state.transition(order, "pay", actor=None)
    db.session.flush()
