"""Shared web parts: the language switch, uploaded media, security headers, template helpers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory, session
from flask_login import current_user
from werkzeug.utils import safe_join

from marketplace.extensions import db

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/core")

MEDIA_MAX_AGE = 365 * 24 * 3600  # file names are random and never reused, so cache for a year


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only redirect to paths on this site (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/bahasa")
def set_language():
    """Switch the interface language; remembered in the session and on the account."""
    lang = request.form.get("lang", "id")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    return redirect(safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Serve an uploaded file with long-lived cache headers."""
    root = current_app.config["UPLOAD_DIR"]
    if safe_join(root, filename) is None or filename.startswith("private/"):
        abort(404)  # private files (payment receipts) are served by their own checked routes
    response = send_from_directory(root, filename, max_age=MEDIA_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app):
    app.register_blueprint(bp)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    @app.teardown_request
    def _rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()

    @app.context_processor
    def _template_helpers():
        from flask_babel import get_locale

        from flask_babel import lazy_gettext as _l

        return {
            "current_lang": str(get_locale() or "id"),
            "languages": app.config["LANGUAGES"],
            "role_labels": {"buyer": _l("Pembeli"), "seller": _l("Penjual"),
                            "officer": _l("Petugas perdagangan"), "admin": _l("Admin")},
        }
