"""Shared fixtures: the app on a real database, a clean database per test, clients and logins.

The database is PostgreSQL when DATABASE_URL points at one (as `make test` arranges). Without it,
a local run falls back to SQLite; under CI (CI=true) that is an error, never a silent downgrade.

Under pytest-xdist (`make test` runs 2 workers) each worker has services of its own, chosen in
`pytest_configure` from PYTEST_XDIST_WORKER (gw0, gw1, ...): its own PostgreSQL database (the
given one's name + `_gw0`, created when missing), Elasticsearch prefix (+ `-gw0`) and local
Stripe API (the worker's entry of STRIPE_API_BASES). They are written back into the environment,
so the servers and workers a test starts in a subprocess use them too. Without xdist nothing
changes.
"""
from __future__ import annotations

import os
import re
import tempfile

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "rahasia-123"
_CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
REFERENCE_TABLES = {"provinces", "regencies", "districts", "villages", "reference_data", "categories",
                    "alembic_version"}


#: The pytest-xdist worker this process is ("gw0", "gw1", ...), "" when the suite is not parallel.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql", "postgres"))


def _with_driver(url: str) -> str:
    """SQLAlchemy's URL with the installed driver named (psycopg 3)."""
    for bare in ("postgres://", "postgresql://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare):]
    return url


def _worker_database(url: str) -> str:
    """The worker's own database on the same server: `pasar_test` -> `pasar_test_gw0`."""
    parsed = sa.engine.make_url(url)
    return parsed.set(database=f"{parsed.database}_{XDIST_WORKER}").render_as_string(hide_password=False)


#: Why this worker has no local Stripe API (set by pytest_configure), if so.
_stripe_missing: list[str] = []


def pytest_configure(config):
    """Under xdist, point this worker at its own database, search prefix and local Stripe API."""
    if not XDIST_WORKER:
        return
    for name in ("TEST_DATABASE_URL", "DATABASE_URL"):
        if _is_postgresql(os.environ.get(name, "")):
            os.environ[name] = _worker_database(os.environ[name])
    prefix = os.environ.get("TEST_SEARCH_INDEX_PREFIX", "test-products")
    os.environ["TEST_SEARCH_INDEX_PREFIX"] = f"{prefix}-{XDIST_WORKER}"
    # localstripe is emptied by the tests that use it (tests/orders/conftest.py): one per worker.
    # Without a list, no worker may take the single STRIPE_API_BASE (the other would empty it).
    bases = [b.strip() for b in os.environ.get("STRIPE_API_BASES", "").split(",") if b.strip()]
    index = int(XDIST_WORKER.removeprefix("gw"))
    if index < len(bases):
        os.environ["STRIPE_API_BASE"] = bases[index]
    else:
        os.environ.pop("STRIPE_API_BASE", None)
        _stripe_missing.append(f"xdist worker {XDIST_WORKER} has none of its own: STRIPE_API_BASES lists "
                               f"{len(bases)} (scripts/test.sh starts one per worker)")


def local_stripe_api() -> tuple[str | None, str]:
    """(base URL, why there is none) of the local Stripe API this process may use."""
    base = os.environ.get("STRIPE_API_BASE")
    return base, "" if base else (_stripe_missing[0] if _stripe_missing else "STRIPE_API_BASE is not set")


def _create_database_if_missing(url: str) -> None:
    """CREATE DATABASE the worker's database, connected to the server's `postgres` database as
    the same user (who may create databases: scripts/postgres.sh gives it CREATEDB)."""
    target = sa.engine.make_url(url)
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    exists = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
    try:
        with engine.connect() as conn:
            if conn.scalar(exists, {"name": target.database}):
                return
            try:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
            except sa.exc.ProgrammingError:  # made at the same moment by another run
                if not conn.scalar(exists, {"name": target.database}):
                    raise
    finally:
        engine.dispose()


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if _is_postgresql(url):
        url = _with_driver(url)
        if XDIST_WORKER:
            _create_database_if_missing(url)
        return url
    if IN_CI:
        pytest.exit("CI=true but no PostgreSQL DATABASE_URL: run the suite through `make test`.", 3)
    return "sqlite:///" + os.path.join(tempfile.mkdtemp(), "test.db")


def require_service(name: str, available: bool, why: str = "") -> None:
    """Skip locally when a real service is missing; fail under CI, where it must be there."""
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if IN_CI:
        pytest.fail(message + " (CI=true: services are started by `make test`)")
    pytest.skip(message)


def require_postgresql(db, why: str) -> None:
    """The test is about PostgreSQL itself (row locks, a server database): skipped locally on the
    SQLite fallback, failed under CI, where `make test` always starts PostgreSQL."""
    require_service("PostgreSQL", db.engine.dialect.name == "postgresql",
                    f"{why}; the test database is {db.engine.dialect.name} (set TEST_DATABASE_URL)")


def _fresh_context_client_class():
    from flask.testing import FlaskClient

    class FreshContextClient(FlaskClient):
        """Runs each request in its own app context, as a server does. Without this, the `ctx`
        fixture's context would be reused and carry `g` (the logged-in user, the locale) from
        one request to the next."""

        def open(self, *args, **kwargs):
            with self.application.app_context():
                return super().open(*args, **kwargs)

    return FreshContextClient


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from app import create_app

    url = _database_url()
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "PRIVATE_UPLOAD_DIR": str(tmp_path_factory.mktemp("private-uploads")),
        "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "SERVER_NAME": None,
        # Search: the embedded index in a temp file; Elasticsearch only for the tests that ask
        # for it (tests/search), so catalog tests do not wait on index refreshes.
        "SEARCH_INDEX_PATH": str(tmp_path_factory.mktemp("search") / "index.db"),
        "ELASTICSEARCH_URL": None,
        # TEST_SEARCH_INDEX_PREFIX lets two checkouts share one Elasticsearch without clashing.
        "SEARCH_INDEX_PREFIX": os.environ.get("TEST_SEARCH_INDEX_PREFIX", "test-products"),
        "SEARCH_REFRESH": True,
        # Card payments only in the tests that start from the local Stripe API (stripe_api).
        "STRIPE_SECRET_KEY": None,
        "STRIPE_API_BASE": None,
        "STRIPE_WEBHOOK_SECRET": None,
        # Jobs run at once, in-process (the same job code a worker runs); the worker tests
        # (tests/marketplace/test_worker.py) start real workers on the real broker.
        "TASK_QUEUE_URL": None,
        "TASK_QUEUE_IMMEDIATE": True,
        "RATELIMIT_STORAGE_URI": "database://",
    })
    app.test_client_class = _fresh_context_client_class()
    with app.app_context():
        from flask_migrate import upgrade

        from marketplace.extensions import db

        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_db(request):
    """Each test that uses the app starts with only the reference data (regions, categories);
    a test without it (pure functions) touches no database and costs no cleaning."""
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    if app is not None and "no_platform_account" not in request.keywords:
        add_platform_account(app)
    yield
    if app is not None:
        clean_database(app)


#: the marketplace's bank account every test starts with (buyers transfer to it); a test marked
#: `no_platform_account` starts without one
PLATFORM_ACCOUNT = {"bank_code": "014", "number": "8090112233", "holder": "PT Pasar UMKM Lampung"}


def add_platform_account(app) -> None:
    from marketplace.extensions import db
    from orders.models import PlatformBankAccount

    with app.app_context():
        db.session.add(PlatformBankAccount(**PLATFORM_ACCOUNT))
        db.session.commit()
        db.session.remove()


#: each identity sequence used since its last restart (pg_sequences.last_value is NULL until
#: then), with the table that owns it
_USED_SEQUENCES_SQL = """
SELECT c.relname, quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename) FROM pg_sequences s
  JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relkind = 'S'
  JOIN pg_depend d ON d.objid = sc.oid AND d.deptype IN ('a', 'i')
  JOIN pg_class c ON c.oid = d.refobjid
 WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL
"""


#: tables whose rows PostgreSQL never lets change (orders/ledger): emptied by TRUNCATE
APPEND_ONLY_TABLES = ("ledger_lines", "ledger_entries", "audit_entries")


def clean_database(app) -> None:
    """Empty every table but the reference data, restart their ids, and reset the rate limits."""
    from marketplace.extensions import db, limiter

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                # only what a test dirtied, by DELETE, children first: TRUNCATE ... CASCADE of
                # all ~60 tables cost ~0.4 s a test (minutes over the suite), DELETE of a few ~20 ms
                with_rows = " UNION ALL ".join(
                    f"SELECT '{name}' FROM (SELECT 1 FROM {name} LIMIT 1) AS {name}_any" for name in tables)
                dirty = set(conn.scalars(sa.text(with_rows)))
                # the journal refuses DELETE (append-only triggers); TRUNCATE fires no row trigger
                journal = [name for name in APPEND_ONLY_TABLES if name in dirty]
                if journal:
                    # with the tables that point at the journal (books' entries), which TRUNCATE
                    # must name in the same statement
                    journal += [t.name for t in db.metadata.sorted_tables if
                                t.name not in journal and any(fk.column.table.name in APPEND_ONLY_TABLES
                                                              for fk in t.foreign_keys)]
                    conn.execute(sa.text(f"TRUNCATE {', '.join(journal)}"))
                    dirty -= set(journal)
                for name in tables:
                    if name in dirty:
                        conn.execute(sa.text(f"DELETE FROM {name}"))
                for table, sequence in conn.execute(sa.text(_USED_SEQUENCES_SQL)):
                    if table in tables:
                        conn.execute(sa.text(f"ALTER SEQUENCE {sequence} RESTART"))
            else:
                for name in tables:
                    conn.execute(sa.text(f"DELETE FROM {name}"))
        limiter.reset()


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.app_context():
        yield
        from marketplace.extensions import db

        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app, ctx):
    from marketplace.extensions import db as _db

    return _db


_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


@pytest.fixture
def make_user(app, ctx):
    """make_user(roles=("buyer",), email=None, name=None) -> User (committed)."""
    from marketplace.accounts.models import User, UserRole
    from marketplace.extensions import db

    def make(roles=("buyer",), email=None, name=None):
        n = _next()
        user = User(email=email or f"user{n}@example.test", name=name or f"Pengguna {n}",
                    password_hash=_CHEAP_HASH)
        for role in roles:
            user.role_rows.append(UserRole(role=str(role)))
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(app):
    """login(client, user): log in through the real login form."""

    def do(client, user, password=PASSWORD):
        response = client.post("/masuk", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do


@pytest.fixture
def token_for(app):
    """token_for(user) -> a bearer header dict for a fresh personal API token."""
    from marketplace.accounts.services import create_token
    from marketplace.extensions import db

    def make(user):
        with app.app_context():
            _row, token = create_token(db.session.merge(user), "test")
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page carries no CSRF token"
    return match.group(1)


@pytest.fixture
def finance(make_user, token_for):
    """Finance's bearer headers: it confirms transfers and QRIS payments to the marketplace."""
    return token_for(make_user(roles=("finance",), name="Tim Keuangan"))


def confirm_transfer_of(order_id: int, app=None) -> None:
    """Finance confirms the transfer of the checkout `order_id` belongs to (as the finance page
    or a statement upload does) and commits: in the app context the test is in, or in one of
    `app`'s own (tests that act only through clients)."""
    from flask import has_app_context

    if app is not None and not has_app_context():
        with app.app_context():
            return confirm_transfer_of(order_id)
    from marketplace.accounts.models import Role, User
    from marketplace.accounts.services import grant_role
    from marketplace.extensions import db
    from orders.models import Order
    from orders.payments.escrow import confirm_payment

    clerk = db.session.scalar(sa.select(User).where(User.email == "keuangan@example.test"))
    if clerk is None:
        clerk = User(email="keuangan@example.test", name="Tim Keuangan", password_hash="x")
        db.session.add(clerk)
        db.session.flush()
        grant_role(clerk, Role.FINANCE, actor=None)
    confirm_payment(db.session.get(Order, order_id).checkout_id, actor=clerk)
    db.session.commit()
