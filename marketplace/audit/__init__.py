"""The audit log: every officer's and admin's action, append-only.

`record(action, target, before=..., after=..., note=...)` adds one `AuditEntry` in the caller's
transaction (so a rolled-back action leaves no entry): who (the acting user, by default the
request's), when, what (`action`, a dotted name such as "store.verify"), on what (`target`: a
model instance or a (type, id) pair), the values before and after, and the client address.
Nothing updates or deletes an entry: the ORM refuses it, and on PostgreSQL a trigger does too
(migration 0019). Admins read it on `/admin/audit` (filters, CSV; `marketplace/audit/views.py`).
"""
from __future__ import annotations


def record(action: str, target=None, *, before: dict | None = None, after: dict | None = None,
           note: str | None = None, actor=None):
    """Record one action (see the module's doc). Returns the entry (added and flushed)."""
    from marketplace.audit.models import record as _record

    return _record(action, target, before=before, after=after, note=note, actor=actor)
