"""Pasar UMKM's core: `build_app` makes the Flask app every domain plugs into.

The core knows no domain: the composition root (`app.py`) passes the domain packages in, and
each one's `init_app(app)` registers what it adds. See docs/architecture.md.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask

from marketplace import config as config_module


def build_app(overrides: dict | None = None, *, domains: Iterable = ()) -> Flask:
    """Build the core app from environment configuration, with optional overrides (tests),
    then let each of `domains` (modules with `init_app(app)`) plug in, in order."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config_module.load())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    from marketplace import (
        api,
        auth,
        i18n,
        limiter_storage,  # the rate_limits model and the database:// storage
        ops,
        request_limits,
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
    api.init_app(app)
    ops.init_app(app)  # /healthz, /readyz, /metrics; request ids and latency

    import marketplace.accounts as accounts
    from marketplace import money, notifications

    accounts.init_app(app)
    notifications.init_app(app)
    money.init_app(app)
    for domain in domains:
        domain.init_app(app)

    from marketplace.cli import init_app as init_cli

    init_cli(app)
    return app
