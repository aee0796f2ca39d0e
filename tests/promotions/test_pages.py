"""Promotion pages: the officer's event desk, a seller's application, the public event page with
its showcase and event prices, buyer registration and meetings, an RFQ that becomes an order,
and the report. Given / when / then, asserting on what a person sees and on the database."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from marketplace.timeutil import as_utc, utcnow
from orders.models import Order, OrderLine
from promotions.models import Application, Booking, Event, EventProduct, MeetingSlot, Quote, Registration, Rfq

TOKYO_FORM = {"name": "Yamada Trading", "phone": "+81 3 1234 5678", "line1": "1-2-3 Nihonbashi",
              "country": "JP", "region": "Tokyo", "city": "Chuo-ku", "postal_code": "103-0027"}


def text(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field_id: str) -> str:
    """The error text shown in the form field block holding the input `field_id`."""
    match = re.search(r'<div class="field[^"]*has-error">(?:(?!<div class="field).)*?id="%s".*?</div>'
                      % re.escape(field_id), html, re.S)
    assert match, f"no error shown for {field_id}"
    return " ".join(re.findall(r'<small class="error"[^>]*>([^<]*)</small>', match.group(0)))


def flashes(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'<div class="flash flash-\w+" role="status">(.*?)</div>', html, re.S)]


def local(dt: datetime) -> str:
    """A datetime-local input value in WIB."""
    return (dt + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")


def event_form(**overrides) -> dict:
    start = (utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    data = {"title": "Forum Promosi Ekspor Lampung 2030",
            "description": "Temu bisnis UMKM Lampung dengan pembeli dari Jepang dan Singapura.",
            "kind": "export_forum", "timezone": "Asia/Jakarta", "starts_at": local(start),
            "ends_at": local(start + timedelta(days=2)), "application_deadline": "",
            "venue": "Bandar Lampung", "target_markets": "jp, SG", "categories": ["kopi", "lada"],
            "exhibitor_quota": "20", "title_en": "Lampung Export Forum 2030", "description_en": "",
            "online_url": ""}
    data.update(overrides)
    return data


def test_officer_creates_an_event_and_moves_it_along_its_life_cycle(client, db, officer, login):
    login(client, officer)
    # given the new-event form
    assert "Acara baru" in text(client.get("/petugas/acara/baru"))

    # when the end is before the start, the form says so and nothing is saved
    start = utcnow() + timedelta(days=30)
    bad = client.post("/petugas/acara/baru", data=event_form(
        starts_at=local(start), ends_at=local(start - timedelta(hours=1))))
    assert bad.status_code == 200
    assert field_error(text(bad), "ends_at") == "Selesai harus sesudah mulai."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0

    # when the form is right, the event is a draft, its times read in WIB
    form = event_form(starts_at="2030-12-10T09:00", ends_at="2030-12-12T17:00")
    created = client.post("/petugas/acara/baru", data=form)
    assert created.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert created.headers["Location"] == f"/petugas/acara/{event.slug}"
    assert event.status == "draft" and event.target_markets == ["JP", "SG"]
    assert as_utc(event.starts_at) == datetime(2030, 12, 10, 2, 0, tzinfo=UTC)
    assert event.categories == ["kopi", "lada"]

    # then the desk offers only the allowed next moves
    desk = text(client.get(created.headers["Location"]))
    assert "Buka pendaftaran peserta" in desk and "Batalkan acara" in desk
    assert "Terbitkan acara" not in desk
    assert "10 Des 2030 09.00 WIB" in desk

    # a forged POST of an illegal move shows an error and changes nothing
    forged = client.post(f"/petugas/acara/{event.slug}/status", data={"action": "publish"},
                         follow_redirects=True)
    assert any("tidak dapat dipindah" in f for f in flashes(text(forged)))
    db.session.refresh(event)
    assert event.status == "draft"

    # the officer opens, curates and publishes it
    for action, status, offered in (("open", "open", "Tutup pendaftaran, mulai kurasi"),
                                    ("curate", "curation", "Terbitkan acara"),
                                    ("publish", "published", "Mulai acara")):
        page = client.post(f"/petugas/acara/{event.slug}/status", data={"action": action},
                           follow_redirects=True)
        db.session.refresh(event)
        assert event.status == status
        assert offered in text(page)
    assert [h.action for h in event.history] == ["create", "open", "curate", "publish"]
    # and the public sees it
    assert "Forum Promosi Ekspor Lampung 2030" in text(client.application.test_client().get("/acara"))


def test_officer_edits_an_event_in_another_zone(client, db, officer, login, make_event):
    event = make_event("draft")
    login(client, officer)
    form = client.get(f"/petugas/acara/{event.slug}/ubah")
    assert 'value="Forum Promosi Ekspor Lampung 2026"' in text(form)
    response = client.post(f"/petugas/acara/{event.slug}/ubah", data=event_form(
        title="Forum Ekspor Lampung di Tokyo", timezone="Asia/Tokyo",
        starts_at="2030-11-01T10:00", ends_at="2030-11-01T18:00"))
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.title == "Forum Ekspor Lampung di Tokyo" and event.timezone == "Asia/Tokyo"
    assert as_utc(event.starts_at) == datetime(2030, 11, 1, 1, 0, tzinfo=UTC)


def test_seller_applies_officer_accepts_and_the_public_page_shows_the_showcase(
        app, client, db, officer, login, make_event, make_store, make_product, make_user):
    # given an open event running now, and a seller with two active products
    now = utcnow()
    event = make_event("open", starts_at=(now - timedelta(hours=1)).isoformat(),
                       ends_at=(now + timedelta(hours=6)).isoformat(), application_deadline="")
    store = make_store(name="Kopi Lereng Tanggamus")
    kopi = make_product(store=store, title="Kopi Robusta Tanggamus", price_idr=50000)
    make_product(store=store, title="Lada Hitam Lampung", price_idr=30000)
    seller = app.test_client()
    login(seller, store.owner)

    # when the seller applies with one product, an empty pitch first
    page = text(seller.get(f"/acara/{event.slug}/daftar-peserta"))
    assert "Kopi Robusta Tanggamus" in page and "Lada Hitam Lampung" in page
    bad = seller.post(f"/acara/{event.slug}/daftar-peserta", data={"product_ids": [str(kopi.id)]})
    assert field_error(text(bad), "pitch") == "Wajib diisi."
    sent = seller.post(f"/acara/{event.slug}/daftar-peserta", data={
        "product_ids": [str(kopi.id)], "pitch": "Kopi robusta petik merah, siap ekspor 2 ton/bulan."})
    assert sent.status_code == 302 and sent.headers["Location"] == "/jual/acara"
    mine = text(seller.get("/jual/acara"))
    assert "Menunggu keputusan" in mine and event.title in mine
    application = db.session.scalar(sa.select(Application))
    assert [p.product_id for p in application.products] == [kopi.id]

    # then the officer accepts it on the desk
    login(client, officer)
    desk = text(client.get(f"/petugas/acara/{event.slug}"))
    assert "Kopi Lereng Tanggamus" in desk and "Kopi robusta petik merah" in desk
    accepted = client.post(f"/petugas/acara/{event.slug}/peserta/{application.id}",
                           data={"decision": "accept"}, follow_redirects=True)
    assert "Kopi Lereng Tanggamus diterima sebagai peserta." in flashes(text(accepted))
    db.session.refresh(application)
    assert application.status == "accepted" and application.decided_by_id == officer.id
    assert "Diterima" in text(seller.get("/jual/acara"))

    # and curates an event price and features it, then publishes
    ep = db.session.scalar(sa.select(EventProduct))
    too_high = client.post(f"/petugas/acara/{event.slug}/kurasi", data={
        "items-0-product_id": str(kopi.id), "items-0-position": "1", "items-0-featured": "y",
        "items-0-event_price_idr": "60.000"})
    assert re.search(r'id="items-0-event_price_idr"[^>]*>\s*<small class="error"[^>]*>'
                     r'Harga acara harus di bawah harga biasa\.</small>', text(too_high))
    saved = client.post(f"/petugas/acara/{event.slug}/kurasi", data={
        "items-0-product_id": str(kopi.id), "items-0-position": "1", "items-0-featured": "y",
        "items-0-event_price_idr": "42.000"})
    assert saved.status_code == 302
    db.session.refresh(ep)
    assert (ep.event_price_idr, ep.featured) == (42000, True)
    for action in ("curate", "publish"):
        client.post(f"/petugas/acara/{event.slug}/status", data={"action": action})

    # the public page shows the exhibitor, the curated product, and the event price while valid
    public = text(app.test_client().get(f"/acara/{event.slug}"))
    assert "Kopi Lereng Tanggamus" in public and "Kopi Robusta Tanggamus" in public
    assert "Lada Hitam Lampung" not in public
    assert re.search(r'Rp42\.000 <del class="was">.*?Rp50\.000</del>', public)
    assert "harga acara" in public and "Unggulan" in public
    assert f'href="/rfq/baru?product={kopi.id}&amp;event={event.slug}"' in public
    assert 'action="/cari"' in public and f'name="event" value="{event.slug}"' in public
    assert "Berlangsung, berakhir dalam" in public and "Mulai dalam" not in public


def test_event_price_is_not_shown_before_the_event(client, db, officer, make_event, make_store,
                                                   make_product):
    from promotions.services import curate, invite, transition_event

    store = make_store()
    product = make_product(store=store, title="Keripik Pisang Metro", price_idr=25000)
    event = make_event("curation")  # starts in ten days
    invite(event, store, product_ids=[product.id], actor=officer)
    curate(event, [{"product_id": product.id, "event_price_idr": 20000}], actor=officer)
    transition_event(event, "publish", actor=officer)
    db.session.commit()

    page = text(client.get(f"/acara/{event.slug}"))
    assert "Keripik Pisang Metro" in page and "Rp25.000" in page
    assert "Rp20.000" not in page and "harga acara" not in page
    # with a countdown to the start, and the times in WIB
    assert "Mulai dalam" in page and "data-countdown" in page and "WIB" in page


def test_event_page_shows_times_in_the_viewers_zone_too(client, db, make_event, make_user, login):
    event = make_event("published", starts_at="2030-12-10T09:00:00+07:00",
                       ends_at="2030-12-10T17:00:00+07:00", application_deadline="")
    page = text(client.get(f"/acara/{event.slug}"))
    assert "10 Des 2030 09.00 WIB" in page and "zona waktu Anda" not in page
    # a buyer in Tokyo sees both
    buyer = make_user()
    buyer.timezone = "Asia/Tokyo"
    db.session.commit()
    login(client, buyer)
    page = text(client.get(f"/acara/{event.slug}"))
    assert "10 Des 2030 09.00 WIB" in page
    assert "Di zona waktu Anda (Asia/Tokyo):" in page and "10 Des 2030 11.00 JST" in page


def test_events_list_filters_and_hides_drafts(client, make_event):
    make_event("draft", title="Draf Pameran Rahasia")
    make_event("open", title="Pameran Kopi Nusantara", kind="national_expo")
    make_event("published", title="Forum Ekspor Rempah")
    listing = text(client.get("/acara"))
    assert "Pameran Kopi Nusantara" in listing and "Forum Ekspor Rempah" in listing
    assert "Draf Pameran Rahasia" not in listing
    by_kind = text(client.get("/acara?kind=national_expo"))
    assert "Pameran Kopi Nusantara" in by_kind and "Forum Ekspor Rempah" not in by_kind
    by_status = text(client.get("/acara?status=published"))
    assert "Forum Ekspor Rempah" in by_status and "Pameran Kopi Nusantara" not in by_status
    assert "Draf Pameran Rahasia" not in text(client.get("/acara?status=draft"))


def test_buyer_registers_on_the_event_page(client, db, make_event, make_user, login):
    event = make_event("published")
    buyer = make_user()
    login(client, buyer)
    page = text(client.get(f"/acara/{event.slug}"))
    assert "Daftar ke acara ini" in page

    missing = client.post(f"/acara/{event.slug}/daftar", data={"buyer_type": "export", "country": "JP"})
    assert field_error(text(missing), "company") == "Wajib diisi."
    done = client.post(f"/acara/{event.slug}/daftar", data={
        "buyer_type": "export", "company": "Yamada Trading", "country": "JP",
        "interests": "robusta, lada"}, follow_redirects=True)
    html = text(done)
    assert "Anda terdaftar" in html and "Yamada Trading" in html and "Daftar ke acara ini" not in html
    row = db.session.scalar(sa.select(Registration))
    assert (row.user_id, row.buyer_type, row.country) == (buyer.id, "export", "JP")


def test_meeting_slots_are_created_booked_and_a_taken_slot_is_flashed(
        app, client, db, officer, login, make_event, make_store, make_product, make_user):
    from promotions.services import invite, register

    store = make_store(name="Madu Way Kambas")
    product = make_product(store=store)
    event = make_event("curation")
    invite(event, store, product_ids=[product.id], actor=officer)
    db.session.commit()
    login(client, officer)
    start = as_utc(event.starts_at) + timedelta(hours=2)
    created = client.post(f"/petugas/acara/{event.slug}/pertemuan", data={
        "store_slug": store.slug, "starts_at": local(start), "ends_at": local(start + timedelta(minutes=30))})
    assert created.status_code == 302
    outside = client.post(f"/petugas/acara/{event.slug}/pertemuan", data={
        "store_slug": store.slug, "starts_at": local(start - timedelta(days=30)),
        "ends_at": local(start - timedelta(days=30) + timedelta(minutes=30))})
    assert field_error(text(outside), "starts_at") == "Jadwal harus di dalam waktu acara."
    client.post(f"/petugas/acara/{event.slug}/status", data={"action": "publish"})
    slot = db.session.scalar(sa.select(MeetingSlot))

    first, second = make_user(), make_user()
    for buyer in (first, second):
        register(event, buyer, {"buyer_type": "domestic", "company": "CV Maju", "country": "ID"})
    db.session.commit()
    one, two = app.test_client(), app.test_client()
    login(one, first)
    login(two, second)
    assert "Pesan jadwal" in text(one.get(f"/acara/{event.slug}"))
    booked = one.post(f"/acara/{event.slug}/pertemuan/{slot.id}/pesan", follow_redirects=True)
    assert "Pertemuan dipesan." in flashes(text(booked)) and "Jadwal Anda" in text(booked)
    assert "Sudah dipesan" in text(two.get(f"/acara/{event.slug}"))
    taken = two.post(f"/acara/{event.slug}/pertemuan/{slot.id}/pesan", follow_redirects=True)
    assert "Jadwal ini sudah dipesan." in flashes(text(taken))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1
    # the officer sees who booked; the buyer cancels and the slot is free again
    assert f"Dipesan: {first.name}" in text(client.get(f"/petugas/acara/{event.slug}"))
    booking = db.session.scalar(sa.select(Booking))
    one.post(f"/acara/{event.slug}/pertemuan/pesanan/{booking.id}/batal")
    db.session.refresh(booking)
    assert booking.status == "cancelled"
    assert "Pesan jadwal" in text(two.get(f"/acara/{event.slug}"))


def test_rfq_quote_and_accept_make_an_order_and_the_report_counts_it(
        app, client, db, officer, login, make_event, make_store, make_product, make_user):
    from promotions.services import invite, register

    # given a published event with an exhibitor, and an export buyer registered for it
    store = make_store(name="Kopi Lereng Tanggamus")
    kopi = make_product(store=store, title="Kopi Robusta Tanggamus", price_idr=80000, stock=500)
    event = make_event("curation")
    invite(event, store, product_ids=[kopi.id], actor=officer)
    from promotions.services import transition_event

    transition_event(event, "publish", actor=officer)
    buyer_user = make_user(name="Yamada")
    register(event, buyer_user, {"buyer_type": "export", "company": "Yamada Trading", "country": "JP"})
    db.session.commit()
    buyer, seller = app.test_client(), app.test_client()
    login(buyer, buyer_user)
    login(seller, store.owner)

    # when the buyer sends an RFQ from the event's product card
    form = text(buyer.get(f"/rfq/baru?product={kopi.id}&event={event.slug}"))
    assert "Kopi Robusta Tanggamus" in form and '<option selected value="FOB">' in form
    assert '<option selected value="JP">' in form  # the country the buyer registered from
    needed = (date.today() + timedelta(days=60)).isoformat()
    bad = buyer.post("/rfq/baru", data={"product_id": kopi.id, "event": event.slug, "quantity": "0",
                                        "destination_country": "JP", "incoterm": "FOB", "needed_by": needed})
    assert field_error(text(bad), "quantity") == "Minimal 1."
    sent = buyer.post("/rfq/baru", data={
        "product_id": kopi.id, "event": event.slug, "quantity": "200", "target_price_idr": "70.000",
        "destination_country": "JP", "incoterm": "FOB", "needed_by": needed})
    rfq = db.session.scalar(sa.select(Rfq))
    assert sent.status_code == 302 and sent.headers["Location"] == f"/rfq/{rfq.id}"
    assert (rfq.quantity, rfq.target_price_idr, rfq.event_id) == (200, 70000, event.id)
    buyer.post(f"/rfq/{rfq.id}/pesan", data={"body": "Bisa kirim sampel 1 kg?"})

    # then the seller sees it among the store's RFQs, with the thread, and quotes
    assert "Kopi Robusta Tanggamus" in text(seller.get("/rfq"))
    page = text(seller.get(f"/rfq/{rfq.id}"))
    assert "Bisa kirim sampel 1 kg?" in page and "Kirim penawaran" in page
    valid = (date.today() + timedelta(days=14)).isoformat()
    quoted = seller.post(f"/rfq/{rfq.id}/penawaran", data={
        "unit_price_idr": "72.000", "min_qty": "100", "lead_time_days": "21", "valid_until": valid,
        "port": "Panjang"})
    assert quoted.status_code == 302
    quote = db.session.scalar(sa.select(Quote))
    assert quote.unit_price_idr == 72000

    # and the buyer accepts with an address in Tokyo, paying by bank transfer
    page = text(buyer.get(f"/rfq/{rfq.id}"))
    assert "Rp72.000/pcs" in page and "Terima dan buat pesanan" in page
    missing = buyer.post(f"/penawaran/{quote.id}/terima", data={**TOKYO_FORM, "line1": ""})
    assert field_error(text(missing), "line1") == "Wajib diisi."
    accepted = buyer.post(f"/penawaran/{quote.id}/terima", data=TOKYO_FORM)
    order = db.session.scalar(sa.select(Order))
    assert accepted.status_code == 302 and accepted.headers["Location"] == f"/pesanan/{order.id}"
    line = db.session.scalar(sa.select(OrderLine))
    assert (line.unit_price_idr, line.quantity) == (72000, 200)
    assert order.source == f"event:{event.slug}" and order.buyer_id == buyer_user.id
    db.session.refresh(rfq)
    assert rfq.status == "accepted"
    assert f'href="/pesanan/{order.id}"' in text(buyer.get(f"/rfq/{rfq.id}"))

    # the report page counts the funnel, and the CSV downloads
    login(client, officer)
    report = text(client.get(f"/petugas/acara/{event.slug}/laporan"))
    assert "Laporan acara" in report and "Jepang" in report
    assert re.search(r'Kesepakatan</span><span class="bar-track"><svg class="bar-svg"[^>]*>'
                     r'<rect class="bar" width="100.0" height="1"/></svg></span>'
                     r'<span class="bar-value">1</span>', report)
    assert "1 pesanan menunggu pembayaran" in report
    # and in English its counts read in the singular ("1 order awaiting payment")
    english = text(client.get(f"/petugas/acara/{event.slug}/laporan?lang=en"))
    assert "1 order awaiting payment." in english and "1 orders" not in english
    csv = client.get(f"/petugas/acara/{event.slug}/laporan.csv")
    assert csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    body = text(csv)
    assert "deals,1" in body and "rfqs,1" in body and "registrations_JP,1" in body


def test_buyer_declines_a_quote(app, db, officer, login, make_event, make_store, make_product,
                                make_user):
    from promotions import trade

    store = make_store()
    product = make_product(store=store, stock=50)
    buyer_user = make_user()
    rfq = trade.create_rfq(buyer_user, {"product_id": product.id, "quantity": 10,
                                        "destination_country": "ID", "incoterm": "EXW",
                                        "needed_by": (date.today() + timedelta(days=30)).isoformat()})
    quote = trade.make_quote(rfq, {"unit_price_idr": 40000, "min_qty": 10, "lead_time_days": 3,
                                   "valid_until": (date.today() + timedelta(days=7)).isoformat()},
                             actor=store.owner)
    db.session.commit()
    buyer = app.test_client()
    login(buyer, buyer_user)
    page = buyer.post(f"/penawaran/{quote.id}/tolak", follow_redirects=True)
    assert "Penawaran ditolak." in flashes(text(page))
    db.session.refresh(quote)
    assert quote.status == "declined"
