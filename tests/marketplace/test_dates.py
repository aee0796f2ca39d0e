"""One date format and one date-time format on every page, each time with its zone."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from marketplace.i18n import duration, local_date, local_datetime, local_time

MOMENT = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)   # 14.30 in Jakarta, 16.30 in Tokyo


@pytest.mark.parametrize(("lang", "zone", "expected"), [
    ("id", None, "2 Des 2026 14.30 WIB"),
    ("en", None, "2 Dec 2026, 14:30 WIB"),
    ("id", "Asia/Makassar", "2 Des 2026 15.30 WITA"),
    ("en", "Asia/Tokyo", "2 Dec 2026, 16:30 JST"),
])
def test_a_moment_reads_the_same_way_everywhere_with_its_zone(app, lang, zone, expected):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = lang
        assert local_datetime(MOMENT, zone) == expected


def test_a_date_and_a_time_use_the_same_parts(app):
    with app.test_request_context("/"):
        assert local_date(MOMENT) == "2 Des 2026"
        assert local_date(date(2026, 12, 31)) == "31 Des 2026" == local_date("2026-12-31")
        assert local_time(MOMENT) == "14.30"


@pytest.mark.parametrize(("lang", "seconds", "expected"), [
    ("en", 7 * 86400 + 3600, "7 days 1 hour"),
    ("en", 86400, "1 day"),
    ("en", 2 * 3600 + 60, "2 hours 1 minute"),
    ("en", 59, "0 minutes"),
    ("id", 7 * 86400 + 3600, "7 hari 1 jam"),
    ("id", 3600 + 5 * 60, "1 jam 5 menit"),
])
def test_durations_use_the_plural_of_every_count(app, lang, seconds, expected):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = lang
        assert duration(seconds) == expected


def test_templates_use_only_the_shared_date_filters():
    """No template picks its own pattern (`|datetime('d MMM y')`, 'short' ...)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = [str(p.relative_to(root)) for p in root.glob("*/**/templates/**/*.html")
             if ".venv" not in p.parts and re.search(r"\|datetime\(", p.read_text(encoding="utf-8"))]
    assert found == []
