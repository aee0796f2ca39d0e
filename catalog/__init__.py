"""Catalog: regions, categories, stores, products, images, CSV import and export."""
from flask import Blueprint

bp = Blueprint("catalog", __name__, template_folder="templates")


def init_app(app):
    from catalog import api, cli, csv_views, models, views  # noqa: F401  (models and routes register on import)
    from marketplace.accounts.api import me_fields

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    cli.init_app(app)
    me_fields.register(app, api.me_store)
