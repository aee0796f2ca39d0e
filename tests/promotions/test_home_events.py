"""The home page's events section, which promotions adds through catalog's `home_sections`
hook: live events first, then the upcoming ones; nothing that ended, is a draft or cancelled."""
from __future__ import annotations

import re
from datetime import timedelta

from marketplace.timeutil import utcnow


def events_section(client) -> str:
    html = client.get("/").get_data(as_text=True)
    start = html.find('id="acara-promosi"')
    return "" if start < 0 else html[start:html.index("</section>", start)]


def test_home_shows_live_then_upcoming_events(client, db, make_event):
    now = utcnow()
    # given a live event, two upcoming ones (published and open), and some that must not show
    make_event("published", title="Pameran Tapis Nanti", starts_at=(now + timedelta(days=20)).isoformat(),
               ends_at=(now + timedelta(days=21)).isoformat(),
               application_deadline=(now + timedelta(days=10)).isoformat())
    make_event("open", title="Forum Kopi Segera", starts_at=(now + timedelta(days=5)).isoformat(),
               ends_at=(now + timedelta(days=6)).isoformat(),
               application_deadline=(now + timedelta(days=2)).isoformat())
    make_event("live", title="Pameran <b>Kopi</b> Berlangsung",
               starts_at=(now - timedelta(hours=3)).isoformat(), ends_at=(now + timedelta(days=1)).isoformat(),
               application_deadline=(now - timedelta(days=5)).isoformat())
    make_event("closed", title="Pameran Sudah Tutup")
    make_event("draft", title="Acara Rancangan")
    make_event("published", title="Acara Lewat Tanggal", starts_at=(now - timedelta(days=3)).isoformat(),
               ends_at=(now - timedelta(days=2)).isoformat(),
               application_deadline=(now - timedelta(days=5)).isoformat())

    # when a visitor opens the home page
    section = events_section(client)

    # then the live event comes first, then the upcoming ones by start; titles are escaped
    shown = re.findall(r'<strong class="event-card-title">(.*?)</strong>', section)
    assert shown == ["Pameran &lt;b&gt;Kopi&lt;/b&gt; Berlangsung", "Forum Kopi Segera", "Pameran Tapis Nanti"]
    assert 'href="/acara"' in section


def test_home_has_no_events_section_without_current_events(client, make_event):
    make_event("closed")
    assert events_section(client) == ""
