"""CSV import and export of a store's products, so a seller can keep a catalogue in a spreadsheet.

The file has a header row naming the columns (`COLUMNS`, any order; `REQUIRED_COLUMNS` must be
there). It may be UTF-8 with or without a byte-order mark, separated by commas or by semicolons
(Excel in an Indonesian locale writes ';'); the separator is read from the header line. Rows are
keyed by SKU within the store: a SKU the store already has updates that product, a new SKU
creates one. A column left out of the file leaves that field alone on updates and takes its
default on new products.

Every row is checked with the same rules as the product form and the API
(`catalog.services.clean_product_fields`), with the categories and the store's SKUs loaded once,
and the report names each bad row by its line in the file (header = line 1), its column and the
problem in the reader's language. By default nothing is written unless every row is good; with
`valid_only` the good rows are written and the bad ones reported. Writes are bulk inserts and
updates in chunks, inside the caller's transaction: the caller commits, and any failure rolls the
whole import back.
"""
from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from catalog import validation as v
from catalog.models import Category, Product, Store, WholesaleTier
from catalog.services import category_ids_by_slug, clean_product_fields, require_owner
from catalog.signals import products_changed
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.timeutil import utcnow

COLUMNS: tuple[str, ...] = (
    "sku", "title", "title_en", "description", "description_en", "category", "price_idr",
    "wholesale_tiers", "min_order_qty", "stock", "weight_g", "halal", "export_ready", "hs_code",
    "status",
)
#: The fields a new product cannot do without; a file without any of these columns is refused.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "sku", "title", "description", "category", "price_idr", "stock", "weight_g",
)
#: Most data rows one file may hold; bigger catalogues are imported in several files.
MAX_ROWS = 50_000
#: Rows per INSERT/UPDATE round: large enough to be fast, small enough to bound memory.
CHUNK_SIZE = 1000
DELIMITERS = (",", ";", "\t")

_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMNS)}

#: progress(phase, done, total): phase is "check" or "write".
Progress = Callable[[str, int, int], None]


@dataclass
class Problem:
    """One thing wrong with an import: where it is and what, as a lazy translated message."""

    message: Any
    line: int | None = None  # the line in the file (header = 1); None for the whole file
    column: str | None = None  # the CSV column; None for the whole row or file
    sku: str | None = None


@dataclass
class ImportReport:
    """What an import did, or would have done, and everything wrong with the file."""

    valid_only: bool = False
    rows: int = 0  # data rows read (blank lines are not rows)
    created: int = 0
    updated: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    written: bool = False
    product_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    _rejected_lines: set[int] = field(default_factory=set, repr=False)
    fatal: bool = False  # the file itself could not be read; no row was checked

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected(self) -> int:
        """How many rows had at least one problem."""
        return len(self._rejected_lines)

    def error(self, message, *, line: int | None = None, column: str | None = None,
              sku: str | None = None) -> None:
        self.errors.append(Problem(message, line, column, sku))
        if line is not None:
            self._rejected_lines.add(line)

    def file_error(self, message, *, line: int | None = None) -> None:
        self.fatal = True
        self.errors.append(Problem(message, line))


class _FileRefused(Exception):
    """The file cannot be read as our CSV at all; carries the message for the report."""

    def __init__(self, message, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__()


@dataclass
class _Existing:
    """What row checking needs to know about a product the store already has."""

    id: int
    price_idr: int
    min_order_qty: int
    tiers: list = field(default_factory=list)


@dataclass
class _Tier:
    min_qty: int
    unit_price_idr: int


# --- reading ----------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _FileRefused(_l("Berkas ini bukan teks UTF-8 (masalah pertama di baris %(line)d). "
                              "Di Excel, simpan sebagai \"CSV UTF-8\".", line=line), line) from None


def _delimiter_of(header_line: str) -> str:
    """The separator the header line uses most: Indonesian Excel writes ';', others ','."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, report: ImportReport, *, max_rows: int = MAX_ROWS
             ) -> tuple[list[str], list[tuple[int, dict[str, str]]]] | None:
    """Split a CSV file into its known columns and rows of `(line, {column: cell})`.

    Problems with the file as a whole (not UTF-8, no header, missing columns, too many rows) go
    to `report` and return None; unknown columns are reported as warnings and ignored.
    """
    try:
        text = _decode(data)
    except _FileRefused as exc:
        report.file_error(exc.message, line=exc.line)
        return None
    if not text.strip():
        report.file_error(_l("Berkas kosong. Baris pertama harus berisi nama kolom."))
        return None
    delimiter = _delimiter_of(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        report.file_error(_l("Baris judul tidak dapat dibaca: %(error)s", error=str(exc)), line=1)
        return None

    names = [h.strip().lower() for h in header]
    positions: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            continue  # Excel leaves empty header cells after the last column
        if name in positions:
            report.file_error(_l("Kolom \"%(column)s\" muncul lebih dari sekali di baris judul.",
                                 column=name), line=1)
        elif name in _COLUMN_ORDER:
            positions[name] = i
        else:
            report.warnings.append(Problem(
                _l("Kolom \"%(column)s\" tidak dikenal dan diabaikan.", column=name), 1, name))
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        report.file_error(_l("Kolom wajib tidak ada: %(columns)s.", columns=", ".join(missing)),
                          line=1)
    if report.fatal:
        return None

    columns = sorted(positions, key=_COLUMN_ORDER.__getitem__)
    width = len(names)
    rows: list[tuple[int, dict[str, str]]] = []
    last_line = reader.line_num
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                report.file_error(_l("Berkas berisi lebih dari %(n)s baris data. Bagi menjadi "
                                     "beberapa berkas.", n=format(max_rows, ",").replace(",", ".")))
                return None
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                report.error(_l("Baris ini berisi lebih banyak sel daripada kolom di baris judul "
                                "(%(cells)d, bukan %(columns)d). Periksa pemisah dan tanda kutip.",
                                cells=len(cells), columns=width), line=line)
            rows.append((line, {c: cells[i] if i < len(cells) else "" for c, i in positions.items()}))
    except csv.Error as exc:
        report.file_error(_l("Berkas CSV rusak di baris %(line)d: %(error)s",
                             line=reader.line_num, error=str(exc)), line=reader.line_num)
        return None
    report.rows = len(rows)
    return columns, rows


# --- checking and writing ---------------------------------------------------------------------

def import_products(store: Store, data: bytes, *, actor: User | None, valid_only: bool = False,
                    max_rows: int = MAX_ROWS, progress: Progress | None = None) -> ImportReport:
    """Create and update the actor's store's products from a CSV file's bytes.

    Returns the report; `report.written` says whether anything was written (the caller commits).
    """
    require_owner(store, actor)
    started = time.perf_counter()
    report = ImportReport(valid_only=valid_only)
    parsed = read_csv(data, report, max_rows=max_rows)
    report.timings["read"] = time.perf_counter() - started
    if parsed is not None:
        columns, rows = parsed
        import_rows(store, columns, rows, actor=actor, valid_only=valid_only, progress=progress,
                    report=report)
    report.seconds = time.perf_counter() - started
    return report


def import_rows(store: Store, columns: Sequence[str], rows: Sequence[tuple[int, dict]], *,
                actor: User | None, valid_only: bool = False, progress: Progress | None = None,
                report: ImportReport | None = None) -> ImportReport:
    """Check and write rows already split into cells: `(line, {column: value})`.

    The values are what a CSV cell holds (text; `wholesale_tiers` as "10:23000; 50:21000"), or
    the same as Python values. `columns` are the columns the rows carry: a column left out
    leaves that field alone on updates and takes its default on new products.
    """
    require_owner(store, actor)
    if report is None:
        report = ImportReport(valid_only=valid_only, rows=len(rows))
    started = time.perf_counter()
    columns = [c for c in columns if c in _COLUMN_ORDER]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        report.file_error(_l("Kolom wajib tidak ada: %(columns)s.", columns=", ".join(missing)))
        return report

    creates, updates = _check_rows(store, columns, rows, report, progress)
    report.timings["check"] = time.perf_counter() - started
    if report.errors and not valid_only:
        return report
    if creates or updates:
        started = time.perf_counter()
        _write(store, columns, creates, updates, report, progress)
        report.timings["write"] = time.perf_counter() - started
    return report


def _existing_products(store: Store, *, with_tiers: bool) -> dict[str, _Existing]:
    existing = {
        sku: _Existing(pid, price, moq)
        for pid, sku, price, moq in db.session.execute(
            sa.select(Product.id, Product.sku, Product.price_idr, Product.min_order_qty)
            .where(Product.store_id == store.id))
    }
    if with_tiers and existing:
        by_id = {e.id: e for e in existing.values()}
        tiers = db.session.execute(
            sa.select(WholesaleTier.product_id, WholesaleTier.min_qty, WholesaleTier.unit_price_idr)
            .join(Product, Product.id == WholesaleTier.product_id)
            .where(Product.store_id == store.id)
            .order_by(WholesaleTier.product_id, WholesaleTier.min_qty))
        for pid, qty, unit in tiers:
            by_id[pid].tiers.append(_Tier(qty, unit))
    return existing


def _check_rows(store, columns, rows, report, progress):
    """Check every row; returns the clean rows to create and to update (each with its line)."""
    categories = category_ids_by_slug()
    # Without a tiers column, an update keeps its tiers, which must still fit the new price.
    existing = _existing_products(store, with_tiers="wholesale_tiers" not in columns)
    lines_by_sku: dict[str, list[int]] = defaultdict(list)
    for line, cells in rows:
        sku = str(cells.get("sku") or "").strip()
        if sku:
            lines_by_sku[sku].append(line)

    creates: list[tuple[int, dict]] = []
    updates: list[tuple[int, _Existing, dict]] = []
    total = len(rows)
    for done, (line, cells) in enumerate(rows, start=1):
        data = {c: cells.get(c) for c in columns}
        problems = {}
        tiers_text = data.get("wholesale_tiers")
        if isinstance(tiers_text, str):
            try:
                data["wholesale_tiers"] = v.parse_tiers_text(tiers_text)
            except v.FieldError as exc:
                problems["wholesale_tiers"] = exc.message
                data["wholesale_tiers"] = []
        sku = str(data.get("sku") or "").strip()
        current = existing.get(sku)
        clean, errors = clean_product_fields(data, partial=current is not None, current=current,
                                             category_ids=categories)
        errors.update(problems)
        if "wholesale_tiers" in errors and "wholesale_tiers" not in columns:
            errors["wholesale_tiers"] = _l("Harga grosir yang tersimpan tidak cocok dengan harga "
                                           "baru: %(problem)s", problem=errors["wholesale_tiers"])
        if len(lines_by_sku.get(sku, ())) > 1:
            others = ", ".join(str(n) for n in lines_by_sku[sku] if n != line)
            errors["sku"] = _l("SKU %(sku)s muncul lebih dari sekali dalam berkas (juga di baris "
                               "%(lines)s).", sku=sku, lines=others)
        for column in sorted(errors, key=_COLUMN_ORDER.__getitem__):
            report.error(errors[column], line=line, column=column, sku=sku or None)
        rejected = bool(errors) or line in report._rejected_lines  # read_csv: too many cells
        if not rejected:
            if current is None:
                creates.append((line, clean))
            else:
                updates.append((line, current, clean))
        if progress and (done % CHUNK_SIZE == 0 or done == total):
            progress("check", done, total)
    return creates, updates


def _chunks(items: Sequence, size: int | None = None) -> Iterable[Sequence]:
    size = size or CHUNK_SIZE
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write(store, columns, creates, updates, report, progress) -> None:
    """Bulk-insert the new products, bulk-update the changed ones, then replace their tiers."""
    products, tiers_table = Product.__table__, WholesaleTier.__table__
    now = utcnow()
    total, done = len(creates) + len(updates), 0
    new_tiers: list[dict] = []
    ids: list[int] = []

    # A plain executemany, then one query for the new ids: with RETURNING, SQLAlchemy sends
    # multi-row VALUES statements instead, which psycopg turns into server parameters slowly
    # (twice the time of the whole insert for 10,000 rows on PostgreSQL).
    insert = sa.insert(products)
    tiers_by_sku: dict[str, list[tuple[int, int]]] = {}
    for chunk in _chunks(creates):
        params = []
        for _line, clean in chunk:
            row = dict(clean)
            tiers_by_sku[row["sku"]] = row.pop("wholesale_tiers", [])
            row.update(store_id=store.id, sold_count=0, created_at=now, updated_at=now)
            params.append(row)
        db.session.execute(insert, params)
        done += len(chunk)
        if progress:
            progress("write", done, total)
    if creates:
        for pid, sku in db.session.execute(
                sa.select(products.c.id, products.c.sku).where(products.c.store_id == store.id)):
            if sku in tiers_by_sku:
                ids.append(pid)
                new_tiers.extend({"product_id": pid, "min_qty": q, "unit_price_idr": p}
                                 for q, p in tiers_by_sku[sku])

    replace_tiers = "wholesale_tiers" in columns
    update = sa.update(products).where(products.c.id == sa.bindparam("_id"))
    for chunk in _chunks(updates):
        params, touched = [], []
        for _line, current, clean in chunk:
            row = dict(clean)
            tiers = row.pop("wholesale_tiers", None)
            row.update(_id=current.id, updated_at=now)
            params.append(row)
            touched.append(current.id)
            if replace_tiers:
                new_tiers.extend({"product_id": current.id, "min_qty": q, "unit_price_idr": p}
                                 for q, p in tiers or ())
        db.session.execute(update, params)
        if replace_tiers:
            db.session.execute(sa.delete(tiers_table).where(tiers_table.c.product_id.in_(touched)))
        ids.extend(touched)
        done += len(chunk)
        if progress:
            progress("write", done, total)

    for chunk in _chunks(new_tiers, CHUNK_SIZE * 5):  # tier rows are narrow
        db.session.execute(sa.insert(tiers_table), list(chunk))

    # The rows changed underneath the ORM: make objects already loaded read them again.
    session = db.session()
    for obj in list(session.identity_map.values()):
        if isinstance(obj, (Product, WholesaleTier)):
            session.expire(obj)
    report.created, report.updated = len(creates), len(updates)
    report.product_ids = ids
    report.written = True
    products_changed.send(None, product_ids=ids)


# --- export -----------------------------------------------------------------------------------

def _csv_text(rows: Iterable[Sequence], *, delimiter: str) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")  # so Excel opens the file as UTF-8
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue()


def template_csv(*, delimiter: str = ",") -> str:
    """An empty import file: just the header line."""
    return _csv_text((), delimiter=delimiter)


def export_products(store: Store, *, actor: User | None, delimiter: str = ",") -> str:
    """The actor's store's products as CSV text in `COLUMNS`, which imports back unchanged.

    The cells are the seller's own data, exported for the seller; they are written as they are
    (no spreadsheet-formula escaping) so that the file round-trips exactly.
    """
    require_owner(store, actor)
    if delimiter not in DELIMITERS:
        raise ValueError(f"unsupported delimiter {delimiter!r}")
    slugs = dict(db.session.execute(sa.select(Category.id, Category.slug)).all())
    tiers: dict[int, list[_Tier]] = defaultdict(list)
    for pid, qty, unit in db.session.execute(
            sa.select(WholesaleTier.product_id, WholesaleTier.min_qty, WholesaleTier.unit_price_idr)
            .join(Product, Product.id == WholesaleTier.product_id)
            .where(Product.store_id == store.id)
            .order_by(WholesaleTier.product_id, WholesaleTier.min_qty)):
        tiers[pid].append(_Tier(qty, unit))
    p = Product
    result = db.session.execute(
        sa.select(p.id, p.sku, p.title, p.title_en, p.description, p.description_en, p.category_id,
                  p.price_idr, p.min_order_qty, p.stock, p.weight_g, p.halal, p.export_ready,
                  p.hs_code, p.status)
        .where(p.store_id == store.id).order_by(p.id))

    def rows():
        for (pid, sku, title, title_en, desc, desc_en, cat, price, moq, stock, weight, halal,
             export_ready, hs_code, status) in result:
            yield (sku, title, title_en or "", desc, desc_en or "", slugs.get(cat, ""), price,
                   v.format_tiers_text(tiers.get(pid, ())), moq, stock, weight,
                   "true" if halal else "false", "true" if export_ready else "false",
                   hs_code or "", status)

    return _csv_text(rows(), delimiter=delimiter)
