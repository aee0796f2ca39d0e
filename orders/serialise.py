"""Orders, carts and checkouts as the API shows them."""
from __future__ import annotations

from catalog.api import product_json, store_url
from marketplace.timeutil import isoformat
from orders import state
from orders.cart import CartView
from orders.models import Checkout, Order
from orders.terms import trade_terms_json


def cart_json(cart: CartView) -> dict:
    return {
        "lines": [{"product": product_json(item.product), "quantity": item.quantity,
                   "unit_price_idr": item.unit_price_idr, "line_total_idr": item.line_total_idr,
                   "problem": item.problem} for item in cart.lines],
        "stores": [{"slug": g.store.slug, "name": g.store.name, "subtotal_idr": g.subtotal_idr,
                    "weight_g": g.weight_g, "shipping_idr": g.shipping_idr or 0, "zone": g.zone}
                   for g in cart.groups],
        "shipping_known": cart.shipping_known,
        "total_idr": cart.total_idr,
    }


def order_json(order: Order, actor=None) -> dict:
    checkout = order.checkout
    return {
        "id": order.id,
        "checkout_id": order.checkout_id,
        "status": order.status,
        "status_label": str(state.status_label(order.status)),
        "store": {"slug": order.store.slug, "name": order.store.name, "url": store_url(order.store)},
        "buyer": {"name": order.buyer.name},
        "lines": [{"product_id": item.product_id, "title": item.title, "sku": item.sku,
                   "unit_price_idr": item.unit_price_idr, "quantity": item.quantity,
                   "line_total_idr": item.line_total_idr} for item in order.lines],
        "subtotal_idr": order.subtotal_idr,
        "shipping_idr": order.shipping_idr,
        "discount_idr": order.discount_idr,
        "total_idr": order.total_idr,
        "refunded_idr": order.refunded_idr,
        "shipping_zone": order.shipping_zone,
        "shipping_address": checkout.shipping_address,
        "courier": order.courier,
        "tracking_number": order.tracking_number,
        "cancel_reason": order.cancel_reason,
        "trade_terms": trade_terms_json(order),
        # this order's own payment status; the checkout's (all stores together) beside it
        "payment": {"method": checkout.payment_method, "status": state.order_payment_status(order),
                    "checkout_status": checkout.payment_status,
                    "transfer_proof": bool(order.transfer_proof_path)},
        "history": [{"status": e.status, "action": e.action, "at": isoformat(e.at), "note": e.note}
                    for e in order.events],
        "allowed_actions": state.allowed_actions(order, actor) if actor is not None else [],
        "created_at": isoformat(order.created_at),
        "updated_at": isoformat(order.updated_at),
    }


def checkout_json(checkout: Checkout, actor=None) -> dict:
    payment = {"method": checkout.payment_method, "status": checkout.payment_status}
    if checkout.stripe_client_secret and checkout.payment_status == "pending":
        payment["client_secret"] = checkout.stripe_client_secret
    if checkout.payment_error:
        payment["error"] = checkout.payment_error
    return {"id": checkout.id, "reference": checkout.reference,
            "orders": [order_json(o, actor) for o in checkout.orders],
            "total_idr": checkout.total_idr, "payment": payment,
            "expires_at": isoformat(checkout.expires_at), "created_at": isoformat(checkout.created_at)}
