"""Complaints and refunds (issue 13): a buyer complains within the window, the seller refunds in
full or in part or rejects, finance decides what was rejected or left unanswered, a return is
refunded once the goods are back; card refunds go through Stripe (localstripe), transfer refunds
are kept with the buyer's account to pay; an order with an open complaint does not complete."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.notifications import Notification
from marketplace.timeutil import utcnow
from orders import complaints
from orders.ledger import service as ledger_service
from orders.models import Complaint, Order, OrderEvent, Refund
from tests.catalog.conftest import image_bytes
from tests.conftest import confirm_transfer_of
from tests.marketplace.test_openapi import OPENAPI_URL, Contract
from tests.orders.conftest import JAKARTA, card
from tests.orders.ledger_checks import lines_carry_their_accounts_store

BUYER_ACCOUNT = {"bank_code": "014", "number": "1234567890", "holder": "Budi Santoso"}


def text(response) -> str:
    return response.get_data(as_text=True)


def place(client, product, *, method="bank_transfer", payment_method_id=None, quantity=1) -> dict:
    assert client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": quantity}).status_code == 200
    body = {"shipping_address": JAKARTA, "payment_method": method}
    if payment_method_id:
        body["payment_method_id"] = payment_method_id
    response = client.post("/api/v1/checkout", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["orders"][0]


def move(client, order_id, action, headers=None, **extra):
    return client.post(f"/api/v1/orders/{order_id}/transitions", json={"action": action, **extra},
                       headers=headers or {})


def _age(db, order_id, action, days):
    event = db.session.scalars(sa.select(OrderEvent).where(
        OrderEvent.order_id == order_id, OrderEvent.action == action)).one()
    event.at = utcnow() - timedelta(days=days)
    db.session.commit()


def delivered_order(client, product, seller, db, *, method="bank_transfer", payment_method_id=None,
                    days_ago=1, deliver=True) -> dict:
    """An order paid (a transfer confirmed by finance, or a card), shipped, and delivered
    `days_ago` days ago (or only shipped, `deliver=False`, shipped `days_ago` days ago)."""
    order = place(client, product, method=method, payment_method_id=payment_method_id)
    if method == "bank_transfer":
        confirm_transfer_of(order["id"], client.application)
    assert move(client, order["id"], "accept", seller).status_code == 200
    assert move(client, order["id"], "ship", seller, courier="JNE", tracking_number="JNE77").status_code == 200
    if deliver:
        assert move(client, order["id"], "deliver", seller).status_code == 200
        _age(db, order["id"], "deliver", days_ago)
    else:
        _age(db, order["id"], "ship", days_ago)
    return order


def complain(client, order_id, **body):
    payload = {"reason": "damaged", "description": "Dua toples pecah.", "bank_account": BUYER_ACCOUNT}
    payload.update(body)
    return client.post(f"/api/v1/orders/{order_id}/complaints", json=payload)


def answer(client, complaint_id, headers, **body):
    return client.post(f"/api/v1/complaints/{complaint_id}/answer", json=body, headers=headers)


def kinds_for(db, user_id) -> list[str]:
    return db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user_id)
                              .where(Notification.kind.startswith("complaint")).order_by(Notification.id)).all()


@pytest.fixture
def contract(app, client):
    return Contract(app, client.get(OPENAPI_URL).get_json())


@pytest.fixture
def shop(buyer_client, make_product, token_for):
    """(buyer client, buyer, product, seller headers)."""
    client, buyer = buyer_client()
    product = make_product(price_idr=60_000, stock=20)
    return client, buyer, product, token_for(product.store.owner)


# --- the whole flow through the pages -----------------------------------------------------------

def test_the_buyer_complains_on_the_page_and_the_seller_refunds_in_full_to_the_buyers_account(
        app, shop, login, make_user, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    # given the delivered order's page offers a complaint
    page = text(client.get(f"/pesanan/{order['id']}"))
    assert "Ajukan komplain" in page
    form = text(client.get(f"/pesanan/{order['id']}/komplain"))
    assert 'name="reason"' in form and "Rekening untuk pengembalian dana" in form and "Barang rusak" in form
    # when the buyer sends it with two photos and their account
    sent = client.post(f"/pesanan/{order['id']}/komplain", content_type="multipart/form-data", data={
        "reason": "damaged", "description": "Dua toples pecah di jalan.", "resolution": "refund",
        "bank_code": "014", "account_number": "123-456-7890", "account_holder": "Budi Santoso",
        "photos": [(io.BytesIO(image_bytes()), "a.jpg"), (io.BytesIO(image_bytes("PNG")), "b.png")]})
    assert sent.status_code == 302, text(sent)[:2000]
    complaint = db.session.scalars(sa.select(Complaint)).one()
    assert sent.headers["Location"].endswith(f"/komplain/{complaint.id}")
    assert (complaint.status, complaint.reason, len(complaint.photos)) == ("open", "damaged", 2)
    assert (complaint.refund_bank_code, complaint.refund_account_number) == ("014", "1234567890")
    assert complaints.has_open_complaint(db.session.get(Order, order["id"]))
    # then the seller hears of it and answers on the complaint's page: a full refund
    owner = product.store.owner
    assert kinds_for(db, owner.id) == ["complaint_opened"]
    seller_client = login(app.test_client(), owner)
    seen = text(seller_client.get(f"/komplain/{complaint.id}"))
    assert "Dua toples pecah di jalan." in seen and "Kirim jawaban" in seen
    assert "1234567890" not in seen  # the buyer's account is not the seller's business
    done = seller_client.post(f"/komplain/{complaint.id}/jawab", data={"decision": "refund"})
    assert done.status_code == 302
    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint.id)
    row = db.session.get(Order, order["id"])
    # the refund is recorded for the whole order, to be paid into the buyer's account
    assert (complaint.status, complaint.refund_amount_idr) == ("refunded", row.total_idr)
    assert row.refunded_idr == row.total_idr
    assert (complaint.refund.status, complaint.refund.stripe_refund_id) == ("to_pay", None)
    assert [c.id for c in complaints.refunds_to_pay()] == [complaint.id]
    assert not complaints.has_open_complaint(row)
    assert kinds_for(db, buyer.id) == ["complaint_accepted"]
    # the buyer's page shows it, and finance sees the transfer to make with the account
    mine = text(client.get(f"/komplain/{complaint.id}"))
    assert "Dana dikembalikan" in mine and "Menunggu ditransfer oleh marketplace" in mine
    clerk = login(app.test_client(), make_user(roles=("finance",)))
    queue = text(clerk.get("/keuangan/komplain"))
    assert "1234567890" in queue and "Budi Santoso" in queue
    # the ledger owes the buyer the refund until finance records the transfer
    from orders.ledger.posting import balance_of, cash, refunds_payable

    assert balance_of(refunds_payable(buyer.id)) == row.total_idr
    bank_before = balance_of(cash("bank"))
    assert "Sudah ditransfer" in queue
    clerk.post(f"/keuangan/komplain/{complaint.id}/dana-dikirim", data={"reference": " "})
    db.session.expire_all()
    assert complaints.refunds_to_pay() != []  # a transfer needs its reference
    clerk.post(f"/keuangan/komplain/{complaint.id}/dana-dikirim", data={"reference": "TRF-001"})
    # once paid it leaves the list, and the money leaves the marketplace's bank
    db.session.expire_all()
    assert complaints.refunds_to_pay() == []
    assert db.session.get(Refund, complaint.refund_id).status == "succeeded"
    assert db.session.get(Complaint, complaint.id).refund_paid_reference == "TRF-001"
    assert balance_of(refunds_payable(buyer.id)) == 0
    assert balance_of(cash("bank")) == bank_before - row.total_idr
    # and a second record is refused: it is paid once
    again = clerk.post(f"/keuangan/komplain/{complaint.id}/dana-dikirim", data={"reference": "TRF-002"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).refund_paid_reference == "TRF-001"
    assert balance_of(refunds_payable(buyer.id)) == 0
    # and the refund's lines carry their accounts' store (the store's) or none (the buyer's)
    assert lines_carry_their_accounts_store() == []
    assert ledger_service.store_balance(product.store)["pending_idr"] == 0


def test_a_return_waits_until_the_seller_marks_the_goods_received(app, shop, login, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    opened = complain(client, order["id"], reason="wrong_item", resolution="return",
                      description="Yang datang rasa pedas, saya pesan original.")
    assert opened.status_code == 201, opened.get_json()
    cid = opened.get_json()["id"]
    seller_client = login(app.test_client(), product.store.owner)
    # the seller accepts a partial refund of the return on the page
    assert seller_client.post(f"/komplain/{cid}/jawab", data={"decision": "partial",
                                                              "amount_idr": "Rp50.000"}).status_code == 302
    db.session.expire_all()
    complaint = db.session.get(Complaint, cid)
    assert (complaint.status, complaint.refund_amount_idr, complaint.refund_id) == ("awaiting_return", 50_000, None)
    assert db.session.get(Order, order["id"]).refunded_idr == 0
    assert "complaint_return_accepted" in kinds_for(db, buyer.id)
    assert "Kirim barangnya kembali" in text(client.get(f"/komplain/{cid}"))
    # the buyer cannot say the goods are back
    assert client.post(f"/api/v1/complaints/{cid}/return-received").status_code == 403
    # when the seller marks the goods received, the refund is made
    page = text(seller_client.get(f"/komplain/{cid}"))
    assert "Barang retur diterima" in page
    assert seller_client.post(f"/komplain/{cid}/retur-diterima").status_code == 302
    db.session.expire_all()
    complaint = db.session.get(Complaint, cid)
    assert (complaint.status, complaint.refund.amount_idr) == ("refunded", 50_000)
    assert db.session.get(Order, order["id"]).refunded_idr == 50_000
    assert [e.action for e in complaint.events] == ["open", "partial", "returned", "refunded"]
    # and twice is refused
    assert client.post(f"/api/v1/complaints/{cid}/return-received", headers=seller).status_code == 409


# --- the API, Stripe, escalation ---------------------------------------------------------------

def test_a_card_order_is_refunded_in_part_through_stripe(stripe_api, shop, db, contract):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db, method="card", payment_method_id=card(stripe_api))
    # a card order needs no bank account
    opened = contract.call(client, "post", f"/api/v1/orders/{order['id']}/complaints",
                           json={"reason": "incomplete", "description": "Kurang satu bungkus."})
    assert opened.status_code == 201, opened.get_json()
    body = opened.get_json()
    assert (body["status"], body["refund_account"], body["allowed"]) == ("open", None, [])
    assert client.put(f"/api/v1/complaints/{body['id']}/refund-account",
                      json=BUYER_ACCOUNT).status_code == 409  # its refund goes back to the card
    # the seller refunds part of it
    done = contract.call(client, "post", f"/api/v1/complaints/{body['id']}/answer", headers=seller,
                         json={"decision": "partial", "amount_idr": 20_000, "reason": "ganti satu bungkus"})
    assert done.status_code == 200, done.get_json()
    answered = done.get_json()
    assert answered["status"] == "refunded" and answered["refund"]["amount_idr"] == 20_000
    assert answered["refund"]["status"] == "succeeded"
    refund = db.session.scalars(sa.select(Refund)).one()
    assert refund.stripe_refund_id.startswith("re_")
    import stripe

    at_stripe = stripe.StripeClient("sk_test_pasar", base_addresses={"api": stripe_api},
                                    max_network_retries=0).v1.refunds.retrieve(refund.stripe_refund_id)
    assert at_stripe.amount == 20_000 * 100  # IDR is two-decimal at Stripe
    # a card refund is not for the payouts part
    assert complaints.refunds_to_pay() == []
    contract.call(client, "get", f"/api/v1/complaints/{body['id']}")
    listed = contract.call(client, "get", f"/api/v1/orders/{order['id']}/complaints").get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]


def test_a_rejected_complaint_goes_to_finance_which_decides_a_partial_refund(
        app, shop, finance, login, make_user, db, contract):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    cid = complain(client, order["id"], reason="not_as_described").get_json()["id"]
    # finance may not decide before the seller had their say
    early = answer(client, cid, finance, decision="refund")
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "complaint_waiting_seller"
    # the seller rejects, with a reason (required)
    assert answer(client, cid, seller, decision="reject").get_json()["error"]["fields"]["reason"]
    rejected = contract.call(client, "post", f"/api/v1/complaints/{cid}/answer", headers=seller,
                             json={"decision": "reject", "reason": "Sesuai foto di toko."})
    assert rejected.get_json()["status"] == "escalated"
    assert "complaint_rejected_by_seller" in kinds_for(db, buyer.id)
    # the seller may not answer again; it waits on finance's list
    assert answer(client, cid, seller, decision="refund").status_code == 409
    clerk = login(app.test_client(), make_user(roles=("finance",)))
    assert f"Komplain #{cid}" in text(clerk.get("/keuangan/komplain"))
    # finance decides more than is left: refused, then a partial refund
    too_much = answer(client, cid, finance, decision="partial", amount_idr=10_000_000)
    assert too_much.status_code == 422 and "amount_idr" in too_much.get_json()["error"]["fields"]
    decided = contract.call(client, "post", f"/api/v1/complaints/{cid}/answer", headers=finance,
                            json={"decision": "partial", "amount_idr": 25_000})
    body = decided.get_json()
    assert (body["status"], body["refund_amount_idr"], body["refund"]["status"]) == ("refunded", 25_000, "to_pay")
    assert [h["by"] for h in body["history"]] == ["buyer", "seller", "finance", "finance"]
    assert "complaint_decided" in kinds_for(db, product.store.owner_id)
    # decided, it leaves the list of complaints waiting (its transfer is still to pay)
    queue = text(clerk.get("/keuangan/komplain"))
    assert f'id="complaint-{cid}"' not in queue and "Budi Santoso" in queue


def test_an_unanswered_complaint_is_escalated_by_the_job_and_finance_may_reject_it(
        app, shop, finance, runner, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    cid = complain(client, order["id"]).get_json()["id"]
    # given the seller leaves it unanswered past COMPLAINT_ANSWER_DAYS (2)
    complaint = db.session.get(Complaint, cid)
    complaint.opened_at = utcnow() - timedelta(days=2, hours=1)
    db.session.commit()
    # then the job sends it to finance (once, however often it runs)
    for _ in range(2):
        result = runner.invoke(args=["jobs", "run", "orders.complaints_escalate"])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Complaint, cid).status == "escalated"
    assert kinds_for(db, buyer.id).count("complaint_escalated") == 1
    # finance rejects it: final, and the order may complete again
    assert answer(client, cid, finance, decision="reject").status_code == 422
    done = answer(client, cid, finance, decision="reject", reason="Foto tidak menunjukkan kerusakan.")
    assert done.get_json()["status"] == "rejected" and done.get_json()["closed_at"]
    assert "complaint_rejected" in kinds_for(db, product.store.owner_id)
    assert move(client, order["id"], "complete").get_json()["status"] == "completed"


# --- rules --------------------------------------------------------------------------------------

def test_the_complaint_window(shop, db, app):
    client, buyer, product, seller = shop
    # a paid order not yet shipped: not yet
    paid = place(client, product)
    confirm_transfer_of(paid["id"], app)
    refused = complain(client, paid["id"])
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "complaint_window_closed"
    # shipped within the courier's estimate: not yet; past it: yes (not received)
    shipped = delivered_order(client, product, seller, db, deliver=False, days_ago=1)
    assert db.session.get(Order, shipped["id"]).shipping_days_max is not None
    assert complain(client, shipped["id"], reason="not_received").status_code == 409
    overdue = delivered_order(client, product, seller, db, deliver=False, days_ago=10)
    assert complain(client, overdue["id"], reason="not_received").status_code == 201
    # delivered 2 days ago: yes; 4 days ago (COMPLAINT_DAYS 3): no
    assert complain(client, delivered_order(client, product, seller, db, days_ago=2)["id"]).status_code == 201
    late = complain(client, delivered_order(client, product, seller, db, days_ago=4)["id"])
    assert late.status_code == 409 and "3 hari" in late.get_json()["error"]["message"]
    # completed: no
    completed = delivered_order(client, product, seller, db, days_ago=0)
    move(client, completed["id"], "complete")
    assert complain(client, completed["id"]).status_code == 409


def test_what_a_complaint_must_say(shop, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    # an account given for a transfer order's refund is checked per bank
    unknown = complain(client, order["id"], bank_account={"bank_code": "999", "number": "1", "holder": "Budi"})
    assert set(unknown.get_json()["error"]["fields"]) == {"bank_account.bank_code"}
    nameless = complain(client, order["id"], bank_account={**BUYER_ACCOUNT, "holder": " "})
    assert set(nameless.get_json()["error"]["fields"]) == {"bank_account.holder"}
    short = complain(client, order["id"], bank_account={**BUYER_ACCOUNT, "number": "12345"}).get_json()
    assert short["error"]["fields"]["bank_account.number"] == (
        "Nomor rekening Bank Central Asia (BCA) harus 10 digit; yang diisi 5 digit.")
    # a reason from the list, a description, and no return of what never arrived
    assert "reason" in complain(client, order["id"], reason="bored").get_json()["error"]["fields"]
    assert complain(client, order["id"], description="  ").status_code == 422
    no_return = complain(client, order["id"], reason="not_received", resolution="return")
    assert no_return.get_json()["error"]["fields"]["resolution"] == "Barang yang tidak diterima tidak dapat diretur."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_one_open_complaint_per_order(shop, finance, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    first = complain(client, order["id"]).get_json()["id"]
    second = complain(client, order["id"])
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "complaint_open"
    # the database holds it too, against a write that skips the check
    db.session.add(Complaint(order_id=order["id"], buyer_id=buyer.id, reason="other", description="x",
                             resolution="refund", status="escalated"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    # once settled (a partial refund) another one may be opened for what is left
    assert answer(client, first, seller, decision="partial", amount_idr=10_000).status_code == 200
    assert complain(client, order["id"], reason="incomplete").status_code == 201


def test_an_open_complaint_blocks_completion_and_auto_complete(app, shop, runner, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db, days_ago=2)
    cid = complain(client, order["id"]).get_json()["id"]
    # the buyer's button is gone, and the move is refused with a clear message
    assert "complete" not in client.get(f"/api/v1/orders/{order['id']}").get_json()["allowed_actions"]
    assert "Pesanan sudah saya terima" not in text(client.get(f"/pesanan/{order['id']}"))
    refused = move(client, order["id"], "complete")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "complaint_open"
    assert "komplain yang masih berjalan" in refused.get_json()["error"]["message"]
    page = client.post(f"/pesanan/{order['id']}/aksi", data={"action": "complete"}, follow_redirects=True)
    assert "komplain yang masih berjalan" in text(page)
    # the auto-complete job leaves it, even long past AUTO_COMPLETE_DAYS, and warns nobody
    _age(db, order["id"], "deliver", 10)
    assert runner.invoke(args=["jobs", "run", "orders.auto_complete"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Order, order["id"]).status == "delivered"
    assert not db.session.scalars(sa.select(Notification).where(
        Notification.kind.in_(["order_auto_complete_soon", "order_auto_completed"]))).all()
    # once the complaint is settled the job completes it
    assert answer(client, cid, seller, decision="partial", amount_idr=5_000).status_code == 200
    assert runner.invoke(args=["jobs", "run", "orders.auto_complete"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Order, order["id"]).status == "completed"


def test_who_may_do_what(app, shop, buyer_client, finance, login, token_for, make_user, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    # another buyer does not see the order or its complaint
    assert complain(client, order["id"]).status_code == 201
    cid = db.session.scalars(sa.select(Complaint.id)).one()
    other, _ = buyer_client()
    assert complain(other, order["id"]).status_code == 404
    assert other.get(f"/api/v1/complaints/{cid}").status_code == 404
    assert other.get(f"/komplain/{cid}").status_code == 404
    assert other.get(f"/pesanan/{order['id']}/komplain").status_code == 404
    assert answer(other, cid, {}, decision="refund").status_code == 404
    seller_page = login(app.test_client(), product.store.owner)
    assert seller_page.get(f"/pesanan/{order['id']}/komplain").status_code == 403
    third = delivered_order(client, product, seller, db)
    assert client.post(f"/api/v1/orders/{third['id']}/complaints", headers=seller,
                       json={"reason": "other", "description": "x"}).status_code == 403
    # the buyer cannot answer their own complaint; an officer is nobody here
    assert answer(client, cid, {}, decision="refund").status_code == 403
    officer = token_for(make_user(roles=("officer",)))
    assert answer(client, cid, officer, decision="refund").status_code == 404
    # finance reads every complaint
    assert client.get(f"/api/v1/complaints/{cid}", headers=finance).status_code == 200
    assert "answer" in client.get(f"/api/v1/complaints/{cid}", headers=seller).get_json()["allowed"]


def test_photos_are_private(app, shop, login, make_user, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    # four photos are too many
    four = [(io.BytesIO(image_bytes()), f"{i}.jpg") for i in range(4)]
    form = {"reason": "damaged", "description": "Pecah.", "resolution": "refund", "bank_code": "014",
            "account_number": "1234567890", "account_holder": "Budi"}
    refused = client.post(f"/pesanan/{order['id']}/komplain", content_type="multipart/form-data",
                          data={**form, "photos": four})
    assert refused.status_code == 422 and "Paling banyak 3 foto." in text(refused)
    # a file that is no picture is refused under the field
    bad = client.post(f"/pesanan/{order['id']}/komplain", content_type="multipart/form-data",
                      data={**form, "photos": [(io.BytesIO(b"<html>"), "x.jpg")]})
    assert bad.status_code == 422 and "bukan foto" in text(bad)
    ok = client.post(f"/pesanan/{order['id']}/komplain", content_type="multipart/form-data",
                     data={**form, "photos": [(io.BytesIO(image_bytes()), "a.jpg")]})
    assert ok.status_code == 302
    complaint = db.session.scalars(sa.select(Complaint)).one()
    url = f"/komplain/{complaint.id}/foto/1"
    # kept outside the public upload folder
    assert (Path(app.config["PRIVATE_UPLOAD_DIR"]) / complaint.photos[0]).is_file()
    assert not (Path(app.config["UPLOAD_DIR"]) / complaint.photos[0]).exists()
    assert client.get(f"/media/{complaint.photos[0]}").status_code == 404
    for who in (client, login(app.test_client(), product.store.owner),
                login(app.test_client(), make_user(roles=("finance",)))):
        shown = who.get(url)
        assert shown.status_code == 200 and shown.mimetype == "image/webp"
        assert shown.headers["Cache-Control"] == "private, no-store"
        shown.close()
    stranger = login(app.test_client(), make_user())
    assert stranger.get(url).status_code == 404
    assert app.test_client().get(url).status_code in (302, 401)
    assert client.get(f"/komplain/{complaint.id}/foto/2").status_code == 404


def test_every_user_supplied_text_is_escaped(app, shop, login, make_user, db, finance):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    hostile = "<script>alert(1)</script>"
    cid = complain(client, order["id"], description=f"Rusak {hostile}",
                   bank_account={**BUYER_ACCOUNT, "holder": f"Budi {hostile}"}).get_json()["id"]
    answer(client, cid, seller, decision="reject", reason=f"Tidak {hostile}")
    pages = [text(client.get(f"/komplain/{cid}")),
             text(login(app.test_client(), product.store.owner).get(f"/komplain/{cid}")),
             text(login(app.test_client(), make_user(roles=("finance",))).get("/keuangan/komplain")),
             text(client.get("/notifikasi"))]
    for page in pages:
        assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "Budi &lt;script&gt;" in pages[0] and "Tidak &lt;script&gt;" in pages[2]


def test_a_transfer_refund_waits_for_the_account_the_buyer_gives_later(app, shop, login, make_user, db):
    client, buyer, product, seller = shop
    order = delivered_order(client, product, seller, db)
    # the web form asks for the account at once
    blank = client.post(f"/pesanan/{order['id']}/komplain", data={
        "reason": "damaged", "description": "Pecah.", "resolution": "refund",
        "bank_code": "", "account_number": "", "account_holder": ""})
    assert blank.status_code == 422 and "Nama pemilik rekening wajib diisi." in text(blank)
    # given a complaint opened through the API with API.md's two keys only
    opened = client.post(f"/api/v1/orders/{order['id']}/complaints",
                         json={"reason": "damaged", "description": "Dua toples pecah."})
    assert opened.status_code == 201 and opened.get_json()["refund_account"] is None
    cid = opened.get_json()["id"]
    # when the seller refunds in full
    assert answer(client, cid, seller, decision="refund").status_code == 200
    # then finance sees the refund waiting for the buyer's account, and cannot pay it yet
    clerk = login(app.test_client(), make_user(roles=("finance",)))
    assert "Menunggu pembeli mengisi rekening." in text(clerk.get("/keuangan/komplain"))
    early = clerk.post(f"/keuangan/komplain/{cid}/dana-dikirim", data={"reference": "TRF-9"})
    assert early.status_code == 302
    assert "Pembeli belum mengisi rekening" in text(clerk.get("/keuangan/komplain"))
    db.session.expire_all()
    assert db.session.get(Complaint, cid).refund_paid_at is None
    # the buyer's complaint page asks for it; the seller's does not
    page = text(client.get(f"/komplain/{cid}"))
    assert "Rekening untuk pengembalian dana" in page and "Simpan rekening" in page
    seller_page = login(app.test_client(), product.store.owner).get(f"/komplain/{cid}")
    assert "Simpan rekening" not in text(seller_page)
    bad = client.post(f"/komplain/{cid}/rekening", data={"bank_code": "014", "number": "12", "holder": "Budi"})
    assert bad.status_code == 422 and "harus 10 digit" in text(bad)
    saved = client.post(f"/komplain/{cid}/rekening", data={"bank_code": "014", "number": "123 456 7890",
                                                           "holder": "Budi Santoso"})
    assert saved.status_code == 302
    db.session.expire_all()
    complaint = db.session.get(Complaint, cid)
    assert (complaint.refund_bank_code, complaint.refund_account_number) == ("014", "1234567890")
    assert complaint.events[-1].action == "account"
    # and finance pays it; after that the account can no longer change
    clerk.post(f"/keuangan/komplain/{cid}/dana-dikirim", data={"reference": "TRF-9"})
    db.session.expire_all()
    assert db.session.get(Complaint, cid).refund_paid_reference == "TRF-9"
    late = client.put(f"/api/v1/complaints/{cid}/refund-account",
                      json={"bank_code": "014", "number": "9999999999", "holder": "Orang Lain"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "no_transfer_refund"

