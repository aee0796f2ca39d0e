"""Cart, checkout and order API under /api/v1 (see ../shared/API.md)."""
from __future__ import annotations

from flask import jsonify, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from catalog.images import prepare_image
from catalog.services import get_store
from catalog.validation import MAX_PRICE_IDR, MAX_QTY
from marketplace.api import (
    api_blueprint,
    doc,
    enum_source,
    json_body,
    list_of,
    login_required_api,
    page_params,
    paginate,
    query_param,
    ref,
    schema,
    text_schema,
)
from marketplace.errors import ValidationError
from marketplace.extensions import db
from marketplace.timeutil import isoformat
from marketplace.web import acting_user
from orders import checkout as checkout_service
from orders import payouts, services
from orders.cart import bag_for, build_cart, set_quantity
from orders.couriers import COURIERS, SERVICES
from orders.models import Checkout, OrderStatus, PaymentMethod
from orders.payments import escrow
from orders.payments import service as payments
from orders.payments import stripe as gateway
from orders.serialise import cart_json, checkout_json, order_json
from orders.state import MAX_REASON

bp = api_blueprint("orders_api", __name__)

# Card payments are on offer only where Stripe is configured; the document says so.
enum_source("payment_methods", lambda: [m.value for m in PaymentMethod
                                        if m != PaymentMethod.CARD or gateway.configured()],
            cache=False)

enum_source("shipping_services", lambda: list(SERVICES))

_money = {"type": "integer"}
schema("ShippingOption", {
    "type": "object",
    "required": ["code", "courier", "courier_name", "service", "cost_idr", "days_min", "days_max", "free"],
    "properties": {
        "code": {"type": "string", "description": "The service's code: what shipping_choices take."},
        "courier": {"type": "string", "enum": list(COURIERS)},
        "courier_name": {"type": "string"}, "service": {"type": "string", "description": "e.g. REG"},
        "cost_idr": _money, "days_min": {"type": "integer"}, "days_max": {"type": "integer"},
        "free": {"type": "boolean", "description": "Free by the store's free-shipping threshold."}}})
schema("Shipment", {
    "type": "object",
    "required": ["courier", "courier_name", "service", "service_name", "days_min", "days_max",
                 "tracking_number", "tracking_url", "tracks"],
    "properties": {
        "courier": {"type": "string", "nullable": True, "description":
                    "The courier carrying it once shipped (a code; text typed before couriers "
                    "were known stays as typed); before that the chosen service's courier."},
        "courier_name": {"type": "string", "nullable": True},
        "service": {"type": "string", "nullable": True, "description": "The service the buyer chose."},
        "service_name": {"type": "string", "nullable": True},
        "days_min": {"type": "integer", "nullable": True},
        "days_max": {"type": "integer", "nullable": True},
        "tracking_number": {"type": "string", "nullable": True},
        "tracking_url": {"type": "string", "nullable": True,
                         "description": "The courier's public tracking page for this parcel."},
        "tracks": {"type": "boolean", "nullable": True,
                   "description": "Whether the courier gives tracking numbers."}}})
schema("CartLine", {"type": "object", "required": ["product", "quantity", "unit_price_idr", "line_total_idr"],
                    "properties": {"product": ref("Product"), "quantity": {"type": "integer"},
                                   "unit_price_idr": _money, "line_total_idr": _money,
                                   "problem": {"type": "string", "nullable": True,
                                               "enum": ["out_of_stock", "below_moq", "unavailable", None]}}})
schema("Cart", {"type": "object", "required": ["lines", "stores", "total_idr"], "properties": {
    "lines": {"type": "array", "items": ref("CartLine")},
    "stores": {"type": "array", "items": {"type": "object", "required": ["slug", "subtotal_idr", "shipping_idr"],
                                          "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                                                         "subtotal_idr": _money, "weight_g": {"type": "integer"},
                                                         "shipping_idr": {"type": "integer", "description":
                                                                          "0 until a destination is known (shipping_known)"},
                                                         "zone": {"type": "string", "nullable": True},
                                                         "shipping_options": {
                                                             "type": "array", "items": ref("ShippingOption"),
                                                             "description": "Services the store offers to the "
                                                                            "destination, cheapest first; empty "
                                                                            "until a destination is known"},
                                                         "shipping_service": {
                                                             "type": "string", "nullable": True,
                                                             "description": "The service priced in shipping_idr "
                                                                            "(the cheapest; null until a "
                                                                            "destination is known, or when the "
                                                                            "store ships nowhere near it)"},
                                                         "free_shipping": {
                                                             "type": "object", "nullable": True,
                                                             "required": ["min_idr", "missing_idr", "reached"],
                                                             "description": "The store's free-shipping threshold "
                                                                            "(domestic), null without one",
                                                             "properties": {"min_idr": _money, "missing_idr": _money,
                                                                            "reached": {"type": "boolean"}}}}}},
    "shipping_known": {"type": "boolean"}, "total_idr": _money}})
schema("ShippingAddressInput", {
    "type": "object", "required": ["name", "phone", "line1", "country"],
    "description": "In Indonesia (country ID) province and regency codes and a 5-digit postal "
                   "code are required, and the regency must lie in the province.",
    "properties": {
        "name": text_schema(120), "phone": text_schema(30), "line1": text_schema(200),
        "district": text_schema(120, required=False, nullable=True),
        "regency": text_schema(120, required=False, nullable=True),
        "province": text_schema(120, required=False, nullable=True),
        "postal_code": text_schema(20, required=False, nullable=True),
        "country": {"type": "string", "pattern": r"^\s*[A-Za-z]{2}\s*$", "maxLength": 10,
                    "description": "ISO 3166 alpha-2, e.g. ID, SG, JP."}}})
schema("ShippingAddress", {"type": "object", "properties": {
    k: {"type": "string", "nullable": True}
    for k in ("name", "phone", "line1", "district", "regency", "province", "postal_code", "country")}})
schema("OrderLine", {"type": "object", "required": ["title", "quantity", "unit_price_idr", "line_total_idr"],
                     "properties": {"product_id": {"type": "integer", "nullable": True},
                                    "title": {"type": "string"}, "sku": {"type": "string"},
                                    "unit_price_idr": _money, "quantity": {"type": "integer"},
                                    "line_total_idr": _money}})
schema("TradeTerms", {
    "type": "object", "nullable": True,
    "description": "The terms of an order made from an accepted quote (null for cart orders). "
                   "shipping_idr is freight_idr: 0 for EXW, FCA and FOB (the buyer pays the "
                   "carriage), the seller's freight line for CFR, CIF, CPT, CIP, DAP, DPU, DDP "
                   "(insurance included for CIF and CIP), or 0 with freight_included when the quote "
                   "left the freight line out (the carriage is in the unit price). A made-to-order "
                   "order reserved no stock and waits in_production once paid.",
    "required": ["incoterm", "port", "label", "freight_idr", "freight_included", "made_to_order",
                 "lead_time_days", "ready_by"],
    "properties": {
        "incoterm": {"type": "string", "example": "FOB"},
        "port": {"type": "string", "nullable": True, "example": "Panjang",
                 "description": "The port (FOB: of loading; CFR, CIF: of destination) or named place"},
        "label": {"type": "string", "example": "FOB Panjang"},
        "freight_idr": _money, "made_to_order": {"type": "boolean"},
        "freight_included": {"type": "boolean",
                             "description": "A freight term whose carriage is in the unit price"},
        "lead_time_days": {"type": "integer"},
        "ready_by": {"type": "string", "format": "date", "nullable": True,
                     "description": "The day of acceptance plus the lead time"}}})
schema("Order", {"type": "object", "required": ["id", "status", "store", "lines", "subtotal_idr",
                                                "shipping_idr", "total_idr", "history"],
                 "properties": {
                     "id": {"type": "integer"}, "checkout_id": {"type": "integer"},
                     "status": {"type": "string", "enum": [st.value for st in OrderStatus]},
                     "status_label": {"type": "string"},
                     "store": {"type": "object", "properties": {"slug": {"type": "string"},
                                                                "name": {"type": "string"},
                                                                "url": {"type": "string"}}},
                     "buyer": {"type": "object", "properties": {"name": {"type": "string"}}},
                     "lines": {"type": "array", "items": ref("OrderLine")},
                     "subtotal_idr": _money, "shipping_idr": _money, "discount_idr": _money,
                     "total_idr": _money, "refunded_idr": _money,
                     "shipping_zone": {"type": "string"}, "shipping_address": ref("ShippingAddress"),
                     "courier": {"type": "string", "nullable": True,
                                 "description": "The courier's name once shipped (see shipping)."},
                     "tracking_number": {"type": "string", "nullable": True},
                     "shipping": ref("Shipment"),
                     "cancel_reason": {"type": "string", "nullable": True},
                     "trade_terms": ref("TradeTerms"),
                     "payment": {"type": "object", "properties": {
                         "method": {"type": "string"},
                         "status": {"type": "string", "description": "This order's own payment status."},
                         "checkout_status": {"type": "string", "description":
                                             "The checkout's (every store's order together)."},
                         "transfer_proof": {"type": "boolean"}}},
                     "history": {"type": "array", "items": {"type": "object", "required": ["status", "at"],
                                                            "properties": {"status": {"type": "string"},
                                                                           "action": {"type": "string"},
                                                                           "at": {"type": "string", "format": "date-time"},
                                                                           "note": {"type": "string", "nullable": True}}}},
                     "allowed_actions": {"type": "array", "items": {"type": "string"}},
                     "created_at": {"type": "string", "format": "date-time"},
                     "updated_at": {"type": "string", "format": "date-time"}}})
schema("Checkout", {"type": "object", "required": ["id", "orders", "total_idr", "payment"], "properties": {
    "id": {"type": "integer"}, "reference": {"type": "string"},
    "orders": {"type": "array", "items": ref("Order")}, "total_idr": _money,
    "payment": {"type": "object", "required": ["method", "status"], "properties": {
        "method": {"type": "string", "enum": ["card", "bank_transfer", "qris"]},
        "status": {"type": "string"}, "client_secret": {"type": "string"},
        "error": {"type": "string"},
        "amount_idr": {**_money, "description": "bank_transfer and qris: what to pay, total_idr "
                                                "plus unique_code"},
        "expires_at": {"type": "string", "format": "date-time",
                       "description": "bank_transfer and qris: pay before this"},
        "unique_code": {"type": "integer", "minimum": 0, "maximum": 999,
                        "description": "bank_transfer: 1-999 rupiah added so the transfer is told "
                                       "apart on the marketplace's statement; 0 otherwise"},
        "bank_accounts": {"type": "array", "items": {
            "type": "object", "required": ["bank", "number", "holder"], "properties": {
                "bank": {"type": "string"}, "bank_code": {"type": "string"},
                "number": {"type": "string"}, "holder": {"type": "string"}}}},
        "qris_payload": {"type": "string", "nullable": True,
                         "description": "qris, while pending: the dynamic QRIS (EMVCo) with the amount"}}},
    "expires_at": {"type": "string", "format": "date-time"},
    "created_at": {"type": "string", "format": "date-time"}}})
schema("Refund", {"type": "object", "required": ["id", "amount_idr", "reason"], "properties": {
    "id": {"type": "integer"}, "order_id": {"type": "integer"}, "amount_idr": _money,
    "reason": {"type": "string"}, "status": {"type": "string"},
    "order": ref("Order")}})


def _address_args() -> dict | None:
    if not request.args.get("country") and not request.args.get("province"):
        return None
    return {"country": (request.args.get("country") or "ID").upper(),
            "province": request.args.get("province"), "regency": request.args.get("regency")}


def _cart_response():
    bag = bag_for(acting_user(), session)
    return jsonify(cart_json(build_cart(bag.quantities(), _address_args())))


@bp.get("/cart")
@doc("The caller's cart (the session's for guests); shipping when a destination is given",
     tags=("orders",), response=ref("Cart"),
     params=[query_param("country", description="ISO country code, default ID"),
             query_param("province", description="destination province code"),
             query_param("regency", description="destination regency code")])
def get_cart():
    return _cart_response()


@bp.put("/cart/items/<int:product_id>")
@doc("Set a product's quantity in the cart (0 removes it)", tags=("orders",), response=ref("Cart"),
     errors=(404, 409, 422),
     request_body={"type": "object", "required": ["quantity"],
                   "properties": {"quantity": {"type": "integer", "minimum": 0, "maximum": MAX_QTY}}})
def put_cart_item(product_id: int):
    data = json_body()
    set_quantity(bag_for(acting_user(), session), product_id, data.get("quantity"), actor=acting_user())
    return _cart_response()


@bp.delete("/cart/items/<int:product_id>")
@doc("Remove a product from the cart", tags=("orders",), response=ref("Cart"))
def delete_cart_item(product_id: int):
    bag_for(acting_user(), session).remove(product_id)
    return _cart_response()


@bp.post("/checkout")
@login_required_api
@doc("Place the cart: one order per store, paid once (card or bank transfer)", status=201,
     auth=True, tags=("orders",), errors=(401, 402, 409, 422), response=ref("Checkout"),
     request_body={"type": "object", "required": ["shipping_address", "payment_method"], "properties": {
         "shipping_address": ref("ShippingAddressInput"),
         "payment_method": {"type": "string", "x-enum-from": "payment_methods",
                            "description": "card only where Stripe is configured"},
         "payment_method_id": {"type": "string", "maxLength": 255, "nullable": True, "description":
                               "a Stripe PaymentMethod id (pm_...) to charge now; without it the "
                               "answer carries a client_secret to confirm on the client"},
         "shipping_choices": {
             "type": "object", "nullable": True, "maxProperties": 100,
             "additionalProperties": {"type": "string", "x-enum-from": "shipping_services"},
             "description": "{store slug: service code} from the cart's shipping_options; a store "
                            "left out ships with its cheapest. A store not in the cart, or a "
                            "service the store does not offer to the address, is 422 "
                            "(shipping_choices.<slug>)."}}})
def checkout():
    data = json_body()
    buyer = acting_user()
    key = request.headers.get("Idempotency-Key")
    placed = checkout_service.replayed_checkout(buyer, key)
    if placed is None:
        bag = bag_for(buyer, session)
        address = checkout_service.checkout_input(data.get("shipping_address"), data.get("payment_method"))
        placed = checkout_service.place_checkout(
            buyer, bag.quantities(), address, payment_method=data.get("payment_method"),
            payment_method_id=data.get("payment_method_id"), idempotency_key=key,
            shipping_choices=data.get("shipping_choices") or {})
        bag.clear()
    return jsonify(checkout_json(placed, buyer)), 201


@bp.get("/checkouts/<int:checkout_id>")
@login_required_api
@doc("One of the caller's checkouts", auth=True, tags=("orders",), errors=(401, 404),
     response=ref("Checkout"))
def get_checkout(checkout_id: int):
    from marketplace.errors import NotFound

    found = db.session.get(Checkout, checkout_id)
    if found is None or found.buyer_id != current_user.id:
        raise NotFound()
    return jsonify(checkout_json(found, acting_user()))


@bp.get("/orders")
@login_required_api
@doc("The caller's orders as a buyer, newest first", auth=True, tags=("orders",), errors=(401,),
     response=list_of(ref("Order")),
     params=page_params())
def list_orders():
    actor = acting_user()
    return jsonify(paginate(services.buyer_orders(actor), lambda o: order_json(o, actor)))


@bp.get("/orders/<int:order_id>")
@login_required_api
@doc("An order, for its buyer or its seller", auth=True, tags=("orders",), errors=(401, 404),
     response=ref("Order"))
def get_order(order_id: int):
    actor = acting_user()
    return jsonify(order_json(services.order_for(order_id, actor), actor))


@bp.get("/stores/<slug>/orders")
@login_required_api
@doc("A store's orders (its owner)", auth=True, tags=("orders",), errors=(401, 404),
     response=list_of(ref("Order")),
     params=[query_param("status", enum=[st.value for st in OrderStatus]), *page_params()])
def list_store_orders(slug: str):
    actor = acting_user()
    store = get_store(slug)
    return jsonify(paginate(services.store_orders(store, actor=actor, status=request.args.get("status")),
                            lambda o: order_json(o, actor)))


ACTIONS = ("accept", "pack", "ship", "deliver", "complete", "cancel", "confirm_transfer")


@bp.post("/orders/<int:order_id>/transitions")
@login_required_api
@doc("Move an order: accept, pack, ship, deliver, complete, cancel (or confirm_transfer: finance "
     "confirms the checkout's transfer or QRIS payment reached the marketplace)",
     auth=True, tags=("orders",), errors=(401, 403, 404, 409, 422), response=ref("Order"),
     request_body={"type": "object", "required": ["action"], "properties": {
         "action": {"type": "string", "enum": list(ACTIONS)},
         "reason": text_schema(MAX_REASON, required=False, nullable=True),
         "courier": text_schema(60, required=False, nullable=True, description=(
             "ship: a courier code (jne, jnt, sicepat, anteraja, pos, kurir_toko, ambil_sendiri) "
             "or its name (JNE, J&T Express ...); default the courier of the service the buyer "
             "chose. Another text, or a courier that does not go to the order's zone, is 422.")),
         "tracking_number": text_schema(80, required=False, nullable=True, description=(
             "ship: required for couriers that track parcels (not kurir_toko, ambil_sendiri)"))}})
def transition(order_id: int):
    actor = acting_user()
    order = services.order_for(order_id, actor)  # not yours: 404 before anything about the body
    data = json_body()
    action = data.get("action")
    if action not in ACTIONS:
        raise ValidationError(fields={"action": _l("Tindakan tidak dikenal.")})
    if action == "confirm_transfer":  # finance: the whole checkout's transfer or QRIS arrived
        escrow.confirm_payment(order.checkout_id, actor=actor)
    else:
        services.act(order, action, actor=actor, reason=data.get("reason"),
                     courier=data.get("courier"), tracking_number=data.get("tracking_number"))
    return jsonify(order_json(order, actor))


@bp.post("/orders/<int:order_id>/receipt")
@login_required_api
@doc("The buyer confirms receipt: the order completes and its money is released to the store",
     auth=True, tags=("orders",), errors=(401, 403, 404, 409), response=ref("Order"))
def receipt(order_id: int):
    actor = acting_user()
    order = services.confirm_receipt(services.order_for(order_id, actor), actor=actor)
    return jsonify(order_json(order, actor))


@bp.post("/orders/<int:order_id>/refunds")
@login_required_api
@doc("Refund part or all of an order (its seller or an admin); card refunds go through Stripe",
     status=201, auth=True, tags=("orders",), errors=(401, 403, 404, 409, 422), response=ref("Refund"),
     request_body={"type": "object", "required": ["amount_idr", "reason"], "properties": {
         "amount_idr": {"type": "integer", "minimum": 1, "maximum": MAX_PRICE_IDR},
         "reason": text_schema(MAX_REASON)}})
def refund(order_id: int):
    actor = acting_user()
    order = services.order_for(order_id, actor)
    data = json_body()
    made = payments.refund_order(order, data.get("amount_idr"), reason=data.get("reason") or "",
                                 actor=actor)
    return jsonify({"id": made.id, "order_id": order.id, "amount_idr": made.amount_idr,
                    "reason": made.reason, "status": made.status,
                    "order": order_json(order, actor)}), 201


@bp.post("/orders/<int:order_id>/transfer-proof")
@login_required_api
@doc("Upload a photo of the bank transfer (the buyer; multipart field `image`)", auth=True,
     tags=("orders",), errors=(401, 404, 409, 422), response=ref("Order"),
     content_type="multipart/form-data",
     request_body={"type": "object", "required": ["image"],
                   "properties": {"image": {"type": "string", "format": "binary"}}})
def transfer_proof(order_id: int):
    actor = acting_user()
    # Read, decode, then write: no database write lock is held during the image work.
    with db.session.no_autoflush:
        order = services.order_for(order_id, actor)
    upload = request.files.get("image")
    prepared = prepare_image(upload.read() if upload else b"")
    services.attach_transfer_proof(order, prepared, actor=actor)
    return jsonify(order_json(order, actor))


# --- payouts ------------------------------------------------------------------------------------

schema("PayoutLine", {"type": "object", "required": ["id", "batch_id", "store", "amount_idr", "status"],
                      "properties": {
    "id": {"type": "integer"}, "batch_id": {"type": "integer"}, "store": {"type": "string"},
    "amount_idr": _money, "status": {"type": "string", "enum": ["pending", "paid", "failed"]},
    "bank": {"type": "string"}, "account_number": {"type": "string"}, "holder": {"type": "string"},
    "bank_reference": {"type": "string", "nullable": True},
    "failure_reason": {"type": "string", "nullable": True},
    "settled_at": {"type": "string", "format": "date-time", "nullable": True}}})
schema("PayoutBatch", {"type": "object", "required": ["id", "min_amount_idr", "created_at", "total_idr", "lines"],
                       "properties": {
    "id": {"type": "integer"}, "min_amount_idr": _money,
    "created_at": {"type": "string", "format": "date-time"}, "total_idr": _money,
    "lines": {"type": "array", "items": ref("PayoutLine")}}})


def payout_line_json(line) -> dict:
    account = line.payout_account
    return {"id": line.id, "batch_id": line.batch_id, "store": line.store.slug, "amount_idr": line.amount_idr,
            "status": line.status, "bank": escrow.bank_name(account.bank_code), "account_number": account.number,
            "holder": account.holder, "bank_reference": line.bank_reference,
            "failure_reason": line.failure_reason, "settled_at": isoformat(line.settled_at)}


def payout_batch_json(batch) -> dict:
    return {"id": batch.id, "min_amount_idr": batch.min_amount_idr, "created_at": isoformat(batch.created_at),
            "total_idr": sum(line.amount_idr for line in batch.lines),
            "lines": [payout_line_json(line) for line in batch.lines]}


@bp.get("/stores/<slug>/payouts")
@login_required_api
@doc("A store's payouts, newest first (its owner)", auth=True, tags=("payments",), errors=(401, 403, 404),
     response=list_of(ref("PayoutLine")), params=page_params())
def list_store_payouts(slug: str):
    return jsonify(paginate(payouts.store_payouts(get_store(slug), actor=acting_user()), payout_line_json))


@bp.get("/payout-batches")
@login_required_api
@doc("Payout batches, newest first (finance)", auth=True, tags=("payments",), errors=(401, 403),
     response=list_of(ref("PayoutBatch")), params=page_params())
def list_payout_batches():
    escrow.require_finance(acting_user())
    return jsonify(paginate(payouts.batches(), payout_batch_json))


@bp.post("/payout-batches")
@login_required_api
@doc("Pay out every available balance of at least min_amount_idr to the stores' verified "
     "accounts (finance); 409 nothing_to_pay when no store qualifies", status=201, auth=True,
     tags=("payments",), errors=(401, 403, 409, 422), response=ref("PayoutBatch"),
     request_body={"type": "object", "required": ["min_amount_idr"], "properties": {
         "min_amount_idr": {"type": "integer", "minimum": 1, "maximum": MAX_PRICE_IDR}}})
def create_payout_batch():
    result = payouts.make_batch(json_body().get("min_amount_idr"), actor=acting_user())
    return jsonify(payout_batch_json(result.batch)), 201


@bp.post("/payout-lines/<int:line_id>")
@login_required_api
@doc("Record what the bank did with one payout (finance): paid with its reference, or failed "
     "with why (the money returns to the store's available balance)", auth=True, tags=("payments",),
     errors=(401, 403, 404, 409, 422), response=ref("PayoutLine"),
     request_body={"type": "object", "required": ["status"], "properties": {
         "status": {"type": "string", "enum": ["paid", "failed"]},
         "reference": text_schema(120, required=False, nullable=True),
         "reason": text_schema(120, required=False, nullable=True)}})
def settle_payout_line(line_id: int):
    data = json_body()
    if data.get("status") not in ("paid", "failed"):
        raise ValidationError(fields={"status": _l("Pilih paid atau failed.")})
    line = payouts.settle_line(line_id, paid=data["status"] == "paid", reference=data.get("reference"),
                               reason=data.get("reason"), actor=acting_user())
    return jsonify(payout_line_json(line))
