"""Officer pages: the list of stores to check, and verifying or unverifying a store."""
from __future__ import annotations

import re

import pytest


def store_names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/toko/[^"]+">(.*?)</a>', html)


def test_officer_verifies_a_store_and_the_badge_shows(app, client, db, make_user, make_store, login):
    # given an unverified store and a trade officer
    store = make_store(name="Madu Way Kambas", nib="1111222233334")
    officer = make_user(roles=("buyer", "officer"))
    login(client, officer)
    assert "Terverifikasi" not in client.get(f"/toko/{store.slug}").get_data(as_text=True)

    # when the officer opens the list, they see the store with its NIB and owner
    listing = client.get("/admin/toko").get_data(as_text=True)
    assert store_names(listing) == ["Madu Way Kambas"]
    assert "1111222233334" in listing and store.owner.email in listing

    # and verifies it
    response = client.post(f"/admin/toko/{store.slug}/verifikasi",
                           data={"verified": "1", "next": "/admin/toko?status=all"})

    # then the store records who verified it and when, and its pages show the badge
    assert response.status_code == 302 and response.headers["Location"] == "/admin/toko?status=all"
    db.session.refresh(store)
    assert store.verified_at is not None and store.verified_by_id == officer.id
    visitor = app.test_client()
    assert "✓ Terverifikasi" in visitor.get(f"/toko/{store.slug}").get_data(as_text=True)
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Toko Madu Way Kambas sudah terverifikasi." in followed
    # and it leaves the default (unverified) list
    assert store_names(client.get("/admin/toko").get_data(as_text=True)) == []


def test_officer_can_take_verification_away(client, db, make_user, make_store, login):
    store = make_store(name="Tenun Tulang Bawang", verified=True)
    login(client, make_user(roles=("admin",)))
    response = client.post(f"/admin/toko/{store.slug}/verifikasi", data={"verified": "0"},
                           follow_redirects=True)
    assert "Verifikasi toko Tenun Tulang Bawang dicabut." in response.get_data(as_text=True)
    db.session.refresh(store)
    assert store.verified_at is None and store.verified_by_id is None
    assert "Terverifikasi" not in client.get(f"/toko/{store.slug}").get_data(as_text=True)


def test_store_list_filters_and_searches(client, make_user, make_store, login):
    # given verified and unverified stores
    make_store(name="Kopi Liwa", verified=True)
    make_store(name="Kopi Tanggamus")
    make_store(name="Keripik Pisang Metro")
    login(client, make_user(roles=("officer",)))

    def names(query: str) -> list[str]:
        return sorted(store_names(client.get(f"/admin/toko{query}").get_data(as_text=True)))

    # then each filter lists the right stores, and the name search is case-insensitive
    assert names("") == ["Keripik Pisang Metro", "Kopi Tanggamus"]
    assert names("?status=verified") == ["Kopi Liwa"]
    assert names("?status=all") == ["Keripik Pisang Metro", "Kopi Liwa", "Kopi Tanggamus"]
    assert names("?status=all&q=KOPI") == ["Kopi Liwa", "Kopi Tanggamus"]
    assert "Tidak ada toko yang cocok dengan “durian”." in client.get(
        "/admin/toko?q=durian").get_data(as_text=True)


def test_verify_needs_a_clear_decision(client, db, make_user, make_store, login):
    store = make_store()
    login(client, make_user(roles=("officer",)))
    assert client.post(f"/admin/toko/{store.slug}/verifikasi", data={"verified": "ya"}).status_code == 400
    assert client.post("/admin/toko/tidak-ada/verifikasi", data={"verified": "1"}).status_code == 404
    db.session.refresh(store)
    assert store.verified_at is None


@pytest.mark.parametrize("roles", [("buyer",), ("buyer", "seller")])
def test_buyers_and_sellers_get_403(client, db, make_user, make_store, login, roles):
    # given a store and a signed-in user who is not an officer
    store = make_store()
    login(client, make_user(roles=roles))

    # then the officer pages are forbidden to them
    page = client.get("/admin/toko")
    assert page.status_code == 403
    assert "Anda tidak berhak melakukan ini." in page.get_data(as_text=True)
    assert client.post(f"/admin/toko/{store.slug}/verifikasi", data={"verified": "1"}).status_code == 403
    db.session.refresh(store)
    assert store.verified_at is None


def test_anonymous_is_sent_to_login(client, db, make_store):
    store = make_store()
    assert client.get("/admin/toko").headers["Location"].startswith("/masuk")
    response = client.post(f"/admin/toko/{store.slug}/verifikasi", data={"verified": "1"})
    assert response.headers["Location"].startswith("/masuk")
    db.session.refresh(store)
    assert store.verified_at is None
