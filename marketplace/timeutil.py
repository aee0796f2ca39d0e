"""Time helpers: the database stores UTC; people see WIB (Asia/Jakarta) unless they chose a zone."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

#: Indonesia's three zones by their Indonesian names; every other zone shows its abbreviation
INDONESIAN_ZONES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                    "Asia/Jayapura": "WIT"}


def utcnow() -> datetime:
    """Return the current moment as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Return `value` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with offset, as the API promises."""
    value = as_utc(value)
    return value.isoformat() if value else None


def in_zone(value: datetime, zone: str) -> datetime:
    """`value` (UTC, aware or naive) as the local time in `zone`."""
    return as_utc(value).astimezone(ZoneInfo(zone))


def zone_abbreviation(local: datetime, zone: str) -> str:
    """How a time's zone is written after it: "WIB", "WITA", "WIT" in Indonesia, else the zone's
    abbreviation ("JST", "CET") or, when it has none, its name ("Asia/Singapore")."""
    if zone in INDONESIAN_ZONES:
        return INDONESIAN_ZONES[zone]
    name = local.tzname() or ""
    return name if name.isalpha() else zone


def marketplace_zone() -> ZoneInfo:
    """The marketplace's own zone (BABEL_DEFAULT_TIMEZONE, WIB): the zone its days are counted in
    (sales days, statement periods, payment windows), whatever zone a reader sees."""
    from flask import current_app

    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def marketplace_day(moment: datetime) -> date:
    """The marketplace day (WIB) of a moment."""
    return as_utc(moment).astimezone(marketplace_zone()).date()


def day_start(day: date) -> datetime:
    """The moment the marketplace day `day` begins (WIB midnight, aware): a day's range is
    `day_start(first) <= t < day_start(last + 1 day)`."""
    return datetime.combine(day, time(0), tzinfo=marketplace_zone())
