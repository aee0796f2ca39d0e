"""Payout batches (issue 13): finance pays every available balance above a minimum to the stores'
verified accounts, exports the bulk transfer, and marks each line paid or failed; the ledger
moves the money at each step and two batches made at once never pay a balance twice."""
from __future__ import annotations

import csv
import io
import threading

import pytest
import sqlalchemy as sa

from marketplace.errors import Conflict
from orders import payouts
from orders.ledger import service as ledger
from orders.models import PayoutLine
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import confirm_transfer_of, require_postgresql
from tests.orders.conftest import JAKARTA, buyer_client  # noqa: F401  (fixtures)
from tests.orders.ledger_checks import lines_carry_their_accounts_store


def received_order(client, product, seller_headers, quantity=1) -> dict:
    """An order paid by transfer, shipped, and confirmed received by its buyer: released."""
    assert client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": quantity}).status_code == 200
    placed = client.post("/api/v1/checkout", json={"shipping_address": JAKARTA, "payment_method": "bank_transfer"})
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()["orders"][0]
    confirm_transfer_of(order["id"])
    for move in ({"action": "accept"}, {"action": "ship", "courier": "jne", "tracking_number": "JNE0001"}):
        assert client.post(f"/api/v1/orders/{order['id']}/transitions", json=move,
                           headers=seller_headers).status_code == 200
    assert client.post(f"/api/v1/orders/{order['id']}/receipt").status_code == 200
    return order


@pytest.fixture
def sold(buyer_client, make_store, make_product, make_user, token_for, db):
    """Two stores with a received order each (Rp100.000 and Rp30.000 plus shipping), the first
    with a verified payout account; finance and an officer."""
    officer, clerk = make_user(roles=("officer",)), make_user(roles=("finance",))
    stores = [make_store(name="Kopi Tanggamus Jaya"), make_store(name="Keripik Bu Sri")]
    client, _ = buyer_client()
    orders = [received_order(client, make_product(store=s, price_idr=price, stock=5), token_for(s.owner))
              for s, price in zip(stores, (100_000, 30_000))]
    account = payouts.register_account(stores[0], {"bank_code": "014", "number": "1234567890",
                                                   "holder": "Siti Aminah"}, actor=stores[0].owner)
    payouts.check_account(account.id, verified=True, note=None, actor=officer)
    db.session.commit()
    return {"stores": stores, "orders": orders, "clerk": clerk, "officer": officer}


def test_a_batch_pays_verified_stores_and_tells_of_the_others(sold, db):
    first, second = sold["stores"]
    available = ledger.store_balance(first)["available_idr"]
    assert available == sold["orders"][0]["total_idr"]
    # when finance makes a batch of every balance of at least Rp10.000
    result = payouts.make_batch(10_000, actor=sold["clerk"])
    # then the verified store has one line of its whole available balance, now in transit
    (line,) = result.batch.lines
    assert (line.store_id, line.amount_idr, line.status) == (first.id, available, "pending")
    balance = ledger.store_balance(first)
    assert (balance["available_idr"], balance["in_transit_idr"]) == (0, available)
    # and the store without a verified account is named, its balance untouched
    assert [(s.id, amount) for s, amount in result.without_account] == [
        (second.id, sold["orders"][1]["total_idr"])]
    assert ledger.store_balance(second)["available_idr"] == sold["orders"][1]["total_idr"]
    # a second batch finds nothing left to pay
    with pytest.raises(Conflict) as nothing:
        payouts.make_batch(10_000, actor=sold["clerk"])
    assert nothing.value.code == "nothing_to_pay"


def test_paid_moves_the_money_out_failed_brings_it_back(sold, db):
    first = sold["stores"][0]
    available = ledger.store_balance(first)["available_idr"]
    line = payouts.make_batch(1, actor=sold["clerk"]).batch.lines[0]
    # when the bank bounces it, the money is the store's again
    payouts.settle_line(line.id, paid=False, reason="Rekening tidak aktif", actor=sold["clerk"])
    assert ledger.store_balance(first)["available_idr"] == available
    with pytest.raises(Conflict):
        payouts.settle_line(line.id, paid=True, reference="X", actor=sold["clerk"])
    # and the next batch pays it, which the bank confirms
    again = payouts.make_batch(1, actor=sold["clerk"]).batch.lines[0]
    payouts.settle_line(again.id, paid=True, reference="BCA-TRX-778812", actor=sold["clerk"])
    balance = ledger.store_balance(first)
    assert (balance["available_idr"], balance["in_transit_idr"], balance["paid_out_idr"]) == (0, 0, available)
    # the seller's statement tells it all, each with its running balance
    kinds = [row.kind for row in ledger.statement_all(first)]
    assert {"payout_reserve", "payout_failed", "payout"} <= set(kinds)
    # and every payout line carries its account's store and statement name (the store index)
    assert lines_carry_their_accounts_store() == []


def test_the_bulk_transfer_file_names_each_line(sold, db):
    batch = payouts.make_batch(1, actor=sold["clerk"]).batch
    rows = list(csv.reader(io.StringIO(payouts.batch_csv(batch))))
    assert rows[0] == list(payouts.CSV_COLUMNS)
    line = batch.lines[0]
    assert rows[1] == ["1", "014", "Bank Central Asia (BCA)", "1234567890", "Siti Aminah",
                       str(line.amount_idr), f"PASARUMKM B{batch.id} L{line.id}"]


def test_finance_pages_make_export_and_settle_a_batch(app, sold, login, db):
    clerk = app.test_client()
    login(clerk, sold["clerk"])
    made = clerk.post("/keuangan/pencairan", data={"min_amount_idr": "Rp10.000"})
    assert made.status_code == 302
    page = clerk.get(made.headers["Location"]).get_data(as_text=True)
    assert "Kopi Tanggamus Jaya" in page and "Keripik Bu Sri punya saldo" in page
    line = db.session.scalar(sa.select(PayoutLine))
    exported = clerk.get(f"/keuangan/pencairan/{line.batch_id}.csv")
    assert exported.mimetype == "text/csv" and b"PASARUMKM" in exported.data
    # a paid mark needs the bank's reference
    clerk.post(f"/keuangan/pencairan/baris/{line.id}/dibayar", data={"reference": ""})
    db.session.expire_all()
    assert db.session.get(PayoutLine, line.id).status == "pending"
    clerk.post(f"/keuangan/pencairan/baris/{line.id}/dibayar", data={"reference": "BCA 778812"})
    db.session.expire_all()
    assert db.session.get(PayoutLine, line.id).bank_reference == "BCA 778812"
    # the seller is told, and reads it on its balance and payouts
    seller = app.test_client()
    login(seller, sold["stores"][0].owner)
    assert "dicairkan ke rekening Kopi Tanggamus Jaya" in seller.get("/notifikasi").get_data(as_text=True)
    # others may not
    assert seller.get("/keuangan/pencairan").status_code == 403


def test_the_payout_api(app, sold, token_for, db):
    finance = token_for(sold["clerk"])
    client = app.test_client()
    assert client.post("/api/v1/payout-batches", json={"min_amount_idr": 0}, headers=finance).status_code == 422
    made = client.post("/api/v1/payout-batches", json={"min_amount_idr": 10_000}, headers=finance)
    assert made.status_code == 201
    line = made.get_json()["lines"][0]
    settled = client.post(f"/api/v1/payout-lines/{line['id']}", headers=finance,
                          json={"status": "paid", "reference": "BCA 1"})
    assert settled.status_code == 200 and settled.get_json()["status"] == "paid"
    store = sold["stores"][0]
    mine = client.get(f"/api/v1/stores/{store.slug}/payouts", headers=token_for(store.owner)).get_json()
    assert [p["status"] for p in mine["items"]] == ["paid"]
    balance = client.get(f"/api/v1/stores/{store.slug}/balance", headers=token_for(store.owner)).get_json()
    assert balance["paid_out_idr"] == line["amount_idr"] and balance["available_idr"] == 0
    assert client.post("/api/v1/payout-batches", json={"min_amount_idr": 1},
                       headers=token_for(store.owner)).status_code == 403


def test_two_batches_made_at_once_never_pay_a_balance_twice(app, sold, db):
    require_postgresql(db, "row locks between two transactions")
    from marketplace.accounts.models import User
    from marketplace.extensions import db as _db

    clerk_id = sold["clerk"].id
    start = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        with app.app_context():
            clerk = _db.session.get(User, clerk_id)
            _db.session.commit()
            start.wait()
            try:
                payouts.make_batch(1, actor=clerk)
                _db.session.commit()
                result = "made"
            except Conflict as exc:
                _db.session.rollback()
                result = exc.code
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["made", "nothing_to_pay"]
    db.session.expire_all()
    lines = db.session.scalars(sa.select(PayoutLine)).all()
    assert len(lines) == 1 and ledger.store_balance(sold["stores"][0])["available_idr"] == 0


def test_listing_batches_costs_the_same_queries_for_one_line_or_many(app, sold, token_for, db):
    finance = token_for(sold["clerk"])
    client = app.test_client()

    def queries_for_listing() -> tuple[int, int]:
        statements = []

        def count(*_args):
            statements.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get("/api/v1/payout-batches", headers=finance)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements), sum(len(b["lines"]) for b in response.get_json()["items"])

    # given one batch of one line
    payouts.make_batch(1, actor=sold["clerk"])
    db.session.commit()
    one, lines = queries_for_listing()
    assert lines == 1
    # when the second store's account is verified and a second batch pays it
    second = sold["stores"][1]
    account = payouts.register_account(second, {"bank_code": "008", "number": "1234567890123",
                                                "holder": "Sri Wahyuni"}, actor=second.owner)
    payouts.check_account(account.id, verified=True, note=None, actor=sold["officer"])
    payouts.make_batch(1, actor=sold["clerk"])
    db.session.commit()
    # then listing both batches and their lines costs no more queries
    many, lines = queries_for_listing()
    assert lines == 2 and many == one
