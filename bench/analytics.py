"""Seller analytics benchmark: the analytics queries over the rollups of 1,000,000 order lines
on PostgreSQL.

    .venv/bin/python bench/analytics.py                     # 1,000,000 lines over two years
    .venv/bin/python bench/analytics.py --lines 200000

Set-up, on a schema rebuilt by the app's own migrations in a database of its own
(pasar_bench_analytics on the server of DATABASE_URL, or on one scripts/postgres.sh starts; it
is wiped), with bench/checkout.py's generator for 200 stores and 2,000 products (a tenth of them
the hot store's), and product views per product on 70% of the days: checkouts,
orders (three lines each on average), their lines and "pay" events spread over the last 730
days, COPY'd; store 0 (the hot store) has a tenth of the orders. Then
`books.analytics.rebuild_rollups` fills the rollups from the orders (the same SQL as migration
0018's backfill, timed), and product views are COPY'd per product and day.

Then it times, through the app's own functions, for the last 30 and 365 days of the hot store:
`summary` (with the previous period), `series`, `top_products`, `most_viewed`, `regions`,
`rfqs` and the whole `report_for`, each the median of --repeat runs, and prints the ratio of the
rollups' rows to the orders' lines. Goal: every figure, and the whole report, under 300 ms.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
# Run as a script, bench/ is first on sys.path, where bench/search.py would shadow `search`.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

GOAL_SECONDS = 0.300
DAYS = 730
LINES_PER_ORDER = 3
PROVINCES = ("31", "32", "33", "35", "18", "51", "73", "12")
COUNTRIES = ("ID",) * 9 + ("JP", "SG", "NL")


def _checkout_bench():
    """bench/checkout.py as a module: its database helpers and bulk generator."""
    spec = importlib.util.spec_from_file_location("bench_checkout", BENCH_DIR / "checkout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BENCH_DB = "pasar_bench_analytics"  # our own database, never the checkout bench's
    return module


def load_orders(checkout, engine, lines: int) -> tuple[int, float]:
    """COPY checkouts, orders, lines and pay events for `lines` order lines over DAYS days."""
    rng = random.Random(1808)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with checkout.raw_cursor(engine) as cur:
        cur.execute("SELECT id FROM users WHERE email LIKE 'buyer%' ORDER BY id LIMIT 1")
        buyer = cur.fetchone()[0]
        # the hot store sells a catalogue of its own: a tenth of the products
        cur.execute("UPDATE products SET store_id = (SELECT min(id) FROM stores) WHERE id % 10 = 0")
        cur.execute("SELECT id, store_id, price_idr FROM products ORDER BY id")
        products = cur.fetchall()
        cur.execute("SELECT id FROM stores ORDER BY id")
        stores = [r[0] for r in cur.fetchall()]
        by_store: dict[int, list] = {}
        for pid, sid, price in products:
            by_store.setdefault(sid, []).append((pid, price))
        hot, rest = stores[0], [s for s in stores[1:] if s in by_store]
        orders = lines // LINES_PER_ORDER
        checkouts, order_rows, line_rows, events = [], [], [], []
        line_id = 0
        for k in range(orders):
            store = hot if k % 10 == 0 else rest[k % len(rest)]
            paid = now - timedelta(days=rng.random() * DAYS)
            country = COUNTRIES[k % len(COUNTRIES)]
            address = {"name": "Budi", "phone": "0812", "line1": "Jl. 1", "country": country,
                       "province": PROVINCES[k % len(PROVINCES)] if country == "ID" else "Tokyo"}
            subtotal = 0
            chosen = rng.sample(by_store[store], min(LINES_PER_ORDER, len(by_store[store])))
            for pid, price in chosen:
                quantity = 1 + rng.randrange(5)
                line_id += 1
                line_rows.append((line_id, k + 1, pid, "Produk", "SKU", price, quantity, price * quantity, 250))
                subtotal += price * quantity
            checkouts.append((k + 1, f"bench-{k}", buyer, "bank_transfer", "paid", subtotal + 10_000,
                              json.dumps(address), paid, paid + timedelta(days=1), paid, 0))
            order_rows.append((k + 1, k + 1, store, buyer, "completed", subtotal, 10_000, 0,
                               subtotal + 10_000, 0, 750, "province", paid, paid))
            events.append((k + 1, "paid", "pay", paid))
        checkout.copy_rows(cur, "checkouts", ("id", "reference", "buyer_id", "payment_method", "payment_status",
                                              "total_idr", "shipping_address", "created_at", "expires_at",
                                              "paid_at", "unique_code"), checkouts)
        checkout.copy_rows(cur, "orders", ("id", "checkout_id", "store_id", "buyer_id", "status", "subtotal_idr",
                                           "shipping_idr", "discount_idr", "total_idr", "refunded_idr", "weight_g",
                                           "shipping_zone", "created_at", "updated_at"), order_rows)
        checkout.copy_rows(cur, "order_lines", ("id", "order_id", "product_id", "title", "sku", "unit_price_idr",
                                                "quantity", "line_total_idr", "weight_g"), line_rows)
        checkout.copy_rows(cur, "order_events", ("order_id", "status", "action", "at"), events)
        # page views: every product on most days
        today = now.date()
        checkout.copy_rows(cur, "product_views_daily", ("product_id", "day", "store_id", "views"), (
            (pid, today - timedelta(days=d), sid, 1 + rng.randrange(40 if sid == hot else 8))
            for pid, sid, _price in products for d in range(DAYS) if rng.random() < 0.7))
        for table in ("checkouts", "orders", "order_lines", "order_events"):
            cur.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    return line_id, time.perf_counter() - started


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="database to WIPE and use (default: pasar_bench_analytics)")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    checkout = _checkout_bench()
    import sqlalchemy as sa

    from marketplace.extensions import db

    db_url = checkout.database_url(args.database_url)
    with tempfile.TemporaryDirectory(prefix="pasar-bench-analytics-") as tmp:
        app = checkout.make_app(db_url, Path(tmp), dispatch=False)
        with app.app_context(), app.test_request_context():
            checkout.fresh_schema(db)
            checkout.generate(db.engine, products=2000, stores=200, buyers=1)
            count, seconds = load_orders(checkout, db.engine, args.lines)
            print(f"loaded {count:,} order lines ({count // LINES_PER_ORDER:,} orders over {DAYS} days, 200 "
                  f"stores, the hot one a tenth) with COPY in {seconds:.1f} s; load average "
                  + "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) + f" on {os.cpu_count()} CPUs", flush=True)

            from books import analytics

            started = time.perf_counter()
            sizes = analytics.rebuild_rollups()
            db.session.commit()
            print(f"rebuild_rollups (migration 0018's backfill) in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{t} {n:,} rows" for t, n in sizes.items()), flush=True)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
            from catalog.models import Store

            hot = db.session.scalar(sa.select(Store).order_by(Store.id).limit(1))
            hot_lines = db.session.scalar(sa.text(
                "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.store_id = :s"),
                {"s": hot.id})
            hot_rows = db.session.scalar(sa.text("SELECT count(*) FROM product_sales_daily WHERE store_id = :s"),
                                         {"s": hot.id})
            print(f"the hot store: {hot_lines:,} order lines, {hot_rows:,} product-day rollup rows "
                  f"({hot_rows / hot_lines:.2f} rows a line)", flush=True)
            worst = 0.0

            def report_for(store, period):
                return analytics.report_for(store, period, actor=store.owner)

            for days in (30, 365):
                period = analytics.preset_period(f"{days}d")
                start, end = period.start, period.end
                print(f"the hot store, last {days} days (median of {args.repeat}):", flush=True)
                span = (hot, start, end)
                for label, fn, fn_args in (
                        ("summary (with the previous period, views)", analytics.summary, span),
                        ("series", analytics.series, span),
                        ("top_products (10)", analytics.top_products, span),
                        ("most_viewed (10)", analytics.most_viewed, span),
                        ("regions", analytics.regions, span),
                        ("rfqs", analytics.rfqs, span),
                        ("report_for (all of the page)", report_for, (hot, period)),
                ):
                    fn(*fn_args)  # warm
                    times = timed(lambda: fn(*fn_args), args.repeat)  # noqa: B023  (called at once)
                    median = statistics.median(times)
                    worst = max(worst, median)
                    print(f"  {label:<44} median {median * 1000:8.2f} ms  best {min(times) * 1000:8.2f} ms  "
                          f"max {max(times) * 1000:8.2f} ms", flush=True)
            plan = "\n".join(r[0] for r in db.session.execute(sa.text(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT product_id, sum(revenue_idr), sum(units) FROM product_sales_daily "
                "WHERE store_id = :s AND day BETWEEN :a AND :b GROUP BY product_id ORDER BY 2 DESC LIMIT 10"),
                {"s": hot.id, "a": analytics.preset_period("365d").start, "b": analytics.today_wib()}).all())
            print("  plan of the 365-day top products:\n    " + plan.replace("\n", "\n    "))
            db.session.remove()
        ok = worst <= GOAL_SECONDS
        print(f"worst median {worst * 1000:.1f} ms (goal < {GOAL_SECONDS * 1000:.0f} ms): {'ok' if ok else 'MISSED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
