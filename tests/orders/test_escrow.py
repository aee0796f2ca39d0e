"""Payments to the marketplace (issue 13): one payment per checkout, to the marketplace's own
bank accounts with a unique code, or by a dynamic QRIS; finance confirms them one by one or from
an uploaded bank statement, and the marketplace's accounts are set by an admin."""
from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.timeutil import utcnow
from orders.models import Checkout, Order, PaymentStatus, PlatformBankAccount, StatementLine
from orders.payments import escrow, qris
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import require_postgresql
from tests.orders.conftest import JAKARTA, buyer_client  # noqa: F401  (fixtures)
from tests.orders.test_qris import STATIC_DANA


def checkout(client, product, method="bank_transfer", quantity=1):
    assert client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": quantity}).status_code == 200
    return client.post("/api/v1/checkout", json={"shipping_address": JAKARTA, "payment_method": method})


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",), name="Admin Pasar")


@pytest.fixture
def with_qris(app, admin, db):
    escrow.set_qris_merchant(STATIC_DANA, actor=db.session.merge(admin))
    db.session.commit()


# --- QRIS ---------------------------------------------------------------------------------------

def test_a_qris_checkout_carries_a_dynamic_payload_with_its_exact_amount(buyer_client, make_product,
                                                                          with_qris, db):
    client, _ = buyer_client()
    product = make_product(price_idr=48_000, stock=5)
    # when the buyer pays by QRIS
    placed = checkout(client, product, "qris")
    assert placed.status_code == 201, placed.get_json()
    body = placed.get_json()
    payment = body["payment"]
    # then the payload is the merchant's QRIS made dynamic: tag 01 "12", tag 54 the total, a good CRC
    parsed = qris.parse_payload(payment["qris_payload"])
    assert parsed.fields["01"] == "12" and parsed.fields["54"] == str(body["total_idr"])
    assert parsed.fields["59"] == "Saifullah.id"
    assert (payment["method"], payment["unique_code"], payment["amount_idr"]) == ("qris", 0, body["total_idr"])
    assert "bank_accounts" not in payment
    # and it expires within the hour a QRIS is paid in
    row = db.session.get(Checkout, body["id"])
    assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=1)
    # the page draws it as an inline SVG QR code, with the amount written under it
    page = text(client.get(f"/checkout/{body['id']}"))
    assert "silakan bayar dengan QRIS" in page and '<svg' in page and 'class="qris-code"' in page
    assert "Nominal sudah terisi: Rp" in page and "<?xml" not in page


@pytest.mark.parametrize("method, message", [
    ("qris", "QRIS belum tersedia: QRIS merchant marketplace belum diatur."),
])
def test_qris_without_a_merchant_string_is_refused(buyer_client, make_product, method, message):
    client, _ = buyer_client()
    refused = checkout(client, make_product(stock=5), method)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["payment_method"] == message


@pytest.mark.no_platform_account
def test_a_transfer_without_a_marketplace_account_is_refused_and_not_offered(buyer_client, make_product):
    client, _ = buyer_client()
    product = make_product(stock=5)
    refused = checkout(client, product)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["payment_method"] == (
        "Transfer bank belum tersedia: rekening marketplace belum diatur.")
    assert 'value="bank_transfer"' not in text(client.get("/checkout"))


def test_the_admin_sets_accounts_and_a_qris_refusing_what_is_wrong(app, admin, login, db):
    page_client = app.test_client()
    login(page_client, admin)
    # a BCA number of 9 digits is refused under its field
    page = text(page_client.post("/admin/rekening", data={
        "account-bank_code": "014", "account-number": "123456789", "account-holder": "PT Pasar",
        "account-submit": "1"}))
    assert "Nomor rekening Bank Central Asia (BCA) harus 10 digit; yang diisi 9 digit." in page
    # a good Mandiri account is added, with its dashes dropped
    done = page_client.post("/admin/rekening", data={
        "account-bank_code": "008", "account-number": "123-00-0987654-3", "account-holder": "PT Pasar UMKM",
        "account-submit": "1"})
    assert done.status_code == 302
    added = db.session.scalar(sa.select(PlatformBankAccount).where(PlatformBankAccount.bank_code == "008"))
    assert (added.number, added.holder, added.active) == ("1230009876543", "PT Pasar UMKM", True)
    # a tampered QRIS (one digit changed) is refused saying what is wrong, a dynamic one too
    tampered = STATIC_DANA.replace("Saifullah", "Saifulloh")
    page = text(page_client.post("/admin/rekening", data={"qris-payload": tampered, "qris-submit": "1"}))
    assert "CRC tidak cocok" in page
    dynamic = qris.dynamic_payload(STATIC_DANA, 10_000)
    page = text(page_client.post("/admin/rekening", data={"qris-payload": dynamic, "qris-submit": "1"}))
    assert "QRIS statis" in page or "statis" in page
    # the static one is kept
    assert page_client.post("/admin/rekening", data={"qris-payload": STATIC_DANA,
                                                     "qris-submit": "1"}).status_code == 302
    assert "Dipakai sekarang: Saifullah.id, Kota Pontianak." in text(page_client.get("/admin/rekening"))
    # an account is switched off: it is no longer offered
    page_client.post(f"/admin/rekening/{added.id}/nonaktif")
    db.session.expire_all()
    assert db.session.get(PlatformBankAccount, added.id).active is False
    assert [a["bank_code"] for a in escrow.bank_accounts_json()] == ["014"]


def test_only_finance_and_admins_reach_the_finance_pages(app, make_user, make_store, login):
    for roles, status in ((("buyer",), 403), (("officer",), 403), (("finance",), 200), (("admin",), 200)):
        client = app.test_client()
        login(client, make_user(roles=roles))
        assert client.get("/keuangan/pembayaran").status_code == status, roles
        assert client.get("/keuangan/mutasi").status_code == status, roles
    seller = app.test_client()
    login(seller, make_store().owner)
    assert seller.get("/keuangan/pembayaran").status_code == 403
    assert seller.get("/admin/rekening").status_code == 403


# --- unique codes -------------------------------------------------------------------------------

def test_open_transfers_never_share_a_code_and_a_paid_one_frees_it(buyer_client, make_product, db):
    product = make_product(price_idr=10_000, stock=50)
    codes = []
    for _ in range(6):
        client, _ = buyer_client()
        body = checkout(client, product).get_json()
        codes.append(body["payment"]["unique_code"])
        assert body["payment"]["amount_idr"] == body["total_idr"] + codes[-1]
    assert len(set(codes)) == 6 and all(1 <= c <= 999 for c in codes)
    # the index holds it even against a write that skips the allocation
    first, second = db.session.scalars(sa.select(Checkout).order_by(Checkout.id).limit(2)).all()
    second.unique_code = first.unique_code
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    # once paid or expired, a code may serve another checkout
    first = db.session.scalar(sa.select(Checkout).order_by(Checkout.id))
    first.payment_status = PaymentStatus.EXPIRED
    second = db.session.scalars(sa.select(Checkout).order_by(Checkout.id)).all()[1]
    second.unique_code = first.unique_code
    db.session.flush()


def test_when_every_code_is_taken_the_buyer_is_told_to_wait_or_pay_otherwise(buyer_client, make_user,
                                                                               make_product, db):
    owner = make_user()
    now = utcnow()
    db.session.execute(sa.insert(Checkout), [
        {"reference": f"full-{code}", "buyer_id": owner.id, "payment_method": "bank_transfer",
         "payment_status": "pending", "total_idr": 1000, "shipping_address": {}, "unique_code": code,
         "created_at": now, "expires_at": now + timedelta(hours=24)} for code in range(1, 1000)])
    db.session.commit()
    client, _ = buyer_client()
    refused = checkout(client, make_product(stock=5))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "no_unique_code"


class _FirstFree:
    """A draw that always takes the lowest free code: racing checkouts all want the same one."""

    def choice(self, codes):
        return codes[0]


def test_concurrent_transfers_get_different_codes(app, buyer_client, make_product, db, monkeypatch):
    require_postgresql(db, "the partial unique index under concurrent checkouts")
    from catalog.addresses import clean_address
    from marketplace.accounts.models import User
    from marketplace.extensions import db as _db
    from orders.cart import UserBag
    from orders.checkout import place_checkout

    # given eight buyers who check out at the same moment, each drawing the lowest free code
    monkeypatch.setattr(escrow.random, "SystemRandom", _FirstFree)
    product = make_product(price_idr=10_000, stock=40)
    buyers = [buyer_client()[1] for _ in range(8)]
    for buyer in buyers:
        UserBag(buyer).put(product.id, 1)
    db.session.commit()
    start = threading.Barrier(len(buyers), timeout=60)
    made, failures, lock = [], [], threading.Lock()

    def buy(buyer_id):
        with app.app_context():
            buyer = _db.session.get(User, buyer_id)
            quantities = UserBag(buyer).quantities()
            _db.session.commit()
            start.wait()
            try:
                placed = place_checkout(buyer, quantities, clean_address(JAKARTA),
                                        payment_method="bank_transfer")
                _db.session.commit()
                with lock:
                    made.append(placed.id)
            except Exception as exc:  # reported by the assertion below
                _db.session.rollback()
                with lock:
                    failures.append(exc)

    threads = [threading.Thread(target=buy, args=(b.id,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then each got its own code: the index refused the duplicates and they drew again
    assert failures == [] and len(made) == 8
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(Checkout.unique_code))) == list(range(1, 9))


# --- the statement ------------------------------------------------------------------------------

def statement_csv(*rows) -> bytes:
    lines = ["tanggal;keterangan;jumlah;jenis"] + [f"{day};{what};{amount};{kind}" for day, what, amount, kind in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_statement_upload_confirms_the_transfers_it_shows_once(app, buyer_client, make_product, make_user,
                                                                  login, db):
    from marketplace.money.rates import today_wib

    product = make_product(price_idr=25_000, stock=10)
    a_client, _ = buyer_client()
    b_client, _ = buyer_client()
    paid = checkout(a_client, product).get_json()
    waiting = checkout(b_client, product).get_json()
    today = today_wib().isoformat()
    csv = statement_csv((today, "TRSF E-BANKING CR BUDI", f"{paid['payment']['amount_idr']:,}".replace(",", "."), "kredit"),
                        (today, "SETORAN TUNAI TANPA KODE", "50.000", "kredit"),
                        (today, "BIAYA ADM", "6.500", "debet"))
    clerk = app.test_client()
    login(clerk, make_user(roles=("finance",)))
    account_id = db.session.scalar(sa.select(PlatformBankAccount.id))
    # when finance uploads the statement of the marketplace's account
    page = text(clerk.post("/keuangan/mutasi", data={
        "bank_account_id": str(account_id), "file": (io.BytesIO(csv), "mutasi.csv")},
        content_type="multipart/form-data"))
    # then the matching transfer is confirmed and its orders paid, the other still waits
    assert "1 transfer dikonfirmasi dari mutasi." in page
    assert "2 kredit dibaca (generic); 2 baru, 0 sudah pernah diunggah." in page
    db.session.expire_all()
    assert db.session.get(Checkout, paid["id"]).payment_status == "paid"
    assert {o.status for o in db.session.get(Checkout, paid["id"]).orders} == {"paid"}
    assert db.session.get(Checkout, waiting["id"]).payment_status == "pending"
    # and both sides' unmatched are shown: the credit without a code, the transfer still awaited
    unmatched = page.split("Kredit tanpa pasangan", 1)[1]
    assert "Rp50.000" in unmatched and "SETORAN TUNAI TANPA KODE" in unmatched
    assert f"Rp{waiting['payment']['amount_idr']:,}".replace(",", ".") in page.split("Transfer yang masih ditunggu", 1)[1]
    line = db.session.scalar(sa.select(StatementLine).where(StatementLine.checkout_id == paid["id"]))
    assert line.amount_idr == paid["payment"]["amount_idr"]
    # when the same statement is uploaded again, nothing is read twice or confirmed twice
    again = text(clerk.post("/keuangan/mutasi", data={
        "bank_account_id": str(account_id), "file": (io.BytesIO(csv), "mutasi.csv")},
        content_type="multipart/form-data"))
    assert "0 transfer dikonfirmasi dari mutasi." in again and "0 baru, 2 sudah pernah diunggah." in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementLine)) == 2
    # and the queue lists the unmatched credit for finance to look at
    queue = text(clerk.get("/keuangan/pembayaran"))
    assert "SETORAN TUNAI TANPA KODE" in queue and f'id="checkout-{waiting["id"]}"' in queue


def test_a_bad_statement_is_refused_naming_the_line_and_keeps_nothing(app, make_user, login, db):
    clerk = app.test_client()
    login(clerk, make_user(roles=("finance",)))
    account_id = db.session.scalar(sa.select(PlatformBankAccount.id))
    bad = statement_csv(("2026-12-02", "Transfer", "12.5x", "kredit"))
    page = text(clerk.post("/keuangan/mutasi", data={
        "bank_account_id": str(account_id), "file": (io.BytesIO(bad), "mutasi.csv")},
        content_type="multipart/form-data"))
    assert "Baris 2" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementLine)) == 0


def test_a_late_transfer_for_an_expired_checkout_is_not_matched(buyer_client, make_product, make_user, db):
    from marketplace.money.rates import today_wib

    client, _ = buyer_client()
    body = checkout(client, make_product(price_idr=25_000, stock=10)).get_json()
    row = db.session.get(Checkout, body["id"])
    row.payment_status = PaymentStatus.EXPIRED
    db.session.commit()
    clerk = make_user(roles=("finance",))
    result = escrow.upload_statement(
        statement_csv((today_wib().isoformat(), "TRSF", str(body["payment"]["amount_idr"]), "kredit")),
        filename="m.csv", bank_account_id=db.session.scalar(sa.select(PlatformBankAccount.id)), actor=clerk)
    assert result.matched == [] and [line.amount_idr for line in result.unmatched_lines] == [
        body["payment"]["amount_idr"]]
    assert db.session.get(Order, body["orders"][0]["id"]).status == "pending_payment"


@pytest.mark.no_platform_account
def test_the_demo_marketplace_takes_transfers_and_qris(app, runner, db):
    from orders.demo import demo_qris

    # when the demo marketplace is seeded
    result = runner.invoke(args=["seed-demo", "--stores", "2", "--products", "4"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    # then buyers can transfer to its two accounts and pay by its QRIS, a valid static one
    assert [a["bank_code"] for a in escrow.bank_accounts_json()] == ["014", "121"]
    assert escrow.method_errors("bank_transfer") == {} and escrow.method_errors("qris") == {}
    assert qris.parse_merchant_qris(demo_qris()).fields["01"] == "11"
    assert escrow.active_qris().payload == demo_qris()
