"""Time helpers: the database stores UTC; people see WIB (Asia/Jakarta) unless they chose a zone."""
from __future__ import annotations

from datetime import UTC, datetime
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
