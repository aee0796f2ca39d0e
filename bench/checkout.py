"""Benchmark: checkout throughput, latency and stock contention on PostgreSQL, with the bare
conditional stock UPDATE (pgbench) as the ceiling.

    .venv/bin/python bench/checkout.py                       # the defaults: ~3.5 minutes on 2 cores
    .venv/bin/python bench/checkout.py --checkouts 1000 --seconds 10
    .venv/bin/python bench/checkout.py --profile             # + cProfile of one buyer's checkouts (~30 s)

What it does:

1. Set-up, on a schema dropped and rebuilt by the app's own migrations: 10,000 active products
   (a third with wholesale tiers) across 100 stores in regencies all over Indonesia, each with
   ample stock, and N buyer accounts (users + user_roles), all bulk-inserted with COPY. The
   embedded search index is built once from them, as `flask search reindex` would.
2. Throughput of the real service: each timed checkout is what a request does: a fresh app
   context (one per request), the buyer loaded as the login loader does,
   `orders.checkout.place_checkout(buyer, bag.quantities(), address,
   payment_method="bank_transfer")`, the cart emptied, and the commit. Carts are NOT part of the timing: before each
   run every buyer's cart is refilled by a COPY into cart_items with 1-3 random products of
   1-3 units each, so every checkout uses a different buyer with a full cart. Runs: 1 buyer,
   16 buyers as threads of one process (one app, the GIL shared), 16 buyers as 16 forked worker
   processes each with its own app (what gunicorn workers are), each until --checkouts or
   --seconds; all of it with the search outbox's after-commit dispatch OFF (outbox rows are only
   written; `flask search sync` would apply them) and ON (the default: each commit queues the
   `search.dispatch` job for a worker; before the task queue the index was updated inside it).
3. Contention: the 16 processes all buy one product that has 100 units, one unit per checkout,
   each starting new checkouts until it gets `out_of_stock`. Exactly 100 orders, stock 0 and
   no oversold unit are required (the run fails otherwise).
4. The ceiling: pgbench running the bare statement
   `UPDATE products SET stock = stock - 1 WHERE id = :id AND stock >= 1` (prepared protocol),
   over a random id of the 10,000 and on one single id, with 1 and 16 clients (-j 2, -T 10),
   stock reset high enough never to run out. The app's rate is printed as a ratio of it.

Services: DATABASE_URL from the environment when it is PostgreSQL (`make bench`), else
scripts/postgres.sh starts one. The benchmark always works in a database of its own,
pasar_bench_checkout on that server, because it drops and rebuilds the schema; only
--database-url names another one (and its name must contain "bench").
"""
from __future__ import annotations

import argparse
import cProfile
import fcntl
import io
import logging
import multiprocessing as mp
import os
import platform
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
# Run as a script, bench/ is first on sys.path, where bench/search.py would shadow `search`.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

BENCH_DB = "pasar_bench_checkout"
PGBENCH = os.environ.get("PGBENCH") or "/usr/lib/postgresql/15/bin/pgbench"
SEED = 1808
AMPLE_STOCK = 1_000_000
HOT_STOCK = 100
WARM_CHECKOUTS = 5  # per process (and the parent) before the first timed run of each kind
ADDRESS = {"name": "Budi Santoso", "phone": "081234567890", "line1": "Jl. Merdeka 10",
           "district": "Gambir", "regency": "31.71", "province": "31", "postal_code": "10110",
           "country": "ID"}
ENGINE_OPTIONS = {"pool_size": 20, "max_overflow": 10, "pool_pre_ping": True}

WORDS = ("Keripik Pisang", "Kopi Robusta", "Kopi Arabika", "Lada Hitam", "Madu Hutan", "Kain Tapis",
         "Batik Tulis", "Tenun Ikat", "Anyaman Bambu", "Kerupuk Kemplang", "Sambal Lingkung",
         "Teh Hijau", "Gula Aren", "Ukiran Kayu", "Kopi Luwak", "Dodol Durian", "Abon Ikan")
FLAVOURS = ("Cokelat", "Original", "Pedas", "Manis", "Premium", "Super", "Asli", "Bubuk",
            "Biji", "Motif Kapal", "Sachet", "Kemasan 250 g", "Kemasan 1 kg")


def say(message: str = "") -> None:
    print(message, flush=True)


@contextmanager
def single_run():
    """One run at a time: two runs would wipe each other's database."""
    path = Path(tempfile.gettempdir()) / "pasar-bench-checkout.lock"
    with open(path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another bench/checkout.py run holds {path}; waiting for it ...")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# ------------------------------------------------------------------------------------------------
# Services and the app
# ------------------------------------------------------------------------------------------------

def _export_line(output: str, name: str) -> str:
    for line in output.splitlines():
        if line.startswith(f"export {name}="):
            return line.split("=", 1)[1].strip().strip("'\"")
    raise SystemExit(f"no `export {name}=` line in the script's output:\n{output}")


def database_url(explicit: str | None) -> str:
    """A database the benchmark may wipe: --database-url, else pasar_bench_checkout."""
    import sqlalchemy as sa

    if explicit:
        url = sa.engine.make_url(explicit.replace("postgres://", "postgresql+psycopg://", 1)
                                 .replace("postgresql://", "postgresql+psycopg://", 1))
        if "bench" not in (url.database or ""):
            raise SystemExit(f"refusing to drop the schema of {url.database!r}: "
                             "its name must contain 'bench'")
        return url.render_as_string(hide_password=False)
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith(("postgres://", "postgresql")):
        # Same server as the app's, but never the app's database: create ours beside it.
        url = sa.engine.make_url(env.replace("postgres://", "postgresql+psycopg://", 1)
                                 .replace("postgresql://", "postgresql+psycopg://", 1))
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                           {"n": BENCH_DB}) is None:
                conn.execute(sa.text(f'CREATE DATABASE "{BENCH_DB}"'))
        engine.dispose()
        return url.set(database=BENCH_DB).render_as_string(hide_password=False)
    say("starting PostgreSQL (scripts/postgres.sh) ...")
    out = subprocess.run([str(ROOT / "scripts" / "postgres.sh")], env={**os.environ, "PG_DB": BENCH_DB},
                         check=True, capture_output=True, text=True).stdout
    return _export_line(out, "DATABASE_URL")


def make_app(db_url: str, workdir: Path, *, dispatch: bool):
    from app import create_app

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": dict(ENGINE_OPTIONS),
        "ELASTICSEARCH_URL": None,
        "SEARCH_INDEX_PATH": str(workdir / "search-index.db"),
        "SEARCH_DISPATCH_ON_COMMIT": dispatch,
        # ON now queues the `search.dispatch` job (a worker applies it, out of the request):
        # the queue the embedded default uses, a SQLite file, unless TASK_QUEUE_URL names Redis.
        "TASK_QUEUE_URL": os.environ.get("TASK_QUEUE_URL") or f"sqlite:///{workdir / 'tasks.db'}",
        "STRIPE_SECRET_KEY": None,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "SECRET_KEY": "bench-secret",
        "RATELIMIT_ENABLED": False,
    })
    logging.disable(logging.INFO)  # quiet: only the figures
    return app


# ------------------------------------------------------------------------------------------------
# Set-up: schema, stores, products, buyers (bulk), the embedded index
# ------------------------------------------------------------------------------------------------

def fresh_schema(db) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade()
    db.session.remove()


@contextmanager
def raw_cursor(engine):
    """A psycopg cursor on a pooled connection, committed at the end."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        yield cur
        raw.commit()
        cur.close()
    finally:
        raw.close()


def copy_rows(cur, table: str, columns: tuple[str, ...], rows) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def add_users(cur, prefix: str, n: int, role: str, now) -> list[int]:
    copy_rows(cur, "users", ("email", "name", "password_hash", "is_active", "created_at"),
              ((f"{prefix}{i}@bench.test", f"{prefix.title()} {i}", "bench-no-login", True, now)
               for i in range(n)))
    cur.execute("SELECT id FROM users WHERE email LIKE %s ORDER BY id", (f"{prefix}%@bench.test",))
    ids = [r[0] for r in cur.fetchall()]
    copy_rows(cur, "user_roles", ("user_id", "role", "granted_at"), ((i, role, now) for i in ids))
    return ids


def generate(engine, *, products: int, stores: int, buyers: int) -> dict:
    """Stores, products (a third with tiers) and buyers, straight into the tables with COPY."""
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    with raw_cursor(engine) as cur:
        sellers = add_users(cur, "seller", stores, "seller", now)
        buyer_ids = add_users(cur, "buyer", buyers, "buyer", now)
        cur.execute("SELECT code, province_code FROM regencies ORDER BY code")
        regencies = cur.fetchall()
        cur.execute("SELECT id FROM categories WHERE id NOT IN "
                    "(SELECT parent_id FROM categories WHERE parent_id IS NOT NULL) ORDER BY id")
        leaves = [r[0] for r in cur.fetchall()]
        picks = rng.sample(regencies, min(stores, len(regencies)))
        copy_rows(cur, "stores", (
            "owner_id", "name", "slug", "description", "province_code", "regency_code", "nib",
            "scale", "whatsapp", "export_ready", "verified_at", "created_at", "updated_at"),
            ((owner, f"Toko Bench {i}", f"toko-bench-{i}", "Toko UMKM untuk benchmark.",
              picks[i % len(picks)][1], picks[i % len(picks)][0], f"{1234567890000 + i}",
              ("mikro", "kecil", "menengah")[i % 3], "081234567890", i % 4 == 0,
              now if i % 2 else None, now, now) for i, owner in enumerate(sellers)))
        cur.execute("SELECT id FROM stores ORDER BY id")
        store_ids = [r[0] for r in cur.fetchall()]

        def product(i):
            name = f"{WORDS[i % len(WORDS)]} {FLAVOURS[(i // len(WORDS)) % len(FLAVOURS)]} No. {i}"
            price = 15_000 + rng.randrange(400) * 500
            return (store_ids[i % len(store_ids)], leaves[i % len(leaves)], name, f"{name} (EN)",
                    "Produk UMKM asli, dikemas rapi, siap kirim.", "Genuine UMKM product.",
                    price, 1, AMPLE_STOCK, 100 + rng.randrange(20) * 100, f"BENCH-{i:05d}",
                    i % 2 == 0, i % 5 == 0, None if i % 5 else "2008.99", "active", 0, now, now)

        copy_rows(cur, "products", (
            "store_id", "category_id", "title", "title_en", "description", "description_en",
            "price_idr", "min_order_qty", "stock", "weight_g", "sku", "halal", "export_ready",
            "hs_code", "status", "sold_count", "created_at", "updated_at"),
            (product(i) for i in range(products)))
        cur.execute("SELECT id, price_idr FROM products ORDER BY id")
        prices = cur.fetchall()
        copy_rows(cur, "wholesale_tiers", ("product_id", "min_qty", "unit_price_idr"),
                  ((pid, qty, price - cut) for n, (pid, price) in enumerate(prices) if n % 3 == 0
                   for qty, cut in ((10, 1000), (50, 2000))))
        cur.execute("ANALYZE")
    return {"product_ids": [p for p, _ in prices], "buyer_ids": buyer_ids, "stores": len(store_ids)}


def build_search_index(app) -> tuple[int, float]:
    from search import documents
    from search.engine import embedded_backend

    with app.app_context():
        started = time.perf_counter()
        stats = embedded_backend().reindex(documents.stream_documents(), documents.count_active())
        return stats["indexed"], time.perf_counter() - started


def fill_carts(engine, buyer_ids: list[int], product_ids: list[int], rng: random.Random,
               *, hot: int | None = None) -> int:
    """Every buyer's cart refilled (COPY): 1-3 random products of 1-3 units, or 1 unit of `hot`.
    The search outbox is emptied too, so a run with dispatch on starts with nothing pending."""
    now = datetime.now(UTC)
    rows = []
    for buyer in buyer_ids:
        if hot is not None:
            rows.append((buyer, hot, 1, now))
        else:
            rows.extend((buyer, p, rng.randint(1, 3), now) for p in rng.sample(product_ids, rng.randint(1, 3)))
    with raw_cursor(engine) as cur:
        cur.execute("DELETE FROM cart_items")
        cur.execute("DELETE FROM search_outbox")
        copy_rows(cur, "cart_items", ("user_id", "product_id", "quantity", "added_at"), rows)
    return len(rows)


# ------------------------------------------------------------------------------------------------
# One checkout, and a loop of them (shared by threads, processes and the profile)
# ------------------------------------------------------------------------------------------------

def checkout_once(app, buyer_id: int) -> tuple[float, str]:
    """What one checkout request does after its form is parsed: buyer, place_checkout, commit."""
    from catalog.addresses import clean_address
    from marketplace.accounts.models import User
    from marketplace.errors import Conflict
    from marketplace.extensions import db
    from orders.cart import UserBag
    from orders.checkout import place_checkout

    started = time.perf_counter()
    with app.app_context():  # popping it removes the session, as the end of a request does
        buyer = db.session.get(User, buyer_id)
        try:
            bag = UserBag(buyer)
            place_checkout(buyer, bag.quantities(), clean_address(ADDRESS),
                           payment_method="bank_transfer")
            bag.clear()
            db.session.commit()
            outcome = "ok"
        except Conflict as exc:
            db.session.rollback()
            outcome = exc.code or "conflict"
        except Exception as exc:  # noqa: BLE001  (counted and shown; the run goes on)
            db.session.rollback()
            outcome = f"error:{type(exc).__name__}:{str(exc).splitlines()[0][:160]}"
    return time.perf_counter() - started, outcome


def checkout_loop(app, ids: list[int], take, seconds: float, stop_on_out_of_stock: bool) -> dict:
    """Checkouts for ids[take()] until the ids run out, `seconds` pass, or (contention) stock does."""
    deadline = time.perf_counter() + seconds
    latencies, outcomes = [], Counter()
    while time.perf_counter() < deadline:
        i = take()
        if i is None or i >= len(ids):
            break
        seconds_taken, outcome = checkout_once(app, ids[i])
        outcomes[outcome] += 1
        if outcome == "ok":
            latencies.append(seconds_taken)
        if stop_on_out_of_stock and outcome == "out_of_stock":
            break
    return {"latencies": latencies, "outcomes": outcomes}


def warm(app) -> None:
    import sqlalchemy as sa

    from marketplace.extensions import db

    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))


# --- worker processes ------------------------------------------------------------------------

def _worker_main(index: int, n: int, db_url: str, workdir: str, inbox, results, barrier,
                 counter) -> None:
    """A forked worker: its own app (and engine, pool, embedded-index handle), run on command."""
    app = make_app(db_url, Path(workdir), dispatch=False)

    def take():
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        return i

    def own_slice(ids):
        """A warm-up: this worker's own share of ids, one after another."""
        mine = iter(range(index, len(ids), n))
        return lambda: next(mine, None)

    while True:
        cmd = inbox.get()
        if cmd is None:
            return
        error = None
        try:
            app.config["SEARCH_DISPATCH_ON_COMMIT"] = cmd["dispatch"]
            warm(app)
        except Exception:  # noqa: BLE001  (reported; the barrier must still be met)
            error = traceback.format_exc()
        barrier.wait()
        if error is None:
            try:
                cpu = time.process_time()
                result = checkout_loop(app, cmd["ids"], own_slice(cmd["ids"]) if cmd["warm"] else take,
                                       cmd["seconds"], cmd["stop"])
                result["cpu"] = time.process_time() - cpu
            except Exception:  # noqa: BLE001
                error = traceback.format_exc()
        results.put((index, result if error is None else {"error": error}))


class Workers:
    """N forked worker processes, kept for every process run (forked before any connection)."""

    def __init__(self, n: int, db_url: str, workdir: Path):
        ctx = mp.get_context("fork")
        self.n = n
        self.counter = ctx.Value("q", 0)
        self.barrier = ctx.Barrier(n + 1)
        self.results = ctx.Queue()
        self.inboxes = [ctx.Queue() for _ in range(n)]
        self.procs = [ctx.Process(target=_worker_main, daemon=True,
                                  args=(i, n, db_url, str(workdir), self.inboxes[i], self.results,
                                        self.barrier, self.counter)) for i in range(n)]
        for p in self.procs:
            p.start()

    def run(self, ids: list[int], *, dispatch: bool, seconds: float, stop: bool = False,
            warm: bool = False) -> dict:
        """Every worker checks out ids (shared: each takes the next one; warm: its own share)."""
        self.counter.value = 0
        for inbox in self.inboxes:
            inbox.put({"ids": ids, "dispatch": dispatch, "seconds": seconds, "stop": stop,
                       "warm": warm})
        self.barrier.wait(timeout=300)
        started = time.perf_counter()
        parts = [self.results.get(timeout=seconds + 300)[1] for _ in range(self.n)]
        wall = time.perf_counter() - started
        errors = [p["error"] for p in parts if "error" in p]
        if errors:
            raise SystemExit("a worker process failed:\n" + errors[0])
        return merge(parts, wall)

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for p in self.procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()


def run_threads(app, ids: list[int], n: int, *, seconds: float, stop: bool = False) -> dict:
    """n threads of this process, one app, each checkout in its own app context and session."""
    lock, counter = threading.Lock(), [0]
    barrier = threading.Barrier(n + 1)
    parts: list[dict] = [{}] * n

    def take():
        with lock:
            counter[0] += 1
            return counter[0] - 1

    def work(k):
        try:
            warm(app)
        finally:
            barrier.wait()
        parts[k] = checkout_loop(app, ids, take, seconds, stop)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return merge(parts + [{"cpu": cpu}], wall)


def merge(parts: list[dict], wall: float) -> dict:
    latencies = sorted(x for p in parts for x in p.get("latencies", []))
    outcomes = Counter()
    for p in parts:
        outcomes.update(p.get("outcomes", {}))
    return {"wall": wall, "latencies": latencies, "outcomes": outcomes, "ok": outcomes.get("ok", 0),
            "cpu": sum(p.get("cpu", 0.0) for p in parts)}


def postgres_cpu(database: str) -> float | None:
    """CPU seconds used so far by the server processes serving `database` (None if unreadable)."""
    total, tick, seen = 0.0, os.sysconf("SC_CLK_TCK"), False
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if not cmdline.startswith(b"postgres: ") or f" {database} ".encode() not in cmdline:
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        seen = True
    return total if seen else None


@contextmanager
def server_cpu(database: str, into: dict):
    """Add the server's CPU seconds for `database` during the block to `into["pg_cpu"]`."""
    before = postgres_cpu(database)
    yield
    after = postgres_cpu(database)
    into["pg_cpu"] = None if before is None or after is None else max(0.0, after - before)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


# ------------------------------------------------------------------------------------------------
# pgbench: the ceiling
# ------------------------------------------------------------------------------------------------

def pgbench(db_url: str, script: str, clients: int, seconds: int, workdir: Path) -> dict:
    import sqlalchemy as sa

    url = sa.engine.make_url(db_url)
    path = workdir / f"stock-{abs(hash(script))}.sql"
    path.write_text(script)
    cmd = [PGBENCH, "-n", "-M", "prepared", "-f", str(path), "-c", str(clients),
           "-j", str(min(2, clients)), "-T", str(seconds), "-h", url.host or "127.0.0.1",
           "-p", str(url.port or 5432), "-U", url.username or "pasar", url.database]
    out = subprocess.run(cmd, env={**os.environ, "PGPASSWORD": url.password or ""},
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed ({' '.join(cmd)}):\n{out.stderr}{out.stdout}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    return {"tps": float(tps.group(1)), "latency_ms": float(latency.group(1)) if latency else None}


def reset_stock(engine, stock: int) -> None:
    with raw_cursor(engine) as cur:
        cur.execute("UPDATE products SET stock = %s", (stock,))


# ------------------------------------------------------------------------------------------------
# Profile: where one buyer's checkout spends its time, and the SQL it sends
# ------------------------------------------------------------------------------------------------

def statement_counts(app, engine, ids: list[int]) -> tuple[Counter, int]:
    """The SQL statements the checkouts send, by kind (SELECT, INSERT ...), for ids' checkouts."""
    import sqlalchemy as sa

    kinds: Counter = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        kinds[statement.lstrip().split(None, 1)[0].upper()] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        done = sum(checkout_once(app, i)[1] == "ok" for i in ids)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return kinds, done


def profile(app, ids: list[int], top: int) -> str:
    """cProfile of checkouts one after another: where a checkout spends its time."""
    prof = cProfile.Profile()
    outcomes: Counter = Counter()
    prof.enable()
    for i in ids:
        outcomes[checkout_once(app, i)[1]] += 1
    prof.disable()
    done = outcomes["ok"]
    stats = pstats.Stats(prof)
    total = stats.total_tt
    rows = []
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((filename, line, func, ncalls, tottime, cumtime))
    out = io.StringIO()
    per = 1000.0 / max(done, 1)
    out.write(f"  {done} checkouts, {total * per:.2f} ms of profiled time each"
              + (f" (not ok: {dict(outcomes - Counter(ok=done))})" if len(outcomes) > 1 else "")
              + "; waiting on PostgreSQL (psycopg wait): "
              + f"{sum(r[4] for r in rows if r[2] == 'wait' and 'psycopg' in r[0]) * per:.2f} ms\n")
    out.write("  project code by cumulative time (ms per checkout, calls per checkout):\n")
    ours = [r for r in rows if r[0].startswith(str(ROOT)) and "/.venv/" not in r[0]
            and not r[0].startswith(str(BENCH_DIR))]
    for filename, line, func, ncalls, _tt, cum in sorted(ours, key=lambda r: -r[5])[:top]:
        out.write(f"    {cum * per:7.2f} ms  {ncalls / max(done, 1):6.1f}x  "
                  f"{Path(filename).relative_to(ROOT)}:{line} {func}\n")
    out.write("  everything by own time (ms per checkout):\n")
    for filename, line, func, ncalls, tt, _cum in sorted(rows, key=lambda r: -r[4])[:top]:
        where = filename.replace(str(ROOT) + "/", "").replace(".venv/lib/python3", "py3")
        out.write(f"    {tt * per:7.2f} ms  {ncalls / max(done, 1):6.1f}x  {where}:{line} {func}\n")
    return out.getvalue()


# ------------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------------

def row(label: str, dispatch: str, workers: str, r: dict, ceiling: float | None) -> str:
    wall, ok = r["wall"], r["ok"]
    attempts = sum(r["outcomes"].values()) or 1
    rate = ok / wall if wall else 0.0
    p50, p95 = percentile(r["latencies"], 0.50) * 1000, percentile(r["latencies"], 0.95) * 1000
    ratio = f"{rate / ceiling:6.2%}" if ceiling else "     -"
    app_cpu = f"{r['cpu'] / attempts * 1000:5.1f}" if r.get("cpu") else "    -"
    pg_cpu = f"{r['pg_cpu'] / attempts * 1000:5.1f}" if r.get("pg_cpu") is not None else "    -"
    return (f"  {label:<22} {dispatch:<4} {workers:<12} {ok:>6} {wall:6.1f} {rate:8.1f} "
            f"{p50:7.1f} {p95:7.1f}  {app_cpu}  {pg_cpu}  {ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help=f"database to WIPE and use (default: {BENCH_DB})")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--buyers", type=int, default=2_000,
                        help="buyer accounts; each run uses each buyer's cart at most once")
    parser.add_argument("--checkouts", type=int, default=2_000,
                        help="checkouts per throughput run (at most --buyers)")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="a throughput run also stops after this long")
    parser.add_argument("--concurrency", type=int, default=16, help="buyers at once (threads, processes)")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--skip-dispatch-on", action="store_true",
                        help="only measure with the search dispatch after commit off")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile --profile-checkouts single-buyer checkouts (dispatch off and on)")
    parser.add_argument("--profile-checkouts", type=int, default=300)
    args = parser.parse_args(argv)
    if args.buyers < args.concurrency * 2 + HOT_STOCK:
        parser.error(f"--buyers must be at least {args.concurrency * 2 + HOT_STOCK} (the contention run)")
    checkouts = min(args.checkouts, args.buyers)

    # Import the app before forking, so the workers start warm; connect to nothing yet.
    import sqlalchemy as sa

    import orders.checkout  # noqa: F401
    from marketplace.extensions import db

    db_url = database_url(args.database_url)
    with single_run(), tempfile.TemporaryDirectory(prefix="pasar-bench-checkout-") as tmp:
        workdir = Path(tmp)
        workers = Workers(args.concurrency, db_url, workdir)
        try:
            return run(args, checkouts, db_url, workdir, workers, db, sa)
        finally:
            workers.close()


def run(args, checkouts: int, db_url: str, workdir: Path, workers: Workers, db, sa) -> int:
    started_all = time.perf_counter()
    rng = random.Random(SEED + 1)
    app = make_app(db_url, workdir, dispatch=False)
    n = args.concurrency
    database = sa.engine.make_url(db_url).database
    say(f"checkout benchmark: {args.products:,} products, {args.stores} stores, {args.buyers:,} buyers, "
        f"{sa.engine.make_url(db_url).database} on {sa.engine.make_url(db_url).host}:"
        f"{sa.engine.make_url(db_url).port}")
    with app.app_context():
        server = {k: db.session.scalar(sa.text(f"SHOW {k}")) for k in
                  ("server_version", "fsync", "synchronous_commit", "shared_buffers", "max_connections")}
        db.session.remove()
        say("  server: " + ", ".join(f"{k}={v}" for k, v in server.items())
            + f"; client: {os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
            + "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        t = time.perf_counter()
        fresh_schema(db)
        engine = db.engine
        data = generate(engine, products=args.products, stores=args.stores,
                        buyers=args.buyers + WARM_CHECKOUTS * (n + 1))
        say(f"  set-up: schema + bulk insert in {time.perf_counter() - t:.1f} s")
    indexed, seconds = build_search_index(app)
    say(f"  embedded search index: {indexed:,} products in {seconds:.1f} s")
    product_ids, all_buyers = data["product_ids"], data["buyer_ids"]
    buyer_ids, warm_ids = all_buyers[:args.buyers], all_buyers[args.buyers:]
    ids = buyer_ids[:checkouts]

    results: list[tuple[str, str, str, dict]] = []
    failures: list[str] = []
    dispatch_modes = [False] if args.skip_dispatch_on else [False, True]
    outbox_left = {}
    for dispatch in dispatch_modes:
        app.config["SEARCH_DISPATCH_ON_COMMIT"] = dispatch
        tag = "on" if dispatch else "off"
        # Warm-up, untimed: the first checkouts of a process compile SQL, fill caches, open files.
        fill_carts(engine, all_buyers, product_ids, rng)
        for i in warm_ids[:WARM_CHECKOUTS]:
            checkout_once(app, i)
        warm_run = workers.run(warm_ids[WARM_CHECKOUTS:], dispatch=dispatch, seconds=60, warm=True)
        if warm_run["ok"] == 0:
            failures.append(f"warm-up with dispatch {tag}: {dict(warm_run['outcomes'])}")
        for label, workers_label, runner in (
                ("throughput 1 buyer", "1", lambda: run_threads(app, ids, 1, seconds=args.seconds)),
                (f"throughput {n} buyers", f"{n} threads",
                 lambda: run_threads(app, ids, n, seconds=args.seconds)),
                (f"throughput {n} buyers", f"{n} processes",
                 lambda dispatch=dispatch: workers.run(ids, dispatch=dispatch, seconds=args.seconds))):
            lines = fill_carts(engine, all_buyers, product_ids, rng)
            pg: dict = {}
            with server_cpu(database, pg):
                r = runner()
            r.update(pg, cart_lines=lines)
            results.append((label, tag, workers_label, r))
            bad = {k: v for k, v in r["outcomes"].items() if k != "ok"}
            say(f"  {label:<22} dispatch {tag:<3} {workers_label:<12} {r['ok']:>5} ok in "
                f"{r['wall']:5.1f} s = {r['ok'] / r['wall']:7.1f}/s" + (f"  NOT OK: {bad}" if bad else ""))
            if bad:
                failures.append(f"{label} ({workers_label}, dispatch {tag}): {bad}")
            with app.app_context():
                outbox_left[(tag, workers_label)] = db.session.scalar(sa.text("SELECT count(*) FROM search_outbox"))
                db.session.remove()

    # Contention: everyone wants the one product with 100 units.
    contention = []
    for k, dispatch in enumerate(dispatch_modes):
        tag = "on" if dispatch else "off"
        hot = product_ids[k]
        fill_carts(engine, buyer_ids, product_ids, rng, hot=hot)
        with raw_cursor(engine) as cur:
            cur.execute("UPDATE products SET stock = %s, sold_count = 0 WHERE id = %s", (HOT_STOCK, hot))
            cur.execute("SELECT coalesce(max(id), 0) FROM orders")
            last_order = cur.fetchone()[0]
        pg = {}
        with server_cpu(database, pg):
            r = workers.run(buyer_ids, dispatch=dispatch, seconds=300, stop=True)
        r.update(pg)
        with raw_cursor(engine) as cur:
            cur.execute("SELECT stock, sold_count FROM products WHERE id = %s", (hot,))
            stock, sold = cur.fetchone()
            cur.execute("SELECT count(DISTINCT o.id), coalesce(sum(l.quantity), 0) FROM orders o "
                        "JOIN order_lines l ON l.order_id = o.id WHERE o.id > %s AND l.product_id = %s",
                        (last_order, hot))
            orders, units = cur.fetchone()
            cur.execute("UPDATE products SET stock = %s WHERE id = %s", (AMPLE_STOCK, hot))
        oversold = max(0, -stock) + max(0, units - HOT_STOCK)
        r.update(stock=stock, sold=sold, orders=orders, units=units, oversold=oversold)
        contention.append((tag, r))
        ok = (r["ok"] == HOT_STOCK and orders == HOT_STOCK and units == HOT_STOCK and stock == 0
              and sold == HOT_STOCK and oversold == 0)
        say(f"  contention {n} processes dispatch {tag:<3}: {r['ok']} ok, {orders} orders, "
            f"{units} units sold, stock {stock}, oversold {oversold}, outcomes {dict(r['outcomes'])} "
            f"in {r['wall']:.2f} s" + ("" if ok else "  NOT OK"))
        if not ok:
            failures.append(f"contention dispatch {tag}: {dict(r['outcomes'])}, orders {orders}, "
                            f"stock {stock}, sold {sold}")

    # The anatomy of one checkout: SQL statements sent (dispatch off), outside any timing.
    fill_carts(engine, buyer_ids, product_ids, random.Random(SEED + 2))
    app.config["SEARCH_DISPATCH_ON_COMMIT"] = False
    kinds, counted = statement_counts(app, engine, buyer_ids[:100])
    cart_lines_avg = statistics.mean(r["cart_lines"] for *_x, r in results) / len(all_buyers)

    profiles = []
    if args.profile:
        for dispatch in dispatch_modes:
            fill_carts(engine, buyer_ids, product_ids, random.Random(SEED + 3))
            app.config["SEARCH_DISPATCH_ON_COMMIT"] = dispatch
            profiles.append(("on" if dispatch else "off",
                             profile(app, buyer_ids[:args.profile_checkouts], 22)))
        app.config["SEARCH_DISPATCH_ON_COMMIT"] = False

    # The ceiling: bare conditional decrements. Runs last: it leaves many dead row versions.
    ceilings = {}
    hot = product_ids[0]
    first, last = product_ids[0], product_ids[-1]
    update = "UPDATE products SET stock = stock - 1 WHERE id = :id AND stock >= 1;\n"
    for name, script in (("random", f"\\set id random({first}, {last})\n" + update),
                         ("one id", f"\\set id {hot}\n" + update)):
        for clients in (1, n):
            reset_stock(engine, 100_000_000)
            ceilings[(name, clients)] = pgbench(db_url, script, clients, args.pgbench_seconds, workdir)
            say(f"  pgbench {name:<6} -c {clients:<2}: {ceilings[(name, clients)]['tps']:9.1f} tps")
    engine.dispose()

    # --- summary ---------------------------------------------------------------------------------
    say()
    say(f"checkout: place_checkout + commit per buyer (carts filled before timing; "
        f"{cart_lines_avg:.2f} lines per cart, 1-3 units each), {args.products:,} products")
    say(f"  {'run':<22} {'disp':<4} {'workers':<12} {'ok':>6} {'s':>6} {'ckout/s':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7}  {'appCPU':>5}  {'pgCPU':>5}  vs ceiling")
    for label, tag, workers_label, r in results:
        clients = 1 if workers_label == "1" else n
        ceiling = ceilings[("random", clients)]["tps"]
        say(row(label, tag, workers_label, r, ceiling))
    for tag, r in contention:
        say(row(f"contention ({HOT_STOCK} units)", tag, f"{n} processes", r,
                ceilings[("one id", n)]["tps"]))
    say(f"  {'pgbench ceiling':<22} {'':<4} {'':<12} {'':>6} {'':>6} {'tps':>8} {'avg ms':>7}")
    for (name, clients), c in ceilings.items():
        say(f"  {'  id ' + name:<22} {'':<4} {f'-c {clients} -j {min(2, clients)}':<12} {'':>6} "
            f"{args.pgbench_seconds:6.1f} {c['tps']:8.1f} {c['latency_ms'] or 0:7.2f}")
    say("  vs ceiling = checkouts/s / pgbench tps of the bare UPDATE (1 buyer vs -c 1, "
        f"{n} buyers vs -c {n}; random id, contention vs one id). A checkout reserves "
        f"{cart_lines_avg:.1f} products on average.\n  appCPU / pgCPU = CPU ms per checkout "
        f"attempt in the Python process(es) / in the PostgreSQL backends serving them "
        f"(latencies are wall time per checkout, successful ones).")
    for tag, r in contention:
        say(f"  contention dispatch {tag}: {r['ok']} successful orders (need {HOT_STOCK}), "
            f"{r['units']} units sold, oversold {r['oversold']}, final stock {r['stock']}, "
            f"{r['outcomes'].get('out_of_stock', 0)} out_of_stock refusals, "
            f"{r['ok'] / r['wall']:.1f} successful checkouts/s")
    say("  search outbox rows left after each run: " + ", ".join(
        f"dispatch {t} {w}: {c}" for (t, w), c in outbox_left.items()))
    per = {k: v / max(counted, 1) for k, v in kinds.items()}
    say(f"  SQL per checkout (dispatch off, {counted} checkouts): {sum(per.values()):.1f} statements: "
        + ", ".join(f"{k} {v:.1f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])))
    for tag, text in profiles:
        say(f"\nprofile, 1 buyer, dispatch {tag}:")
        say(text.rstrip())
    say(f"\ntotal {time.perf_counter() - started_all:.0f} s; load average now "
        + "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        + f" on {os.cpu_count()} CPUs (other work on the machine shows up in every figure)")
    if failures:
        say("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
