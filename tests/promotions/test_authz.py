"""Who may do what with promotions, route by route, through the API and the pages.

Only officers manage events; sellers see their own applications and RFQs; buyers their own
RFQs and quotes; drafts are invisible to everyone but officers; only registered buyers book
meetings. Anonymous callers get 401 from the API and the login page from the pages.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from promotions.models import Application, Booking, Event, EventProduct, MeetingSlot, Quote, Rfq
from tests.orders.conftest import TOKYO
from tests.promotions.test_pages import TOKYO_FORM


@pytest.fixture
def world(app, db, officer, make_event, make_store, make_product, make_user):
    """A published event with one exhibitor (store A) and a meeting slot, an open event store B
    applied to, a draft, a registered buyer with an RFQ to store A and a quote on it, and an
    unregistered buyer."""
    from marketplace.timeutil import as_utc
    from promotions import services, trade

    store_a = make_store(name="Kopi Lereng Tanggamus")
    store_b = make_store(name="Keripik Pisang Metro")
    kopi = make_product(store=store_a, price_idr=80000, stock=500)
    keripik = make_product(store=store_b, price_idr=25000, stock=100)
    published = make_event("curation", title="Forum Ekspor Lampung Terbit")
    services.invite(published, store_a, product_ids=[kopi.id], actor=officer)
    start = as_utc(published.starts_at)
    slot = trade.create_slot(published, {"store_slug": store_a.slug, "starts_at": start.isoformat(),
                                         "ends_at": (start + timedelta(minutes=30)).isoformat()},
                             actor=officer)
    services.transition_event(published, "publish", actor=officer)
    opened = make_event("open", title="Pameran Kopi Nusantara Terbuka", application_deadline="")
    application_b = services.apply(opened, store_b, product_ids=[keripik.id],
                                   pitch="Keripik pisang renyah dari Metro.", actor=store_b.owner)
    draft = make_event("draft", title="Draf Pameran Rahasia")
    buyer = make_user(name="Pembeli Terdaftar")
    stranger = make_user(name="Pembeli Lain")
    services.register(published, buyer, {"buyer_type": "export", "company": "Yamada", "country": "JP"})
    rfq = trade.create_rfq(buyer, {"product_id": kopi.id, "quantity": 200, "destination_country": "JP",
                                   "incoterm": "FOB", "event": published.slug,
                                   "needed_by": (date.today() + timedelta(days=60)).isoformat()})
    quote = trade.make_quote(rfq, {"unit_price_idr": 72000, "min_qty": 100, "lead_time_days": 21,
                                   "port": "Panjang",
                                   "valid_until": (date.today() + timedelta(days=14)).isoformat()},
                             actor=store_a.owner)
    db.session.commit()
    return {"officer": officer, "seller": store_a.owner, "other_seller": store_b.owner,
            "buyer": buyer, "stranger": stranger, "store_a": store_a, "store_b": store_b,
            "kopi": kopi, "keripik": keripik, "published": published, "opened": opened,
            "draft": draft, "slot": slot, "rfq": rfq, "quote": quote, "application_b": application_b}


def _fill(template: str, w: dict) -> str:
    return template.format(pub=w["published"].slug, open=w["opened"].slug, draft=w["draft"].slug,
                           app=w["application_b"].id, rfq=w["rfq"].id, quote=w["quote"].id,
                           slot=w["slot"].id, store_b=w["store_b"].slug, kopi=w["kopi"].id,
                           keripik=w["keripik"].id)


# --- only officers manage events -------------------------------------------------------------

OFFICER_API = [
    ("post", "/api/v1/events", {"title": "Acara Tidak Sah Sama Sekali"}),
    ("patch", "/api/v1/events/{pub}", {"title": "Judul yang diganti diam-diam"}),
    ("post", "/api/v1/events/{open}/transitions", {"action": "curate"}),
    ("get", "/api/v1/events/{open}/applications", None),
    ("post", "/api/v1/applications/{app}/decision", {"accept": True}),
    ("post", "/api/v1/events/{open}/invitations", {"store_slug": "{store_b}", "product_ids": [0]}),
    ("put", "/api/v1/events/{pub}/products", {"items": [{"product_id": "{kopi}", "featured": True}]}),
    ("post", "/api/v1/events/{pub}/slots", {"store_slug": "x", "starts_at": "2030-01-01T09:00",
                                            "ends_at": "2030-01-01T10:00"}),
    ("get", "/api/v1/events/{pub}/report", None),
]


@pytest.mark.parametrize("method,path,body", OFFICER_API, ids=[f"{m} {p}" for m, p, _b in OFFICER_API])
def test_only_officers_manage_events_through_the_api(client, db, token_for, world, method, path, body):
    url = _fill(path, world)
    if body is not None:
        body = {k: (_fill(v, world) if isinstance(v, str) else v) for k, v in body.items()}
    call = getattr(client, method)
    # anonymous: 401
    assert call(url, json=body).status_code == 401
    # sellers and buyers: 403
    for who in ("seller", "other_seller", "buyer"):
        response = call(url, json=body, headers=token_for(world[who]))
        assert response.status_code == 403, (who, response.get_json())
    # nothing changed
    db.session.expire_all()
    assert db.session.get(Event, world["published"].id).title == "Forum Ekspor Lampung Terbit"
    assert db.session.get(Event, world["opened"].id).status == "open"
    assert db.session.get(Application, world["application_b"].id).status == "pending"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingSlot)) == 1
    assert not any(db.session.scalars(sa.select(EventProduct.featured)))
    # an officer may
    assert call(url, json=body, headers=token_for(world["officer"])).status_code < 500


OFFICER_PAGES = [
    ("get", "/petugas/acara", None),
    ("get", "/petugas/acara/baru", None),
    ("post", "/petugas/acara/baru", {"title": "Acara Tidak Sah Sama Sekali"}),
    ("get", "/petugas/acara/{pub}", None),
    ("get", "/petugas/acara/{draft}", None),
    ("get", "/petugas/acara/{pub}/ubah", None),
    ("post", "/petugas/acara/{pub}/ubah", {"title": "Judul yang diganti diam-diam"}),
    ("post", "/petugas/acara/{open}/status", {"action": "curate"}),
    ("post", "/petugas/acara/{open}/peserta/{app}", {"decision": "accept"}),
    ("post", "/petugas/acara/{open}/undang", {"store_slug": "{store_b}", "product_ids": "{keripik}"}),
    ("post", "/petugas/acara/{pub}/kurasi", {"items-0-product_id": "{kopi}", "items-0-featured": "y"}),
    ("post", "/petugas/acara/{pub}/pertemuan", {"store_slug": "x"}),
    ("get", "/petugas/acara/{pub}/laporan", None),
    ("get", "/petugas/acara/{pub}/laporan.csv", None),
]


@pytest.mark.parametrize("method,path,form", OFFICER_PAGES, ids=[f"{m} {p}" for m, p, _f in OFFICER_PAGES])
def test_only_officers_open_the_event_desk(app, db, login, world, method, path, form):
    url = _fill(path, world)
    if form is not None:
        form = {k: _fill(v, world) for k, v in form.items()}
    # anonymous: to the login page
    anonymous = getattr(app.test_client(), method)(url, data=form)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/masuk?next=")
    # sellers and buyers: 403
    for who in ("seller", "other_seller", "buyer"):
        client = app.test_client()
        login(client, world[who])
        assert getattr(client, method)(url, data=form).status_code == 403, who
    db.session.expire_all()
    assert db.session.get(Event, world["published"].id).title == "Forum Ekspor Lampung Terbit"
    assert db.session.get(Event, world["opened"].id).status == "open"
    assert db.session.get(Application, world["application_b"].id).status == "pending"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 3
    assert not any(db.session.scalars(sa.select(EventProduct.featured)))
    # an officer may
    officer = app.test_client()
    login(officer, world["officer"])
    assert getattr(officer, method)(url, data=form).status_code in (200, 302)


# --- sellers see their own applications and RFQs ---------------------------------------------

def test_sellers_see_only_their_own_applications(app, client, login, token_for, world):
    mine = client.get("/api/v1/applications", headers=token_for(world["other_seller"])).get_json()
    assert [(a["store"]["slug"], a["event"]) for a in mine] == [(world["store_b"].slug, world["opened"].slug)]
    theirs = client.get("/api/v1/applications", headers=token_for(world["seller"])).get_json()
    assert [a["store"]["slug"] for a in theirs] == [world["store_a"].slug]
    assert client.get("/api/v1/applications").status_code == 401

    page = app.test_client()
    login(page, world["seller"])
    html = page.get("/jual/acara").get_data(as_text=True)
    assert "Forum Ekspor Lampung Terbit" in html and "Pameran Kopi Nusantara Terbuka" not in html
    assert app.test_client().get("/jual/acara").status_code == 302


def test_another_seller_cannot_see_or_quote_on_an_rfq(app, client, db, login, token_for, world):
    rfq_id = world["rfq"].id
    other = token_for(world["other_seller"])
    quote_body = {"unit_price_idr": 1000, "min_qty": 1, "lead_time_days": 1,
                  "valid_until": (date.today() + timedelta(days=3)).isoformat()}
    # API
    assert client.get(f"/api/v1/rfqs/{rfq_id}", headers=other).status_code == 404
    assert client.post(f"/api/v1/rfqs/{rfq_id}/quotes", json=quote_body, headers=other).status_code == 404
    assert client.post(f"/api/v1/rfqs/{rfq_id}/messages", json={"body": "halo"}, headers=other).status_code == 404
    assert client.get("/api/v1/rfqs?as=seller", headers=other).get_json()["items"] == []
    # pages
    page = app.test_client()
    login(page, world["other_seller"])
    assert page.get(f"/rfq/{rfq_id}").status_code == 404
    assert page.post(f"/rfq/{rfq_id}/penawaran", data=quote_body).status_code == 404
    assert page.post(f"/rfq/{rfq_id}/pesan", data={"body": "halo"}).status_code == 404
    assert "Kopi" not in page.get("/rfq").get_data(as_text=True).split("<main", 1)[1]
    # the buyer cannot quote on their own request either
    buyer = app.test_client()
    login(buyer, world["buyer"])
    assert buyer.post(f"/rfq/{rfq_id}/penawaran", data=quote_body).status_code == 404
    assert client.post(f"/api/v1/rfqs/{rfq_id}/quotes", json=quote_body,
                       headers=token_for(world["buyer"])).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Quote)) == 1
    # anonymous
    assert client.get(f"/api/v1/rfqs/{rfq_id}").status_code == 401
    assert app.test_client().get(f"/rfq/{rfq_id}").status_code == 302


# --- buyers see their own RFQs and quotes ---------------------------------------------------------

def test_another_buyer_cannot_see_accept_or_decline_a_quote(app, client, db, login, token_for, world):
    rfq_id, quote_id = world["rfq"].id, world["quote"].id
    stranger = token_for(world["stranger"])
    accept = {"shipping_address": TOKYO, "payment_method": "bank_transfer"}
    # API
    assert client.get(f"/api/v1/rfqs/{rfq_id}", headers=stranger).status_code == 404
    assert client.get("/api/v1/rfqs", headers=stranger).get_json()["items"] == []
    assert client.post(f"/api/v1/quotes/{quote_id}/accept", json=accept, headers=stranger).status_code == 404
    assert client.post(f"/api/v1/quotes/{quote_id}/decline", headers=stranger).status_code == 404
    # pages
    page = app.test_client()
    login(page, world["stranger"])
    assert page.get(f"/rfq/{rfq_id}").status_code == 404
    assert page.post(f"/penawaran/{quote_id}/terima", data=TOKYO_FORM).status_code == 404
    assert page.post(f"/penawaran/{quote_id}/tolak").status_code == 404
    # the seller cannot accept their own quote: 403
    assert client.post(f"/api/v1/quotes/{quote_id}/accept", json=accept,
                       headers=token_for(world["seller"])).status_code == 403
    seller = app.test_client()
    login(seller, world["seller"])
    assert seller.post(f"/penawaran/{quote_id}/terima", data=TOKYO_FORM).status_code == 403
    assert "Terima dan buat pesanan" not in seller.get(f"/rfq/{rfq_id}").get_data(as_text=True)
    # anonymous
    assert client.post(f"/api/v1/quotes/{quote_id}/accept", json=accept).status_code == 401
    anonymous = app.test_client().post(f"/penawaran/{quote_id}/terima", data=TOKYO_FORM)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/masuk")
    db.session.expire_all()
    assert db.session.get(Quote, quote_id).status == "offered"
    assert db.session.get(Rfq, rfq_id).status == "quoted"
    # the buyer sees it in their list and may accept
    buyer = app.test_client()
    login(buyer, world["buyer"])
    assert f"/rfq/{rfq_id}" in buyer.get("/rfq").get_data(as_text=True)
    assert "Terima dan buat pesanan" in buyer.get(f"/rfq/{rfq_id}").get_data(as_text=True)


# --- drafts are invisible ----------------------------------------------------------------------

DRAFT_READS = ["/api/v1/events/{draft}", "/api/v1/events/{draft}/products",
               "/api/v1/events/{draft}/slots"]


def test_drafts_are_invisible_to_everyone_but_officers(app, client, login, token_for, world):
    for path in DRAFT_READS:
        url = _fill(path, world)
        assert client.get(url).status_code == 404, url
        for who in ("seller", "buyer"):
            assert client.get(url, headers=token_for(world[who])).status_code == 404, (who, url)
        assert client.get(url, headers=token_for(world["officer"])).status_code == 200, url
    slugs = [e["slug"] for e in client.get("/api/v1/events").get_json()["items"]]
    assert world["draft"].slug not in slugs and world["published"].slug in slugs
    assert "Draf Pameran Rahasia" not in client.get("/acara").get_data(as_text=True)
    assert client.get(_fill("/acara/{draft}", world)).status_code == 404
    for who in ("seller", "buyer"):
        page = app.test_client()
        login(page, world[who])
        assert page.get(_fill("/acara/{draft}", world)).status_code == 404, who
    # a seller cannot apply to it, a buyer cannot register for it
    seller = app.test_client()
    login(seller, world["seller"])
    assert seller.get(_fill("/acara/{draft}/daftar-peserta", world)).status_code == 404
    assert seller.post(_fill("/acara/{draft}/daftar", world), data={
        "buyer_type": "domestic", "company": "X", "country": "ID"}).status_code == 404
    officer = app.test_client()
    login(officer, world["officer"])
    assert "Draf Pameran Rahasia" in officer.get(_fill("/acara/{draft}", world)).get_data(as_text=True)


# --- meetings ------------------------------------------------------------------------------------

def test_only_registered_buyers_book_slots_and_only_the_parties_cancel(app, client, db, login,
                                                                       token_for, world):
    slot_id, slug = world["slot"].id, world["published"].slug
    # a buyer who did not register: 403, through the API and the page
    assert client.post(f"/api/v1/slots/{slot_id}/bookings",
                       headers=token_for(world["stranger"])).status_code == 403
    page = app.test_client()
    login(page, world["stranger"])
    assert "Pesan jadwal" not in page.get(f"/acara/{slug}").get_data(as_text=True)
    assert page.post(f"/acara/{slug}/pertemuan/{slot_id}/pesan").status_code == 403
    assert client.post(f"/api/v1/slots/{slot_id}/bookings").status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0
    # the registered buyer books; a stranger cannot cancel it, the exhibitor can
    booked = client.post(f"/api/v1/slots/{slot_id}/bookings", headers=token_for(world["buyer"]))
    assert booked.status_code == 201
    booking_id = booked.get_json()["id"]
    assert client.delete(f"/api/v1/bookings/{booking_id}",
                         headers=token_for(world["stranger"])).status_code == 404
    assert page.post(f"/acara/{slug}/pertemuan/pesanan/{booking_id}/batal").status_code == 404
    # a slot of another event cannot be reached through this event's page
    assert page.post(f"/acara/{world['opened'].slug}/pertemuan/{slot_id}/pesan").status_code == 404
    exhibitor = app.test_client()
    login(exhibitor, world["seller"])
    assert exhibitor.post(f"/acara/{slug}/pertemuan/pesanan/{booking_id}/batal").status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking_id).status == "cancelled"


def test_an_rfq_in_an_event_needs_a_registration(app, db, login, world):
    page = app.test_client()
    login(page, world["stranger"])
    response = page.post("/rfq/baru", data={
        "product_id": world["kopi"].id, "event": world["published"].slug, "quantity": "10",
        "destination_country": "ID", "incoterm": "EXW",
        "needed_by": (date.today() + timedelta(days=30)).isoformat()}, follow_redirects=True)
    assert "Daftar sebagai pembeli di acara ini terlebih dahulu." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rfq)) == 1
    assert app.test_client().get(f"/rfq/baru?product={world['kopi'].id}").status_code == 302
