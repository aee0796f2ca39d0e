"""User-supplied links are http(s) only (issue 8: a `javascript:` online_url ran on the event
page). One rule, catalog.validation.clean_http_url, held here on its own and on every field that
takes a link (today the event's online_url), through the officer's page and the API."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.validation import FieldError, clean_http_url
from promotions.models import Event
from tests.promotions.conftest import event_data
from tests.promotions.test_pages import event_form, field_error, text

REFUSED = [
    "javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "java\nscript:alert(1)", "javascript://example.com/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd",
    "ftp://example.com/x", "//evil.example/x", "/acara/lokal", "example.com", "https://",
    "https:///path", "https://bank.example@evil.example/", "https://user:pw@example.com/",
    "https://example.com:99999/", "https://exa mple.com/", "https://example.com/\\evil",
    'https://example.com/"onmouseover="alert(1)', "https://example.com/<x>", "http://..",
    "https://" + "a" * 290 + ".com",  # 301 characters
    12345, ["https://example.com"],
]
ACCEPTED = {
    "https://zoom.us/j/1234567890?pwd=abc": "https://zoom.us/j/1234567890?pwd=abc",
    "HTTPS://Meet.Example.com/forum-lampung": "https://Meet.Example.com/forum-lampung",
    "http://127.0.0.1:8080/live#ruang-1": "http://127.0.0.1:8080/live#ruang-1",
    "https://ドメイン.例/ライブ": "https://ドメイン.例/ライブ",
    "  https://example.com/x  ": "https://example.com/x",
}


@pytest.mark.parametrize("value", REFUSED)
def test_the_link_rule_refuses_anything_but_absolute_http_links(app, value):
    with app.test_request_context(), pytest.raises(FieldError):
        clean_http_url(value)


@pytest.mark.parametrize("value,clean", ACCEPTED.items())
def test_the_link_rule_keeps_http_links(app, value, clean):
    with app.test_request_context():
        assert clean_http_url(value) == clean


def test_the_link_rule_is_optional_or_required(app):
    with app.test_request_context():
        assert clean_http_url("") is None and clean_http_url(None) is None
        with pytest.raises(FieldError):
            clean_http_url("", required=True)


@pytest.mark.parametrize("value", ["javascript:alert(document.domain)", "data:text/html,x",
                                   "//evil.example/x"])
def test_the_officer_page_refuses_a_bad_online_link(client, db, officer, login, make_event, value):
    login(client, officer)
    # creating an event
    created = client.post("/petugas/acara/baru", data=event_form(online_url=value))
    assert created.status_code == 200
    assert field_error(text(created), "online_url").startswith("Tautan harus alamat web lengkap")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    # editing one
    event = make_event(status="draft")
    edited = client.post(f"/petugas/acara/{event.slug}/ubah", data=event_form(online_url=value))
    assert edited.status_code == 200 and field_error(text(edited), "online_url")
    db.session.expire_all()
    assert db.session.get(Event, event.id).online_url is None


def test_the_officer_page_keeps_a_good_online_link(client, db, officer, login):
    login(client, officer)
    created = client.post("/petugas/acara/baru", data=event_form(online_url="https://zoom.us/j/123"))
    assert created.status_code == 302
    assert db.session.scalar(sa.select(Event.online_url)) == "https://zoom.us/j/123"


@pytest.mark.parametrize("value", ["javascript:alert(document.domain)", "vbscript:x",
                                   "https://bank.example@evil.example/"])
def test_the_api_refuses_a_bad_online_link(client, db, officer, token_for, make_event, value):
    off = token_for(officer)
    created = client.post("/api/v1/events", json=event_data(online_url=value), headers=off)
    assert created.status_code == 422
    assert "online_url" in created.get_json()["error"]["fields"]
    event = make_event(status="draft")
    patched = client.patch(f"/api/v1/events/{event.slug}", json={"online_url": value}, headers=off)
    assert patched.status_code == 422 and "online_url" in patched.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Event, event.id).online_url is None


def test_the_api_keeps_a_good_online_link(client, officer, token_for):
    created = client.post("/api/v1/events", json=event_data(online_url="HTTPS://zoom.us/j/1"),
                          headers=token_for(officer))
    assert created.status_code == 201 and created.get_json()["online_url"] == "https://zoom.us/j/1"


def test_an_old_row_with_a_script_link_is_shown_as_text_not_a_link(client, db, make_event):
    # given an event stored before the rule, with a javascript: link
    event = make_event(status="published", online_url="https://example.com/")
    db.session.execute(sa.update(Event).where(Event.id == event.id)
                       .values(online_url="javascript:alert(document.domain)"))
    db.session.commit()
    page = text(client.get(f"/acara/{event.slug}"))
    assert "javascript:alert(document.domain)" in page
    assert 'href="javascript:' not in page.replace("'", '"').lower()
