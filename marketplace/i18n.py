"""Language, money and time formatting.

Indonesian is the source language; English is the one translation. Pages use the language their
URL names (`?lang=en`: each language version has an address, see marketplace/seo.py), else the
one the person chose (kept in the session and on their account); the API follows Accept-Language.
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from marketplace.timeutil import in_zone, zone_abbreviation

LANGUAGES = ("id", "en")


def select_locale() -> str:
    from marketplace.api import is_api_request

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI commands, background jobs
    if is_api_request():
        return request.accept_languages.best_match(LANGUAGES) or "id"
    named = requested_lang()
    if named:
        return named
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def requested_lang() -> str | None:
    """The language this request names in its URL (`?lang=id|en`), or None."""
    if not has_request_context():
        return None
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else None


def select_timezone() -> str:
    if has_request_context() and current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def rupiah(amount: int | None) -> str:
    """Format integer rupiah the Indonesian way: Rp25.000 (no decimals, whatever the UI language)."""
    if amount is None:
        return ""
    return format_currency(amount, "IDR", format="¤#,##0", locale="id_ID", currency_digits=False)


def current_lang() -> str:
    """The language this response is rendered in ("id" or "en")."""
    return str(get_locale() or "id")


def number(value) -> str:
    return format_decimal(value, locale=current_lang())


#: The one date and the one date-time format of every page, per language:
#: "2 Des 2026" / "2 Dec 2026" and "2 Des 2026 14.30 WIB" / "2 Dec 2026, 14:30 WIB".
DATE_PATTERN = "d MMM y"
TIME_PATTERNS = {"id": "HH.mm", "en": "HH:mm"}
MOMENT_JOINS = {"id": "%(date)s %(time)s %(zone)s", "en": "%(date)s, %(time)s %(zone)s"}


def viewer_zone() -> str:
    """The zone the person reading sees times in (their own, else WIB)."""
    tz = get_timezone()
    return getattr(tz, "key", None) or str(tz)


def local_date(value, zone: str | None = None) -> str:
    """A date ("2 Des 2026"); a datetime is first put in `zone` (the viewer's by default)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = in_zone(value, zone or viewer_zone())
    return babel_format_date(value, DATE_PATTERN, locale=current_lang())


def local_time(value: datetime, zone: str | None = None) -> str:
    """Just the time of day in `zone` (the viewer's by default): "14.30" / "14:30"."""
    lang = current_lang()
    return babel_format_time(in_zone(value, zone or viewer_zone()), TIME_PATTERNS.get(lang, "HH:mm"),
                             locale=lang)


def local_datetime(value: datetime | None, zone: str | None = None) -> str:
    """A moment as every page shows it, with its zone: "2 Des 2026 14.30 WIB" / "2 Dec 2026,
    14:30 WIB", in `zone` (an event's own) or the viewer's."""
    if value is None:
        return ""
    zone = zone or viewer_zone()
    local = in_zone(value, zone)
    lang = current_lang()
    return MOMENT_JOINS.get(lang, MOMENT_JOINS["en"]) % {
        "date": babel_format_date(local, DATE_PATTERN, locale=lang),
        "time": babel_format_time(local, TIME_PATTERNS.get(lang, "HH:mm"), locale=lang),
        "zone": zone_abbreviation(local, zone)}


def _unit_forms(unit: str, count: int, n: str | int | None = None) -> str:
    """One count with its unit word ("d", "h", "m" or "s"), singular or plural as the language
    wants; `n` may put something else where the number goes ("{n}" for a script)."""
    if unit == "d":
        return ngettext("%(n)s hari", "%(n)s hari", count, n=count if n is None else n)
    if unit == "h":
        return ngettext("%(n)s jam", "%(n)s jam", count, n=count if n is None else n)
    if unit == "m":
        return ngettext("%(n)s menit", "%(n)s menit", count, n=count if n is None else n)
    return ngettext("%(n)s detik", "%(n)s detik", count, n=count if n is None else n)


def duration(seconds: float) -> str:
    """A span of time as people say it, in its two largest units: "7 hari 1 jam" / "7 days
    1 hour", "3 jam 5 menit", "1 minute" (never "1 hours": every count goes through ngettext)."""
    left = max(int(seconds), 0)
    days, hours, minutes = left // 86400, left % 86400 // 3600, left % 3600 // 60
    if days:
        parts = [("d", days)] + ([("h", hours)] if hours else [])
    elif hours:
        parts = [("h", hours)] + ([("m", minutes)] if minutes else [])
    else:
        parts = [("m", minutes)]
    return " ".join(_unit_forms(unit, n) for unit, n in parts)


def duration_units() -> dict[str, list[str]]:
    """The unit words for a script that counts down (marketplace/static/js/countdown.js): per
    unit its [one, other] forms with "{n}" for the number (both languages: one is n == 1)."""
    return {unit: [_unit_forms(unit, 1, n="{n}"), _unit_forms(unit, 2, n="{n}")]
            for unit in "dhms"}


def _lazy_string_as_text(self) -> Markup:
    """A lazy translation is text, never markup: escape it, parameters included.

    Flask-Babel's LazyString has an `__html__` that returns the raw string, so Jinja trusts it
    unescaped (python-babel/flask-babel#121, #224). Every service message is a lazy string and
    many carry user data (`Stok %(title)s tidak cukup.`), so a product title such as
    `<script>...` ran on whatever page showed the message: checkout problems, field errors,
    CSV reports, error pages. Escaping here covers every one of them, and any message written
    later, instead of each template remembering `|e`.
    """
    return escape(str(self))


def _json_default(value):
    """JSON: a lazy string is its text (Flask's encoder would otherwise call `__html__`)."""
    if isinstance(value, LazyString):
        return str(value)
    return DefaultJSONProvider.default(value)


def init_app(app):
    LazyString.__html__ = _lazy_string_as_text
    app.json.default = _json_default
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["date"] = local_date
