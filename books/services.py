"""What a seller records in its books, and voiding a mistake.

`record_entry(store, data, receipt, actor)` checks one entry (date, kind, category, amount,
money method, note; an asset's useful life), keeps it as a `BookEntry` and posts its journal
entry on the store's book accounts (`books.chart.lines`) in the caller's transaction.
`record_stock_count` keeps what the stock on hand is worth at cost on a day, typed as a total or
taken from the catalog's stock times a unit cost. `void_entry` posts the reversal: nothing in
the journal is edited or deleted.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.utils import safe_join

from books import chart
from books.models import BookEntry
from catalog.models import Product, ProductStatus, Store
from marketplace.accounts.models import User
from marketplace.errors import Conflict, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.money.rates import today_wib
from marketplace.timeutil import utcnow
from orders.ledger import posting
from orders.ledger.models import EntryKind, LedgerEntry

MAX_AMOUNT_IDR = 1_000_000_000_000  # a trillion rupiah: beyond any UMKM entry, a typo
MAX_NOTE = 200
EARLIEST = date(2000, 1, 1)
MAX_LIFE_MONTHS = 600


def _whole_rupiah(value) -> int | None:
    """An amount typed or sent: whole rupiah ("150.000" and 150000 alike), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        digits = value.strip().replace(".", "").replace(",", "").replace(" ", "")
        if digits.removeprefix("Rp").isdigit():
            return int(digits.removeprefix("Rp"))
    return None


def parse_day(value, errors: dict, field: str = "date", *, required: bool = True) -> date | None:
    """A day as YYYY-MM-DD, from 2000 to today (WIB); the message goes under `field`."""
    if value in (None, ""):
        if required:
            errors[field] = _l("Isi tanggal.")
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            errors[field] = _l("Tanggal tidak valid (TTTT-BB-HH).")
            return None
    if day < EARLIEST or day > today_wib():
        errors[field] = _l("Tanggal harus antara 2000 dan hari ini.")
        return None
    return day


def _amount(value, errors: dict, *, allow_zero: bool = False) -> int | None:
    amount = _whole_rupiah(value)
    if amount is None:
        errors["amount_idr"] = _l("Harus bilangan bulat rupiah.")
    elif amount < 0 or (amount == 0 and not allow_zero):
        errors["amount_idr"] = _l("Jumlah harus lebih dari nol.")
    elif amount > MAX_AMOUNT_IDR:
        errors["amount_idr"] = _l("Jumlah terlalu besar.")
    else:
        return amount
    return None


def _note(value, errors: dict) -> str | None:
    if value is not None and not isinstance(value, str):
        errors["note"] = _l("Catatan harus teks.")
        return None
    note = (value or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _l("Maksimal %(n)d karakter.", n=MAX_NOTE)
    return note or None


def record_entry(store: Store, data: dict, receipt=None, *, actor: User) -> BookEntry:
    """Record one entry: `data` {date, kind, category, amount_idr, method?, note?,
    useful_life_months?}; `receipt` an optional photo (bytes), kept private."""
    errors: dict = {}
    day = parse_day(data.get("date"), errors)
    kind_key = data.get("kind")
    kind = chart.KINDS.get(kind_key) if isinstance(kind_key, str) else None
    category = data.get("category")
    if kind is None:
        errors["kind"] = _l("Pilih jenis catatan.")
    elif not isinstance(category, str) or category not in kind.categories:
        errors["category"] = _l("Pilih kategori.")
    amount = _amount(data.get("amount_idr"), errors)
    method = data.get("method") or chart.CASH
    if kind is not None and "category" not in errors and method not in chart.methods_for(kind.key, category):
        errors["method"] = _l("Pilih cara bayar: tunai, bank, atau kredit bila jenisnya boleh.")
    note = _note(data.get("note"), errors)
    life = None
    if kind is not None and kind.key == "asset" and "category" not in errors:
        raw = data.get("useful_life_months")
        life = chart.ASSET_LIFE_MONTHS[category] if raw in (None, "") else _whole_rupiah(raw)
        if life is None or not 1 <= life <= MAX_LIFE_MONTHS:
            errors["useful_life_months"] = _l("Umur manfaat 1 sampai %(n)d bulan.", n=MAX_LIFE_MONTHS)
    prepared = _prepared_receipt(receipt, errors)
    if errors:
        raise ValidationError(fields=errors)
    entry = BookEntry(store_id=store.id, entry_date=day, kind=kind.key, category=category,
                      amount_idr=amount, method=method, note=note, useful_life_months=life,
                      created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    if prepared is not None:
        entry.receipt_path = _store_receipt(store, prepared)
    posted = posting.post(
        EntryKind.BOOK, ("book_entry", entry.id),
        [(posting.book(store.id, code), signed) for code, signed in chart.lines(kind.key, category, method, amount)],
        key=f"book:{entry.id}", actor=actor, memo=note)
    entry.ledger_entry_id = posted.id
    db.session.flush()
    return entry


def _prepared_receipt(receipt, errors: dict):
    if not receipt:
        return None
    from catalog.images import prepare_image

    try:
        return prepare_image(receipt)
    except ValidationError as exc:
        errors["receipt"] = next(iter(exc.fields.values()), exc.message)
        return None


def _store_receipt(store: Store, prepared) -> str:
    from catalog.images import store_image

    return store_image(store.id, prepared, folder=f"books/{store.id}", private=True).path


def receipt_file(store: Store, entry_id: int) -> Path | None:
    """The receipt photo of one of the store's entries, under PRIVATE_UPLOAD_DIR, or None."""
    entry = entry_of(store, entry_id)
    if not entry.receipt_path:
        return None
    found = safe_join(current_app.config["PRIVATE_UPLOAD_DIR"], entry.receipt_path)
    return Path(found) if found and Path(found).is_file() else None


def record_stock_count(store: Store, data: dict, *, actor: User) -> BookEntry:
    """What the stock on hand is worth at cost on a day: `data` {date, amount_idr} typed, or
    {date, unit_costs: {product_id: rupiah}} taken from the catalog's stock times the unit cost."""
    errors: dict = {}
    day = parse_day(data.get("date"), errors)
    details = None
    costs = data.get("unit_costs")
    if costs is not None:  # from the catalog (no product, or no cost given: refused)
        details, amount = _catalog_stock(store, costs, errors)
    else:
        amount = _amount(data.get("amount_idr"), errors, allow_zero=True)
    note = _note(data.get("note"), errors)
    if errors:
        raise ValidationError(fields=errors)
    entry = BookEntry(store_id=store.id, entry_date=day, kind=chart.STOCK_COUNT,
                      category="catalog" if details is not None else "manual", amount_idr=amount,
                      method=chart.CASH, note=note, details=details, created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def _catalog_stock(store: Store, costs: dict, errors: dict) -> tuple[list, int]:
    products = db.session.scalars(sa.select(Product).where(
        Product.store_id == store.id, Product.status != ProductStatus.ARCHIVED).order_by(Product.id)).all()
    known = {p.id: p for p in products}
    details, total = [], 0
    for key, raw in costs.items():
        try:
            product = known.get(int(key))
        except (TypeError, ValueError):
            product = None
        if product is None:
            errors["unit_costs"] = _l("Produk tidak ditemukan di toko ini.")
            continue
        if raw in (None, ""):
            continue
        cost = _whole_rupiah(raw)
        if cost is None or cost < 0 or cost > MAX_AMOUNT_IDR:
            errors[f"unit_costs.{product.id}"] = _l("Harus bilangan bulat rupiah.")
            continue
        details.append({"product_id": product.id, "title": product.title, "stock": product.stock,
                        "unit_cost_idr": cost})
        total += product.stock * cost
    if not details and "unit_costs" not in errors and not any(k.startswith("unit_costs.") for k in errors):
        errors["unit_costs"] = _l("Isi harga pokok satuan untuk paling sedikit satu produk.")
    return details, total


def last_unit_costs(store: Store) -> dict[int, int]:
    """The unit costs of the store's latest stock count from the catalog: the form's defaults."""
    entry = db.session.scalar(
        sa.select(BookEntry).where(BookEntry.store_id == store.id, BookEntry.kind == chart.STOCK_COUNT,
                                   BookEntry.category == "catalog", BookEntry.voided_at.is_(None))
        .order_by(BookEntry.entry_date.desc(), BookEntry.id.desc()).limit(1))
    return {row["product_id"]: row["unit_cost_idr"] for row in (entry.details or [])} if entry else {}


def entry_of(store: Store, entry_id: int) -> BookEntry:
    entry = db.session.get(BookEntry, entry_id)
    if entry is None or entry.store_id != store.id:
        raise NotFound()
    return entry


def void_entry(store: Store, entry_id: int, *, actor: User) -> BookEntry:
    """Void a mistaken entry: its journal entry is reversed by another (the same day), once."""
    entry = db.session.scalar(sa.select(BookEntry).where(BookEntry.id == entry_id).with_for_update())
    if entry is None or entry.store_id != store.id:
        raise NotFound()
    if entry.voided_at is not None:
        raise Conflict(_l("Catatan ini sudah dibatalkan."), code="already_voided")
    if entry.ledger_entry_id is not None:
        original = db.session.get(LedgerEntry, entry.ledger_entry_id)
        reversal = posting.post(
            EntryKind.BOOK_VOID, ("book_entry", entry.id),
            [(posting.book(store.id, line.account.method), -line.amount_idr) for line in original.lines],
            key=f"book_void:{entry.id}", actor=actor, memo=entry.note)
        entry.void_entry_id = reversal.id
    entry.voided_at = utcnow()
    db.session.flush()
    return entry


def entries_select(store: Store, start: date | None = None, end: date | None = None) -> sa.Select:
    """The store's entries, newest day first (for `paginate`)."""
    stmt = sa.select(BookEntry).where(BookEntry.store_id == store.id)
    if start is not None:
        stmt = stmt.where(BookEntry.entry_date >= start)
    if end is not None:
        stmt = stmt.where(BookEntry.entry_date <= end)
    return stmt.order_by(BookEntry.entry_date.desc(), BookEntry.id.desc())

