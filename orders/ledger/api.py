"""The seller's money in the API: `GET /api/v1/stores/{slug}/balance` and `.../ledger`."""
from __future__ import annotations

from flask import jsonify

from catalog.services import get_store
from marketplace.api import api_blueprint, doc, list_of, login_required_api, page_params, pagination_args, ref, schema
from marketplace.timeutil import isoformat
from marketplace.web import acting_user
from orders.ledger import service as ledger
from orders.ledger.models import EntryKind

bp = api_blueprint("ledger_api", __name__)

_money = {"type": "integer"}
schema("StoreBalance", {
    "type": "object", "required": ["pending_idr", "available_idr", "paid_out_idr"],
    "properties": {
        "pending_idr": {"type": "integer", "description": "Paid orders' money held until they complete."},
        "available_idr": {"type": "integer", "description":
                          "Released to the store, not paid out yet. Negative after a refund of a "
                          "released order larger than it: later releases make it good first."},
        "in_transit_idr": {"type": "integer", "description": "In payouts not confirmed by the bank yet."},
        "paid_out_idr": {"type": "integer", "description": "Sent to the store's bank account, in all."}}})
schema("LedgerRow", {
    "type": "object", "required": ["at", "kind", "amount_idr", "balance_idr", "source"],
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "kind": {"type": "string", "enum": [k.value for k in EntryKind]},
        "account": {"type": "string", "enum": ["pending", "available", "in_transit"],
                    "description": "Which of the store's balances the row changes."},
        "amount_idr": {"type": "integer", "description": "The change, seen from the store (+ is money for it)."},
        "balance_idr": {"type": "integer", "description": "That balance after the row."},
        "source": {"type": "object", "required": ["type", "id"], "properties": {
            "type": {"type": "string", "description": "checkout, order, refund, payout ..."},
            "id": {"type": "integer"}}},
        "order_id": {"type": "integer", "nullable": True},
        "entry_id": {"type": "integer"}}})


def row_json(row: ledger.StatementRow) -> dict:
    return {"at": isoformat(row.at), "kind": row.kind, "account": row.account, "amount_idr": row.amount_idr,
            "balance_idr": row.balance_idr, "source": {"type": row.source_type, "id": row.source_id},
            "order_id": row.order_id, "entry_id": row.entry_id}


@bp.get("/stores/<slug>/balance")
@login_required_api
@doc("The store's balances: pending (held), available, paid out (its owner)", auth=True,
     tags=("ledger",), errors=(401, 404), response=ref("StoreBalance"))
def balance(slug: str):
    return jsonify(ledger.balance_for(get_store(slug), actor=acting_user()))


@bp.get("/stores/<slug>/ledger")
@login_required_api
@doc("The store's statement, newest first: each change of its balances with the balance after "
     "it (its owner)", auth=True, tags=("ledger",), errors=(401, 404),
     response=list_of(ref("LedgerRow")), params=page_params())
def statement(slug: str):
    page, per_page = pagination_args(20)
    rows, total = ledger.statement_for(get_store(slug), actor=acting_user(), page=page, per_page=per_page)
    return jsonify({"items": [row_json(r) for r in rows], "total": total, "page": page, "per_page": per_page})
