"""Accounts: users, their roles, their login sessions and their personal API tokens."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from marketplace.extensions import db
from marketplace.timeutil import utcnow


class Role(enum.StrEnum):
    """What a user may do. A user may hold several (a buyer who also sells)."""

    BUYER = "buyer"
    SELLER = "seller"
    OFFICER = "officer"  # a government trade officer (petugas dinas perdagangan)
    FINANCE = "finance"  # confirms payments to the marketplace's accounts, makes payouts
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    timezone: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    is_active_flag: so.Mapped[bool] = so.mapped_column("is_active", default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    role_rows: so.Mapped[list[UserRole]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="UserRole.user_id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_active_flag

    @property
    def roles(self) -> list[str]:
        """Role names, in a stable order."""
        order = list(Role)
        return sorted((r.role for r in self.role_rows), key=lambda r: order.index(Role(r)))

    def has_role(self, role: Role | str) -> bool:
        return any(r.role == str(role) for r in self.role_rows)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_officer(self) -> bool:
        """Officers and admins may curate: verify stores, run events."""
        return self.has_role(Role.OFFICER) or self.has_role(Role.ADMIN)

    #: The login this User object was loaded through ("<session id>:<secret>"), set by
    #: `accounts.services.start_session` and `live_session`; not a column.
    session_token = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the login, not the user.

        Flask-Login's "alternative token" pattern: the user loader receives this value back and
        accepts it only while its `UserSession` row is live, so logging out (revoking the row)
        ends every copy of the cookie, and each login writes a different value.
        """
        if self.session_token is None:
            raise RuntimeError("log in through accounts.services.start_session, not login_user alone")
        return self.session_token

    # UserMixin compares users by `get_id()`, which is now the login: compare by account instead.
    __hash__ = object.__hash__

    def __eq__(self, other):
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True)
    granted_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    granted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    user: so.Mapped[User] = so.relationship(back_populates="role_rows", foreign_keys=[user_id])


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    label: so.Mapped[str] = so.mapped_column(sa.String(80))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    user: so.Mapped[User] = so.relationship()


class UserSession(db.Model):
    """One login of a user in one browser, so that a session can end on the server.

    The session and remember cookies carry `"<id>:<secret>"`; only the SHA-256 of the secret is
    stored. A session is live while it is neither revoked (logout, password change, admin) nor
    past `expires_at` (the session lifetime, or the remember-me lifetime when `remember`).
    """

    __tablename__ = "user_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    remember: so.Mapped[bool] = so.mapped_column(default=False)
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), index=True)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    user: so.Mapped[User] = so.relationship()
