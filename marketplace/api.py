"""Plumbing shared by every domain's JSON API under /api/v1.

- one error shape: {"error": {"code", "message", "fields"}} with the fitting status;
- authentication by browser session or `Authorization: Bearer <token>` (see `marketplace.auth`);
- CSRF for session-authenticated writes (X-CSRFToken header); token-authenticated calls need none;
- request-body and pagination helpers;
- the OpenAPI registry: each route declares itself with `@doc(...)`, and `/api/v1/openapi.json`
  is built from those declarations (a test holds them against the URL map).
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException

from marketplace.errors import DomainError, Forbidden, Unauthorized, ValidationError
from marketplace.extensions import csrf, db

API_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

# OpenAPI registry: (endpoint name) -> operation description.
_OPERATIONS: dict[str, dict] = {}
# Reusable JSON schemas, by name, referenced as {"$ref": "#/components/schemas/Name"}.
SCHEMAS: dict[str, dict] = {}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_fields",
    429: "too_many_requests",
    500: "server_error",
}

_HTTP_MESSAGES = {
    400: _l("Permintaan tidak valid."),
    401: _l("Silakan masuk terlebih dahulu."),
    403: _l("Anda tidak berhak melakukan ini."),
    404: _l("Tidak ditemukan."),
    405: _l("Metode tidak diizinkan."),
    409: _l("Permintaan bertentangan dengan keadaan saat ini."),
    413: _l("Berkas atau permintaan terlalu besar."),
    415: _l("Jenis konten tidak didukung."),
    429: _l("Terlalu banyak percobaan. Coba lagi sebentar lagi."),
    500: _l("Terjadi kesalahan pada server."),
}


def is_api_request() -> bool:
    """Whether the current request is for the JSON API (answered in the API error shape)."""
    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX


def error_response(status: int, code: str, message, fields: dict | None = None):
    """The API error body {"error": {"code", "message", "fields"}} with `status`."""
    body = {
        "error": {
            "code": code,
            "message": str(message),
            "fields": {k: str(v) for k, v in (fields or {}).items()},
        }
    }
    return jsonify(body), status


def schema(name: str, definition: dict) -> dict:
    """Register a component schema and return a $ref to it."""
    SCHEMAS[name] = definition
    return ref(name)


def ref(name: str) -> dict:
    """A $ref to the component schema `name`."""
    return {"$ref": f"#/components/schemas/{name}"}


def doc(
    summary: str,
    *,
    request_body: dict | None = None,
    response: dict | None = None,
    status: int = 200,
    auth: bool = False,
    params: list[dict] | None = None,
    errors: tuple[int, ...] = (),
    content_type: str = "application/json",
    tags: tuple[str, ...] = (),
) -> Callable:
    """Describe an API route for the OpenAPI document; put it under the route decorator."""

    def decorate(view):
        view._openapi = {
            "summary": summary,
            "request_body": request_body,
            "response": response,
            "status": status,
            "auth": auth,
            "params": params or [],
            "errors": errors,
            "content_type": content_type,
            "tags": list(tags),
        }
        return view

    return decorate


def query_param(name: str, type_: str = "string", description: str = "", **extra) -> dict:
    """An optional query-string parameter for `@doc(params=[...])`."""
    return {"name": name, "in": "query", "required": False,
            "schema": {"type": type_, **extra}, "description": description}


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 in the API error shape."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_l("Isi permintaan harus berupa objek JSON."), code="bad_json")
    return data


def pagination_args(default_per_page: int = 20) -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1..100) from the query string, validated."""
    fields = {}
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", str(default_per_page))
    try:
        page_i = int(page)
        if page_i < 1:
            raise ValueError
    except ValueError:
        fields["page"] = _l("Harus bilangan bulat mulai dari 1.")
        page_i = 1
    try:
        per_page_i = int(per_page)
        if not 1 <= per_page_i <= 100:
            raise ValueError
    except ValueError:
        fields["per_page"] = _l("Harus bilangan bulat 1 sampai 100.")
        per_page_i = default_per_page
    if fields:
        raise ValidationError(fields=fields)
    return page_i, per_page_i


def paginate(stmt: sa.Select, serialise: Callable, default_per_page: int = 20) -> dict:
    """Run `stmt` one page at a time into the API list shape."""
    page, per_page = pagination_args(default_per_page)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [serialise(r) for r in rows], "total": total, "page": page, "per_page": per_page}


def login_required_api(view):
    """401 in the API shape unless a session or token identifies the caller."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise Unauthorized()
        return view(*args, **kwargs)

    wrapper._login_required = True
    return wrapper


def officer_required_api(view):
    """401 unless logged in, 403 unless the caller is an officer (or admin)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise Unauthorized()
        if not current_user.is_officer:
            raise Forbidden()
        return view(*args, **kwargs)

    wrapper._login_required = True
    return wrapper


def _authenticate_bearer() -> None:
    """On an API request, an `Authorization: Bearer` token alone names the caller.

    Flask-Login tries the session first, and its "strong" session protection answers
    "anonymous" without asking the request loader when a cookie holds a session it did not make
    (any page view stores a CSRF token in one), so a client that keeps cookies would find its
    valid token refused. The header is the explicit credential: it wins over any cookie, and a
    bad or revoked token leaves the caller anonymous even with a logged-in session.
    """
    if not is_api_request():
        return
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return
    from marketplace.accounts.services import user_for_token
    from marketplace.extensions import login_manager

    user = user_for_token(header[7:].strip())
    g.auth_via_token = user is not None
    # What flask_login.login_user does for the request, without writing the session.
    login_manager._update_request_context_with_user(user)


def _check_api_csrf():
    """Session-authenticated writes must prove they come from our pages (X-CSRFToken).

    Skipped when WTF_CSRF_ENABLED is False (as in most tests), like Flask-WTF's own check.

    Calls authenticated by a bearer token carry no ambient credentials, so they need no token;
    unauthenticated calls (register, token creation) must be JSON, which a cross-site form
    cannot send without a CORS preflight that we never grant.
    """
    if not is_api_request() or request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    authenticated = current_user.is_authenticated  # runs the loaders, which set auth_via_token
    if g.get("auth_via_token"):
        return None
    if authenticated:
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return None
        token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
        try:
            validate_csrf(token)
        except Exception:
            return error_response(400, "csrf_failed", _("Token CSRF tidak ada atau tidak valid."))
        return None
    # A route that needs a login answers an anonymous caller 401 itself, whatever the body
    # (an image upload is multipart, a DELETE has no body); only open routes must be JSON.
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "_login_required", False):
        return None
    if request.mimetype != "application/json" and request.path != API_PREFIX + "/openapi.json":
        return error_response(415, "unsupported_media_type", _HTTP_MESSAGES[415])
    return None


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A domain's API blueprint under /api/v1; its CSRF is checked here, not by Flask-WTF forms."""
    blueprint = Blueprint(name, import_name, url_prefix=API_PREFIX)
    csrf.exempt(blueprint)
    return blueprint


def init_app(app):
    """Wire API error handling, CSRF and the OpenAPI document into the app."""
    csrf.exempt(bp)

    @app.before_request
    def _api_bearer():
        _authenticate_bearer()

    @app.before_request
    def _api_csrf():
        return _check_api_csrf()

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        if is_api_request():
            return error_response(exc.status, exc.code, exc.message, exc.fields)
        # Pages catch the errors they expect; anything else is shown as a plain error page.
        from flask import render_template

        return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        from flask import render_template

        if is_api_request():
            return error_response(400, "csrf_failed", _("Token CSRF tidak ada atau tidak valid."))
        return render_template(
            "errors/error.html", status=400,
            message=_("Sesi formulir sudah kedaluwarsa. Muat ulang halaman dan coba lagi."),
        ), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if is_api_request():
            return error_response(status, _HTTP_CODES.get(status, "error"),
                                  _HTTP_MESSAGES.get(status, exc.name))
        from flask import render_template

        return render_template("errors/error.html", status=status,
                               message=_HTTP_MESSAGES.get(status, exc.name)), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        current_app.logger.exception("Unhandled error")
        db.session.rollback()
        if app.testing and not app.config.get("TESTING_SWALLOW_ERRORS"):
            raise exc
        if is_api_request():
            return error_response(500, "server_error", _HTTP_MESSAGES[500])
        from flask import render_template

        return render_template("errors/error.html", status=500, message=_HTTP_MESSAGES[500]), 500

    app.register_blueprint(bp)


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 document of this API, built from the routes' declarations."""
    return jsonify(build_openapi(current_app))


def _path_for_rule(rule: str) -> str:
    import re

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def build_openapi(app) -> dict:
    """The OpenAPI 3 document, from the `@doc` declarations of the routes under /api/v1."""
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint == "api.openapi_document":
            continue
        view = app.view_functions[rule.endpoint]
        info = getattr(view, "_openapi", None)
        if info is None:
            continue
        path = _path_for_rule(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": info["summary"],
                "tags": info["tags"] or [rule.endpoint.split(".")[0]],
                "parameters": [
                    {"name": arg, "in": "path", "required": True,
                     "schema": {"type": "integer" if rule._converters[arg].__class__.__name__ == "IntegerConverter" else "string"}}
                    for arg in rule.arguments
                ] + info["params"],
                "responses": {},
            }
            if info["request_body"] is not None:
                op["requestBody"] = {"required": True,
                                     "content": {info["content_type"]: {"schema": info["request_body"]}}}
            ok = {"description": "OK"}
            if info["response"] is not None:
                ok["content"] = {"application/json": {"schema": info["response"]}}
            op["responses"][str(info["status"])] = ok
            for status in sorted(set(info["errors"]) | {400}):
                op["responses"][str(status)] = {
                    "description": str(_HTTP_MESSAGES.get(status, "Error")),
                    "content": {"application/json": {"schema": ref("Error")}},
                }
            if info["auth"]:
                op["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pasar UMKM API", "version": "1.0.0",
                 "description": "The public JSON API of Pasar UMKM. Money is integer rupiah."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(SCHEMAS.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


schema("Error", {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }},
})


def list_of(item_ref: dict) -> dict:
    """The schema of a paginated list {items, total, page, per_page} of `item_ref`."""
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": item_ref},
            "total": {"type": "integer"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    }
