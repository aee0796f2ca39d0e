"""Ledger benchmark: posting rate and balance query times with 1,000,000 journal lines on
PostgreSQL.

    .venv/bin/python bench/ledger.py                      # 1,000,000 lines (~3 minutes on 2 cores)
    .venv/bin/python bench/ledger.py --lines 200000 --posts 500

Set-up, on a schema rebuilt by the app's own migrations in a database of its own
(pasar_bench_ledger on the server of DATABASE_URL, or on one scripts/postgres.sh starts; it is
wiped), with bench/checkout.py's generator for the stores: a journal of synthetic orders, each
paid (cash:bank -> held:order), released (held -> available:store) and charged 2% commission
(available -> revenue): six lines an order, COPY'd in one transaction so the deferred balance
trigger checks every line at commit (the load's rate is printed too). Store 0 has a tenth of
the orders (the hot store); the rest spread over 199 stores.

Then it times, through the app's own functions:
1. Posting: `orders.ledger.posting.post` of an order's life (a payment onto a new held account,
   its release, its commission: three entries, one new account), each entry committed on its
   own as a request would, with 1 thread and with 4 threads of one process (one app; nothing
   locks between posters: the journal is only inserted into).
2. Balances: `balance_of` the hottest accounts (cash:bank and revenue:commission, a line per
   order; the hot store's available account), `store_balance` of the hot store and of a small
   one, the first and the 100th page of the hot store's statement (30 rows with their running
   balances, and the count), and `replay` of the whole journal, each the median of --repeat runs.
Goal: a store's balance and its statement page within 50 ms (median), so balances stay plain
sums (no snapshots) unless this fails.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
# Run as a script, bench/ is first on sys.path, where bench/search.py would shadow `search`.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

GOAL_SECONDS = 0.050
LINES_PER_ORDER = 6
RATE_BP = 200


def _checkout_bench():
    """bench/checkout.py as a module: its database helpers and bulk generator."""
    spec = importlib.util.spec_from_file_location("bench_checkout", BENCH_DIR / "checkout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BENCH_DB = "pasar_bench_ledger"  # our own database, never the checkout bench's
    return module


def load_journal(checkout, engine, store_ids: list[int], orders: int) -> float:
    """COPY `orders` synthetic orders' entries (payment, release, commission) and their accounts;
    returns the seconds the load took, the commit's trigger checks included."""
    now = datetime.now(UTC)
    hot, rest = store_ids[0], store_ids[1:]
    store_of = [hot if k % 10 == 0 else rest[k % len(rest)] for k in range(orders)]
    started = time.perf_counter()
    with checkout.raw_cursor(engine) as cur:
        accounts = [(1, "cash", "cash:bank", None, "bank"), (2, "revenue", "revenue:commission", None, "commission")]
        available = {}
        for store in store_ids:
            available[store] = len(accounts) + 1
            accounts.append((available[store], "available", f"available:store:{store}", store, None))
        first_held = len(accounts) + 1
        accounts += [(first_held + k, "held", f"held:order:bench-{k}", store_of[k], None) for k in range(orders)]
        checkout.copy_rows(cur, "ledger_accounts", ("id", "kind", "key", "store_id", "method", "created_at"),
                           (a + (now,) for a in accounts))
        # each account's store and statement name, copied onto its lines as `post` does
        where = {a[0]: (a[3], {"held": "pending", "available": "available"}.get(a[1]) if a[3] else None)
                 for a in accounts}
        entries, lines = [], []
        for k in range(orders):
            total = 20_000 + (k % 400) * 500
            fee = total * RATE_BP // 10_000
            held, avail = first_held + k, available[store_of[k]]
            for n, (kind, pairs) in enumerate((("payment", ((1, total), (held, -total))),
                                               ("release", ((held, total), (avail, -total))),
                                               ("commission", ((avail, fee), (2, -fee))))):
                entry_id = 3 * k + n + 1
                entries.append((entry_id, kind, "order", k, f"bench:{kind}:{k}", now))
                lines += [(entry_id, account, amount, *where[account]) for account, amount in pairs]
        checkout.copy_rows(cur, "ledger_entries", ("id", "kind", "source_type", "source_id",
                                                   "idempotency_key", "created_at"), entries)
        checkout.copy_rows(cur, "ledger_lines", ("entry_id", "account_id", "amount_idr", "store_id",
                                                 "store_account"), lines)
        for table in ("ledger_accounts", "ledger_entries", "ledger_lines"):
            cur.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    elapsed = time.perf_counter() - started
    import sqlalchemy as sa

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE ledger_accounts, ledger_entries, ledger_lines"))
    return elapsed


def post_orders(app, prefix: str, n: int, store_id: int) -> None:
    """n orders' lives through `post`, one commit per entry."""
    from marketplace.extensions import db
    from orders.ledger.posting import AccountRef, available, cash, post, revenue

    with app.app_context():
        for k in range(n):
            held = AccountRef("held", f"held:order:{prefix}-{k}", store_id=store_id)
            total = 50_000 + k
            fee = total * RATE_BP // 10_000
            post("payment", ("order", k), [(cash("bank"), total), (held, -total)], f"{prefix}:pay:{k}")
            db.session.commit()
            post("release", ("order", k), [(held, total), (available(store_id), -total)], f"{prefix}:rel:{k}")
            db.session.commit()
            post("commission", ("order", k), [(available(store_id), fee), (revenue(), -fee)], f"{prefix}:fee:{k}")
            db.session.commit()
        db.session.remove()


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def line(label: str, times: list[float], extra: str = "") -> None:
    print(f"  {label:<52} median {statistics.median(times) * 1000:8.2f} ms  "
          f"best {min(times) * 1000:8.2f} ms  max {max(times) * 1000:8.2f} ms {extra}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="database to WIPE and use (default: pasar_bench_ledger)")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=1000, help="orders posted per timed run (3 entries each)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    checkout = _checkout_bench()
    import sqlalchemy as sa

    from marketplace.extensions import db

    db_url = checkout.database_url(args.database_url)
    with tempfile.TemporaryDirectory(prefix="pasar-bench-ledger-") as tmp:
        app = checkout.make_app(db_url, Path(tmp), dispatch=False)
        with app.app_context():
            checkout.fresh_schema(db)
            checkout.generate(db.engine, products=200, stores=200, buyers=0)
            store_ids = db.session.scalars(sa.text("SELECT id FROM stores ORDER BY id")).all()
            orders = args.lines // LINES_PER_ORDER
            seconds = load_journal(checkout, db.engine, store_ids, orders)
            count = db.session.scalar(sa.text("SELECT count(*) FROM ledger_lines"))
            print(f"loaded {count:,} journal lines ({orders:,} orders, {len(store_ids)} stores) with COPY in "
                  f"{seconds:.1f} s: {count / seconds:,.0f} lines/s, the deferred balance trigger included; "
                  "load average " + "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
                  + f" on {os.cpu_count()} CPUs", flush=True)
            db.session.remove()

        print(f"posting through orders.ledger.posting.post, {args.posts} orders a run "
              "(3 entries, 6 lines, one new account each; a commit per entry):", flush=True)
        for threads in (1, 4):
            started = time.perf_counter()
            workers = [threading.Thread(target=post_orders, args=(app, f"t{threads}-{i}", args.posts, store_ids[1 + i]))
                       for i in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.perf_counter() - started
            entries = 3 * args.posts * threads
            print(f"  {threads} thread(s): {entries:,} entries in {elapsed:.1f} s = {entries / elapsed:,.0f} "
                  f"entries/s ({entries * 2 / elapsed:,.0f} lines/s), "
                  f"{elapsed / entries * 1000:.2f} ms an entry", flush=True)

        from orders.ledger.posting import available, balance_of, cash, replay, revenue
        from orders.ledger.service import statement_page, store_balance

        with app.app_context():
            hot, small = store_ids[0], store_ids[-1]
            sizes = dict(db.session.execute(sa.text(
                "SELECT a.key, count(*) FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id "
                "WHERE a.key IN (:c, :h, :s) GROUP BY a.key"),
                {"c": "cash:bank", "h": f"available:store:{hot}", "s": f"available:store:{small}"}).all())
            hot_lines = db.session.scalar(sa.text(
                "SELECT count(*) FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id "
                "WHERE a.store_id = :s"), {"s": hot})
            print(f"balance queries (median of {args.repeat}; the hot store has {hot_lines:,} lines on its "
                  f"accounts, its available account {sizes.get(f'available:store:{hot}', 0):,}, cash:bank "
                  f"{sizes.get('cash:bank', 0):,}):", flush=True)
            figures = {}
            for label, fn in (
                    ("balance_of(cash:bank)", lambda: balance_of(cash("bank"))),
                    ("balance_of(revenue:commission)", lambda: balance_of(revenue())),
                    ("balance_of(available of the hot store)", lambda: balance_of(available(hot))),
                    ("store_balance(hot store)", lambda: store_balance(hot)),
                    ("store_balance(small store)", lambda: store_balance(small)),
                    ("statement page 1 (30 rows, with the count), hot store", lambda: statement_page(hot, 1, 30)),
                    ("statement page 100, hot store", lambda: statement_page(hot, 100, 30)),
            ):
                fn()  # warm
                figures[label] = timed(fn, args.repeat)
                line(label, figures[label])
            replay_times = timed(replay, 1)
            line("replay() of the whole journal", replay_times)
            plan = "\n".join(r[0] for r in db.session.execute(sa.text(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT sum(amount_idr) FROM ledger_lines WHERE account_id = "
                "(SELECT id FROM ledger_accounts WHERE key = 'cash:bank')")).all())
            print("  plan of the cash:bank sum:\n    " + plan.replace("\n", "\n    "))
            db.session.remove()
        worst = max(statistics.median(figures[k]) for k in (
            "store_balance(hot store)", "statement page 1 (30 rows, with the count), hot store"))
        ok = worst <= GOAL_SECONDS
        print(f"hot store's balance and statement page: worst median {worst * 1000:.1f} ms "
              f"(goal <= {GOAL_SECONDS * 1000:.0f} ms): {'ok' if ok else 'MISSED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
