"""The web plumbing every page shares, written once.

- Who and in what language: `acting_user()` (the signed-in `User` itself, which services take
  as `actor`, or None) and `current_lang()`.
- One transaction per request: services add and flush; `_finish_request` commits when the
  response is a success (status below 400) and rolls back otherwise, so no view commits.
  A page that catches a service's `DomainError` goes through `service_call` / `flash_errors`:
  they roll the request back at once (the messages are then shown on a clean session) and send
  the messages to the form's fields or to flash messages.
- `paginate`, `safe_next` (redirect targets), the language switch, uploaded media, the security
  headers of every response.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, send_file, session, url_for
from flask_login import current_user
from werkzeug.urls import iri_to_uri

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import apply_errors
from marketplace.i18n import current_lang  # noqa: F401  (part of the page helpers)
from marketplace.seo import without_lang

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/core")

MEDIA_MAX_AGE = 365 * 24 * 3600  # file names are random and never reused, so cache for a year

# Content-Security-Policy of HTML pages. No inline script or style anywhere: page scripts are
# static files (marketplace/static/js), data reaches them in data-* attributes. Stripe.js
# (card.js loads it only in real-Stripe mode) needs its script and frame origins and api.stripe.com;
# in local test-card mode card.js posts to our own /pembayaran/kartu-uji ('self'), never to
# STRIPE_API_BASE, so that origin is not listed.
_STRIPE_JS = "https://js.stripe.com https://*.js.stripe.com"
PAGE_CSP = "; ".join([
    "default-src 'self'",
    f"script-src 'self' {_STRIPE_JS}",
    f"frame-src {_STRIPE_JS} https://hooks.stripe.com",
    "connect-src 'self' https://api.stripe.com",
    "img-src 'self' data:",
    "style-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Everything that is not a page (JSON, CSV, static files, uploaded media) runs nothing.
RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'"
PERMISSIONS_POLICY = ('camera=(), microphone=(), geolocation=(), usb=(), '
                      'payment=(self "https://js.stripe.com")')


def acting_user():
    """The signed-in user as the model object (services compare and store it), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def paginate(stmt, per_page: int):
    """One page of `stmt` (`?page=`), never more than `per_page` rows, page 1 when out of range."""
    return db.paginate(stmt, per_page=per_page, max_per_page=per_page, error_out=False)


def page_url(page: int) -> str:
    """This page's URL with the same filters, at another page number (pagination links)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **args)


def flash_errors(exc: DomainError, form=None) -> None:
    """Undo the request's changes and show a service's messages: under `form`'s fields where they
    belong (see `marketplace.forms.apply_errors`), the rest as flash messages."""
    db.session.rollback()
    messages = apply_errors(form, exc) if form is not None else (list(exc.fields.values())
                                                                  or [exc.message])
    for message in messages:
        flash(message, "error")


@dataclass
class ServiceCall:
    """What `service_call` saw: `error` is the DomainError the block raised, or None."""

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextlib.contextmanager
def service_call(form=None) -> Iterator[ServiceCall]:
    """Run a page's service calls; a DomainError is caught and shown, not raised.

        with service_call(form) as call:
            store = services.create_store(me, form.service_data())
        if call.ok:
            flash(...); return redirect(...)

    On a DomainError the request is rolled back and the messages go to `form` (or flash); the
    success path commits at the end of the request, like every request.
    """
    call = ServiceCall()
    try:
        yield call
    except DomainError as exc:
        call.error = exc
        flash_errors(exc, form)


#: Never in a redirect target: control characters (CR/LF would split the Location header, and
#: browsers drop tabs and newlines, so `/\t/evil.test` means `//evil.test`) and backslashes
#: (browsers read `/\evil.test` as `//evil.test`).
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def safe_next(target: str | None, fallback: str = "/") -> str:
    """`target` if it is a path on this site, else `fallback` (no open redirects).

    Refused: a scheme or host (`https://evil.test`, `//evil.test`), anything not starting with
    one slash, control characters and backslashes. Non-ASCII is percent-encoded, since a header
    value is Latin-1.
    """
    if not target or not isinstance(target, str):
        return fallback
    if _UNSAFE_IN_NEXT.search(target) or not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    try:
        return iri_to_uri(target)
    except UnicodeError:  # a lone surrogate
        return fallback


@bp.post("/bahasa")
def set_language():
    """Switch the interface language; remembered in the session and on the account."""
    lang = request.form.get("lang", "id")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
    # Back to the page, without the `?lang=` it may carry: it would outrank the new choice.
    target = safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path)
    return redirect(without_lang(target))


def public_media_file(filename: str) -> Path | None:
    """The public upload `filename` names, or None.

    Only a canonical relative path is looked up (no empty, `.` or `..` segments, no hidden
    names, no backslashes), so there is one spelling per file; and the file it resolves to (links
    followed) must be inside UPLOAD_DIR and outside both PRIVATE_UPLOAD_DIR and the legacy
    UPLOAD_DIR/private/ folder, whatever the spelling was.
    """
    parts = filename.split("/")
    if any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (root / filename).resolve()
    refused = (Path(current_app.config["PRIVATE_UPLOAD_DIR"]).resolve(), root / "private")
    if not path.is_relative_to(root) or any(path.is_relative_to(r) for r in refused):
        return None
    return path if path.is_file() else None


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Serve a public uploaded file (product pictures) with long-lived cache headers.

    Private files (payment receipts) live outside UPLOAD_DIR and are served only by their own
    checked routes.
    """
    path = public_media_file(filename)
    if path is None:
        abort(404)
    response = send_file(path, max_age=MEDIA_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}, immutable"
    return response


def init_app(app):
    app.register_blueprint(bp)

    @app.after_request
    def _security_headers(response):
        """One place for the security headers of every response: pages, API, static, media, errors."""
        headers = response.headers
        headers.setdefault("Content-Security-Policy",
                           PAGE_CSP if response.mimetype == "text/html" else RESOURCE_CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.after_request
    def _finish_request(response):
        """The one commit of a request: its changes are kept only when it succeeded.

        A failing commit raises here, so the client gets the 500 error page (whose response
        comes back through this hook and rolls back), never a success for lost changes.
        """
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()

    @app.context_processor
    def _template_helpers():
        from flask_babel import lazy_gettext as _l

        from marketplace import navigation

        return {
            "current_lang": current_lang(),
            "header_links": lambda placement=None: navigation.links_for(acting_user(), placement),
            "bottom_links": lambda: navigation.bottom_links_for(acting_user()),
            "page_url": page_url,
            "header_parts": navigation.header_parts.entries,
            "languages": app.config["LANGUAGES"],
            "role_labels": {"buyer": _l("Pembeli"), "seller": _l("Penjual"),
                            "officer": _l("Petugas perdagangan"), "admin": _l("Admin")},
        }
