"""Sitemap benchmark: /sitemap.xml and one product sitemap file over 100,000 products.

    .venv/bin/python bench/sitemap.py                  # 100,000 products, 20 requests each
    .venv/bin/python bench/sitemap.py --products 20000 --requests 5
    .venv/bin/python bench/sitemap.py --skip-generate  # reuse the generated database

Set-up: stores and active products bulk-inserted with COPY on a schema built by the app's own
migrations, with bench/checkout.py's generator, in a database of its own (pasar_bench_sitemap on
the server of DATABASE_URL, or on one scripts/postgres.sh starts; it is wiped). Then, in
process through the app's test client (the whole Flask request path, the response streamed to
the end), it times GET /sitemap.xml (the index: one grouped query over the products) and GET
/sitemap-products-1.xml (a full file: SITEMAP_PAGE_SIZE products, two URLs each) and the last
products file (the same range scan, far into the table), plain and with `Accept-Encoding: gzip`, and prints the median and worst times, sizes and entry counts.
Goals: the index answers within 1 s (median); the last products file costs no more than 1.5x
the first (best times compared: paging by id ranges, not OFFSET, so a file's cost does not grow
with its position in a 100,000-product catalog).
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
# Run as a script, bench/ is first on sys.path, where bench/search.py would shadow `search`.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

INDEX_GOAL_SECONDS = 1.0
POSITION_GOAL = 1.5  # best time of the last products file / of the first
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _checkout_bench():
    """bench/checkout.py as a module: its database helpers and bulk generator."""
    spec = importlib.util.spec_from_file_location("bench_checkout", BENCH_DIR / "checkout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BENCH_DB = "pasar_bench_sitemap"  # our own database, never the checkout bench's
    return module


def timed(client, path: str, headers: dict, n: int) -> tuple[list[float], bytes]:
    times, body = [], b""
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        body = response.get_data()  # the streamed body, to the end
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times, body


def report(label: str, times: list[float], body: bytes, compressed: bool) -> None:
    raw = gzip.decompress(body) if compressed else body
    root = ET.fromstring(raw)
    count = len(root.findall(f"{SM}url")) or len(root.findall(f"{SM}sitemap"))
    print(f"  {label:<46} median {statistics.median(times) * 1000:7.1f} ms  "
          f"best {min(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms  "
          f"{len(body) / 1024:8.1f} KiB  {count:6,} entries", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="database to WIPE and use (default: pasar_bench_sitemap)")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per case")
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args(argv)

    checkout = _checkout_bench()
    from marketplace.extensions import db

    db_url = checkout.database_url(args.database_url)
    with tempfile.TemporaryDirectory(prefix="pasar-bench-sitemap-") as tmp:
        app = checkout.make_app(db_url, Path(tmp), dispatch=False)
        app.config["PUBLIC_URL"] = "https://pasar.example.id"
        with app.app_context():
            if not args.skip_generate:
                started = time.perf_counter()
                checkout.fresh_schema(db)
                checkout.generate(db.engine, products=args.products, stores=args.stores, buyers=0)
                print(f"generated {args.products:,} products in {args.stores} stores "
                      f"in {time.perf_counter() - started:.1f} s", flush=True)
            import sqlalchemy as sa

            total = db.session.scalar(sa.text("SELECT count(*) FROM products WHERE status = 'active'"))
            db.session.remove()
        size = app.config["SITEMAP_PAGE_SIZE"]
        print(f"sitemaps over {total:,} active products, {size:,} products a file "
              f"({args.requests} requests each, first one untimed); load average "
              + "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) + f" on {os.cpu_count()} CPUs",
              flush=True)
        client = app.test_client()
        client.get("/sitemap.xml")  # warm: imports, connections, the first query plans
        index = ET.fromstring(client.get("/sitemap.xml").get_data())
        last = [loc.text for loc in index.iter(f"{SM}loc") if "/sitemap-products-" in loc.text][-1]
        last = "/" + last.split("/", 3)[3]
        figures = {}
        for label, path in (("index /sitemap.xml", "/sitemap.xml"),
                            ("full file /sitemap-products-1.xml", "/sitemap-products-1.xml"),
                            (f"last file {last}", last)):
            for encoding in ("identity", "gzip"):
                times, body = timed(client, path, {"Accept-Encoding": encoding}, args.requests)
                report(f"{label} ({encoding})", times, body, encoding == "gzip")
                figures[path, encoding] = times
        index = statistics.median(figures["/sitemap.xml", "identity"])
        ratio = min(figures[last, "identity"]) / min(figures["/sitemap-products-1.xml", "identity"])
        index_ok, ratio_ok = index <= INDEX_GOAL_SECONDS, ratio <= POSITION_GOAL
        print(f"index median {index * 1000:.0f} ms (goal <= {INDEX_GOAL_SECONDS * 1000:.0f} ms): "
              f"{'ok' if index_ok else 'MISSED'}; last/first products file {ratio:.2f}x "
              f"(goal <= {POSITION_GOAL}x): {'ok' if ratio_ok else 'MISSED'}", flush=True)
        return 0 if index_ok and ratio_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
