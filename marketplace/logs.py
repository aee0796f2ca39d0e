"""The process's logging: JSON lines in production, plain lines in development, a request id on each.

`configure_logging(app)` is called by the process's entry point (`wsgi.py`), not by the app
factory, so tests and other embedders keep their own logging. LOG_FORMAT chooses "json" or
"plain"; unset, it is plain when the app runs in debug (development) and JSON otherwise.

Each request gets an id: the incoming `X-Request-ID` when it is a sane token (at most 64 of
`[A-Za-z0-9._-]`), else a fresh uuid4 hex. It is `g.request_id`, goes back as the
`X-Request-ID` response header, and `RequestIdFilter` puts it on every log record emitted
during the request (`request_id`, None outside one). Ids of what a line is about go in
`extra=` (`log.info("payment marked paid", extra={"checkout_id": ...})`), which the JSON
formatter writes as fields.
"""
from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request

HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def assign_request_id() -> str:
    """Give the current request its id (the client's when sane) on `g.request_id`."""
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def current_request_id() -> str | None:
    """The current request's id, or None outside a request."""
    if not has_request_context():
        return None
    return g.get("request_id")


def send_request_id(response):
    """Return the request's id to the client (a request refused before its id was set gets one)."""
    response.headers[HEADER] = current_request_id() or assign_request_id()
    return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record passing the handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def formatter_for(log_format: str) -> logging.Formatter:
    """The formatter of a LOG_FORMAT value ("json" or "plain")."""
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                         "name": "logger"})
    if log_format == "plain":
        return logging.Formatter(PLAIN_FORMAT)
    raise ValueError(f"LOG_FORMAT must be 'json' or 'plain', not {log_format!r}")


def configure_logging(app: Flask, stream=None) -> logging.Handler:
    """Send the process's logs (root logger, INFO and up) to `stream` (stderr) in the app's
    LOG_FORMAT, with request ids. Calling it again replaces the handler it installed."""
    log_format = app.config["LOG_FORMAT"] or ("plain" if app.debug else "json")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(RequestIdFilter())
    handler._pasar_handler = True  # ours to replace on a second call
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_pasar_handler", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler
