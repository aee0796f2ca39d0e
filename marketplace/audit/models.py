"""The audit log's table and its writing and reading."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import has_request_context, request

from marketplace.extensions import db
from marketplace.timeutil import day_start, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_target", "target_type", "target_id"),
                      sa.Index("ix_audit_entries_actor_at", "actor_id", "at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    #: no ON DELETE: a user who acted is never deleted (accounts are anonymised instead)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    #: the actor's roles when acting (admin, officer, finance ...)
    actor_roles: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    action: so.Mapped[str] = so.mapped_column(sa.String(60), index=True)
    target_type: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    target_id: so.Mapped[int | None] = so.mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    before: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    after: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    ip: so.Mapped[str | None] = so.mapped_column(sa.String(45))
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    actor = so.relationship("User")


class AuditAppendOnly(RuntimeError):
    """Something tried to change or delete an audit entry."""


@sa.event.listens_for(so.Session, "before_flush")
def _refuse_changes(session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditAppendOnly(f"audit entry {obj.id} is append-only")


def _plain(value):
    """A JSON-safe copy: dates as ISO text, sets as sorted lists, other objects as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _target(target) -> tuple[str | None, int | None]:
    if target is None:
        return None, None
    if isinstance(target, tuple):
        return target[0], target[1]
    return getattr(target, "__tablename__", type(target).__name__.lower()), target.id


def _acting_user():
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None


def record(action: str, target=None, *, before=None, after=None, note=None, actor=None) -> AuditEntry:
    actor = actor if actor is not None else _acting_user()
    target_type, target_id = _target(target)
    entry = AuditEntry(action=action, target_type=target_type, target_id=target_id,
                       before=_plain(before), after=_plain(after), note=(note or None),
                       actor_id=getattr(actor, "id", None),
                       actor_roles=",".join(sorted(getattr(actor, "roles", []) or [])) or None)
    if has_request_context():
        entry.ip = (request.remote_addr or "")[:45] or None
        from flask import g

        entry.request_id = getattr(g, "request_id", None)
    db.session.add(entry)
    db.session.flush()
    return entry


def entries_select(*, actor_email: str | None = None, action: str | None = None,
                   target_type: str | None = None, target_id: int | None = None,
                   start: date | None = None, end: date | None = None) -> sa.Select:
    """The log, newest first, filtered: an actor's e-mail (part of it), an action (or its
    prefix: "store." for every store action), a target, WIB days."""
    from marketplace.accounts.models import User

    stmt = sa.select(AuditEntry).options(so.joinedload(AuditEntry.actor))
    if actor_email:
        stmt = stmt.join(User, User.id == AuditEntry.actor_id).where(
            sa.func.lower(User.email).contains(actor_email.lower(), autoescape=True))
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    if start is not None:
        stmt = stmt.where(AuditEntry.at >= day_start(start))
    if end is not None:
        stmt = stmt.where(AuditEntry.at < day_start(end + timedelta(days=1)))
    return stmt.order_by(AuditEntry.id.desc())
