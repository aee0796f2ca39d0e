"""Limits every request meets before any view runs: ids in range, body sizes, no NUL bytes.

- `<int:...>` in any route accepts only ids the database's `integer` columns can hold, so
  `/produk/99999999999999` or `/api/v1/bookings/2147483648` is a plain 404, never a database
  error.
- Bodies are limited by family: a JSON API call gets `API_MAX_BODY_BYTES`, an API image upload
  `MAX_IMAGE_BYTES` plus room for the multipart envelope, pages `MAX_CONTENT_LENGTH` (CSV
  imports) with form fields capped by `MAX_FORM_MEMORY_SIZE`. Werkzeug refuses a larger body
  from its Content-Length with 413 before reading it.
- A NUL byte in the path, query string or a form field is refused (400; the API's own
  parameters answer 422 through `@doc`): PostgreSQL cannot store one and no person types one.
"""
from __future__ import annotations

from flask import abort, current_app, request
from werkzeug.routing import IntegerConverter

INT32_MAX = 2_147_483_647
#: Room for a multipart envelope and its small fields around one uploaded image.
MULTIPART_ENVELOPE_BYTES = 256 * 1024


def _up_to(limit: str) -> str:
    """A regular expression for the decimal numbers 1..limit, without leading zeros."""
    n = len(limit)
    parts = [r"[1-9]\d{0,%d}" % (n - 2)] if n > 1 else []
    for i, digit in enumerate(limit):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = n - i - 1
            parts.append(limit[:i] + f"[{low}-{int(digit) - 1}]" + (r"\d{%d}" % rest if rest else ""))
    parts.append(limit)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>`: an id, 1 to the database's integer limit, or the URL matches no route.

    The range lives in the regular expression, not only in `max`: Werkzeug checks `max` after
    it has matched the path, so an id out of range on a path that other methods also serve
    (GET and DELETE /products/<id>) would answer 405 instead of 404.
    """

    regex = _up_to(str(INT32_MAX))

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = INT32_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _limit_body() -> None:
    from marketplace.api import is_api_request

    config = current_app.config
    if is_api_request():
        if request.mimetype == "multipart/form-data":
            request.max_content_length = config["MAX_IMAGE_BYTES"] + MULTIPART_ENVELOPE_BYTES
        else:
            request.max_content_length = config["API_MAX_BODY_BYTES"]


def _refuse_nul() -> None:
    from marketplace.api import is_api_request

    if "\x00" in request.path:
        abort(404)
    if is_api_request():
        return  # the API's declared parameters are checked by `@doc`, in its error shape
    if any("\x00" in v for values in request.args.listvalues() for v in values):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        if any("\x00" in v for values in request.form.listvalues() for v in values):
            abort(400)


def register_converters(app) -> None:
    """Bound `<int:...>` to the id range; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter


def init_app(app) -> None:
    """Install the body limits and the NUL guard; call before CSRFProtect reads any form."""
    app.before_request(_limit_body)
    app.before_request(_refuse_nul)
