"""Time helpers: the database stores UTC; people see WIB (Asia/Jakarta) unless they chose a zone."""
from __future__ import annotations

from datetime import UTC, datetime


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
