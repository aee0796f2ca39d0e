"""Plumbing shared by every domain's JSON API under /api/v1.

- one error shape: {"error": {"code", "message", "fields"}} with the fitting status;
- authentication by browser session or `Authorization: Bearer <token>` (`marketplace.auth.authenticate_bearer`);
- CSRF for session-authenticated writes (X-CSRFToken header); token-authenticated calls need none;
- request-body and pagination helpers;
- the OpenAPI registry: each route declares itself with `@doc(...)`, and `/api/v1/openapi.json`
  is built from those declarations (a test holds them against the URL map).
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import jsonschema
import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from marketplace.errors import DomainError, Forbidden, Unauthorized, ValidationError
from marketplace.extensions import csrf, db

API_PREFIX = "/api/v1"

#: The largest id a path or body may name: the database's `integer` columns stop here.
INT32_MAX = 2_147_483_647
#: The deepest a JSON body may nest; real bodies need 4.
MAX_JSON_DEPTH = 32
#: The highest `page` a list answers (with per_page 100, a million rows deep).
MAX_PAGE = 10_000
#: A query-string text parameter's length limit when its declaration names none.
DEFAULT_QUERY_MAX_LENGTH = 200

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

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
    links: dict | None = None,
    produces: tuple[str, ...] = ("application/json",),
) -> Callable:
    """Describe an API route for the OpenAPI document and hold its requests to that description.

    Put it under the route decorator (and under `login_required_api`, so a caller who is not
    logged in hears 401 before anything about their input). Before the view runs, the query
    parameters in `params` and a JSON `request_body` are checked against their schemas: types
    (a string is never taken for a number), lengths, ranges, enums, patterns and required
    fields. A request that fails is answered 422 (400 for a body that is not JSON at all) in the
    API error shape, so the document and the validation cannot drift apart. Keys a body schema
    does not name are ignored. `links` (OpenAPI response links) say which operation the answer
    feeds, for clients and the stateful fuzzer.
    """

    def decorate(view):
        info = {
            "summary": summary,
            "request_body": request_body,
            "response": response,
            "status": status,
            "auth": auth,
            "params": params or [],
            "errors": errors,
            "content_type": content_type,
            "tags": list(tags),
            "links": links or {},
            "produces": produces,
        }

        @functools.wraps(view)
        def checked(*args, **kwargs):
            g.api_operation = info
            check_query(info)
            return view(*args, **kwargs)

        checked._openapi = info
        return checked

    return decorate


def query_param(name: str, type_: str = "string", description: str = "", **extra) -> dict:
    """An optional query-string parameter for `@doc(params=[...])`.

    Text parameters get `DEFAULT_QUERY_MAX_LENGTH` unless they name a limit or an enum; integer
    ones get the database's range unless they name a narrower one.
    """
    spec = {"type": type_, **extra}
    if type_ == "string" and "enum" not in spec:
        spec.setdefault("maxLength", DEFAULT_QUERY_MAX_LENGTH)
    if type_ == "integer":
        spec.setdefault("minimum", 0)
        spec.setdefault("maximum", INT32_MAX)
    return {"name": name, "in": "query", "required": False, "schema": spec,
            "description": description}


def text_schema(max_len: int, *, min_len: int = 0, required: bool = True,
                nullable: bool = False, **extra) -> dict:
    """A text field as the services read it: trimmed, then `min_len`..`max_len` characters.

    `required=False` also takes blank text (the service reads it as absent).
    """
    spec: dict[str, Any] = {"type": "string", "maxLength": max_len, **extra}
    if min_len >= 2:
        core = r"\S[\s\S]{%d,}\S" % (min_len - 2)
    elif min_len == 1 or required:
        core = r"\S"
    else:
        core = None
    if core is not None and "pattern" not in spec:
        spec["pattern"] = core if required else r"^\s*$|" + core
    if nullable:
        spec["nullable"] = True
    return spec


def page_params() -> list[dict]:
    """The `page` and `per_page` parameters every list takes."""
    return [query_param("page", "integer", "Page number, from 1.", minimum=1, maximum=MAX_PAGE),
            query_param("per_page", "integer", "Items per page, 1 to 100.", minimum=1,
                        maximum=100)]


# --- request checking -------------------------------------------------------------------------


class UnsupportedMediaType(DomainError):
    """The body is not of the type the operation reads (JSON)."""

    status = 415
    code = "unsupported_media_type"
    default_message = _l("Jenis konten tidak didukung.")


_FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


@_FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    date.fromisoformat(value)
    return True


@_FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?",
                        value):
        return False
    datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    return True


#: Reference data a schema may take its enum from: {"type": "string", "x-enum-from": "name"}.
#: Domains register where the values come from (catalog: categories, provinces, regencies).
ENUM_SOURCES: dict[str, Callable[[], list[str]]] = {}


_UNCACHED: set[str] = set()


def enum_source(name: str, values: Callable[[], list[str]], *, cache: bool = True) -> None:
    """Let schemas say `"x-enum-from": name`; `values()` lists the allowed values.

    Reference data is read once per app (`cache`); values that follow the configuration
    (the payment methods on offer) are read each time.
    """
    ENUM_SOURCES[name] = values
    if not cache:
        _UNCACHED.add(name)


def _enum_values(name: str) -> list[str]:
    if name in _UNCACHED:
        return list(ENUM_SOURCES[name]())
    cache = current_app.extensions.setdefault("api_enums", {})
    if name not in cache:
        cache[name] = list(ENUM_SOURCES[name]())
    return cache[name]


def _with_enums(node):
    """The schema with each `x-enum-from` replaced by the `enum` it names (for the document)."""
    if isinstance(node, list):
        return [_with_enums(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _with_enums(v) for k, v in node.items() if k != "x-enum-from"}
    if "x-enum-from" in node:
        out["enum"] = _enum_values(node["x-enum-from"])
    return out


_ANNOTATIONS = ("nullable", "example", "description", "readOnly", "writeOnly", "x-enum-from")


@_FORMAT_CHECKER.checks("email")
def _is_email(value) -> bool:
    """An address's shape (one @, a dotted domain); the accounts service checks the rest."""
    return not isinstance(value, str) or re.fullmatch(r"\s*[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\s*", value) is not None


def _json_schema(node, seen: tuple[str, ...] = ()):
    """An OpenAPI 3.0 schema as plain JSON Schema: $refs inlined, `nullable` as a null type."""
    if isinstance(node, list):
        return [_json_schema(n, seen) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:  # a recursive schema: stop checking deeper than the first level
            return {}
        return _json_schema(SCHEMAS[name], seen + (name,))
    out = {}
    for key, value in node.items():
        if key in _ANNOTATIONS:
            continue
        if key == "properties":  # a map of names to schemas: the names are data, keep them all
            out[key] = {name: _json_schema(sub, seen) for name, sub in value.items()}
        else:
            out[key] = _json_schema(value, seen)
    if "x-enum-from" in node:
        out["enum"] = _enum_values(node["x-enum-from"])
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _validator_for(schema_json: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(json.loads(schema_json), format_checker=_FORMAT_CHECKER)


def _validator(openapi_schema: dict) -> jsonschema.Draft4Validator:
    return _validator_for(json.dumps(_json_schema(openapi_schema), sort_keys=True))


_TYPE_NAMES = {
    "string": _l("teks"), "integer": _l("bilangan bulat"), "number": _l("angka"),
    "boolean": _l("true atau false"), "object": _l("objek JSON"), "array": _l("daftar"),
}


def _message(error: jsonschema.ValidationError):
    """A reader's message for one schema violation."""
    kind, value = error.validator, error.validator_value
    if kind == "type":
        names = [value] if isinstance(value, str) else [v for v in value if v != "null"]
        return _l("Harus berupa %(type)s.", type=str(_TYPE_NAMES.get(names[0], names[0])))
    if kind == "maxLength":
        return _l("Paling banyak %(n)d karakter.", n=value)
    if kind == "minLength":
        return _l("Wajib diisi.") if value == 1 else _l("Paling sedikit %(n)d karakter.", n=value)
    if kind == "maximum":
        return _l("Paling besar %(n)s.", n=value)
    if kind == "minimum":
        return _l("Paling kecil %(n)s.", n=value)
    if kind == "enum":
        return _l("Pilih salah satu: %(values)s.",
                  values=", ".join(str(v) for v in value if v is not None))
    if kind == "maxItems":
        return _l("Paling banyak %(n)d butir.", n=value)
    if kind == "minItems":
        return _l("Paling sedikit %(n)d butir.", n=value)
    if kind == "uniqueItems":
        return _l("Tidak boleh ada yang sama.")
    return _l("Formatnya tidak sesuai.")


def _field_name(path) -> str:
    """A violation's field: dotted object keys, cut at the first list (`wholesale_tiers`)."""
    parts = []
    for part in path:
        if isinstance(part, int):
            break
        parts.append(str(part))
    return ".".join(parts)


def _field_errors(validator: jsonschema.Draft4Validator, instance, prefix: str = "") -> dict:
    """Every violation of `instance`, keyed by dotted field path (first message per field)."""
    fields: dict = {}
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        path = _field_name(error.path)
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    inside_list = any(isinstance(p, int) for p in error.path)
                    key = [prefix, path] if inside_list else [prefix, path, name]
                    fields.setdefault(".".join(filter(None, key)), _l("Wajib diisi."))
            continue
        fields.setdefault(".".join(filter(None, [prefix, path])) or "body", _message(error))
    return fields


def _bad_text(value: str) -> bool:
    """NUL bytes and lone surrogates: no database or encoder takes them, no person types them."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_depth(node) -> None:
    """Refuse a body nested deeper than MAX_JSON_DEPTH (400), without recursion."""
    stack = [(node, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise DomainError(_l("JSON terlalu dalam bersarang."), code="bad_json")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _check_text(node, path: str, fields: dict, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise DomainError(_l("JSON terlalu dalam bersarang."), code="bad_json")
    if isinstance(node, str):
        if _bad_text(node):
            fields.setdefault(path or "body", _l("Mengandung karakter yang tidak diizinkan."))
    elif isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if _bad_text(key):
                fields.setdefault(path or "body", _l("Mengandung karakter yang tidak diizinkan."))
                continue
            _check_text(value, sub, fields, depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_text(value, f"{path}.{i}" if path else str(i), fields, depth + 1)


def _parse_json_body():
    """The request body parsed as JSON, or a 415/400 in the API error shape."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType()
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise DomainError(_l("Isi permintaan bukan JSON yang sah."), code="bad_json") from None


def _query_value(spec: dict, raw: str):
    """One query-string value converted to its declared type, or raise ValueError."""
    kind = spec.get("type", "string")
    if kind == "integer":
        if not re.fullmatch(r"-?\d{1,12}", raw):
            raise ValueError
        return int(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError
        return raw == "true"
    return raw


def check_query(info: dict) -> None:
    """Hold the request's query string to the operation's declared parameters (422)."""
    fields: dict = {}
    for param in info["params"]:
        if param.get("in") != "query" or param["name"] not in request.args:
            continue
        spec = _json_schema(param["schema"])
        raw = request.args.get(param["name"])
        if _bad_text(raw):
            fields[param["name"]] = _l("Mengandung karakter yang tidak diizinkan.")
            continue
        try:
            value = _query_value(spec, raw)
        except ValueError:
            fields[param["name"]] = _message(jsonschema.ValidationError(
                "", validator="type", validator_value=spec.get("type")))
            continue
        fields.update(_field_errors(_validator(spec), value, prefix=param["name"]))
    if fields:
        raise ValidationError(fields=fields)


def _known_keys(data, schema):
    """`data` without the keys its object schemas do not name (they are ignored, unread)."""
    if isinstance(data, dict) and isinstance(schema, dict) and "properties" in schema \
            and schema.get("additionalProperties") is None:
        props = schema["properties"]
        return {k: _known_keys(v, props[k]) for k, v in data.items() if k in props}
    if isinstance(data, list) and isinstance(schema, dict) and isinstance(schema.get("items"), dict):
        return [_known_keys(v, schema["items"]) for v in data]
    if isinstance(schema, dict) and "anyOf" in schema:  # a nullable object
        return _known_keys(data, schema["anyOf"][0])
    return data


def _checked_body(info: dict):
    """The JSON body, held to the operation's request schema (400 not JSON, 422 invalid)."""
    raw = _parse_json_body()
    _check_depth(raw)
    data = _known_keys(raw, _json_schema(info["request_body"] or {}))
    fields: dict = {}
    _check_text(data, "", fields)
    body = info["request_body"] or {}
    if not fields and _json_schema(body).get("type") == "object" and not isinstance(data, dict):
        raise DomainError(_l("Isi permintaan harus berupa objek JSON."), code="bad_json")
    if not fields:
        fields.update(_field_errors(_validator(body), data))
    if fields:
        raise ValidationError(fields=fields)
    return data


def json_body() -> dict[str, Any]:
    """The request's JSON object, held to the route's `@doc` request schema.

    The body is checked here, when the view asks for it, rather than before the view: a caller
    writing to a store that is not theirs, or that does not exist, hears 403/404 first.
    """
    if "api_json_body" not in g:
        info = g.get("api_operation")
        if info is not None and info["request_body"] is not None:
            g.api_json_body = _checked_body(info)
        else:
            g.api_json_body = _parse_json_body()
    data = g.api_json_body
    if not isinstance(data, dict):
        raise DomainError(_l("Isi permintaan harus berupa objek JSON."), code="bad_json")
    return data


def pagination_args(default_per_page: int = 20) -> tuple[int, int]:
    """`page` (1..MAX_PAGE) and `per_page` (1..100) from the query string, validated."""
    fields = {}
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", str(default_per_page))
    if re.fullmatch(r"\d{1,6}", page) and 1 <= int(page) <= MAX_PAGE:
        page_i = int(page)
    else:
        fields["page"] = _l("Harus bilangan bulat 1 sampai %(n)d.", n=MAX_PAGE)
        page_i = 1
    if re.fullmatch(r"\d{1,3}", per_page) and 1 <= int(per_page) <= 100:
        per_page_i = int(per_page)
    else:
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
        if not current_app.config["WTF_CSRF_ENABLED"]:
            return None
        token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
        try:
            validate_csrf(token)
        except Exception:
            return error_response(400, "csrf_failed", _("Token CSRF tidak ada atau tidak valid."))
        return None
    # A route that needs a login answers an anonymous caller 401 itself, whatever the body
    # (an image upload is multipart, a DELETE has no body); only open routes must be JSON.
    # Only POST: a cross-site form can send nothing else, and other methods need a CORS
    # preflight we never grant. A request that matched no route (or not its method) is left to
    # routing, which answers 404 or 405 with `Allow`.
    if request.method != "POST" or request.routing_exception is not None:
        return None
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "_login_required", False):
        return None
    if request.mimetype != "application/json":
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
            response, status = error_response(status, _HTTP_CODES.get(status, "error"),
                                              _HTTP_MESSAGES.get(status, exc.name))
            # Keep what the exception says in its headers: `Allow` on a 405, above all.
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response, status
        from flask import render_template

        return render_template("errors/error.html", status=status,
                               message=_HTTP_MESSAGES.get(status, exc.name)), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        current_app.logger.exception("Unhandled error")
        db.session.rollback()
        if app.testing and not app.config["TESTING_SWALLOW_ERRORS"]:
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


_DOCUMENT_DESCRIPTION = (
    "The public JSON API of Pasar UMKM. Money is integer rupiah. Request bodies are checked "
    "against the schemas below before anything else: types are strict (a string is never read "
    "as a number), text has length limits, and keys a schema does not name are ignored. JSON "
    "bodies are limited to API_MAX_BODY_BYTES (128 KiB by default), image uploads to "
    "MAX_IMAGE_BYTES. A method a path does not offer answers 405 with `Allow`."
)


def _path_param(rule, arg: str) -> dict:
    """A path parameter: ids in the database's integer range, other segments short text."""
    if isinstance(rule._converters[arg], IntegerConverter):
        spec = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
    else:
        spec = {"type": "string", "minLength": 1, "maxLength": 120}
    return {"name": arg, "in": "path", "required": True, "schema": spec}


def _error_statuses(info: dict, *, login: bool, has_path: bool, method: str) -> set[int]:
    """Every error status the operation can answer, beyond the ones its route declares.

    400: a body that is not JSON, or a session write without its CSRF token. 401/403: the
    login and role guards. 404: a path naming nothing (or nothing of yours). 413/415/422: a
    body too large, of the wrong type, or failing its schema; 422 also for query parameters.
    """
    statuses = set(info["errors"]) | {400}
    if login or info["auth"]:
        statuses |= {401, 403}
    if has_path:
        statuses.add(404)
    if info["request_body"] is not None:
        statuses |= {413, 415, 422}
    elif method == "POST":
        statuses.add(415)
    if info["params"]:
        statuses.add(422)
    return statuses


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
        path_params = [_path_param(rule, arg) for arg in rule.arguments]
        login = getattr(view, "_login_required", False)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": info["summary"],
                "tags": info["tags"] or [rule.endpoint.split(".")[0]],
                "parameters": path_params + info["params"],
                "responses": {},
            }
            if info["request_body"] is not None:
                op["requestBody"] = {"required": True,
                                     "content": {info["content_type"]: {"schema": info["request_body"]}}}
            ok: dict[str, Any] = {"description": "OK"}
            if info["response"] is not None:
                ok["content"] = {
                    kind: {"schema": info["response"] if kind == "application/json"
                           else {"type": "string"}} for kind in info["produces"]}
            if info["links"]:
                ok["links"] = info["links"]
            op["responses"][str(info["status"])] = ok
            for status in sorted(_error_statuses(info, login=login, has_path=bool(path_params),
                                                 method=method)):
                op["responses"][str(status)] = {
                    "description": str(_HTTP_MESSAGES.get(status, "Error")),
                    "content": {"application/json": {"schema": ref("Error")}},
                }
            if info["auth"] or login:
                op["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pasar UMKM API", "version": "1.0.0",
                 "description": _DOCUMENT_DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": _with_enums(dict(sorted(paths.items()))),
        "components": {
            "schemas": _with_enums(dict(sorted(SCHEMAS.items()))),
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
