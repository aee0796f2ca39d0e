"""Language, money and time formatting.

Indonesian is the source language; English is the one translation. Pages use the language the
person chose (kept in the session and on their account); the API follows Accept-Language.
"""
from __future__ import annotations

from datetime import datetime

from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from marketplace.timeutil import as_utc

LANGUAGES = ("id", "en")


def select_locale() -> str:
    from marketplace.api import is_api_request

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI commands, background jobs
    if is_api_request():
        return request.accept_languages.best_match(LANGUAGES) or "id"
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if has_request_context() and current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def rupiah(amount: int | None) -> str:
    """Format integer rupiah the Indonesian way: Rp25.000 (no decimals, whatever the UI language)."""
    if amount is None:
        return ""
    return format_currency(amount, "IDR", format="¤#,##0", locale="id_ID", currency_digits=False)


def number(value) -> str:
    return format_decimal(value, locale=str(get_locale() or "id"))


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(as_utc(value), fmt)


def init_app(app):
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["datetime"] = local_datetime
