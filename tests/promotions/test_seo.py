"""An event's page as search engines read it: the schema.org Event JSON-LD (name, dates with
the event's own UTC offset, status, attendance mode and location, organiser) and breadcrumbs."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.head import parse_head
from tests.promotions.conftest import make_event, officer  # noqa: F401  (fixtures)

SCHEMA = "https://schema.org/"


def test_event_json_ld_has_the_required_event_fields(client, make_event):
    # given a published event at a venue, 09:00-17:00 WIB
    event = make_event(status="published", starts_at="2026-12-20T02:00:00+00:00",
                       ends_at="2026-12-22T10:00:00+00:00", venue="Gedung Serbaguna Bandar Lampung")
    # when a crawler opens its page
    response = client.get(f"/acara/{event.slug}")
    assert response.status_code == 200
    head = parse_head(response.get_data(as_text=True))
    data = head.of_type("Event")
    # then schema.org Event: name, start and end in WIB, scheduled, at the venue, organised by us
    assert data["@context"] == "https://schema.org"
    assert data["name"] == "Forum Promosi Ekspor Lampung 2026"
    assert data["startDate"] == "2026-12-20T09:00:00+07:00"
    assert data["endDate"] == "2026-12-22T17:00:00+07:00"
    assert datetime.fromisoformat(data["startDate"]).astimezone(UTC) == datetime(2026, 12, 20, 2, tzinfo=UTC)
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["location"] == {"@type": "Place", "name": "Gedung Serbaguna Bandar Lampung",
                                "address": "Gedung Serbaguna Bandar Lampung"}
    assert data["organizer"]["@type"] == "Organization" and data["organizer"]["name"] == "Pasar UMKM"
    assert data["description"].startswith("Temu bisnis UMKM Lampung")
    assert data["url"] == f"http://localhost/acara/{event.slug}"
    assert data["image"][0].startswith("http://localhost/static/core/icons/")
    crumbs = head.of_type("BreadcrumbList")["itemListElement"]
    assert crumbs[0]["item"] == "http://localhost/acara"
    assert crumbs[1]["name"] == "Forum Promosi Ekspor Lampung 2026"
    assert head.one("description").startswith("Temu bisnis UMKM Lampung")


def test_online_and_mixed_events_say_where_to_join(client, make_event):
    both = make_event(status="published", online_url="https://meet.example.test/forum")
    online = make_event(status="published", title="Kampanye Daring Kopi Lampung", venue="",
                        online_url="https://meet.example.test/kopi")
    mixed = parse_head(client.get(f"/acara/{both.slug}?lang=en").get_data(as_text=True)).of_type("Event")
    assert mixed["name"] == "Lampung Export Promotion Forum 2026"
    assert mixed["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert [place["@type"] for place in mixed["location"]] == ["Place", "VirtualLocation"]
    assert mixed["location"][1]["url"] == "https://meet.example.test/forum"
    data = parse_head(client.get(f"/acara/{online.slug}").get_data(as_text=True)).of_type("Event")
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.test/kopi"}


def test_event_title_cannot_close_the_script(client, make_event):
    event = make_event(status="published", title="Pameran </script><script>alert(1)</script>")
    html = client.get(f"/acara/{event.slug}").get_data(as_text=True)
    head = parse_head(html)
    assert head.of_type("Event")["name"] == "Pameran </script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html
