"""Pasar UMKM: the app factory. It composes the domain packages into one Flask app."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from marketplace import config as config_module


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app from environment configuration, with optional overrides (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config_module.load())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    from marketplace import api, auth, i18n, money, request_limits, web  # noqa: F401  (money: the rates model)
    from marketplace import limiter_storage  # the rate_limits model and the database:// storage
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

    import catalog
    import marketplace.accounts as accounts
    import orders
    import promotions
    import search

    accounts.init_app(app)
    catalog.init_app(app)
    search.init_app(app)
    orders.init_app(app)
    promotions.init_app(app)

    from marketplace.cli import init_app as init_cli

    init_cli(app)
    return app
