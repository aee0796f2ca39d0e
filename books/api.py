"""A seller's books in the API (API.md, "Seller books"): recording entries, voiding them, and the
income statement and financial position of a period. Its owner only (others: 404)."""
from __future__ import annotations

from flask import jsonify, request

from books import chart, services, statements
from books.models import BookEntry
from catalog.models import Store
from catalog.services import get_store, require_owner
from marketplace.api import (
    api_blueprint,
    doc,
    json_body,
    list_of,
    login_required_api,
    page_params,
    pagination_args,
    query_param,
    ref,
    schema,
    text_schema,
)
from marketplace.extensions import db
from marketplace.money.rates import today_wib
from marketplace.timeutil import isoformat
from marketplace.web import acting_user

bp = api_blueprint("books_api", __name__)

_KINDS = [*chart.KINDS, chart.STOCK_COUNT]
_CATEGORIES = sorted({c for kind in chart.KINDS.values() for c in kind.categories} | {"manual", "catalog"})

schema("BookEntry", {
    "type": "object", "required": ["id", "date", "kind", "category", "amount_idr", "method"],
    "properties": {
        "id": {"type": "integer"},
        "date": {"type": "string", "format": "date"},
        "kind": {"type": "string", "enum": _KINDS},
        "category": {"type": "string", "enum": _CATEGORIES},
        "amount_idr": {"type": "integer", "minimum": 0},
        "method": {"type": "string", "enum": list(chart.METHODS)},
        "note": {"type": "string", "nullable": True},
        "useful_life_months": {"type": "integer", "nullable": True},
        "has_receipt": {"type": "boolean"},
        "voided": {"type": "boolean"},
        "journal_entry_id": {"type": "integer", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"}}})
_LINE = {"type": "object", "required": ["category", "amount_idr"], "properties": {
    "category": {"type": "string", "description": "The account's code in the seller's chart"},
    "label": {"type": "string"},
    "group": {"type": "string", "enum": [chart.ASSET, chart.LIABILITY, chart.EQUITY, chart.INCOME,
                                         chart.COGS, chart.EXPENSE]},
    "amount_idr": {"type": "integer"}}}
schema("IncomeStatement", {
    "type": "object", "required": ["revenue_idr", "expenses_idr", "net_income_idr", "lines"],
    "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "revenue_idr": {"type": "integer"},
        "cogs_idr": {"type": "integer", "description": "Cost of goods sold (part of expenses_idr)"},
        "gross_profit_idr": {"type": "integer"},
        "operating_expenses_idr": {"type": "integer"},
        "expenses_idr": {"type": "integer", "description": "Cost of goods sold and operating expenses"},
        "net_income_idr": {"type": "integer"},
        "lines": {"type": "array", "items": _LINE}}})
schema("FinancialPosition", {
    "type": "object", "required": ["at", "assets_idr", "liabilities_idr", "equity_idr", "balanced", "lines"],
    "properties": {
        "at": {"type": "string", "format": "date"},
        "assets_idr": {"type": "integer"}, "liabilities_idr": {"type": "integer"},
        "equity_idr": {"type": "integer"}, "balanced": {"type": "boolean"},
        "lines": {"type": "array", "items": _LINE}}})

_DATE = {"type": "string", "maxLength": 10, "description": "YYYY-MM-DD"}
_RANGE = [query_param("from", description="first day, YYYY-MM-DD (default: the month's first)", maxLength=10),
          query_param("to", description="last day, YYYY-MM-DD (default: today)", maxLength=10)]


def entry_json(entry: BookEntry) -> dict:
    return {"id": entry.id, "date": entry.entry_date.isoformat(), "kind": entry.kind, "category": entry.category,
            "amount_idr": entry.amount_idr, "method": entry.method, "note": entry.note,
            "useful_life_months": entry.useful_life_months, "has_receipt": bool(entry.receipt_path),
            "voided": entry.voided_at is not None, "journal_entry_id": entry.ledger_entry_id,
            "created_at": isoformat(entry.created_at)}


def line_json(line: statements.StatementLine) -> dict:
    return {"category": line.code, "label": str(line.label), "group": line.group, "amount_idr": line.amount_idr}


def _own_store(slug: str) -> Store:
    store = get_store(slug)
    require_owner(store, acting_user())
    return store


@bp.post("/stores/<slug>/books/entries")
@login_required_api
@doc("Record an entry in the store's own books (its owner): a cash sale, a purchase, wages, an "
     "asset bought, a loan taken or repaid, the owner's money in or out. It posts one balanced "
     "journal entry on the store's book accounts.", status=201, auth=True, tags=("books",),
     errors=(401, 404, 422), response=ref("BookEntry"),
     request_body={"type": "object", "required": ["date", "kind", "category", "amount_idr"], "properties": {
         "date": _DATE,
         "kind": {"type": "string", "enum": list(chart.KINDS)},
         "category": {"type": "string", "maxLength": 24},
         "amount_idr": {"type": "integer", "minimum": 1, "maximum": services.MAX_AMOUNT_IDR},
         "method": {"type": "string", "enum": list(chart.METHODS),
                    "description": "cash (default), bank, or credit (a receivable or payable)"},
         "note": {**text_schema(services.MAX_NOTE), "nullable": True},
         "useful_life_months": {"type": "integer", "minimum": 1, "maximum": services.MAX_LIFE_MONTHS,
                                "nullable": True}}})
def record_entry(slug: str):
    store = _own_store(slug)
    entry = services.record_entry(store, json_body(), actor=acting_user())
    return jsonify(entry_json(entry)), 201


@bp.get("/stores/<slug>/books/entries")
@login_required_api
@doc("The store's own entries, newest day first (its owner)", auth=True, tags=("books",),
     errors=(401, 404, 422), response=list_of(ref("BookEntry")), params=[*_RANGE, *page_params()])
def list_entries(slug: str):
    store = _own_store(slug)
    start, end = statements.parse_range(request.args.get("from"), request.args.get("to"), today_wib()) \
        if request.args.get("from") or request.args.get("to") else (None, None)
    page, per_page = pagination_args(20)
    found = db.paginate(services.entries_select(store, start, end), page=page, per_page=per_page,
                        error_out=False)
    return jsonify({"items": [entry_json(e) for e in found.items], "total": found.total, "page": page,
                    "per_page": per_page})


@bp.post("/stores/<slug>/books/entries/<int:entry_id>/void")
@login_required_api
@doc("Void a mistaken entry (its owner): a reversing journal entry on the same day; 409 when "
     "it is already void", auth=True, tags=("books",), errors=(401, 404, 409), response=ref("BookEntry"))
def void_entry(slug: str, entry_id: int):
    store = _own_store(slug)
    return jsonify(entry_json(services.void_entry(store, entry_id, actor=acting_user())))


@bp.get("/stores/<slug>/books/income-statement")
@login_required_api
@doc("The store's income statement (laporan laba rugi, SAK EMKM, accrual basis) for a range of "
     "days (its owner)", auth=True, tags=("books",), errors=(401, 404, 422),
     response=ref("IncomeStatement"), params=_RANGE)
def income_statement(slug: str):
    store = _own_store(slug)
    start, end = statements.parse_range(request.args.get("from"), request.args.get("to"), today_wib())
    income = statements.income_statement(store, start, end)
    return jsonify({"from": start.isoformat(), "to": end.isoformat(), "revenue_idr": income.revenue_idr,
                    "cogs_idr": income.cogs_idr, "gross_profit_idr": income.gross_profit_idr,
                    "operating_expenses_idr": income.operating_expenses_idr,
                    "expenses_idr": income.expenses_idr, "net_income_idr": income.net_income_idr,
                    "lines": [line_json(line) for line in income.lines]})


@bp.get("/stores/<slug>/books/financial-position")
@login_required_api
@doc("The store's statement of financial position (laporan posisi keuangan) at the end of a day "
     "(its owner)", auth=True, tags=("books",), errors=(401, 404, 422), response=ref("FinancialPosition"),
     params=[query_param("at", description="the day, YYYY-MM-DD (default: today)", maxLength=10)])
def financial_position(slug: str):
    store = _own_store(slug)
    at = statements.parse_range(request.args.get("at"), request.args.get("at"), today_wib())[1]
    position = statements.financial_position(store, at)
    return jsonify({"at": at.isoformat(), "assets_idr": position.assets_idr,
                    "liabilities_idr": position.liabilities_idr, "equity_idr": position.equity_idr,
                    "balanced": position.balanced, "lines": [line_json(line) for line in position.lines]})
