"""An event's status and dates agree: the countdown, the listing badges and the event prices
all follow one phase (upcoming, live, ended); starting before the planned start is confirmed
by the officer and moves the start to now."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from marketplace.timeutil import as_utc, utcnow
from orders.models import Order
from promotions.models import Event, EventHistory
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.test_pages import place
from tests.promotions.conftest import event_data  # noqa: F401


def text(response) -> str:
    return response.get_data(as_text=True)


def english(client):
    client.post("/bahasa", data={"lang": "en"})
    return client


def test_countdown_says_days_and_hours_with_plurals_in_both_languages(client, make_event):
    # given a published event starting in 7 days and 1 hour
    start = utcnow() + timedelta(days=7, hours=1, seconds=30)
    event = make_event("published", starts_at=start.isoformat(),
                       ends_at=(start + timedelta(days=1)).isoformat(), application_deadline="")
    # then the Indonesian page counts down to the start
    page = text(client.get(f"/acara/{event.slug}"))
    assert re.search(r"Mulai dalam\s*<time[^>]*data-countdown[^>]*>7 hari 1 jam</time>", page)
    assert "js/countdown.js" in page
    # and the English one says "1 hour", not "1 hours"
    page = text(english(client).get(f"/acara/{event.slug}"))
    assert ">7 days 1 hour</time>" in page and "1 hours" not in page
    # the script gets each unit's singular and plural form
    units = re.search(r'data-units="([^"]*)"', page).group(1).replace("&#34;", '"')
    assert '"h": ["{n} hour", "{n} hours"]' in units


def test_an_event_started_early_shows_live_and_a_closed_one_shows_selesai(
        app, client, db, officer, login, make_event):
    # given a published event planned to start in a week
    event = make_event("published")
    planned = as_utc(event.starts_at)
    assert "Mulai dalam" in text(client.get(f"/acara/{event.slug}"))
    # when the officer starts it (and confirms the early start)
    desk = app.test_client()
    login(desk, officer)
    desk.post(f"/petugas/acara/{event.slug}/status", data={"action": "start", "confirm_early": "1"})
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.status == "live" and as_utc(event.starts_at) < planned
    # then the page says it is live and counts down to its end, never to the start
    page = text(client.get(f"/acara/{event.slug}"))
    assert "Mulai dalam" not in page
    assert re.search(r"Berlangsung, berakhir dalam\s*<time datetime=\"%s\"" % re.escape(
        as_utc(event.ends_at).isoformat()), page)
    assert "Sedang berlangsung" in text(client.get("/acara"))
    # when the officer closes it before its planned end
    desk.post(f"/petugas/acara/{event.slug}/status", data={"action": "close"})
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.status == "closed" and as_utc(event.ends_at) <= utcnow()
    # then the page says "Selesai", with no countdown and no countdown script
    page = text(client.get(f"/acara/{event.slug}"))
    assert '<p class="countdown countdown-ended">Selesai</p>' in page
    assert "data-countdown" not in page and "countdown.js" not in page
    notes = [h.note for h in db.session.scalars(sa.select(EventHistory).where(
        EventHistory.event_id == event.id).order_by(EventHistory.id))]
    assert notes[-2] == f"planned start {planned.isoformat()}" and notes[-1].startswith("planned end ")


def test_a_published_event_past_its_end_reads_selesai_everywhere(client, make_event):
    # given a published event whose dates are over (nobody closed it)
    now = utcnow()
    event = make_event("published", starts_at=(now - timedelta(days=3)).isoformat(),
                       ends_at=(now - timedelta(days=1)).isoformat(), application_deadline="")
    # then its page and the listing say it is over
    page = text(client.get(f"/acara/{event.slug}"))
    assert '<p class="countdown countdown-ended">Selesai</p>' in page and "Mulai dalam" not in page
    listing = text(client.get("/acara"))
    assert re.search(r'ev-status-closed">Selesai</span>', listing)


def test_starting_before_the_planned_start_needs_a_confirmation(
        app, client, db, officer, login, make_event, token_for):
    # given a published event planned to start in ten days
    event = make_event("published")
    planned = as_utc(event.starts_at)
    login(client, officer)
    desk = text(client.get(f"/petugas/acara/{event.slug}"))
    assert "memulai lebih awal perlu konfirmasi" in desk
    # when the officer presses "Mulai acara"
    page = client.post(f"/petugas/acara/{event.slug}/status", data={"action": "start"})
    # then a confirmation shows the planned dates, and nothing changed yet
    assert page.status_code == 200
    html = text(page)
    assert "Mulai acara lebih awal?" in html and "WIB" in html
    assert re.search(r"Acara ini dijadwalkan mulai [^<]*WIB, (9|10) hari", html)
    assert 'name="confirm_early" type="hidden" value="1"' in html
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"
    # the API refuses an unconfirmed early start too
    off = token_for(officer)
    refused = app.test_client().post(f"/api/v1/events/{event.slug}/transitions",
                                     json={"action": "start"}, headers=off)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "early_start"
    # when the officer confirms
    done = client.post(f"/petugas/acara/{event.slug}/status",
                       data={"action": "start", "confirm_early": "1"}, follow_redirects=True)
    assert "Status acara sekarang: Sedang berlangsung." in text(done)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    # then it is live from now, and the history says who started it early, when, and the plan
    assert event.status == "live" and as_utc(event.starts_at) <= utcnow()
    row = event.history[-1]
    assert (row.action, row.actor_id, row.note) == ("start", officer.id, f"planned start {planned.isoformat()}")


def test_an_event_price_applies_in_the_cart_and_checkout_once_the_event_is_started_early(
        app, client, db, officer, login, make_event, make_store, make_product, make_user):
    from promotions.services import curate, invite, transition_event
    from tests.orders.test_pages import add

    # given a published event a week away with an event price, and a buyer's cart
    store = make_store()
    product = make_product(store=store, title="Kopi Robusta Tanggamus", price_idr=50000, stock=10,
                           wholesale_tiers=[{"min_qty": 5, "unit_price_idr": 45000}])
    event = make_event("curation")
    invite(event, store, product_ids=[product.id], actor=officer)
    curate(event, [{"product_id": product.id, "event_price_idr": 42000}], actor=officer)
    transition_event(event, "publish", actor=officer)
    db.session.commit()
    buyer = make_user()
    login(client, buyer)
    add(client, product, 2)
    cart = text(client.get("/keranjang"))
    assert "Rp100.000" in cart and "Beli 3 lagi untuk harga Rp45.000/pcs." in cart
    # when the officer starts it early
    desk = app.test_client()
    login(desk, officer)
    desk.post(f"/petugas/acara/{event.slug}/status", data={"action": "start", "confirm_early": "1"})
    # then the cart has the event price, and no tier hint dearer than it
    cart = text(client.get("/keranjang"))
    assert "Rp84.000" in cart and "tier-hint" not in cart
    # and the order is placed at the event price, remembering the event
    response = place(client)
    assert response.status_code == 302, text(response)[:1000]
    order = db.session.scalar(sa.select(Order))
    assert order.subtotal_idr == 84000 and order.source == f"event:{event.slug}"


def test_prices_follow_a_live_status_even_when_its_start_date_is_later(
        client, db, officer, make_event, make_store, make_product, make_user, login):
    from promotions.services import curate, invite, transition_event
    from tests.orders.test_pages import add

    # given an event marked live whose stored start is still a week away (an older row)
    store = make_store()
    product = make_product(store=store, price_idr=50000, stock=10)
    event = make_event("curation")
    invite(event, store, product_ids=[product.id], actor=officer)
    curate(event, [{"product_id": product.id, "event_price_idr": 42000}], actor=officer)
    transition_event(event, "publish", actor=officer)
    event.status = "live"
    db.session.commit()
    # then the page, the cart and the showcase all agree: it is live, the event price applies
    page = text(client.get(f"/acara/{event.slug}"))
    assert "Berlangsung, berakhir dalam" in page and "Mulai dalam" not in page
    assert re.search(r'Rp42\.000 <del class="was">', page)
    login(client, make_user())
    add(client, product, 1)
    assert "Rp42.000" in text(client.get("/keranjang"))


def test_a_live_event_cannot_be_moved_to_start_in_the_future(db, officer, make_event):
    import pytest

    from marketplace.errors import ValidationError
    from promotions.services import update_event

    event = make_event("live")
    with pytest.raises(ValidationError) as raised:
        update_event(event, {"starts_at": (utcnow() + timedelta(days=3)).isoformat()}, actor=officer)
    assert "starts_at" in raised.value.fields


def test_the_desk_and_the_report_count_registered_buyers_in_the_singular_for_one(
        app, client, db, officer, login, make_event, make_user):
    from promotions.services import register

    event = make_event("published")
    register(event, make_user(), {"buyer_type": "export", "company": "Yamada", "country": "JP"})
    db.session.commit()
    login(client, officer)
    english(client)
    desk = text(client.get(f"/petugas/acara/{event.slug}"))
    assert "1 registered buyer" in desk and "1 registered buyers" not in desk
    report = text(client.get(f"/petugas/acara/{event.slug}/laporan"))
    assert re.search(r"<strong>1</strong><span>registered buyer</span>", report)


def test_english_says_events_for_the_list_and_event_for_one(client, make_event, officer, login):
    event = make_event("published")
    english(client)
    listing = text(client.get("/acara"))
    assert "<h1>Events</h1>" in listing and "Promotional event" not in listing
    page = text(client.get(f"/acara/{event.slug}"))
    assert re.search(r'<li><a href="/acara">Events</a></li>', page)
    login(client, officer)
    english(client)
    desk = text(client.get("/petugas/acara"))
    assert "<th>Event</th>" in desk and "Promotional event" not in desk
