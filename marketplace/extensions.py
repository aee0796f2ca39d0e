"""The Flask extensions, created once and bound to each app in `create_app`."""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from marketplace.config import SQLITE_BUSY_TIMEOUT_MS
from marketplace.cookies import LoginManager  # Flask-Login's, with the remember cookie's Secure derived


class Base(so.DeclarativeBase):
    """Declarative base for every model; constraint names are fixed so migrations are stable."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _connection_record) -> None:
    """Every SQLite connection (the embedded default database, an SQLite rate-limit store):
    WAL, so readers and the one writer never block each other, and a busy timeout, so a writer
    waits its turn for the write lock instead of failing after pysqlite's 5 s with "database is
    locked". Other databases are left alone."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    timeout_ms = SQLITE_BUSY_TIMEOUT_MS
    if has_app_context():
        timeout_ms = int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms:d}")
        cursor.execute("PRAGMA journal_mode = WAL")  # kept in the file; "memory" for :memory:
    finally:
        cursor.close()
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
