"""Promotion events and trade API under /api/v1 (see ../shared/API.md)."""
from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l

from catalog.api import product_json
from catalog.services import get_store, store_of
from catalog.validation import MAX_PRICE_IDR, MAX_QTY
from marketplace.api import (
    INT32_MAX,
    api_blueprint,
    doc,
    json_body,
    list_of,
    login_required_api,
    officer_required_api,
    page_params,
    paginate,
    query_param,
    ref,
    schema,
    text_schema,
)
from marketplace.errors import NotFound, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import isoformat
from marketplace.web import acting_user
from orders.serialise import checkout_json
from promotions import report as reports
from promotions import services, trade
from promotions.models import MAX_PORT_LEN, Application, Booking, EventKind, EventStatus, MeetingSlot

bp = api_blueprint("promotions_api", __name__)

_str, _int = {"type": "string"}, {"type": "integer"}
_time = {"type": "string", "format": "date-time"}
_price = {"type": "integer", "minimum": 1, "maximum": MAX_PRICE_IDR}
_nstr = {"type": "string", "nullable": True}
schema("Event", {"type": "object", "required": ["slug", "title", "kind", "status", "starts_at", "ends_at"],
                 "properties": {
                     "id": _int, "slug": _str, "title": _str, "title_en": _nstr,
                     "description": _str, "description_en": _nstr,
                     "kind": {"type": "string", "enum": ["national_expo", "export_forum",
                                                         "business_matching", "online_campaign"]},
                     "status": {"type": "string", "enum": ["draft", "open", "curation", "published",
                                                           "live", "closed", "cancelled"]},
                     "starts_at": _time, "ends_at": _time, "timezone": _str, "venue": _nstr,
                     "online_url": _nstr, "target_markets": {"type": "array", "items": _str},
                     "categories": {"type": "array", "items": _str}, "exhibitor_quota": _int,
                     "application_deadline": {"type": "string", "format": "date-time", "nullable": True},
                     "exhibitors": {"type": "array", "items": {"type": "object", "properties": {
                         "slug": _str, "name": _str, "url": _str}}},
                     "url": _str, "history": {"type": "array", "items": {"type": "object", "properties": {
                         "status": _str, "action": _str, "at": _time}}}}})
_id = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
_ids = {"type": "array", "items": _id, "maxItems": 200}
_count = {"type": "integer", "minimum": 1, "maximum": MAX_QTY}
_country = {"type": "string", "pattern": r"^\s*[A-Za-z]{2}\s*$", "maxLength": 10,
            "description": "ISO 3166 alpha-2, e.g. JP"}
_slug = {"type": "string", "minLength": 1, "maxLength": 120}
_event_input = {"type": "object", "properties": {
    "title": text_schema(160, min_len=5), "title_en": text_schema(160, required=False, nullable=True),
    "description": text_schema(20000, min_len=10),
    "description_en": text_schema(20000, required=False, nullable=True),
    "kind": {"type": "string", "enum": ["national_expo", "export_forum", "business_matching",
                                        "online_campaign"]},
    "starts_at": _time, "ends_at": _time,
    "timezone": {"type": "string", "maxLength": 64, "example": "Asia/Jakarta",
                 "description": "An IANA time zone"},
    "venue": text_schema(200, required=False, nullable=True),
    "online_url": {"type": "string", "maxLength": 300, "nullable": True,
                   "pattern": r"^\s*$|^\s*[Hh][Tt][Tt][Pp][Ss]?://",
                   "description": "http(s) only"},
    "target_markets": {"type": "array", "items": _country, "maxItems": 50},
    "categories": {"type": "array", "items": {"type": "string", "x-enum-from": "categories"},
                   "maxItems": 50},
    "exhibitor_quota": {"type": "integer", "minimum": 1, "maximum": 10000},
    "application_deadline": {**_time, "nullable": True}}}
schema("Application", {"type": "object", "required": ["id", "event", "store", "status", "products"],
                       "properties": {"id": _int, "event": _str, "store": {"type": "object", "properties": {
                           "slug": _str, "name": _str}}, "status": _str, "invited": {"type": "boolean"},
                           "pitch": _str, "reason": _nstr,
                           "products": {"type": "array", "items": _int},
                           "created_at": _time}})
schema("EventProduct", {"type": "object", "required": ["product", "position", "featured"], "properties": {
    "product": ref("Product"), "position": _int, "featured": {"type": "boolean"},
    "event_price_idr": {"type": "integer", "nullable": True}}})
schema("Registration", {"type": "object", "required": ["id", "event", "buyer_type", "company", "country"],
                        "properties": {"id": _int, "event": _str, "buyer_type": _str, "company": _str,
                                       "country": _str, "interests": _str, "created_at": _time}})
schema("Quote", {"type": "object", "required": ["id", "rfq_id", "unit_price_idr", "min_qty", "status"],
                 "properties": {"id": _int, "rfq_id": _int, "unit_price_idr": _int, "min_qty": _int,
                                "lead_time_days": _int, "valid_until": {"type": "string", "format": "date"},
                                "incoterm": _str, "port": _nstr, "freight_idr": _int,
                                "made_to_order": {"type": "boolean"},
                                "status": _str, "order_id": {"type": "integer", "nullable": True},
                                "created_at": _time}})
schema("Rfq", {"type": "object", "required": ["id", "product", "quantity", "status", "quotes"], "properties": {
    "id": _int, "product": {"type": "object", "properties": {"id": _int, "title": _str, "url": _str}},
    "store": {"type": "object", "properties": {"slug": _str, "name": _str}},
    "buyer": {"type": "object", "properties": {"name": _str}},
    "event": _nstr, "quantity": _int, "target_price_idr": {"type": "integer", "nullable": True},
    "destination_country": _str, "incoterm": _str, "needed_by": {"type": "string", "format": "date"},
    "status": _str, "quotes": {"type": "array", "items": ref("Quote")},
    "messages": {"type": "array", "items": {"type": "object", "properties": {
        "author": _str, "body": _str, "at": _time}}},
    "created_at": _time}})
schema("MeetingSlot", {"type": "object", "required": ["id", "starts_at", "ends_at", "store", "booked"],
                       "properties": {"id": _int, "starts_at": _time, "ends_at": _time,
                                      "store": {"type": "object", "properties": {"slug": _str, "name": _str}},
                                      "booked": {"type": "boolean"}}})
schema("Booking", {"type": "object", "required": ["id", "slot", "status"], "properties": {
    "id": _int, "slot": ref("MeetingSlot"), "status": _str, "created_at": _time}})
schema("EventReport", {"type": "object", "required": [
    "exhibitors", "products", "registrations", "rfqs", "quotes", "deals", "orders", "value_idr",
    "value_usd"], "properties": {
    "event": _str, "exhibitors": _int, "applications": _int, "products": _int,
    "registrations": {"type": "object", "required": ["total", "by_country"], "properties": {
        "total": _int, "by_country": {"type": "object", "additionalProperties": _int},
        "by_type": {"type": "object", "additionalProperties": _int}}},
    "rfqs": _int, "quotes": _int, "deals": _int, "orders": _int, "orders_awaiting_payment": _int,
    "value_idr": _int, "value_usd": {"type": "number", "nullable": True},
    "usd_rate": {"type": "object", "nullable": True, "properties": {"idr_per_usd": _str,
                                                                    "valid_on": _str}}}})


def event_json(event, *, full: bool = True) -> dict:
    body = {"id": event.id, "slug": event.slug, "title": event.title, "title_en": event.title_en,
            "description": event.description, "description_en": event.description_en,
            "kind": event.kind, "status": event.status, "starts_at": isoformat(event.starts_at),
            "ends_at": isoformat(event.ends_at), "timezone": event.timezone, "venue": event.venue,
            "online_url": event.online_url, "target_markets": event.target_markets or [],
            "categories": event.categories or [], "exhibitor_quota": event.exhibitor_quota,
            "application_deadline": isoformat(event.application_deadline),
            "url": f"/acara/{event.slug}"}
    if full:
        body["exhibitors"] = [{"slug": s.slug, "name": s.name, "url": f"/toko/{s.slug}"}
                              for s in services.exhibitors(event)]
        body["history"] = [{"status": h.status, "action": h.action, "at": isoformat(h.at)}
                           for h in event.history]
    return body


def application_json(a: Application) -> dict:
    return {"id": a.id, "event": a.event.slug, "store": {"slug": a.store.slug, "name": a.store.name},
            "status": a.status, "invited": a.invited, "pitch": a.pitch, "reason": a.reason,
            "products": [p.product_id for p in a.products], "created_at": isoformat(a.created_at)}


def quote_json(q) -> dict:
    return {"id": q.id, "rfq_id": q.rfq_id, "unit_price_idr": q.unit_price_idr, "min_qty": q.min_qty,
            "lead_time_days": q.lead_time_days, "valid_until": q.valid_until.isoformat(),
            "incoterm": q.rfq.incoterm, "port": q.port, "freight_idr": q.freight_idr,
            "made_to_order": q.made_to_order, "status": q.status, "order_id": q.order_id, "created_at": isoformat(q.created_at)}


def rfq_json(r) -> dict:
    return {"id": r.id, "product": {"id": r.product.id, "title": r.product.title,
                                    "url": f"/produk/{r.product.id}"},
            "store": {"slug": r.store.slug, "name": r.store.name}, "buyer": {"name": r.buyer.name},
            "event": r.event.slug if r.event else None, "quantity": r.quantity,
            "target_price_idr": r.target_price_idr, "destination_country": r.destination_country,
            "incoterm": r.incoterm, "needed_by": r.needed_by.isoformat(), "status": r.status,
            "quotes": [quote_json(q) for q in r.quotes],
            "messages": [{"author": m.author.name, "body": m.body, "at": isoformat(m.created_at)}
                         for m in r.messages],
            "created_at": isoformat(r.created_at)}


def slot_json(s: MeetingSlot) -> dict:
    return {"id": s.id, "starts_at": isoformat(s.starts_at), "ends_at": isoformat(s.ends_at),
            "store": {"slug": s.store.slug, "name": s.store.name},
            "booked": trade.active_booking(s) is not None}


def _event(slug: str):
    return services.visible_event(slug, acting_user())


@bp.get("/events")
@doc("Promotion events (officers also see drafts)", tags=("promotions",), response=list_of(ref("Event")),
     params=[query_param("status", enum=[st.value for st in EventStatus]),
             query_param("kind", enum=[k.value for k in EventKind]), *page_params()])
def list_events():
    stmt = services.list_events(acting_user(), status=request.args.get("status"), kind=request.args.get("kind"))
    return jsonify(paginate(stmt, lambda e: event_json(e, full=False)))


@bp.get("/events/<slug>")
@doc("One event, with its exhibitors", tags=("promotions",), errors=(404,), response=ref("Event"))
def get_event(slug: str):
    return jsonify(event_json(_event(slug)))


@bp.post("/events")
@officer_required_api
@doc("Create an event (trade officers)", status=201, auth=True, tags=("promotions",),
     errors=(401, 403, 422), request_body=_event_input, response=ref("Event"))
def create_event():
    event = services.create_event(json_body(), actor=acting_user())
    return jsonify(event_json(event)), 201


@bp.patch("/events/<slug>")
@officer_required_api
@doc("Change an event (trade officers)", auth=True, tags=("promotions",), errors=(401, 403, 404, 409, 422),
     request_body=_event_input, response=ref("Event"))
def update_event(slug: str):
    event = services.update_event(_event(slug), json_body(), actor=acting_user())
    return jsonify(event_json(event))


@bp.post("/events/<slug>/transitions")
@officer_required_api
@doc("Move an event: open, curate, publish, start, close, cancel", auth=True, tags=("promotions",),
     errors=(401, 403, 404, 409, 422), response=ref("Event"),
     request_body={"type": "object", "required": ["action"], "properties": {"action": {
         "type": "string", "enum": list(services.MOVES)}, "confirm_early": {
         "type": "boolean", "description": "Start before the planned start: the start moves to now "
         "(without it, 409 early_start)."}}})
def event_transition(slug: str):
    data = json_body()
    event = services.transition_event(_event(slug), data.get("action"), actor=acting_user(),
                                      early=data.get("confirm_early") is True)
    return jsonify(event_json(event))


@bp.post("/events/<slug>/applications")
@login_required_api
@doc("Apply to exhibit with some of your products (sellers)", status=201, auth=True,
     tags=("promotions",), errors=(401, 404, 409, 422), response=ref("Application"),
     request_body={"type": "object", "required": ["product_ids", "pitch"], "properties": {
         "product_ids": {**_ids, "minItems": 1}, "pitch": text_schema(2000, min_len=10)}})
def apply(slug: str):
    actor = acting_user()
    event = _event(slug)
    store = store_of(actor)
    if store is None:
        raise ValidationError(_l("Buka toko terlebih dahulu."), code="no_store")
    data = json_body()
    application = services.apply(event, store, product_ids=data.get("product_ids"),
                                 pitch=data.get("pitch"), actor=actor)
    return jsonify(application_json(application)), 201


@bp.get("/events/<slug>/applications")
@officer_required_api
@doc("An event's applications (trade officers)", auth=True, tags=("promotions",), errors=(401, 403, 404),
     response={"type": "array", "items": ref("Application")})
def event_applications(slug: str):
    import sqlalchemy as sa

    event = _event(slug)
    rows = db.session.scalars(sa.select(Application).where(Application.event_id == event.id)
                              .order_by(Application.created_at)).all()
    return jsonify([application_json(a) for a in rows])


@bp.get("/applications")
@login_required_api
@doc("Your store's applications (sellers)", auth=True, tags=("promotions",), errors=(401,),
     response={"type": "array", "items": ref("Application")})
def my_applications():
    store = store_of(acting_user())
    rows = services.applications_of_store(store, actor=acting_user()) if store else []
    return jsonify([application_json(a) for a in rows])


@bp.post("/applications/<int:application_id>/decision")
@officer_required_api
@doc("Accept or reject an application, with a reason (trade officers)", auth=True, tags=("promotions",),
     errors=(401, 403, 404, 409, 422), response=ref("Application"),
     request_body={"type": "object", "required": ["accept"], "properties": {
         "accept": {"type": "boolean"}, "reason": text_schema(500, required=False, nullable=True)}})
def decide(application_id: int):
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound()
    data = json_body()
    if not isinstance(data.get("accept"), bool):
        raise ValidationError(fields={"accept": _l("Harus true atau false.")})
    services.decide(application, accept=data["accept"], reason=data.get("reason"), actor=acting_user())
    return jsonify(application_json(application))


@bp.post("/events/<slug>/invitations")
@officer_required_api
@doc("Invite a store directly, with some of its products (trade officers)", status=201, auth=True,
     tags=("promotions",), errors=(401, 403, 404, 409, 422), response=ref("Application"),
     request_body={"type": "object", "required": ["store_slug", "product_ids"], "properties": {
         "store_slug": _slug, "product_ids": _ids}})
def invite(slug: str):
    event = _event(slug)
    data = json_body()
    application = services.invite(event, get_store(str(data.get("store_slug") or "")),
                                  product_ids=data.get("product_ids"), actor=acting_user())
    return jsonify(application_json(application)), 201


@bp.get("/events/<slug>/products")
@doc("An event's curated products, featured first, with event prices", tags=("promotions",),
     errors=(404,), response={"type": "array", "items": ref("EventProduct")})
def event_products(slug: str):
    event = _event(slug)
    return jsonify([{"product": product_json(ep.product), "position": ep.position,
                     "featured": ep.featured, "event_price_idr": ep.event_price_idr}
                    for ep in services.event_products(event)])


@bp.put("/events/<slug>/products")
@officer_required_api
@doc("Curate: order, feature and price the event's products (trade officers)", auth=True,
     tags=("promotions",), errors=(401, 403, 404, 422),
     response={"type": "array", "items": ref("EventProduct")},
     request_body={"type": "object", "required": ["items"], "properties": {"items": {
         "type": "array", "maxItems": 500, "items": {"type": "object", "required": ["product_id"], "properties": {
             "product_id": _id, "position": {"type": "integer", "minimum": 0, "maximum": 100000},
             "featured": {"type": "boolean"},
             "event_price_idr": {**_price, "nullable": True}}}}}})
def curate(slug: str):
    event = _event(slug)
    items = json_body().get("items")
    if not isinstance(items, list):
        raise ValidationError(fields={"items": _l("Harus berupa daftar.")})
    rows = services.curate(event, items, actor=acting_user())
    return jsonify([{"product": product_json(ep.product), "position": ep.position,
                     "featured": ep.featured, "event_price_idr": ep.event_price_idr} for ep in rows])


@bp.post("/events/<slug>/registrations")
@login_required_api
@doc("Register for an event as a domestic or export buyer", status=201, auth=True,
     tags=("promotions",), errors=(401, 404, 409, 422), response=ref("Registration"),
     request_body={"type": "object", "required": ["buyer_type", "company", "country"], "properties": {
         "buyer_type": {"type": "string", "enum": ["domestic", "export"]},
         "company": text_schema(160), "country": _country,
         "interests": text_schema(2000, required=False, nullable=True)}})
def register(slug: str):
    row = services.register(_event(slug), acting_user(), json_body())
    return jsonify({"id": row.id, "event": slug, "buyer_type": row.buyer_type, "company": row.company,
                    "country": row.country, "interests": row.interests,
                    "created_at": isoformat(row.created_at)}), 201


@bp.post("/rfqs")
@login_required_api
@doc("Ask a seller for a quotation (buyers)", status=201, auth=True, tags=("promotions",),
     errors=(401, 403, 409, 422), response=ref("Rfq"),
     request_body={"type": "object", "required": ["product_id", "quantity", "destination_country",
                                                  "incoterm", "needed_by"], "properties": {
         "product_id": _id, "quantity": _count, "target_price_idr": {**_price, "nullable": True},
         "destination_country": _country,
         "incoterm": {"type": "string", "enum": ["EXW", "FCA", "FOB", "CFR", "CIF", "CPT", "CIP",
                                                 "DAP", "DPU", "DDP"]},
         "needed_by": {"type": "string", "format": "date"}, "event": {**_slug, "nullable": True}}})
def create_rfq():
    rfq = trade.create_rfq(acting_user(), json_body())
    return jsonify(rfq_json(rfq)), 201


@bp.get("/rfqs")
@login_required_api
@doc("Your requests for quotation: as a buyer, or ?as=seller for your store's", auth=True,
     tags=("promotions",), errors=(401,), response=list_of(ref("Rfq")),
     params=[query_param("as", enum=["buyer", "seller"]), *page_params()])
def list_rfqs():
    actor = acting_user()
    if request.args.get("as") == "seller":
        store = store_of(actor)
        if store is None:
            return jsonify({"items": [], "total": 0, "page": 1, "per_page": 20})
        return jsonify(paginate(trade.rfqs_of_store(store, actor=actor), rfq_json))
    return jsonify(paginate(trade.rfqs_of_buyer(actor), rfq_json))


@bp.get("/rfqs/<int:rfq_id>")
@login_required_api
@doc("A request for quotation with its quotes and messages (its buyer or seller)", auth=True,
     tags=("promotions",), errors=(401, 404), response=ref("Rfq"))
def get_rfq(rfq_id: int):
    return jsonify(rfq_json(trade.rfq_for(rfq_id, acting_user())))


@bp.post("/rfqs/<int:rfq_id>/messages")
@login_required_api
@doc("Add a message to the request's thread", status=201, auth=True, tags=("promotions",),
     errors=(401, 404, 422), response=ref("Rfq"),
     request_body={"type": "object", "required": ["body"], "properties": {"body": text_schema(4000)}})
def post_message(rfq_id: int):
    rfq = trade.rfq_for(rfq_id, acting_user())
    trade.post_message(rfq, json_body().get("body"), actor=acting_user())
    return jsonify(rfq_json(rfq)), 201


@bp.post("/rfqs/<int:rfq_id>/quotes")
@login_required_api
@doc("Answer a request with a quote (its seller)", status=201, auth=True, tags=("promotions",),
     errors=(401, 404, 409, 422), response=ref("Quote"),
     request_body={"type": "object", "required": ["unit_price_idr", "min_qty", "lead_time_days",
                                                  "valid_until"],
                   "description": "The four required keys make a whole quote: the port is "
                                  "then to be agreed and, under a term where the seller pays the "
                                  "carriage, the carriage is in the unit price. Sent, port and "
                                  "freight_idr must fit the RFQ's Incoterm (422 otherwise): FOB, "
                                  "CFR and CIF a port (FOB: of loading, e.g. Panjang; CFR, CIF: of "
                                  "destination); CFR, CIF, CPT, CIP, DAP, DPU and DDP a freight_idr "
                                  "of at least 1 (insurance included for CIF and CIP), EXW, FCA and "
                                  "FOB none. A quantity (the RFQ's, or "
                                  "min_qty if higher) above the product's stock needs "
                                  "made_to_order, and made to order a lead_time_days of 1 or more.",
                   "properties": {
         "unit_price_idr": _price, "min_qty": _count,
         "lead_time_days": {"type": "integer", "minimum": 0, "maximum": 365},
         "valid_until": {"type": "string", "format": "date"},
         "port": text_schema(MAX_PORT_LEN, required=False, nullable=True, example="Panjang"),
         "freight_idr": {"type": "integer", "minimum": 0, "maximum": MAX_PRICE_IDR, "nullable": True},
         "made_to_order": {"type": "boolean"}}})
def make_quote(rfq_id: int):
    rfq = trade.rfq_for_seller(rfq_id, acting_user())  # someone else's RFQ: 404 before the body
    quote = trade.make_quote(rfq, json_body(), actor=acting_user())
    return jsonify(quote_json(quote)), 201


@bp.post("/quotes/<int:quote_id>/accept")
@login_required_api
@doc("Accept a quote: it becomes an order at the quoted terms through the normal checkout",
     status=201, auth=True, tags=("promotions",), errors=(401, 402, 403, 404, 409, 422),
     response=ref("Checkout"),
     request_body={"type": "object", "required": ["shipping_address", "payment_method"], "properties": {
         "shipping_address": ref("ShippingAddressInput"),
         "payment_method": {"type": "string", "x-enum-from": "payment_methods"},
         "payment_method_id": {"type": "string", "maxLength": 255, "nullable": True}}})
def accept_quote(quote_id: int):
    actor = acting_user()
    quote = trade.quote_for(quote_id, actor)
    data = json_body()
    checkout = trade.accept_quote(quote, actor=actor,
                                  shipping_address=data.get("shipping_address"),
                                  payment_method=data.get("payment_method"),
                                  payment_method_id=data.get("payment_method_id"))
    return jsonify(checkout_json(checkout, actor)), 201


@bp.post("/quotes/<int:quote_id>/decline")
@login_required_api
@doc("Decline a quote (its buyer)", auth=True, tags=("promotions",), errors=(401, 404, 409),
     response=ref("Quote"))
def decline_quote(quote_id: int):
    quote = trade.decline_quote(trade.quote_for(quote_id, acting_user()), actor=acting_user())
    return jsonify(quote_json(quote))


@bp.get("/events/<slug>/slots")
@doc("An event's business-matching meeting slots", tags=("promotions",), errors=(404,),
     response={"type": "array", "items": ref("MeetingSlot")})
def list_slots(slug: str):
    return jsonify([slot_json(s) for s in trade.slots_of(_event(slug))])


@bp.post("/events/<slug>/slots")
@officer_required_api
@doc("Publish a meeting slot with one exhibitor (trade officers)", status=201, auth=True,
     tags=("promotions",), errors=(401, 403, 404, 409, 422), response=ref("MeetingSlot"),
     request_body={"type": "object", "required": ["starts_at", "ends_at", "store_slug"], "properties": {
         "starts_at": _time, "ends_at": _time, "store_slug": _slug}})
def create_slot(slug: str):
    slot = trade.create_slot(_event(slug), json_body(), actor=acting_user())
    return jsonify(slot_json(slot)), 201


@bp.post("/slots/<int:slot_id>/bookings")
@login_required_api
@doc("Book a meeting slot (a registered buyer); 409 when the slot or your time is taken",
     status=201, auth=True, tags=("promotions",), errors=(401, 403, 404, 409), response=ref("Booking"))
def book(slot_id: int):
    slot = db.session.get(MeetingSlot, slot_id)
    if slot is None:
        raise NotFound()
    booking = trade.book_slot(slot, actor=acting_user())
    return jsonify({"id": booking.id, "slot": slot_json(slot), "status": booking.status,
                    "created_at": isoformat(booking.created_at)}), 201


@bp.delete("/bookings/<int:booking_id>")
@login_required_api
@doc("Cancel a booking (its buyer, the exhibitor or an officer)", auth=True, tags=("promotions",),
     errors=(401, 404, 409), response=ref("Booking"))
def cancel_booking(booking_id: int):
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound()
    trade.cancel_booking(booking, actor=acting_user())
    return jsonify({"id": booking.id, "slot": slot_json(booking.slot), "status": booking.status,
                    "created_at": isoformat(booking.created_at)})


@bp.get("/events/<slug>/report")
@officer_required_api
@doc("What the event produced (trade officers); ?format=csv for CSV", auth=True, tags=("promotions",),
     errors=(401, 403, 404), response=ref("EventReport"), produces=("application/json", "text/csv"),
     params=[query_param("format", enum=["json", "csv"])])
def event_report(slug: str):
    data = reports.event_report(_event(slug), actor=acting_user())
    if request.args.get("format") == "csv":
        return Response(reports.report_csv(data), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="laporan-{slug}.csv"'})
    return jsonify(data)
