"""Promotion events as search engines see them: the schema.org `Event` JSON-LD of an event's
page, its meta description, the events' sitemap section and the officer's paths in robots.txt."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import url_for
from flask_babel import gettext as _

from marketplace.crawl import SitemapEntry, fixed_section, private_paths, ranged_section, sitemap_sections
from marketplace.seo import breadcrumb_ld, canonical_path_url, site_icon_url, site_organization_ld, summary
from marketplace.timeutil import as_utc
from promotions.models import Event, EventStatus
from promotions.services import PUBLIC

SCHEMA = "https://schema.org/"


def _local_iso(moment, zone: str) -> str:
    """An ISO 8601 time with the event's own UTC offset (2026-12-09T09:00:00+07:00)."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("Asia/Jakarta")
    return as_utc(moment).astimezone(tz).isoformat(timespec="seconds")


def _is_http(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("https://", "http://"))


def event_ld(event: Event, lang: str) -> dict:
    """schema.org Event: name, dates in the event's zone, status, where (the venue, the online
    address, or this marketplace itself for an online event without one) and the organiser."""
    page = canonical_path_url(url_for("promotions.event_page", slug=event.slug))
    online = event.online_url if _is_http(event.online_url) else None
    places = []
    if event.venue:
        places.append({"@type": "Place", "name": event.venue, "address": event.venue})
    if online or not event.venue:
        places.append({"@type": "VirtualLocation", "url": online or page})
    if event.venue and len(places) > 1:
        mode = "MixedEventAttendanceMode"
    elif event.venue:
        mode = "OfflineEventAttendanceMode"
    else:
        mode = "OnlineEventAttendanceMode"
    organizer = site_organization_ld()
    organizer.pop("@context")
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.display_title(lang),
        "description": summary(event.display_description(lang), 5000) or event.display_title(lang),
        "url": page,
        "startDate": _local_iso(event.starts_at, event.timezone),
        "endDate": _local_iso(event.ends_at, event.timezone),
        "eventStatus": SCHEMA + ("EventCancelled" if event.status == EventStatus.CANCELLED
                                 else "EventScheduled"),
        "eventAttendanceMode": SCHEMA + mode,
        "location": places[0] if len(places) == 1 else places,
        "organizer": organizer,
        "image": [site_icon_url()],
        "inLanguage": lang,
    }


def event_trail_ld(event: Event, lang: str) -> dict:
    """BreadcrumbList: the events list, then the event."""
    return breadcrumb_ld([(_("Acara"), url_for("promotions.events")), (event.display_title(lang), None)])


def event_description(event: Event, lang: str) -> str:
    return summary(event.display_description(lang)) or _(
        "%(title)s: acara promosi dagang untuk UMKM di Pasar UMKM.", title=event.display_title(lang))


SECTIONS = (
    fixed_section("eventlist", lambda: [SitemapEntry("promotions.events")]),
    ranged_section("events", id_column=Event.id, lastmod_column=Event.updated_at,
                   columns=(Event.slug,), where=(Event.status.in_(PUBLIC),),
                   entry=lambda row: SitemapEntry("promotions.event_page", {"slug": row.slug}, row.lastmod)),
)
PRIVATE_PATHS = ("/petugas", "/rfq", "/penawaran")


def init_app(app) -> None:
    for section in SECTIONS:
        sitemap_sections.register(app, section)
    for path in PRIVATE_PATHS:
        private_paths.register(app, path)
    for helper in (event_ld, event_trail_ld, event_description):
        app.add_template_global(helper)
