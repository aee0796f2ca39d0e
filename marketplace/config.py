"""Configuration, read from the environment and nowhere else.

Every setting the app reads is defined here with its default, and read as `config["NAME"]`
(never with a second default at the read site). `create_app(overrides)` may replace values for
tests.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Also used for SQLite connections opened outside any app (marketplace/extensions.py).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'pasar.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def broker_url() -> str | None:
    """The task queue's Redis, when it has one."""
    url = os.environ.get("TASK_QUEUE_URL") or ""
    return url if url.startswith(("redis://", "rediss://")) else None


#: The development default of SECRET_KEY; outside development the app refuses to start with it.
DEV_SECRET_KEY = "dev-only-secret-change-me"


class UnsafeConfiguration(RuntimeError):
    """A setting that must not reach production (see `check_safe`)."""


def check_safe(config) -> None:
    """Refuse to start outside development (PASAR_ENV) and tests with settings unsafe there."""
    if config["TESTING"] or config["PASAR_ENV"] == "development":
        return
    if config["SECRET_KEY"] in (DEV_SECRET_KEY, "", None):
        raise UnsafeConfiguration(
            "SECRET_KEY is not set: sessions would be signed with the public development key. "
            "Set SECRET_KEY to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, "
            "or set PASAR_ENV=development on a development machine.")


def load() -> dict:
    """Return the app configuration built from environment variables."""
    return {
        # "production" (the default: safe settings required) or "development" (`make run`).
        "PASAR_ENV": os.environ.get("PASAR_ENV") or "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or DEV_SECRET_KEY,
        # Behind a reverse proxy: how many proxies in front set X-Forwarded-For/-Proto/-Host
        # (Werkzeug's ProxyFix trusts that many hops; 0 trusts none).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(ROOT / "instance" / "uploads"),
        # Files only their owners may see (bank-transfer receipts): outside UPLOAD_DIR, so no
        # spelling of a /media/ path (or a web server serving UPLOAD_DIR) can reach them.
        "PRIVATE_UPLOAD_DIR": os.environ.get("PRIVATE_UPLOAD_DIR")
        or str(ROOT / "instance" / "private-uploads"),
        "MAX_IMAGE_BYTES": _int("MAX_IMAGE_BYTES", 5 * 1024 * 1024),
        "MAX_IMAGES_PER_PRODUCT": 8,
        # Pictures decoded at once per process (each may need ~200 MiB at the 40 MP budget);
        # further uploads wait their turn (catalog/images.py).
        "IMAGE_DECODE_SLOTS": _int("IMAGE_DECODE_SLOTS", 2),
        # SQLite (the embedded default): how long a writer waits for the write lock before
        # "database is locked" (marketplace/extensions.py also turns on WAL).
        "SQLITE_BUSY_TIMEOUT_MS": _int("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS),
        # Whole-request cap: CSV imports of 10,000+ rows fit comfortably.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 32 * 1024 * 1024),
        # A JSON API body (the largest real one, a product with its descriptions, is ~25 KiB),
        # and the text fields of a page's form, each refused with 413 above this.
        "API_MAX_BODY_BYTES": _int("API_MAX_BODY_BYTES", 128 * 1024),
        "MAX_FORM_MEMORY_SIZE": _int("MAX_FORM_MEMORY_SIZE", 256 * 1024),
        "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL") or None,
        # Search: index alias prefix in Elasticsearch; the embedded backend's own SQLite file;
        # the bilingual synonyms file; how long to leave a failed Elasticsearch alone.
        "SEARCH_INDEX_PREFIX": os.environ.get("SEARCH_INDEX_PREFIX") or "pasar-products",
        "SEARCH_INDEX_PATH": os.environ.get("SEARCH_INDEX_PATH") or str(ROOT / "instance" / "search-index.db"),
        "SEARCH_SYNONYMS_FILE": os.environ.get("SEARCH_SYNONYMS_FILE") or None,
        "SEARCH_RETRY_SECONDS": _int("SEARCH_RETRY_SECONDS", 30),
        # Elasticsearch timeouts: a search fails fast (one try, then the embedded backend
        # answers); the bulk writes of a reindex and of `flask search sync` wait longer and
        # retry a failed chunk SEARCH_BULK_RETRIES times, after an exponential backoff from
        # SEARCH_RETRY_BACKOFF_SECONDS (doubling, capped at 30 s). The dispatch right after a
        # commit (inside a request) keeps the search timeout and one try: sync catches up.
        "SEARCH_TIMEOUT_SECONDS": _int("SEARCH_TIMEOUT_SECONDS", 5),
        "SEARCH_BULK_TIMEOUT_SECONDS": float(os.environ.get("SEARCH_BULK_TIMEOUT_SECONDS") or 60),
        "SEARCH_BULK_RETRIES": _int("SEARCH_BULK_RETRIES", 5),
        "SEARCH_RETRY_BACKOFF_SECONDS": float(os.environ.get("SEARCH_RETRY_BACKOFF_SECONDS") or 0.5),
        # Apply the search outbox right after each commit (off: only `flask search sync` does);
        # refresh Elasticsearch after each write, so a change is searchable at once (tests).
        "SEARCH_DISPATCH_ON_COMMIT": _bool("SEARCH_DISPATCH_ON_COMMIT", True),
        "SEARCH_REFRESH": _bool("SEARCH_REFRESH", False),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        # How old (seconds) a signed webhook may be before it is refused as a replay.
        "STRIPE_WEBHOOK_TOLERANCE": _int("STRIPE_WEBHOOK_TOLERANCE", 300),
        # Orders: how long a checkout may stay unpaid before `flask orders expire` frees its stock.
        "CARD_PAYMENT_HOURS": _int("CARD_PAYMENT_HOURS", 2),
        "TRANSFER_PAYMENT_HOURS": _int("TRANSFER_PAYMENT_HOURS", 24),
        # a dynamic QRIS is paid on the spot, from a banking or e-wallet app
        "QRIS_PAYMENT_HOURS": _int("QRIS_PAYMENT_HOURS", 1),
        # A delivered order the buyer has not confirmed is completed by the worker after this
        # many days; the buyer is told this many days before.
        "AUTO_COMPLETE_DAYS": _int("AUTO_COMPLETE_DAYS", 7),
        "AUTO_COMPLETE_NOTICE_DAYS": _int("AUTO_COMPLETE_NOTICE_DAYS", 2),
        # Complaints (orders/complaints.py): a buyer may complain this many days after
        # delivery; a complaint the seller leaves unanswered this many days goes to finance.
        "COMPLAINT_DAYS": _int("COMPLAINT_DAYS", 3),
        "COMPLAINT_ANSWER_DAYS": _int("COMPLAINT_ANSWER_DAYS", 2),
        # Background jobs (marketplace/jobs.py, Huey): `redis://...` in production; empty: a
        # SQLite file in instance/ (the embedded default). IMMEDIATE runs each job at once in
        # the caller's process (tests). NAME separates queues sharing one Redis.
        "TASK_QUEUE_URL": os.environ.get("TASK_QUEUE_URL") or None,
        "TASK_QUEUE_NAME": os.environ.get("TASK_QUEUE_NAME") or "pasar",
        "TASK_QUEUE_IMMEDIATE": _bool("TASK_QUEUE_IMMEDIATE", False),
        # Notification e-mail (optional): the worker's `mail.send` job sends through this server.
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USER": os.environ.get("SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_FROM": os.environ.get("SMTP_FROM") or "Pasar UMKM <noreply@pasar-umkm.test>",
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", False),
        # The public root of the site (https://pasar.example.id): links in e-mail, and the
        # absolute URLs of canonical links, Open Graph pictures, JSON-LD and sitemaps. Unset,
        # those use the request's own root (behind a proxy: see TRUSTED_PROXIES).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL") or None,
        # Sitemaps (marketplace/crawl.py): items per file, each listed once per language
        # (2 URLs an item; the protocol allows 50,000 URLs a file).
        "SITEMAP_PAGE_SIZE": _int("SITEMAP_PAGE_SIZE", 10_000),
        # Compression (Flask-Compress, marketplace/delivery.py, which calls it itself so that a
        # signed-in user's HTML stays uncompressed): streamed responses (static files, the
        # sitemaps) with gzip too, and conditional answers (304) for static files.
        "COMPRESS_REGISTER": False,
        "COMPRESS_ALGORITHM": ["zstd", "br", "gzip", "deflate"],
        "COMPRESS_ALGORITHM_STREAMING": ["zstd", "br", "gzip", "deflate"],
        "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL": ["static", "web.static"],
        # Cookies: HttpOnly and SameSite always; Secure whenever the request is HTTPS or
        # PUBLIC_URL is https:// (marketplace/cookies.py), or always with SESSION_COOKIE_SECURE.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_NAME": "remember_token",
        # How long a login lasts on the server (a `user_sessions` row): the session lifetime,
        # or with "Ingat saya" (remember me) the remember cookie's.
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_LIFETIME_SECONDS", 14 * 24 * 3600),
        "REMEMBER_COOKIE_DURATION": _int("REMEMBER_LIFETIME_SECONDS", 365 * 24 * 3600),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        # Tests only: with TESTING, an unexpected error is raised to the test unless this is
        # set, in which case the client gets the 500 page like in production.
        "TESTING_SWALLOW_ERRORS": False,
        # Rate-limit counters are shared by every worker and process: in the task queue's Redis
        # when there is one, else in the app's own database (marketplace/limiter_storage.py);
        # any `limits` URI set here wins.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or broker_url() or "database://",
        "RATELIMIT_STORAGE_OPTIONS": {},  # extra keyword options of the storage (none needed)
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT") or "10 per minute",
        # Books: lookups of a credit pack's verification code (per address), and the fewest
        # stores an officers' figure may stand for (fewer: the cell is suppressed).
        "BOOKS_VERIFY_RATE_LIMIT": os.environ.get("BOOKS_VERIFY_RATE_LIMIT") or "20 per minute",
        "BOOKS_MIN_STORES": _int("BOOKS_MIN_STORES", 3),
        # Logs: "json" (one JSON object a line, for production) or "plain"; unset, plain in debug
        # (development) and JSON otherwise (marketplace/logs.py).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT") or None,
        # gunicorn with several workers: the folder where prometheus_client's workers keep their
        # metric files (it must exist and be emptied before the server starts); /metrics then
        # adds up every worker's (marketplace/ops.py). Unset: this process's metrics only.
        "PROMETHEUS_MULTIPROC_DIR": os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ["id", "en"],
    }
