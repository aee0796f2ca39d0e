"""Domain errors that services raise; pages and the API turn them into what a person or client sees.

Messages are lazy Flask-Babel strings so they render in the language of whoever reads them.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Base of the errors a service raises on purpose."""

    status = 400
    code = "bad_request"
    default_message = _l("Permintaan tidak valid.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = dict(fields or {})
        super().__init__(str(self.message))


class ValidationError(DomainError):
    """One or more fields are invalid; `fields` maps field name to message."""

    status = 422
    code = "invalid_fields"
    default_message = _l("Beberapa isian tidak valid.")


class NotFound(DomainError):
    """Not found, or not yours to see (we do not reveal which)."""

    status = 404
    code = "not_found"
    default_message = _l("Tidak ditemukan.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("Anda tidak berhak melakukan ini.")


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    default_message = _l("Silakan masuk terlebih dahulu.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("Permintaan bertentangan dengan keadaan saat ini.")
