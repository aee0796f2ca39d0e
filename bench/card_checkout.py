"""Card checkouts on one hot product: is the product row held locked while Stripe answers?

    python bench/card_checkout.py [--buyers 16] [--checkouts 20] [--stripe-latency-ms 0]

Set-up, in the database pasar_bench_card on the PostgreSQL of DATABASE_URL (dropped and
migrated afresh): one store, one product with ample stock, --buyers buyers. Each buyer is a
thread that, --checkouts times, puts one unit in its cart and places a card checkout through
`orders.checkout.place_checkout` against the local Stripe API (STRIPE_API_BASE, localstripe),
then commits: what one checkout request does. The PaymentMethod is made before the timing.
--stripe-latency-ms adds that much to every Stripe call (a real network is slower than loopback).

Printed: checkouts/s, p50 and p95 latency. When the reservation is held locked across the
Stripe call, every buyer of the product waits for the others' Stripe round trips, and p95
grows with the number of buyers; when it is committed first, it does not.
"""
from __future__ import annotations

import argparse
import inspect
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ADDRESS = {"name": "Budi", "phone": "081234567890", "line1": "Jl. Merdeka 10", "district": "Gambir",
           "regency": "31.71", "province": "31", "postal_code": "10110", "country": "ID"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--checkouts", type=int, default=20, help="per buyer")
    parser.add_argument("--stripe-latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    base, db_url = os.environ.get("STRIPE_API_BASE"), os.environ.get("DATABASE_URL") or ""
    if not base or not db_url.startswith("postgresql"):
        sys.exit("needs STRIPE_API_BASE and a PostgreSQL DATABASE_URL: eval \"$(make -s services)\"")
    import sqlalchemy as sa

    url = sa.engine.make_url(db_url.replace("postgresql://", "postgresql+psycopg://", 1)).set(
        database="pasar_bench_card")
    admin = sa.create_engine(sa.engine.make_url(db_url.replace("postgresql://", "postgresql+psycopg://", 1)),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS pasar_bench_card WITH (FORCE)"))
        conn.execute(sa.text("CREATE DATABASE pasar_bench_card"))
    admin.dispose()

    import tempfile

    from app import create_app

    work = Path(tempfile.mkdtemp(prefix="pasar-bench-card-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False), "SECRET_KEY": "bench",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.buyers + 4, "max_overflow": 8},
        "ELASTICSEARCH_URL": None, "SEARCH_INDEX_PATH": str(work / "index.db"),
        "SEARCH_DISPATCH_ON_COMMIT": False, "UPLOAD_DIR": str(work / "uploads"),
        "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_API_BASE": base, "RATELIMIT_ENABLED": False,
        "TASK_QUEUE_URL": f"sqlite:///{work / 'tasks.db'}"})
    import logging

    logging.disable(logging.INFO)
    import stripe
    from flask_migrate import upgrade

    from catalog.models import Product, ProductStatus, Store
    from marketplace.accounts.models import User
    from marketplace.extensions import db
    from orders import checkout as checkout_module
    from orders.cart import UserBag
    from orders.payments import stripe as gateway

    with app.app_context():
        upgrade()
        owner = User(email="owner@bench.test", name="Owner", password_hash="x")
        db.session.add(owner)
        db.session.flush()
        store = Store(owner_id=owner.id, name="Toko Bench", slug="toko-bench", province_code="18",
                      regency_code="18.71", scale="mikro", whatsapp="0812000", nib="1234567890123")
        db.session.add(store)
        db.session.flush()
        from catalog.models import Category

        product = Product(store_id=store.id, title="Kopi Bench", sku="B-1",
                          category_id=db.session.scalar(sa.select(Category.id).limit(1)), price_idr=50000, stock=10**8, min_order_qty=1, weight_g=250,
                          status=ProductStatus.ACTIVE, description="bench")
        db.session.add(product)
        buyers = [User(email=f"b{i}@bench.test", name=f"B{i}", password_hash="x") for i in range(args.buyers)]
        db.session.add_all(buyers)
        db.session.commit()
        product_id, buyer_ids = product.id, [b.id for b in buyers]
        db.session.remove()

    client = stripe.StripeClient("sk_test_bench", base_addresses={"api": base}, max_network_retries=0)
    methods = [[client.v1.payment_methods.create({"type": "card", "card": {
        "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}).id
        for _ in range(args.checkouts)] for _ in buyer_ids]

    if args.stripe_latency_ms:
        real = gateway.create_intent

        def slow(*a, **k):
            time.sleep(args.stripe_latency_ms / 1000)
            return real(*a, **k)

        gateway.create_intent = slow
    new_style = "quantities" in inspect.signature(checkout_module.place_checkout).parameters
    pays_after_commit = hasattr(checkout_module, "_reserve_then_pay")

    latencies, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(len(buyer_ids))

    def buyer_thread(index, buyer_id):
        from catalog.addresses import clean_address

        start.wait()
        for method in methods[index]:
            with app.app_context():
                buyer = db.session.get(User, buyer_id)
                bag = UserBag(buyer)
                bag.put(product_id, 1)
                db.session.commit()
                began = time.perf_counter()
                try:
                    if new_style:
                        checkout_module.place_checkout(buyer, bag.quantities(), clean_address(ADDRESS),
                                                       payment_method="card", payment_method_id=method)
                        bag.clear()
                    else:  # the signature before reserve-then-pay
                        checkout_module.place_checkout(buyer, bag, shipping_address=ADDRESS,
                                                       payment_method="card", payment_method_id=method)
                    db.session.commit()
                    took = time.perf_counter() - began
                    with lock:
                        latencies.append(took)
                except Exception as exc:  # noqa: BLE001
                    db.session.rollback()
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=buyer_thread, args=(i, b)) for i, b in enumerate(buyer_ids)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000 if latencies else float("nan")
    print(f"card checkouts on one product: {args.buyers} buyers x {args.checkouts}, Stripe +"
          f"{args.stripe_latency_ms:.0f} ms, {'reserve, commit, then pay' if pays_after_commit else 'row lock held across Stripe'}")
    print(f"  {len(latencies)} ok, {len(errors)} errors in {wall:.1f} s: {len(latencies) / wall:.1f} checkouts/s, "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95:.0f} ms")
    for line in sorted(set(errors))[:5]:
        print("  error:", line)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
