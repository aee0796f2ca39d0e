"""Accounts: registration, login, roles, personal API tokens."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_app(app):
    from marketplace.accounts import api, models, views  # noqa: F401  (models and routes register on import)

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    views.kept_on_login.register(app, "lang")
    views.kept_on_login.register(app, "currency")
