"""The ledger on every path money takes today: transfers confirmed per order, card checkouts and
their webhooks, receipt and the auto-complete job, commission, refunds before and after release,
cancellations, late card payments, refunds made in Stripe, and the payout hooks."""
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import confirm_transfer_of
from tests.orders.ledger_checks import assert_books_hold, buy, deliver, entries


def _balance(store):
    from orders.ledger.service import store_balance

    return store_balance(store)


def _confirm(order):
    confirm_transfer_of(order.id)


def test_a_transfer_order_is_held_then_released_on_receipt(buyer_client, make_product, token_for, finance, db):
    # given a buyer's order of one store, paid by transfer to the marketplace and confirmed by finance
    client, _ = buyer_client()
    product = make_product(price_idr=100000, stock=5)
    seller = token_for(product.store.owner)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    order = client.post("/api/v1/checkout", json={"shipping_address": {
        "name": "Budi", "phone": "0812", "line1": "Jl. Merdeka 10", "regency": "31.71", "province": "31",
        "postal_code": "10110", "country": "ID"}, "payment_method": "bank_transfer"}).get_json()["orders"][0]
    move = lambda body, headers=seller: client.post(f"/api/v1/orders/{order['id']}/transitions",  # noqa: E731
                                                    json=body, headers=headers)
    assert move({"action": "confirm_transfer"}).status_code == 403   # not the seller's money
    assert move({"action": "confirm_transfer"}, finance).status_code == 200
    # then its money is held for the store
    balance = client.get(f"/api/v1/stores/{product.store.slug}/balance", headers=seller).get_json()
    assert balance == {"pending_idr": order["total_idr"], "available_idr": 0, "in_transit_idr": 0,
                       "paid_out_idr": 0}
    # when it is shipped, and the buyer may not confirm receipt before
    assert client.post(f"/api/v1/orders/{order['id']}/receipt").status_code == 409
    assert move({"action": "accept"}).status_code == 200
    assert move({"action": "ship", "tracking_number": "JNE1"}).status_code == 200
    # the seller cannot confirm receipt for the buyer; a stranger does not see the order
    assert client.post(f"/api/v1/orders/{order['id']}/receipt", headers=seller).status_code == 403
    done = client.post(f"/api/v1/orders/{order['id']}/receipt")
    # then the order is completed and the money is available to the store
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    balance = client.get(f"/api/v1/stores/{product.store.slug}/balance", headers=seller).get_json()
    assert balance["pending_idr"] == 0 and balance["available_idr"] == order["total_idr"]
    rows = client.get(f"/api/v1/stores/{product.store.slug}/ledger", headers=seller).get_json()
    assert rows["total"] == 3
    assert [(r["kind"], r["account"], r["amount_idr"], r["balance_idr"]) for r in rows["items"]] == [
        ("release", "available", order["total_idr"], order["total_idr"]),
        ("release", "pending", -order["total_idr"], 0),
        ("payment", "pending", order["total_idr"], order["total_idr"])]
    assert rows["items"][2]["source"]["type"] == "checkout" and rows["items"][2]["order_id"] == order["id"]
    # the buyer sees no store's books
    assert client.get(f"/api/v1/stores/{product.store.slug}/ledger").status_code == 404
    assert_books_hold()


def test_commission_store_rate_wins_subcategories_inherit_and_shipping_is_free_of_it(
        make_user, make_product, make_store, db):
    from orders.ledger.commission import set_commission_rate
    from orders.services import confirm_receipt

    # given 5% on "Kopi & Teh" (so on its subcategory "Kopi") and 2.5% on one store
    admin = make_user(roles=("admin",))
    set_commission_rate(rate_bp=500, category_slug="kopi-teh", actor=admin)
    special = make_store()
    set_commission_rate(rate_bp=250, store_slug=special.slug, actor=admin)
    db.session.commit()
    plain_product = make_product(price_idr=100000, category="kopi")
    special_product = make_product(store=special, price_idr=100000, category="kopi")
    buyer = make_user()
    orders = []
    for product in (plain_product, special_product):
        order = buy(buyer, {product: 1}).orders[0]
        _confirm(order)
        deliver(order)
        # when the buyer confirms receipt
        confirm_receipt(order, actor=buyer)
        db.session.commit()
        orders.append(order)
    # then the platform keeps 5% and 2.5% of the goods, not of the shipping
    fees = [e for e in entries("commission")]
    assert [e.order_id for e in fees] == [o.id for o in orders]
    assert [sum(line.amount_idr for line in e.lines if line.amount_idr > 0) for e in fees] == [5000, 2500]
    assert _balance(plain_product.store)["available_idr"] == orders[0].total_idr - 5000
    assert _balance(special)["available_idr"] == orders[1].total_idr - 2500
    balances = assert_books_hold()
    assert balances["revenue:commission"] == 7500


def test_commission_rates_are_for_admins_and_validated(make_user, make_store, db):
    from marketplace.errors import Forbidden, ValidationError
    from orders.ledger.commission import parse_percent, set_commission_rate

    store = make_store()
    admin = make_user(roles=("admin",))
    for actor in (store.owner, None):
        try:
            set_commission_rate(rate_bp=100, store_slug=store.slug, actor=actor)
        except Forbidden:
            pass
        else:
            raise AssertionError("a non-admin set a commission")
    for kwargs, field in (({"rate_bp": 10001, "store_slug": store.slug}, "rate"),
                          ({"rate_bp": 100}, "target"),
                          ({"rate_bp": 100, "store_slug": store.slug, "category_slug": "kopi"}, "target"),
                          ({"rate_bp": 100, "category_slug": "tidak-ada"}, "category"),
                          ({"rate_bp": 100, "store_slug": "tidak-ada"}, "store")):
        try:
            set_commission_rate(actor=admin, **kwargs)
        except ValidationError as exc:
            assert field in exc.fields
        else:
            raise AssertionError(kwargs)
    assert [parse_percent(t) for t in ("2,5", "2.5", "0", "100", "12,25%", "100,01", "1,234", "x", "")] == [
        250, 250, 0, 10000, 1225, None, None, None, None]


def test_refund_before_release_comes_from_the_hold_and_is_owed_to_a_transfer_buyer(
        make_user, make_product, db):
    from orders.payments.service import refund_order
    from orders.services import confirm_receipt

    # given a confirmed transfer order
    product = make_product(price_idr=80000)
    buyer = make_user()
    order = buy(buyer, {product: 1}).orders[0]
    _confirm(order)
    # when the seller gives back 30.000 before it is delivered
    refund_order(order, 30000, reason="kemasan penyok", actor=product.store.owner)
    db.session.commit()
    # then the hold shrinks and the marketplace owes the buyer (a transfer goes back by payout)
    balances = assert_books_hold()
    assert _balance(product.store)["pending_idr"] == order.total_idr - 30000
    assert balances[f"refunds_payable:buyer:{buyer.id}"] == 30000
    # and the release later moves only the rest
    deliver(order)
    confirm_receipt(order, actor=buyer)
    db.session.commit()
    assert _balance(product.store) == {"pending_idr": 0, "available_idr": order.total_idr - 30000,
                                       "in_transit_idr": 0, "paid_out_idr": 0}
    assert_books_hold()


def test_refund_after_release_may_take_the_store_below_zero_until_a_release_covers_it(
        make_user, make_product, db):
    from orders.ledger.posting import LedgerError
    from orders.ledger.service import payout_reserved
    from orders.payments.service import refund_order
    from orders.services import confirm_receipt

    # given a completed order whose money was released, and all of it reserved for a payout
    product = make_product(price_idr=50000, stock=10)
    buyer = make_user()
    first = buy(buyer, {product: 1}).orders[0]
    _confirm(first)
    deliver(first)
    confirm_receipt(first, actor=buyer)
    payout_reserved(product.store_id, first.total_idr, payout_id=1)
    db.session.commit()
    # when the seller refunds 20.000 of it afterwards
    refund_order(first, 20000, reason="barang kurang", actor=product.store.owner)
    db.session.commit()
    # then it comes from the store's available balance, which goes negative
    assert _balance(product.store)["available_idr"] == -20000
    assert assert_books_hold()[f"refunds_payable:buyer:{buyer.id}"] == 20000
    # and no payout can take money until a later release covers the debt
    try:
        payout_reserved(product.store_id, 1, payout_id=2)
    except LedgerError:
        db.session.rollback()
    else:
        raise AssertionError("a payout overdrew the balance")
    second = buy(buyer, {product: 1}).orders[0]
    _confirm(second)
    deliver(second)
    confirm_receipt(second, actor=buyer)
    db.session.commit()
    assert _balance(product.store)["available_idr"] == second.total_idr - 20000
    assert_books_hold()


def test_cancelling_a_paid_transfer_order_owes_the_buyer_all_of_it(buyer_client, make_product, token_for, db):
    from orders.models import Order

    # given a confirmed transfer order
    client, buyer = buyer_client()
    product = make_product(price_idr=60000)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1})
    order = client.post("/api/v1/checkout", json={"shipping_address": {
        "name": "Budi", "phone": "0812", "line1": "Jl. Merdeka 10", "regency": "31.71", "province": "31",
        "postal_code": "10110", "country": "ID"}, "payment_method": "bank_transfer"}).get_json()["orders"][0]
    confirm_transfer_of(order["id"])
    # when the buyer cancels it before it is accepted
    cancelled = client.post(f"/api/v1/orders/{order['id']}/transitions", json={"action": "cancel"})
    # then the whole amount leaves the hold and is owed to the buyer
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["refunded_idr"] == order["total_idr"]
    db.session.expire_all()
    assert _balance(db.session.get(Order, order["id"]).store)["pending_idr"] == 0
    assert assert_books_hold()[f"refunds_payable:buyer:{buyer.id}"] == order["total_idr"]


def test_the_auto_complete_job_releases_once_and_a_blocker_keeps_the_money_held(
        app, make_user, make_product, db, runner):
    from marketplace.jobs import run_now
    from orders.ledger.service import release_blockers
    from orders.models import OrderEvent

    # given two delivered orders, delivered long ago; a complaint blocker on the second
    buyer = make_user()
    product = make_product(price_idr=40000, stock=10)
    orders = [buy(buyer, {product: 1}).orders[0] for _ in range(2)]
    for order in orders:
        _confirm(order)
        deliver(order)
    for event in db.session.scalars(sa.select(OrderEvent).where(OrderEvent.action == "deliver")):
        event.at -= timedelta(days=30)
    db.session.commit()
    blocked_id = orders[1].id

    def open_complaint(order):
        return "komplain terbuka" if order.id == blocked_id else None

    release_blockers.register(app, open_complaint)
    try:
        # when the job runs twice
        run_now("orders.auto_complete")
        run_now("orders.auto_complete")
    finally:
        app.extensions["marketplace.hooks"]["release_blockers"].remove(open_complaint)
    db.session.expire_all()
    # then the first is completed and released once; the second stays delivered, its money held
    assert [o.status for o in orders] == ["completed", "delivered"]
    assert [e.order_id for e in entries("release")] == [orders[0].id]
    assert _balance(product.store) == {"pending_idr": orders[1].total_idr, "available_idr": orders[0].total_idr,
                                       "in_transit_idr": 0, "paid_out_idr": 0}
    assert_books_hold()


def test_releasing_or_paying_again_posts_nothing(make_user, make_product, db):
    from orders.ledger.service import record_payment, release_order
    from orders.payments.service import mark_paid
    from orders.services import confirm_receipt

    # given a two-store checkout paid at once (as the escrow checkout's confirmation does)
    buyer = make_user()
    a, b = make_product(price_idr=10000), make_product(price_idr=20000)
    checkout = buy(buyer, {a: 1, b: 2})
    mark_paid(checkout)
    db.session.commit()
    first = assert_books_hold()
    # then one payment entry holds each order's total
    assert [e.kind for e in entries()] == ["payment"]
    assert {o.id: first[f"held:order:{o.id}"] for o in checkout.orders} == {
        o.id: o.total_idr for o in checkout.orders}
    assert first["cash:bank"] == checkout.total_idr + checkout.unique_code
    # when the payment is posted again
    record_payment(checkout)
    db.session.commit()
    # then nothing changes
    assert assert_books_hold() == first and len(entries()) == 1
    # and releasing twice releases once
    order = checkout.orders[0]
    deliver(order)
    confirm_receipt(order, actor=buyer)
    release_order(order)
    release_order(order)
    db.session.commit()
    assert len(entries("release")) == 1
    assert assert_books_hold()[f"available:store:{order.store_id}"] == order.total_idr


def test_orders_paid_before_the_ledger_post_nothing_when_refunded_or_completed(make_user, make_product, db):
    from orders import state
    from orders.payments.service import refund_order
    from orders.services import confirm_receipt

    # given an order marked paid without a payment entry (as orders paid before migration 0013)
    buyer = make_user()
    order = buy(buyer, {make_product(price_idr=30000): 1}).orders[0]
    state.transition(order, "pay", actor=None)
    db.session.commit()
    # when it is refunded in part and completed
    refund_order(order, 1000, reason="selisih", actor=order.store.owner)
    deliver(order)
    confirm_receipt(order, actor=buyer)
    db.session.commit()
    # then the ledger holds nothing for it
    assert entries() == []


def test_payout_hooks_move_available_to_in_transit_to_paid_out_or_back(make_user, make_product, db):
    from orders.ledger.posting import LedgerError
    from orders.ledger.service import payout_failed, payout_paid, payout_reserved, refund_paid
    from orders.services import confirm_receipt

    # given a store with 90.000 (and shipping) available
    buyer = make_user()
    product = make_product(price_idr=90000)
    order = buy(buyer, {product: 1}).orders[0]
    _confirm(order)
    deliver(order)
    confirm_receipt(order, actor=buyer)
    db.session.commit()
    total = order.total_idr
    store = product.store_id

    def refused(call):
        try:
            with db.session.begin_nested():
                call()
        except LedgerError:
            return True
        return False

    # when a payout of 50.000 is reserved, then paid by the bank
    payout_reserved(store, 50000, payout_id=7)
    assert payout_reserved(store, 50000, payout_id=7) is entries("payout_reserve")[0]  # the same line again
    assert refused(lambda: payout_reserved(store, total, payout_id=8))               # more than is left
    payout_paid(store, 50000, payout_id=7, memo="BCA ref 123")
    assert refused(lambda: payout_failed(store, 50000, payout_id=7))                 # already paid
    assert refused(lambda: payout_paid(store, 50000, payout_id=9))                   # never reserved
    # and another of the rest fails at the bank
    payout_reserved(store, total - 50000, payout_id=8)
    assert _balance(product.store) == {"pending_idr": 0, "available_idr": 0, "in_transit_idr": total - 50000,
                                       "paid_out_idr": 50000}
    payout_failed(store, total - 50000, payout_id=8)
    assert refused(lambda: payout_paid(store, total - 50000, payout_id=8))           # already failed
    db.session.commit()
    # then the failed money is available again and the paid part is paid out
    assert _balance(product.store) == {"pending_idr": 0, "available_idr": total - 50000, "in_transit_idr": 0,
                                       "paid_out_idr": 50000}
    balances = assert_books_hold()
    # (the bank also keeps the transfer's unique code, the platform's revenue)
    assert balances["cash:bank"] == total + order.checkout.unique_code - 50000
    assert balances["revenue:unique_code"] == order.checkout.unique_code
    # and a refund owed to a buyer cannot be sent when nothing is owed
    assert refused(lambda: refund_paid(buyer.id, 1, source=("refund", 1), key="refund_paid:1"))


def test_the_journal_is_append_only_and_every_entry_must_balance(make_user, make_product, db):
    from orders.ledger.models import AppendOnlyViolation, LedgerEntry, LedgerLine
    from orders.ledger.posting import LedgerError, cash, post, revenue
    from tests.conftest import require_postgresql

    entry = post("adjustment", ("test", 1), [(cash("bank"), 500), (revenue("other"), -500)], "adj:1")
    db.session.commit()
    # posting the same key again returns the first entry, whatever the lines
    assert post("adjustment", ("test", 1), [(cash("bank"), 9), (revenue("other"), -9)], "adj:1").id == entry.id
    # unbalanced, single-line, fractional and unknown-kind postings are refused
    for lines, kind in (([(cash("bank"), 5), (revenue("other"), -4)], "adjustment"),
                        ([(cash("bank"), 5)], "adjustment"),
                        ([(cash("bank"), 0.5), (revenue("other"), -0.5)], "adjustment"),
                        ([(cash("bank"), 5), (revenue("other"), -5)], "gift")):
        try:
            post(kind, ("test", 2), lines, "adj:2")
        except LedgerError:
            pass
        else:
            raise AssertionError(lines)
    # the ORM refuses changes and deletes, one by one or in bulk
    line = db.session.scalars(sa.select(LedgerLine)).first()
    for change in (lambda: setattr(line, "amount_idr", 1), lambda: db.session.delete(line),
                   lambda: db.session.delete(db.session.get(LedgerEntry, entry.id))):
        change()
        try:
            db.session.flush()
        except AppendOnlyViolation:
            db.session.rollback()
        else:
            raise AssertionError("a journal row changed")
    for stmt in (sa.update(LedgerLine).values(amount_idr=1), sa.delete(LedgerEntry)):
        try:
            db.session.execute(stmt)
        except AppendOnlyViolation:
            db.session.rollback()
        else:
            raise AssertionError(stmt)
    # and on PostgreSQL the database itself refuses them, and unbalanced entries at commit
    require_postgresql(db, "the guards are PostgreSQL triggers")
    from sqlalchemy.exc import DBAPIError

    for sql in ("UPDATE ledger_lines SET amount_idr = amount_idr * 2",
                "DELETE FROM ledger_lines", "UPDATE ledger_entries SET kind = 'payment'",
                "DELETE FROM ledger_entries WHERE false"):
        try:
            with db.engine.begin() as conn:
                conn.execute(sa.text(sql))
        except DBAPIError as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError(sql)
    account_id = line.account_id
    for values in ("(500), (-499)", "(500)"):
        try:
            with db.engine.begin() as conn:
                new_id = conn.execute(sa.text(
                    "INSERT INTO ledger_entries (kind, source_type, source_id, idempotency_key, created_at) "
                    "VALUES ('adjustment', 'test', 3, 'raw:' || :v, now()) RETURNING id"), {"v": values}).scalar()
                for amount in values.strip("()").split("), ("):
                    conn.execute(sa.text("INSERT INTO ledger_lines (entry_id, account_id, amount_idr) "
                                         "VALUES (:e, :a, :m)"), {"e": new_id, "a": account_id, "m": int(amount)})
        except DBAPIError as exc:
            assert "does not balance" in str(exc) or "fewer than two lines" in str(exc)
        else:
            raise AssertionError(values)
    assert assert_books_hold() == {"cash:bank": 500, "revenue:other": 500}


def test_migration_0017_gives_the_lines_posted_before_it_their_store(make_user, make_product, db):
    from flask_migrate import downgrade, upgrade

    from orders.ledger.models import LedgerLine
    from orders.ledger.posting import available, post, revenue
    from orders.ledger.service import payout_reserved, store_balance
    from tests.orders.ledger_checks import lines_carry_their_accounts_store

    # given a store's order held, Rp5.000 made available and Rp2.000 of it reserved for a payout,
    # beside the marketplace's own lines (cash, revenue: no store)
    product = make_product(price_idr=100000)
    order = buy(make_user(), {product: 1}).orders[0]
    _confirm(order)
    post("adjustment", ("test", 17), [(revenue("goodwill"), 5000), (available(product.store_id), -5000)],
         "goodwill:17")
    payout_reserved(product.store_id, 2000, 17)
    db.session.commit()
    lines = sa.select(LedgerLine.id, LedgerLine.store_id, LedgerLine.store_account).order_by(LedgerLine.id)
    posted = db.session.execute(lines).all()
    store_id, total = product.store_id, order.total_idr
    balance = store_balance(store_id)
    assert {name for _id, _store, name in posted} == {"pending", "available", "in_transit", None}
    db.session.remove()
    # when the database goes back to 0016 (the lines lose the columns) and up through 0017 again
    try:
        downgrade(revision="0016")
        assert "store_id" not in {c["name"] for c in sa.inspect(db.engine).get_columns("ledger_lines")}
    finally:
        upgrade()
    # then every line has its account's store and statement name again, and the balances read
    assert db.session.execute(lines).all() == posted
    assert lines_carry_their_accounts_store() == []
    assert store_balance(store_id) == balance == {
        "pending_idr": total, "available_idr": 3000, "in_transit_idr": 2000, "paid_out_idr": 0}
    # and on PostgreSQL the append-only trigger the backfill turned off is on again
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.exc import DBAPIError

        assert db.session.scalar(sa.text("SELECT tgenabled FROM pg_trigger "
                                         "WHERE tgname = 'ledger_lines_append_only'")) == "O"
        db.session.remove()
        try:
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE ledger_lines SET store_id = NULL"))
        except DBAPIError as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError("the backfill left ledger_lines open to UPDATE")


def test_a_card_checkout_for_two_stores_is_held_per_order_and_a_redelivered_webhook_changes_nothing(
        stripe_api, buyer_client, make_product, db, app):
    from orders.models import Checkout
    from tests.orders.test_payments import _event, _signed, pay_by_card, put

    # given a card checkout of two stores, confirmed on the client (pending)
    client, _ = buyer_client()
    a, b = make_product(price_idr=150000, stock=3), make_product(price_idr=20000, stock=3)
    put(client, a.id, 1)
    put(client, b.id, 2)
    body = pay_by_card(client).get_json()
    checkout = db.session.get(Checkout, body["id"])
    event = _event("evt_ledger_1", "payment_intent.succeeded",
                   {"id": checkout.stripe_payment_intent_id, "object": "payment_intent",
                    "status": "succeeded", "amount": checkout.total_idr * 100, "metadata": {}})
    payload, signature = _signed(event)
    hook = app.test_client()
    # when Stripe's webhook arrives, and again
    assert hook.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": signature}
                     ).get_json()["outcome"] == "paid"
    db.session.expire_all()
    first = assert_books_hold()
    assert hook.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": signature}
                     ).get_json()["outcome"] == "duplicate"
    # then the card money is in once, each store's order held at its total
    db.session.expire_all()
    assert assert_books_hold() == first and len(entries()) == 1
    assert first["cash:stripe"] == checkout.total_idr
    assert sorted(first[f"held:order:{o['id']}"] for o in body["orders"]) == sorted(
        o["total_idr"] for o in body["orders"])


def test_a_cancelled_card_order_goes_back_through_stripe_and_out_of_the_books(
        stripe_api, buyer_client, make_product, db):
    from tests.orders.conftest import card
    from tests.orders.test_payments import pay_by_card, put

    client, _ = buyer_client()
    product = make_product(price_idr=70000, stock=3)
    put(client, product.id, 1)
    order = pay_by_card(client, card(stripe_api)).get_json()["orders"][0]
    # when the buyer cancels the paid order
    assert client.post(f"/api/v1/orders/{order['id']}/transitions",
                       json={"action": "cancel", "reason": "salah pesan"}).status_code == 200
    # then the refund left the Stripe cash at once: nothing held, nothing owed
    db.session.expire_all()
    balances = assert_books_hold()
    assert balances["cash:stripe"] == 0 and balances[f"held:order:{order['id']}"] == 0
    assert [e.kind for e in entries()] == ["payment", "refund"]


def test_a_late_card_payment_is_received_and_sent_back(stripe_api, buyer_client, make_product, db):
    from orders import state
    from orders.models import Checkout, PaymentStatus
    from orders.payments.service import apply_intent, settle_checkout
    from tests.orders.conftest import card
    from tests.orders.test_payments import intents, pay_by_card, put

    # given a card checkout given up on (expired), then paid at Stripe after all
    client, buyer = buyer_client()
    product = make_product(price_idr=25000, stock=3)
    put(client, product.id, 1)
    checkout = db.session.get(Checkout, pay_by_card(client).get_json()["id"])
    for order in checkout.orders:
        state.transition(order, "expire", actor=None)
    settle_checkout(checkout)
    db.session.commit()
    assert checkout.payment_status == PaymentStatus.EXPIRED
    api = intents(stripe_api)
    api.update(checkout.stripe_payment_intent_id, {"payment_method": card(stripe_api)})
    api.confirm(checkout.stripe_payment_intent_id)
    # when the success is applied (webhook or reconcile), twice
    assert apply_intent(checkout, "succeeded") == "refunded_late_payment"
    db.session.commit()
    # then the books show it in and straight back out, owing nothing
    balances = assert_books_hold()
    assert [e.kind for e in entries()] == ["payment", "refund_paid"]
    assert balances == {"cash:stripe": 0, f"refunds_payable:buyer:{buyer.id}": 0}


def test_a_refund_made_in_the_stripe_dashboard_is_posted_once(stripe_api, buyer_client, make_product, db):
    from orders.models import Checkout
    from orders.payments.service import record_outside_refund
    from tests.orders.conftest import card
    from tests.orders.test_payments import pay_by_card, put

    client, _ = buyer_client()
    product = make_product(price_idr=90000, stock=3)
    put(client, product.id, 1)
    checkout = db.session.get(Checkout, pay_by_card(client, card(stripe_api)).get_json()["id"])
    # when Stripe reports 40.000 refunded outside the marketplace, twice (charge.refunded)
    assert record_outside_refund(checkout, 40000) == "refund_recorded"
    db.session.commit()
    assert record_outside_refund(checkout, 40000) == "unchanged"
    db.session.commit()
    # then one refund from the hold, out of the Stripe cash
    balances = assert_books_hold()
    assert [e.kind for e in entries()] == ["payment", "refund"]
    assert balances["cash:stripe"] == checkout.total_idr - 40000
    assert balances[f"held:order:{checkout.orders[0].id}"] == checkout.total_idr - 40000
