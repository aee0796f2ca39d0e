"""What every page form shares: putting a service's field errors under the form's fields.

Services raise `DomainError(fields={key: message})` with the keys of their own data (the same
keys the API reports). `apply_errors` puts each message under the form field of that key; a form
whose fields are named otherwise (rows of a list, an address under `shipping_address.`) says
which field a key belongs to by defining `field_for_error(key)`.
"""
from __future__ import annotations

from wtforms import Field

from marketplace.errors import DomainError

#: Fields a user cannot see, so a message for them is flashed instead.
_INVISIBLE = ("HiddenField", "CSRFTokenField")


def default_field_for_error(form, key: str) -> Field | None:
    """The visible field named `key`, or None."""
    field = form._fields.get(key)
    if field is None or field.type in _INVISIBLE:
        return None
    return field


def apply_errors(form, exc: DomainError) -> list:
    """Put a service error's field messages under the matching form fields.

    Returns the messages that belong to no visible field (or the error's own message when it
    names no field), for the page to flash.
    """
    find = getattr(form, "field_for_error", None)
    leftover = []
    for key, message in exc.fields.items():
        field = find(key) if find is not None else default_field_for_error(form, key)
        if field is None:
            leftover.append(message)
        else:
            field.errors = list(field.errors) + [message]
    if not exc.fields:
        leftover.append(exc.message)
    return leftover
