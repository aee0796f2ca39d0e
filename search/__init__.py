"""Search: product search through Elasticsearch, or the embedded SQLite FTS5 backend without it."""
from flask import Blueprint

bp = Blueprint("search", __name__, template_folder="templates")


def init_app(app):
    """Register search's pages, API, CLI, outbox listeners, state and header box on `app`."""
    from marketplace.navigation import header_parts
    from marketplace.ops import metric_gauges, register_check
    from search import api, cli, engine, health, models, outbox, views  # noqa: F401  (registers on import)

    engine.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    outbox.init_app(app)
    cli.init_app(app)
    header_parts.register(app, "search/_header_box.html")
    register_check(app, "search", health.readiness)
    metric_gauges.register(app, health.gauges)
