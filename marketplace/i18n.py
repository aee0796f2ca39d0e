"""Language, money and time formatting.

Indonesian is the source language; English is the one translation. Pages use the language their
URL names (`?lang=en`: each language version has an address, see marketplace/seo.py), else the
one the person chose (kept in the session and on their account); the API follows Accept-Language.
"""
from __future__ import annotations

from datetime import datetime

from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_datetime, get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from marketplace.timeutil import as_utc

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


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(as_utc(value), fmt)


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
