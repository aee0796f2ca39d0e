"""Sellers' payout accounts (issue 13): registered by the store's owner, checked by an officer or
admin before any payout goes there; a new account replaces the old and is checked again."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.notifications import Notification
from orders import payouts
from orders.models import StorePayoutAccount
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_seller_registers_an_account_an_officer_verifies_it(app, make_store, make_user, login, db):
    store = make_store(name="Kopi Tanggamus Jaya")
    seller, officer = app.test_client(), app.test_client()
    login(seller, store.owner)
    login(officer, make_user(roles=("officer",)))
    # when the seller gives a BRI number one digit short, it is refused under the field
    page = text(seller.post("/jual/rekening", data={"bank_code": "002", "number": "0123 0100 1234 56",
                                                    "holder": "Siti Aminah"}))
    assert "harus 15 digit; yang diisi 14 digit" in page
    # and a good one is kept, waiting for a check
    done = seller.post("/jual/rekening", data={"bank_code": "002", "number": "0123-01-001234-56-7",
                                               "holder": "  Siti   Aminah "})
    assert done.status_code == 302
    page = text(seller.get("/jual/rekening"))
    assert "Bank Rakyat Indonesia (BRI)" in page and "012301001234567" in page and "Menunggu verifikasi" in page
    assert payouts.verified_account(store) is None
    # the officer sees it with the store's owner and NIB, and verifies it
    queue = text(officer.get("/admin/rekening-penjual"))
    assert "Kopi Tanggamus Jaya" in queue and "a.n. Siti Aminah" in queue and f"NIB {store.nib}" in queue
    account = payouts.current_account(store)
    assert officer.post(f"/admin/rekening-penjual/{account.id}/verifikasi", data={"note": ""}).status_code == 302
    db.session.expire_all()
    assert payouts.verified_account(store).number == "012301001234567"
    assert "Terverifikasi" in text(seller.get("/jual/rekening"))
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == store.owner_id)).all()
    assert "payout_account_verified" in kinds


def test_a_new_account_replaces_the_old_and_waits_again(app, make_store, make_user, db):
    store = make_store()
    officer = make_user(roles=("officer",))
    first = payouts.register_account(store, {"bank_code": "014", "number": "1234567890", "holder": "Budi"},
                                     actor=store.owner)
    payouts.check_account(first.id, verified=True, note=None, actor=officer)
    # the same account again changes nothing
    assert payouts.register_account(store, {"bank_code": "14", "number": "123 456 7890", "holder": "Budi"},
                                    actor=store.owner).id == first.id
    # another one replaces it and is not paid into until checked
    second = payouts.register_account(store, {"bank_code": "009", "number": "0987654321", "holder": "Budi"},
                                      actor=store.owner)
    db.session.flush()
    assert payouts.verified_account(store) is None and payouts.current_account(store).id == second.id
    assert first.replaced_at is not None
    # the old one cannot be verified any more, and a rejection needs a reason the seller reads
    import pytest

    from marketplace.errors import Conflict, ValidationError
    with pytest.raises(Conflict):
        payouts.check_account(first.id, verified=True, note=None, actor=officer)
    with pytest.raises(ValidationError) as refused:
        payouts.check_account(second.id, verified=False, note=" ", actor=officer)
    assert "note" in refused.value.fields
    payouts.check_account(second.id, verified=False, note="Nama tidak sama dengan pemilik toko.", actor=officer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StorePayoutAccount)) == 2
    # the database keeps one current account per store
    db.session.add(StorePayoutAccount(store_id=store.id, bank_code="014", number="1111111111", holder="X"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_only_the_owner_registers_and_only_officers_check(app, make_store, make_user, login, db):
    import pytest

    from marketplace.errors import Forbidden, NotFound
    store = make_store()
    stranger = make_user()
    with pytest.raises((Forbidden, NotFound)):
        payouts.register_account(store, {"bank_code": "014", "number": "1234567890", "holder": "X"},
                                 actor=stranger)
    account = payouts.register_account(store, {"bank_code": "014", "number": "1234567890", "holder": "X"},
                                       actor=store.owner)
    with pytest.raises(Forbidden):
        payouts.check_account(account.id, verified=True, note=None, actor=store.owner)
    client = app.test_client()
    login(client, make_user())
    assert client.get("/admin/rekening-penjual").status_code == 403
    assert client.post(f"/admin/rekening-penjual/{account.id}/verifikasi").status_code == 403
