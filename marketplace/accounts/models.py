"""Accounts: users, their roles and their personal API tokens."""
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

    role_rows: so.Mapped[list["UserRole"]] = so.relationship(
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
