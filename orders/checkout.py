"""Checkout: one cart becomes one order per store, paid once.

Stock is reserved with one conditional UPDATE per product (`stock >= quantity`), in product-id
order so concurrent checkouts never deadlock; a product that runs out refuses the whole
checkout, and the caller's rollback leaves no order and no reservation behind. Totals come from
the database, in integers. A card checkout commits its reservation before it asks Stripe (no
row lock is held across the network call), and undoes it when the card is declined: nothing is
kept then either.
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
from marketplace.errors import Conflict, ValidationError
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.timeutil import utcnow
from orders import state
from orders.cart import build_cart
from orders.metrics import checkout_placed
from orders.models import Checkout, Order, OrderEvent, OrderLine, OrderStatus, PaymentMethod, PaymentStatus
from orders.notifications import notify
from orders.payments import stripe as gateway
from orders.payments.escrow import allocate_unique_code, method_errors
from orders.payments.service import PaymentDeclined, start_card_payment
from orders.terms import TradeTerms, apply_to_cart


class TotalChanged(Conflict):
    """The total is not the one the buyer was shown (shipping not calculated yet, or a price
    changed): nothing is placed; show the new total and let the buyer confirm."""

    code = "total_changed"


__all__ = ["PaymentDeclined", "TotalChanged", "checkout_input", "place_checkout", "replayed_checkout", "reserve_stock"]


def reserve_stock(product_id: int, quantity: int) -> bool:
    """Take `quantity` units if (and only if) that many are there. Atomic on every database."""
    result = db.session.execute(
        sa.update(Product)
        .where(Product.id == product_id, Product.status == ProductStatus.ACTIVE,
               Product.stock >= quantity)
        .values(stock=Product.stock - quantity, sold_count=Product.sold_count + quantity)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def replayed_checkout(buyer: User, idempotency_key: str | None) -> Checkout | None:
    """The buyer's checkout already placed with this Idempotency-Key, if any."""
    if not idempotency_key:
        return None
    return db.session.scalar(sa.select(Checkout).where(
        Checkout.idempotency_key == idempotency_key, Checkout.buyer_id == buyer.id))


def _payment_method_errors(payment_method) -> dict:
    if payment_method not in set(PaymentMethod):
        return {"payment_method": _l("Pilih kartu, transfer bank atau QRIS.")}
    if payment_method == PaymentMethod.CARD and not gateway.configured():
        return {"payment_method": _l("Pembayaran kartu belum tersedia; pilih transfer bank atau QRIS.")}
    return method_errors(payment_method)


def checkout_input(shipping_address, payment_method) -> dict:
    """Check a checkout's raw address and payment method together (API bodies, quote
    acceptance); returns the cleaned address or raises one ValidationError with every field."""
    errors = _payment_method_errors(payment_method)
    try:
        address = clean_address(shipping_address)
    except ValidationError as exc:
        raise ValidationError(exc.message, code=exc.code, fields={**exc.fields, **errors}) from None
    if errors:
        raise ValidationError(fields=errors)
    return address


def _check_shipping_choices(cart, choices: dict[str, str]) -> None:
    """Every store ships to the address, with the service the buyer chose if they chose one."""
    errors = {}
    in_cart = {group.store.slug for group in cart.groups}
    for slug in choices:
        if slug not in in_cart:
            errors[f"shipping_choices.{slug}"] = _l("Toko ini tidak ada di keranjang.")
    for group in cart.groups:
        key = f"shipping_choices.{group.store.slug}"
        if not group.options:
            errors[key] = _l("%(store)s tidak mengirim ke alamat ini. Hapus produknya dari keranjang "
                             "atau kirim ke alamat lain.", store=group.store.name)
        elif group.refused_choice:
            errors[key] = _l("%(store)s tidak menawarkan layanan itu ke alamat ini. Pilih salah satu: "
                             "%(codes)s.", store=group.store.name,
                             codes=", ".join(o.code for o in group.options))
    if errors:
        raise ValidationError(fields=errors)


def _reserve_then_pay(checkout: Checkout, payment_method_id: str | None) -> Checkout:
    """Card checkouts never hold product rows locked while Stripe answers: the reservation is
    committed first (the one commit inside a request, on purpose), then the PaymentIntent is
    created. A declined card (or Stripe not answering) undoes the reservation in a transaction
    of its own, the checkout and its orders are gone, and the error goes to the caller, with
    the cart as it was. A process that dies in between leaves a pending checkout without an
    intent, which `orders.expire` frees when its time is up."""
    checkout_id = checkout.id
    db.session.commit()
    try:
        start_card_payment(checkout, payment_method_id)
        db.session.flush()
    except Exception:
        db.session.rollback()
        _undo_reservation(checkout_id)
        db.session.commit()
        raise
    return checkout


def _undo_reservation(checkout_id: int) -> None:
    """Give back the stock of a checkout that was never paid for, and forget it (no one else
    has seen it: sellers hear of an order only once its payment is under way)."""
    checkout = db.session.get(Checkout, checkout_id, with_for_update=True)
    if checkout is None or checkout.payment_status != PaymentStatus.PENDING:
        return
    for order in checkout.orders:
        state.release_stock(order)
        db.session.delete(order)
    db.session.delete(checkout)
    db.session.flush()


def place_checkout(buyer: User, quantities: dict[int, int], address: dict, *, payment_method: str,
                   payment_method_id: str | None = None, idempotency_key: str | None = None,
                   source: str | None = None,
                   fixed_prices: dict[int, tuple[int, str]] | None = None,
                   expected_total_idr: int | None = None,
                   trade_terms: TradeTerms | None = None,
                   shipping_choices: dict[str, str] | None = None) -> Checkout:
    """Turn `quantities` ({product_id: quantity}, read once from the buyer's cart or an accepted
    quote) into a paid-or-pending checkout with one order per store, shipped to `address`
    (already cleaned: `catalog.addresses.clean_address` or `checkout_input`).

    `fixed_prices` carries agreed prices (an accepted quote) into the same checkout path, and
    `trade_terms` its terms (orders/terms.py): their freight line instead of parcel shipping (no
    courier service is chosen), and for made-to-order goods no stock reserved.
    `shipping_choices` ({store slug: service code}) are the buyer's courier services; a store
    left out ships with its cheapest. A choice the store does not offer to the address, a store
    not in the cart, or a store that ships nowhere near the address: ValidationError
    `shipping_choices.<slug>`.
    `expected_total_idr`, the total the buyer was shown: when the total is another (shipping
    never shown, a price or rate changed meanwhile), Conflict `total_changed` and nothing is
    placed. The caller empties the cart once this returns. Raises ValidationError (bad payment method, empty
    cart, below the minimum), Conflict `out_of_stock`/`unavailable`/`own_product`, PaymentDeclined.
    """
    earlier = replayed_checkout(buyer, idempotency_key)
    if earlier is not None:
        return earlier
    errors = _payment_method_errors(payment_method)
    if errors:
        raise ValidationError(fields=errors)
    cart = build_cart(quantities, address, fixed_prices, shipping_choices)
    if cart.empty:
        raise ValidationError(_l("Keranjang Anda kosong."), code="empty_cart")
    if trade_terms is not None:
        apply_to_cart(cart, trade_terms)
    else:
        _check_shipping_choices(cart, shipping_choices or {})
    if expected_total_idr is not None and expected_total_idr != cart.total_idr:
        raise TotalChanged(_l("Total dengan ongkos kirim: %(total)s. Periksa ringkasan, lalu tekan Bayar.",
                              total=rupiah(cart.total_idr)))
    if any(line.product.store.owner_id == buyer.id for line in cart.lines):
        raise Conflict(_l("Anda tidak dapat membeli produk toko sendiri."), code="own_product")
    for line in cart.lines:
        if line.problem == "below_moq":
            raise ValidationError(fields={f"items.{line.product.id}": _l(
                "Minimal pembelian %(n)d.", n=line.product.min_order_qty)})
        if line.problem == "unavailable":
            raise Conflict(_l("%(title)s tidak dijual lagi.", title=line.product.title),
                           code="unavailable", fields={f"items.{line.product.id}": _l("Tidak dijual lagi.")})

    # Reserve every line, in product-id order (a fixed lock order: no deadlocks); goods made to
    # order are not on the shelf yet, so nothing is taken from it.
    reserved = [] if trade_terms is not None and trade_terms.made_to_order else cart.lines
    for line in sorted(reserved, key=lambda item: item.product.id):
        if not reserve_stock(line.product.id, line.quantity):
            raise Conflict(
                _l("Stok %(title)s tidak cukup.", title=line.product.title), code="out_of_stock",
                fields={f"items.{line.product.id}": _l("Stok tidak cukup.")})

    hours = current_app.config[{PaymentMethod.CARD: "CARD_PAYMENT_HOURS",
                                PaymentMethod.QRIS: "QRIS_PAYMENT_HOURS"}.get(
        payment_method, "TRANSFER_PAYMENT_HOURS")]
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
                      shipping_service=group.choice.code if group.choice else None,
                      shipping_days_min=group.choice.days_min if group.choice else None,
                      shipping_days_max=group.choice.days_max if group.choice else None,
                      source=source or next((item.source for item in group.lines if item.source), None))
        order.lines = [OrderLine(product_id=item.product.id, title=item.product.title, sku=item.product.sku,
                                 unit_price_idr=item.unit_price_idr, quantity=item.quantity,
                                 line_total_idr=item.line_total_idr, weight_g=item.product.weight_g)
                       for item in group.lines]
        order.events = [OrderEvent(status=OrderStatus.PENDING_PAYMENT, action="place",
                                   actor_id=buyer.id)]
        if trade_terms is not None:
            order.trade_terms = trade_terms.row()
        checkout.orders.append(order)
    db.session.flush()
    allocate_unique_code(checkout)
    if reserved:
        products_changed.send(None, product_ids=[item.product.id for item in reserved])

    if payment_method == PaymentMethod.CARD:
        checkout = _reserve_then_pay(checkout, payment_method_id)
    for order in checkout.orders:
        notify(order.store.owner_id, "order_placed", order)
    db.session.flush()
    checkout_placed(checkout)
    return checkout
