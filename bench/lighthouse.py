"""Lighthouse on the five landing pages (home, category, search, product, event), mobile.

    .venv/bin/python bench/lighthouse.py                 # demo data, gunicorn, all four categories
    .venv/bin/python bench/lighthouse.py --stores 10 --products 100

Set-up: a fresh database (pasar_bench_lighthouse on the PostgreSQL of DATABASE_URL, dropped and
migrated afresh; a temporary SQLite file without it), the demo marketplace (`catalog.demo.
seed_demo`, what `flask seed-demo` runs: stores and products with pictures) plus one published
event with exhibitors and an event price, the embedded search index built by `flask search
reindex`, and the app served by gunicorn with the project's gunicorn.conf.py on loopback.

Each page gets one Lighthouse run (node_modules/.bin/lighthouse from package-lock.json, installed
by scripts/node.sh; Lighthouse's default mobile form factor and simulated throttling) in Debian's
Chromium, headless. Printed: the four scores per page (performance, accessibility,
best-practices, seo), the audits that lose points, and pass/fail against the goal of 95 for each.
Exit status 1 when a score is below the goal. Performance depends on the machine's load: the
load average is printed with it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

from bench.support.serving import gunicorn  # noqa: E402  (after the path fix above)

BENCH_DB = "pasar_bench_lighthouse"
GOAL = 95
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def say(message: str = "") -> None:
    print(message, flush=True)


def database_url(work: Path) -> str:
    """A fresh database of the bench's own: PostgreSQL when DATABASE_URL is one, else SQLite."""
    url = os.environ.get("DATABASE_URL") or ""
    if not url.startswith(("postgresql", "postgres")):
        return f"sqlite:///{work / 'bench.db'}"
    import sqlalchemy as sa

    server = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    return server.set(database=BENCH_DB).render_as_string(hide_password=False)


def seed(env: dict, stores: int, products: int) -> dict:
    """Migrate, seed the demo marketplace and an event; returns the pages' paths."""
    os.environ.update(env)
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from catalog import demo
    from catalog.models import Category, Product, Store
    from catalog.services import store_of
    from marketplace.accounts.services import find_user_by_email
    from marketplace.extensions import db
    from marketplace.timeutil import utcnow
    from promotions import services

    app = create_app()
    with app.app_context():
        upgrade()
        summary = demo.seed_demo(stores=stores, products=products)
        db.session.commit()
        officer = find_user_by_email("officer@demo.test")
        store = store_of(find_user_by_email("seller@demo.test"))
        other = db.session.scalars(sa.select(Store).where(Store.id != store.id).order_by(Store.id)).first()
        start = utcnow() + timedelta(days=10)
        event = services.create_event({
            "title": "Forum Promosi Ekspor Lampung", "title_en": "Lampung Export Promotion Forum",
            "description": "Temu bisnis UMKM Lampung dengan pembeli dari Jepang dan Singapura.",
            "kind": "export_forum", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=2)).isoformat(), "venue": "Bandar Lampung",
            "target_markets": ["JP", "SG"], "categories": ["kopi", "lada"], "exhibitor_quota": 20,
            "application_deadline": (start - timedelta(days=3)).isoformat()}, actor=officer)
        for action in ("open", "curate"):
            services.transition_event(event, action, actor=officer)
        for exhibitor in (store, other):
            ids = db.session.scalars(sa.select(Product.id).where(Product.store_id == exhibitor.id)
                                     .order_by(Product.id).limit(4)).all()
            services.invite(event, exhibitor, product_ids=ids, actor=officer)
        first = db.session.scalars(sa.select(Product).where(Product.store_id == store.id)
                                   .order_by(Product.id)).first()
        services.curate(event, [{"product_id": first.id, "event_price_idr": first.price_idr * 9 // 10,
                                 "featured": True}], actor=officer)
        services.transition_event(event, "publish", actor=officer)
        db.session.commit()
        category = db.session.get(Category, first.category_id)
        top = db.session.get(Category, category.parent_id) if category.parent_id else category
        pages = {"home": "/", "category": f"/kategori/{top.slug}", "search": "/cari?q=kopi",
                 "product": f"/produk/{first.id}", "event": f"/acara/{event.slug}"}
        db.session.remove()
        db.engine.dispose()
    say(f"seeded {summary.stores} stores, {summary.products} products, {summary.images} pictures, 1 event")
    return pages


@contextmanager
def served(env: dict, work: Path):
    """The app under gunicorn (gunicorn.conf.py) on a free loopback port; yields the base URL."""
    with gunicorn(["--config", "gunicorn.conf.py", "wsgi:app"],
                  {**env, "GUNICORN_ACCESS_LOG": str(work / "access.log")},
                  work / "gunicorn.log") as port:
        yield f"http://127.0.0.1:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=None, help="demo stores (seed-demo's default)")
    parser.add_argument("--products", type=int, default=None, help="demo products (seed-demo's default)")
    args = parser.parse_args()
    from catalog import demo
    from tests.browser.checkers import LIGHTHOUSE, lighthouse
    from tests.browser.conftest import CHROMIUM

    if not LIGHTHOUSE.exists() or not os.path.exists(CHROMIUM):
        say(f"needs {LIGHTHOUSE} (scripts/node.sh) and {CHROMIUM} (scripts/browser.sh)")
        return 1
    work = Path(tempfile.mkdtemp(prefix="pasar-bench-lighthouse-"))
    try:
        env = {**os.environ, "DATABASE_URL": database_url(work), "PASAR_ENV": "development",
               "SECRET_KEY": "bench-lighthouse", "UPLOAD_DIR": str(work / "uploads"),
               "PRIVATE_UPLOAD_DIR": str(work / "private"), "SEARCH_INDEX_PATH": str(work / "index.db"),
               "ELASTICSEARCH_URL": "", "TASK_QUEUE_URL": f"sqlite:///{work / 'tasks.db'}",
               "FLASK_APP": "wsgi.py"}
        pages = seed(env, args.stores or demo.DEFAULT_STORES, args.products or demo.DEFAULT_PRODUCTS)
        subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "search", "reindex"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        failures = []
        with served(env, work) as base:
            say(f"\nLighthouse {GOAL}+ goal, mobile, one run per page ({', '.join(CATEGORIES)}):")
            for name, path in pages.items():
                began = time.perf_counter()
                results = lighthouse(base + path, CATEGORIES, timeout=180)
                scores = "  ".join(f"{c} {results[c]['score']}" for c in CATEGORIES)
                low = [c for c in CATEGORIES if (results[c]["score"] or 0) < GOAL]
                verdict = "pass" if not low else "FAIL " + ", ".join(low)
                say(f"  {name:<9} {path:<40} {scores}  {verdict}  ({time.perf_counter() - began:.0f} s)")
                for c in CATEGORIES:
                    for audit_id, title, score in results[c]["failing"]:
                        say(f"      {c}: {audit_id} ({score}): {title}")
                failures += [f"{name} {c} {results[c]['score']}" for c in low]
        say("load average " + "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
            + f" on {os.cpu_count()} CPUs (performance varies with other work on the machine)")
        if failures:
            say(f"FAILED (< {GOAL}): " + "; ".join(failures))
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
