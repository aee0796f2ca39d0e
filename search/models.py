"""The search outbox: a row per change the search indexes have still to learn about.

Rows are written in the same transaction as the catalog change (through catalog signals), so a
committed change always has its row; the dispatcher applies rows after commit and deletes them,
and `flask search sync` retries what failed. One row per backend, so the embedded index keeps
up even while Elasticsearch is down.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from marketplace.extensions import db
from marketplace.timeutil import utcnow


class OutboxEntry(db.Model):
    __tablename__ = "search_outbox"
    __table_args__ = (sa.Index("ix_search_outbox_backend_id", "backend", "id"),)

    id: so.Mapped[int] = so.mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                          primary_key=True)
    backend: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: "product" or "store" (a store change re-indexes all its products)
    entity: so.Mapped[str] = so.mapped_column(sa.String(16))
    entity_id: so.Mapped[int] = so.mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
