"""Benchmark: importing 10,000 products from CSV, on PostgreSQL and on SQLite.

`make bench` runs it through scripts/bench.sh, which starts PostgreSQL and points DATABASE_URL
at the pasar_bench database (its schema is dropped and migrated afresh here, so any other
database is refused). Without a PostgreSQL DATABASE_URL only SQLite is measured.

For each database, on a fresh schema with one store:
  create   import 10,000 new rows (a third with wholesale tiers), all-or-nothing, then commit
  update   import the same file again: 10,000 updates, tiers replaced
  create*  `create` into another store with the products_changed listeners muted: the
           catalog's own share (the search package's listener writes an outbox row per product)
  ceiling  the same rows, already clean, as a bare DBAPI `INSERT ... executemany` of the
           products and then of their tiers: no parsing, no checks, no ORM
and prints seconds, rows/s, where the import's time goes, and its speed relative to the ceiling.
Search indexing after the commit is switched off: it is the search package's cost, not the
import's (its outbox rows, written inside the import's transaction, are counted).
"""
from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = 10_000
CATEGORIES = ("kopi", "teh", "keripik", "kue-tradisional", "lada", "rempah-lainnya", "madu",
              "tapis", "batik", "tenun", "anyaman", "ukiran-kayu", "pakaian", "aksesori",
              "hasil-laut", "hasil-tani", "minuman")
PRODUCT_COLUMNS = ("store_id", "category_id", "title", "title_en", "description", "description_en",
                   "price_idr", "min_order_qty", "stock", "weight_g", "sku", "halal",
                   "export_ready", "hs_code", "status", "sold_count", "created_at", "updated_at")


def csv_file(n: int = ROWS) -> bytes:
    """n valid rows in the import's columns, ';'-separated as Indonesian Excel writes them."""
    from catalog.csv_io import COLUMNS

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for i in range(n):
        price = 15_000 + (i * 37) % 400 * 500
        row = {
            "sku": f"BENCH-{i:05d}", "title": f"Keripik Pisang Cokelat No. {i}",
            "title_en": f"Chocolate Banana Chips No. {i}",
            "description": "Keripik pisang kepok tipis berbalut cokelat, oleh-oleh khas Lampung.",
            "description_en": "Thin kepok banana chips coated in chocolate.",
            "category": CATEGORIES[i % len(CATEGORIES)], "price_idr": price,
            "wholesale_tiers": f"10:{price - 1000}; 50:{price - 2000}" if i % 3 == 0 else "",
            "min_order_qty": 1, "stock": i % 250, "weight_g": 250, "halal": "ya",
            "export_ready": "tidak" if i % 5 else "ya", "hs_code": "" if i % 5 else "2008.99",
            "status": "active",
        }
        writer.writerow([row[c] for c in COLUMNS])
    return buf.getvalue().encode("utf-8")


def fresh_schema(db) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade()
    db.session.remove()


def make_store(n: int):
    from catalog.services import create_store
    from marketplace.accounts.services import register_user

    owner = register_user(email=f"bench{n}@example.test", password="bench-password", name="Bench")
    return create_store(owner, {"name": f"Toko Bench {n}", "province_code": "18",
                                "regency_code": "18.71", "nib": "1234567890123",
                                "scale": "mikro", "whatsapp": "081234567890"})


def bare_insert(db, store, report_rows) -> float:
    """The ceiling: clean tuples straight into the DBAPI cursor's executemany, then the tiers."""
    from marketplace.timeutil import utcnow

    sqlite = db.engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    now = utcnow()
    stamp = now.isoformat(sep=" ") if sqlite else now
    products = [(store.id, r["category_id"], r["title"], r["title_en"], r["description"],
                 r["description_en"], r["price_idr"], r["min_order_qty"], r["stock"],
                 r["weight_g"], r["sku"], r["halal"], r["export_ready"], r["hs_code"],
                 r["status"], 0, stamp, stamp) for r in report_rows]
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        cur.executemany(f"INSERT INTO products ({', '.join(PRODUCT_COLUMNS)}) "
                        f"VALUES ({', '.join([mark] * len(PRODUCT_COLUMNS))})", products)
        cur.execute(f"SELECT sku, id FROM products WHERE store_id = {mark}", (store.id,))
        ids = dict(cur.fetchall())
        tiers = [(ids[r["sku"]], qty, unit) for r in report_rows for qty, unit in r["wholesale_tiers"]]
        cur.executemany(f"INSERT INTO wholesale_tiers (product_id, min_qty, unit_price_idr) "
                        f"VALUES ({mark}, {mark}, {mark})", tiers)
        raw.commit()
        seconds = time.perf_counter() - started
        cur.close()
    finally:
        raw.close()
    return seconds


def clean_rows(store, data: bytes) -> list[dict]:
    """The rows as the import cleans them (the ceiling's input), without writing anything."""
    from catalog import csv_io
    from catalog.services import category_ids_by_slug, clean_product_fields
    from catalog.validation import parse_tiers_text

    report = csv_io.ImportReport()
    _columns, rows = csv_io.read_csv(data, report)
    categories = category_ids_by_slug()
    out = []
    for _line, cells in rows:
        cells = dict(cells, wholesale_tiers=parse_tiers_text(cells["wholesale_tiers"]))
        clean, errors = clean_product_fields(cells, partial=False, category_ids=categories)
        assert not errors, errors
        out.append(clean)
    return out


def bench(label: str, url: str, data: bytes, workdir: Path) -> dict:
    from flask_babel import force_locale

    from app import create_app
    from catalog import csv_io
    from catalog.signals import products_changed
    from marketplace.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(workdir / f"uploads-{label}"),
        "SEARCH_INDEX_PATH": str(workdir / f"search-{label}.db"), "ELASTICSEARCH_URL": None,
        "SEARCH_DISPATCH_ON_COMMIT": False,
    })
    figures = {}
    with app.app_context(), force_locale("id"):
        fresh_schema(db)
        store, other, quiet = make_store(1), make_store(2), make_store(3)
        db.session.commit()

        def run(name, target):
            started = time.perf_counter()
            report = csv_io.import_products(target, data, actor=target.owner)
            db.session.commit()
            seconds = time.perf_counter() - started
            assert report.ok and report.created + report.updated == ROWS, report.errors[:3]
            figures[name] = (seconds, report.timings)

        run("create", store)
        run("update", store)
        with products_changed.muted():  # no listener: the catalog's own share of the work
            run("create*", quiet)

        rows = clean_rows(other, data)
        db.session.commit()  # the ceiling runs on a connection of its own
        figures["ceiling"] = (bare_insert(db, other, rows), {})
        db.session.remove()
        db.engine.dispose()
    return figures


def report(label: str, figures: dict) -> None:
    ceiling = figures["ceiling"][0]
    for run, (seconds, timings) in figures.items():
        phases = ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
        note = f"  ({phases})" if phases else "  (bare INSERT executemany: products, then tiers)"
        print(f"  {label:<10} {run:<8} {seconds:6.2f} s  {ROWS / seconds:8,.0f} rows/s{note}")
    print(f"  {label:<10} ratio    create at {ceiling / figures['create'][0]:.2f}x, update at "
          f"{ceiling / figures['update'][0]:.2f}x, create* at "
          f"{ceiling / figures['create*'][0]:.2f}x the ceiling's speed")


def main(argv: list[str]) -> int:
    import logging
    import subprocess

    logging.disable(logging.INFO)
    if argv:  # a child: one database per process, as create_app() builds one app per process
        label, url, workdir = argv
        report(label, bench(label, url, csv_file(), Path(workdir)))
        return 0
    targets = []
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgresql", "postgres")):
        database = url.rsplit("/", 1)[-1].split("?")[0]
        if not database.endswith("_bench"):
            print(f"refusing to drop the schema of {database!r}: point DATABASE_URL at pasar_bench")
            return 2
        targets.append(("postgresql", url.replace("postgresql://", "postgresql+psycopg://", 1)
                        .replace("postgres://", "postgresql+psycopg://", 1)))
    else:
        print("DATABASE_URL is not PostgreSQL: measuring SQLite only (make bench starts PostgreSQL)")
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("sqlite", f"sqlite:///{tmp}/bench.db"))
        print(f"catalog import: {ROWS:,} CSV rows ({(ROWS + 2) // 3:,} with wholesale tiers), "
              f"{len(csv_file()) / 1e6:.1f} MB")
        for label, target in targets:
            sys.stdout.flush()
            status |= subprocess.run([sys.executable, __file__, label, target, tmp]).returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
