"""Rate-limit counters in the app's own database, so a limit holds across workers and processes.

Flask-Limiter counts through a `limits` storage. Its `memory://` storage is per process: with
two gunicorn workers each kept its own count, and 13-18 wrong passwords passed a limit of 10.
Until the project has Redis, the default storage (`RATELIMIT_STORAGE_URI=database://`) is the
`rate_limits` table, one row per limit key and fixed window (Flask-Limiter's default strategy).

Each hit is one atomic upsert, which PostgreSQL and SQLite both run:

    INSERT INTO rate_limits (key, count, expires_at) VALUES (:key, :amount, :window_end)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.count + :amount END,
        expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :window_end ELSE rate_limits.expires_at END
    RETURNING count

so concurrent hits from any number of processes are counted exactly. The storage has its own
engine in autocommit mode: a counted attempt is committed at once, whatever the request's own
transaction does later (a failed login rolls back; its attempt still counts).
"""
from __future__ import annotations

import hashlib
import os
import threading
import time

import sqlalchemy as sa
import sqlalchemy.orm as so
from limits.storage import Storage

from marketplace.extensions import db

#: How often (in hits, per process) expired rows are deleted.
PURGE_EVERY = 500
_MAX_KEY = 255


class RateLimit(db.Model):
    """One rate-limit counter: `count` hits in the window that ends at `expires_at` (epoch s)."""

    __tablename__ = "rate_limits"

    key: so.Mapped[str] = so.mapped_column(sa.String(_MAX_KEY), primary_key=True)
    count: so.Mapped[int] = so.mapped_column(default=0)
    expires_at: so.Mapped[float] = so.mapped_column(sa.Double, index=True)


_table = RateLimit.__table__


def _key(key: str) -> str:
    """Keys are short (`LIMITER/<address>/<endpoint>/10/1/minute`); a longer one is hashed."""
    if len(key) <= _MAX_KEY:
        return key
    return key[:180] + "#" + hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage backed by the `rate_limits` table, for the fixed-window strategy.

    The database is named in the URI itself, `database://<SQLAlchemy URL>`: `init_app` turns a
    bare `database://` into the app's SQLALCHEMY_DATABASE_URI that way. (Not in
    RATELIMIT_STORAGE_OPTIONS: Flask-Limiter merges those into its one extension object, so a
    second app in the process, with a Redis URI, would receive them too.)
    """

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, *, url: str | None = None,
                 **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = url or (uri or "").removeprefix("database://")
        if not url:
            raise ValueError("database:// rate-limit storage needs the database: database://<SQLAlchemy URL>")
        self.url = url
        self._engine: sa.Engine | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._hits = 0

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @property
    def engine(self) -> sa.Engine:
        """This process's engine (a forked worker must not share its parent's connections)."""
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                if self._engine is not None:
                    self._engine.dispose(close=False)
                options: dict = {"isolation_level": "AUTOCOMMIT", "pool_pre_ping": True}
                if sa.make_url(self.url).get_backend_name() == "sqlite":
                    options["connect_args"] = {"timeout": 15}
                self._engine = sa.create_engine(self.url, **options)
                self._pid = os.getpid()
            return self._engine

    def _insert(self):
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.engine.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - the app runs on these two
            raise NotImplementedError(f"no upsert for {self.engine.dialect.name}")
        return insert(_table)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits on `key`; a window past its end starts again. Returns the count."""
        now = time.time()
        stmt = self._insert().values(key=_key(key), count=amount, expires_at=now + expiry)
        expired = _table.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "count": sa.case((expired, amount), else_=_table.c.count + amount),
                "expires_at": sa.case((expired, now + expiry), else_=_table.c.expires_at),
            },
        ).returning(_table.c.count)
        with self.engine.connect() as conn:
            count = conn.execute(stmt).scalar_one()
        self._hits += 1
        if self._hits % PURGE_EVERY == 0:
            self.purge_expired()
        return count

    def get(self, key: str) -> int:
        with self.engine.connect() as conn:
            count = conn.execute(
                sa.select(_table.c.count).where(_table.c.key == _key(key),
                                                _table.c.expires_at > time.time())
            ).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as conn:
            expires_at = conn.execute(
                sa.select(_table.c.expires_at).where(_table.c.key == _key(key))
            ).scalar()
        return expires_at if expires_at is not None and expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter (tests call `limiter.reset()`)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.delete(_table).where(_table.c.key == _key(key)))

    def purge_expired(self) -> int:
        """Delete counters whose window has ended."""
        with self.engine.connect() as conn:
            return conn.execute(sa.delete(_table).where(_table.c.expires_at <= time.time())).rowcount


def init_app(app) -> None:
    """Point `database://` at the app's database. Call before `limiter.init_app(app)`."""
    if app.config["RATELIMIT_STORAGE_URI"] == "database://":
        app.config["RATELIMIT_STORAGE_URI"] = "database://" + app.config["SQLALCHEMY_DATABASE_URI"]


def purge_expired_counters() -> int:
    """Delete ended counters from the app's database (the `ratelimit.purge` job); 0 when the
    counters live elsewhere (Redis expires its own)."""
    from flask import current_app

    from marketplace.extensions import db

    if not current_app.config["RATELIMIT_STORAGE_URI"].startswith("database://"):
        return 0
    return db.session.execute(sa.delete(_table).where(_table.c.expires_at <= time.time())).rowcount
