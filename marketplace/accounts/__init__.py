"""Accounts: registration, login, roles, personal API tokens."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from marketplace.accounts import api, models, views  # noqa: F401  (models and routes register on import)
    from marketplace.navigation import NavLink, bottom_nav, nav_links

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    views.kept_on_login.register(app, "lang")
    nav_links.register(app, NavLink("accounts.admin_users", _l("Pengguna"), audience="admin",
                                    order=80))
    bottom_nav.register(app, NavLink("accounts.account", _l("Akun"), order=90, icon="user",
                                     current_on=("accounts.account", "accounts.tokens",
                                                 "accounts.login", "accounts.register")))
