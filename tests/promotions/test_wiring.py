"""What promotions plugs into the domains below from its init_app: the header links (everyone
sees "Acara", current on the events and an event's page; trade officers also "Kelola acara")
and the texts of its notifications."""
from __future__ import annotations

from marketplace.navigation import links_for


def _endpoints(app, user, path="/"):
    with app.test_request_context(path):
        return {s.link.endpoint: s for s in links_for(user)}


def test_everyone_sees_the_events_link_and_officers_the_desk(app, make_user, officer):
    anonymous = _endpoints(app, None)
    assert "promotions.events" in anonymous and "promotions.manage_events" not in anonymous
    assert anonymous["promotions.events"].href == "/acara"
    assert "promotions.manage_events" not in _endpoints(app, make_user())
    desk = _endpoints(app, officer)["promotions.manage_events"]
    assert desk.href == "/petugas/acara" and desk.link.audience == "officer"
    assert _endpoints(app, officer)["promotions.events"].link.order < desk.link.order


def test_the_events_link_is_current_on_the_events_and_an_event(app, make_event):
    event = make_event("open")
    assert _endpoints(app, None, "/acara")["promotions.events"].current
    assert _endpoints(app, None, f"/acara/{event.slug}")["promotions.events"].current
    assert not _endpoints(app, None, "/rfq")["promotions.events"].current


def test_a_promotion_notification_shows_its_text_and_links_to_the_event(
        app, db, officer, login, make_event, make_store, make_product):
    from promotions.services import invite

    store = make_store(name="Madu Way Kambas")
    event = make_event("open")
    invite(event, store, product_ids=[make_product(store=store).id], actor=officer)
    db.session.commit()
    seller = login(app.test_client(), store.owner)
    page = seller.get("/notifikasi").get_data(as_text=True)
    assert f"Toko Anda diundang menjadi peserta {event.title}." in page
    assert f'href="/acara/{event.slug}"' in page
