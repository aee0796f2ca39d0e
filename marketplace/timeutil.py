"""Time helpers: the database stores UTC; people see WIB (Asia/Jakarta) unless they chose a zone."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Return the current moment as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """Return `value` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with offset, as the API promises."""
    value = as_utc(value)
    return value.isoformat() if value else None
