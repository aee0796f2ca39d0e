"""Pasar UMKM's core: `build_app` makes the Flask app every domain plugs into.

The core knows no domain: the composition root (`app.py`) passes the domain packages in, and
each one's `init_app(app)` registers what it adds. See docs/architecture.md.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask

from marketplace import config as config_module


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, believe that many hops of X-Forwarded-For/-Proto/
    -Host/-Port (Werkzeug's ProxyFix): the client address rate limits and logs see is the real one."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def build_app(overrides: dict | None = None, *, domains: Iterable = ()) -> Flask:
    """Build the core app from environment configuration, with optional overrides (tests),
    then let each of `domains` (modules with `init_app(app)`) plug in, in order."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config_module.load())
    if overrides:
        app.config.update(overrides)
    config_module.check_safe(app.config)
    trust_proxies(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    from marketplace import (
        api,
        auth,
        crawl,
        delivery,
        i18n,
        limiter_storage,  # the rate_limits model and the database:// storage
        ops,
        request_limits,
        seo,
        web,
    )
    from marketplace.extensions import babel, csrf, db, limiter, migrate

    request_limits.register_converters(app)
    request_limits.init_app(app)  # before CSRFProtect, which reads forms
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"), render_as_batch=True,
                    compare_type=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    limiter_storage.init_app(app)  # `database://`: counters in the app's database, shared by workers
    limiter.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    seo.init_app(app)  # the language in the URL, the head's canonical/hreflang/JSON-LD helpers
    delivery.init_app(app)  # compression, cache headers, versioned static URLs, icons, manifest
    crawl.init_app(app)  # robots.txt and the sitemaps
    api.init_app(app)
    ops.init_app(app)  # /healthz, /readyz, /metrics; request ids and latency

    import marketplace.accounts as accounts
    from marketplace import jobs, money, notifications
    from marketplace.audit import views as audit_views

    accounts.init_app(app)
    audit_views.init_app(app)
    notifications.init_app(app)
    money.init_app(app)
    jobs.init_app(app)
    _register_core_jobs(app)
    for domain in domains:
        domain.init_app(app)

    from marketplace.cli import init_app as init_cli

    init_cli(app)
    return app


def _register_core_jobs(app: Flask) -> None:
    from marketplace import limiter_storage, mailer
    from marketplace.accounts.services import purge_expired_sessions
    from marketplace.jobs import Job, crontab, jobs

    jobs.register(app, Job("mail.send", mailer.send_pending, schedule=crontab(minute="*"),
                           every="every minute", doc="e-mail the notifications not sent yet"))
    jobs.register(app, Job("accounts.purge_sessions", purge_expired_sessions,
                           schedule=crontab(minute="17", hour="3"), every="daily 03:17 UTC",
                           doc="delete ended login sessions"))
    jobs.register(app, Job("ratelimit.purge", limiter_storage.purge_expired_counters,
                           schedule=crontab(minute="7"), every="hourly at :07",
                           doc="delete ended rate-limit counters"))
