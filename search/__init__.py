"""Search: product search through Elasticsearch, or the embedded SQLite FTS5 backend without it."""
from flask import Blueprint

bp = Blueprint("search", __name__, template_folder="templates")


def init_app(app):
    from search import api, cli, models, outbox, views  # noqa: F401  (registers on import)

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    outbox.init_app(app)
    from marketplace.navigation import header_parts

    header_parts.register(app, "search/_header_box.html")
    cli.init_app(app)
