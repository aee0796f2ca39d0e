"""Orders, carts and checkouts as the API shows them."""
from __future__ import annotations

from catalog.api import product_json, store_url
from marketplace.timeutil import isoformat
from orders import state
from orders.cart import CartView, StoreGroup
from orders.couriers import SERVICES, courier_name, find_courier
from orders.models import Checkout, Order
from orders.payments import escrow
from orders.shipping import ShippingOption
from orders.terms import trade_terms_json


def shipping_option_json(option: ShippingOption) -> dict:
    service = option.service
    return {"code": service.code, "courier": service.courier, "courier_name": service.carrier.name,
            "service": service.name, "cost_idr": option.cost_idr, "days_min": option.days_min,
            "days_max": option.days_max, "free": option.free}


def _store_json(group: StoreGroup) -> dict:
    missing = group.missing_for_free
    return {"slug": group.store.slug, "name": group.store.name, "subtotal_idr": group.subtotal_idr,
            "weight_g": group.weight_g, "shipping_idr": group.shipping_idr or 0, "zone": group.zone,
            "shipping_options": [shipping_option_json(o) for o in group.options],
            "shipping_service": group.choice.code if group.choice else None,
            "free_shipping": None if missing is None else {
                "min_idr": group.plan.free_shipping_min_idr, "missing_idr": missing,
                "reached": missing == 0}}


def cart_json(cart: CartView) -> dict:
    return {
        "lines": [{"product": product_json(item.product), "quantity": item.quantity,
                   "unit_price_idr": item.unit_price_idr, "line_total_idr": item.line_total_idr,
                   "problem": item.problem} for item in cart.lines],
        "stores": [_store_json(g) for g in cart.groups],
        "shipping_known": cart.shipping_known,
        "total_idr": cart.total_idr,
    }


def shipment_json(order: Order) -> dict:
    """How an order travels: the service chosen, its estimate, the courier and tracking."""
    service = SERVICES.get(order.shipping_service or "")
    carrier = find_courier(order.courier) if order.courier else (service.carrier if service else None)
    code = carrier.code if carrier else order.courier
    return {"courier": code, "courier_name": carrier.name if carrier else order.courier,
            "service": service.code if service else None, "service_name": service.name if service else None,
            "days_min": order.shipping_days_min, "days_max": order.shipping_days_max,
            "tracking_number": order.tracking_number,
            "tracking_url": carrier.tracking_link(order.tracking_number) if carrier else None,
            "tracks": carrier.tracks if carrier else None}


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
        "courier": courier_name(order.courier),
        "tracking_number": order.tracking_number,
        "shipping": shipment_json(order),
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
    payment.update(escrow.payment_json(checkout))
    return {"id": checkout.id, "reference": checkout.reference,
            "orders": [order_json(o, actor) for o in checkout.orders],
            "total_idr": checkout.total_idr, "payment": payment,
            "expires_at": isoformat(checkout.expires_at), "created_at": isoformat(checkout.created_at)}
