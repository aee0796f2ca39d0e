"""In-app notifications, for every domain: the model, `notify`, the message texts, the page.

A notification stores its kind and parameters, not its text: the text is rendered in the
reader's language when shown (or mailed). Each domain registers the texts of its kinds on the
`messages` hook (`{kind: lazy message}` with `%(name)s` parameters) and calls `notify`.
The rows are also the outbox the mailer reads (`emailed_at` once sent).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, render_template
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from marketplace.extensions import db
from marketplace.hooks import Hook
from marketplace.timeutil import utcnow
from marketplace.web import acting_user, paginate

bp = Blueprint("notifications", __name__)
PER_PAGE = 20

messages = Hook("messages", "{kind: lazy message} dicts: the texts of notifications.")


class Notification(db.Model):
    """An in-app notification; also the outbox a mailer reads (`emailed_at` once sent)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: message parameters; the text is rendered in the reader's language when shown
    params: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    url: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    emailed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    email_attempts: so.Mapped[int] = so.mapped_column(default=0)


def notify(user_id: int, kind: str, *, params: dict | None = None, url: str | None = None) -> Notification:
    """Queue a notification of `kind` (a registered message) for one user."""
    row = Notification(user_id=user_id, kind=kind, params=dict(params or {}), url=url)
    db.session.add(row)
    return row


def all_messages() -> dict:
    """Every registered kind and its text."""
    merged: dict = {}
    for entry in messages.entries():
        merged.update(entry)
    return merged


@dataclass(frozen=True)
class Plural:
    """A notification text whose wording follows a count: `count` names the parameter that
    chooses the form ("dalam 1 hari" / "in 1 day", "in 2 days"). Extracted as a plural entry
    (`-k Plural:1,2` in scripts/i18n.sh)."""

    singular: str
    plural: str
    count: str

    def format(self, params: dict) -> str:
        return get_translations().ngettext(self.singular, self.plural, int(params[self.count])) % params


def render(notification: Notification) -> str:
    """The notification's text in the current language, its parameters filled in."""
    template = all_messages().get(notification.kind)
    if template is None:
        return notification.kind
    params = dict(notification.params or {})
    try:
        if isinstance(template, Plural):
            return template.format(params)
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def unread_count(user_id: int) -> int:
    """How many of the user's notifications are not read yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_all_read(user_id: int) -> None:
    """Mark every notification of the user read."""
    db.session.execute(sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=utcnow()))


def user_notifications(user_id: int) -> sa.Select:
    """The user's notifications, newest first."""
    return (sa.select(Notification).where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


@bp.get("/notifikasi")
@login_required
def index():
    """The user's notifications, newest first, in the reader's language; viewing marks them read."""
    me = acting_user()
    page = paginate(user_notifications(me.id), PER_PAGE)
    items = [(n, render(n), n.read_at is None) for n in page.items]
    mark_all_read(me.id)
    return render_template("notifications/index.html", page=page, items=items)


def init_app(app) -> None:
    """The page, and the bell in the header with the unread count."""
    from marketplace.navigation import NavLink, nav_links

    app.register_blueprint(bp)
    nav_links.register(app, NavLink("notifications.index", _l("Notifikasi"), audience="member",
                                    order=30, template="partials/nav_bell.html", placement="bar",
                                    counter=lambda user: unread_count(user.id),
                                    counter_label=_l("%(n)d belum dibaca")))
