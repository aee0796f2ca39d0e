"""Complaint API under /api/v1 (../shared/API.md, Payments to the marketplace): the buyer opens
a complaint on an order; its buyer, seller and finance read it; the seller (or finance) answers;
the seller says the returned goods arrived."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, url_for

from catalog.validation import MAX_PRICE_IDR
from marketplace.api import (
    doc,
    json_body,
    list_of,
    login_required_api,
    page_params,
    paginate,
    ref,
    schema,
    text_schema,
)
from marketplace.timeutil import isoformat
from marketplace.web import acting_user
from orders import complaints, services, state
from orders.api import bp
from orders.models import Complaint, ComplaintReason, ComplaintResolution, ComplaintStatus
from orders.payments import escrow

_money = {"type": "integer"}
_BANK_ACCOUNT = {"type": "object", "required": ["bank_code", "number", "holder"],
                 "properties": {"bank_code": {"type": "string", "maxLength": 3},
                                "number": {"type": "string", "maxLength": 30},
                                "holder": text_schema(complaints.MAX_HOLDER)}}
_when = {"type": "string", "format": "date-time", "nullable": True}

schema("Complaint", {
    "type": "object",
    "required": ["id", "order_id", "status", "status_label", "reason", "reason_label", "description",
                 "resolution", "photos", "refund_account", "decision_reason",
                 "refund", "answer_by", "allowed", "history", "opened_at", "closed_at"],
    "properties": {
        "id": {"type": "integer"}, "order_id": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in ComplaintStatus], "description":
                   "open (waiting for the seller), escalated (finance decides), awaiting_return "
                   "(a return accepted: waiting for the goods), refunded, rejected"},
        "status_label": {"type": "string"},
        "reason": {"type": "string", "enum": [r.value for r in ComplaintReason]},
        "reason_label": {"type": "string"},
        "description": {"type": "string"},
        "resolution": {"type": "string", "enum": [r.value for r in ComplaintResolution]},
        "photos": {"type": "array", "items": {"type": "string"},
                   "description": "URLs of the photos, served only to the order's buyer, seller and finance"},
        "refund_account": {"type": "object", "nullable": True, "required": ["bank_code", "bank", "number", "holder"],
                           "description": "Transfer and QRIS orders: where the refund goes (not shown to the seller)",
                           "properties": {"bank_code": {"type": "string"}, "bank": {"type": "string"},
                                          "number": {"type": "string"}, "holder": {"type": "string"}}},
        "refund_amount_idr": {**_money, "description": "The refund agreed, once agreed (absent before)"},
        "decision_reason": {"type": "string", "nullable": True},
        "refund": {"type": "object", "nullable": True, "required": ["id", "amount_idr", "status"],
                   "description": "The refund made: status succeeded (card, or a transfer paid), "
                                  "to_pay (a transfer/QRIS refund the marketplace still transfers)",
                   "properties": {"id": {"type": "integer"}, "amount_idr": _money,
                                  "status": {"type": "string"}}},
        "answer_by": {**_when, "description": "While open: when it goes to finance unanswered"},
        "allowed": {"type": "array", "items": {"type": "string", "enum": ["answer", "return_received"]},
                    "description": "What the caller may do now"},
        "history": {"type": "array", "items": {
            "type": "object", "required": ["action", "status", "by", "at"],
            "properties": {"action": {"type": "string"}, "status": {"type": "string"},
                           "by": {"type": "string", "enum": ["buyer", "seller", "finance", "system"]},
                           "amount_idr": {**_money, "description": "steps that name an amount"}, "note": {"type": "string", "nullable": True},
                           "at": {"type": "string", "format": "date-time"}}}},
        "opened_at": {"type": "string", "format": "date-time"}, "closed_at": _when}})


def complaint_json(complaint: Complaint, actor) -> dict:
    order = complaint.order
    role = state.role_of(order, actor)
    account = None
    if complaint.refund_account_number and role != state.SELLER:
        account = {"bank_code": complaint.refund_bank_code, "bank": escrow.bank_name(complaint.refund_bank_code),
                   "number": complaint.refund_account_number, "holder": complaint.refund_account_holder}
    refund = complaint.refund
    allowed = (["answer"] if complaints.answering_role(complaint, actor) else []) + \
        (["return_received"] if complaints.can_mark_returned(complaint, actor) else [])
    body = {
        "id": complaint.id, "order_id": order.id, "status": complaint.status,
        "status_label": str(complaints.STATUS_LABELS.get(complaint.status, complaint.status)),
        "reason": complaint.reason, "reason_label": str(complaints.REASON_LABELS.get(complaint.reason, "")),
        "description": complaint.description, "resolution": complaint.resolution,
        "photos": [url_for("orders.complaint_photo", complaint_id=complaint.id, number=n)
                   for n in range(1, len(complaint.photos or []) + 1)],
        "refund_account": account,
        "decision_reason": complaint.decision_reason,
        "refund": {"id": refund.id, "amount_idr": refund.amount_idr, "status": refund.status} if refund else None,
        "answer_by": isoformat(complaints.answer_deadline(complaint)) if complaint.status == ComplaintStatus.OPEN
        else None,
        "allowed": allowed,
        "history": [_step_json(complaint, e) for e in complaint.events],
        "opened_at": isoformat(complaint.opened_at), "closed_at": isoformat(complaint.closed_at),
    }
    if complaint.refund_amount_idr is not None:
        body["refund_amount_idr"] = complaint.refund_amount_idr
    return body


def _step_json(complaint: Complaint, event) -> dict:
    step = {"action": event.action, "status": event.status, "by": complaints.party_of(complaint, event).role,
            "note": event.note, "at": isoformat(event.at)}
    if event.amount_idr is not None:
        step["amount_idr"] = event.amount_idr
    return step


@bp.post("/orders/<int:order_id>/complaints")
@login_required_api
@doc("Open a complaint on an order (its buyer): delivered at most COMPLAINT_DAYS ago, or shipped "
     "past the courier's estimate; one open complaint per order. Transfer and QRIS orders name "
     "the account the refund goes to.", status=201, auth=True, tags=("orders",),
     errors=(401, 403, 404, 409, 422), response=ref("Complaint"),
     request_body={"type": "object", "required": ["reason", "description"], "properties": {
         "reason": {"type": "string", "enum": [r.value for r in ComplaintReason]},
         "description": text_schema(complaints.MAX_DESCRIPTION),
         "resolution": {"type": "string", "enum": [r.value for r in ComplaintResolution],
                        "description": "refund (default: the money back) or return (send the goods "
                                       "back, then the money)"},
         "bank_account": {**_BANK_ACCOUNT, "nullable": True,
                          "description": "Where a bank_transfer or qris order's refund is paid; may "
                                         "be given later (PUT /complaints/{id}/refund-account)"}}})
def open_complaint(order_id: int):
    actor = acting_user()
    order = services.order_for(order_id, actor)
    complaint = complaints.open_complaint(order, json_body(), actor=actor)
    return jsonify(complaint_json(complaint, actor)), 201


@bp.get("/orders/<int:order_id>/complaints")
@login_required_api
@doc("An order's complaints, oldest first (its buyer, its seller, finance)", auth=True, tags=("orders",),
     errors=(401, 404), response=list_of(ref("Complaint")), params=page_params())
def list_complaints(order_id: int):
    actor = acting_user()
    order = services.order_for(order_id, actor)
    stmt = sa.select(Complaint).where(Complaint.order_id == order.id).order_by(Complaint.id)
    return jsonify(paginate(stmt, lambda c: complaint_json(c, actor)))


@bp.get("/complaints/<int:complaint_id>")
@login_required_api
@doc("A complaint (its order's buyer, seller, finance)", auth=True, tags=("orders",), errors=(401, 404),
     response=ref("Complaint"))
def get_complaint(complaint_id: int):
    actor = acting_user()
    return jsonify(complaint_json(complaints.complaint_for(complaint_id, actor), actor))


@bp.post("/complaints/<int:complaint_id>/answer")
@login_required_api
@doc("Answer a complaint: its seller while open; finance once escalated (rejected by the seller, "
     "or unanswered past answer_by). refund gives back all that is left of the order, partial "
     "amount_idr, reject needs a reason (the seller's goes to finance; finance's is final).",
     auth=True, tags=("orders",), errors=(401, 403, 404, 409, 422), response=ref("Complaint"),
     request_body={"type": "object", "required": ["decision"], "properties": {
         "decision": {"type": "string", "enum": list(complaints.DECISIONS)},
         "amount_idr": {"type": "integer", "minimum": 1, "maximum": MAX_PRICE_IDR, "nullable": True},
         "reason": text_schema(state.MAX_REASON, required=False, nullable=True)}})
def answer_complaint(complaint_id: int):
    actor = acting_user()
    complaint = complaints.complaint_for(complaint_id, actor, lock=True)
    data = json_body()
    complaints.answer_complaint(complaint, data.get("decision"), actor=actor, amount_idr=data.get("amount_idr"),
                                reason=data.get("reason"))
    return jsonify(complaint_json(complaint, actor))


@bp.post("/complaints/<int:complaint_id>/return-received")
@login_required_api
@doc("The returned goods arrived (the seller): the agreed refund is made", auth=True, tags=("orders",),
     errors=(401, 403, 404, 409), response=ref("Complaint"))
def return_received(complaint_id: int):
    actor = acting_user()
    complaint = complaints.complaint_for(complaint_id, actor, lock=True)
    complaints.mark_returned(complaint, actor=actor)
    return jsonify(complaint_json(complaint, actor))


@bp.put("/complaints/<int:complaint_id>/refund-account")
@login_required_api
@doc("The complaint's buyer gives or corrects the bank account a bank_transfer or qris order's "
     "refund is paid into, until finance has paid it", auth=True, tags=("orders",),
     errors=(401, 403, 404, 409, 422), response=ref("Complaint"), request_body=_BANK_ACCOUNT)
def put_refund_account(complaint_id: int):
    actor = acting_user()
    complaint = complaints.set_refund_account(complaint_id, json_body(), actor=actor)
    return jsonify(complaint_json(complaint, actor))
