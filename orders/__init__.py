"""Orders: cart, checkout, orders and their state machine, payments, webhooks, notifications."""
from flask import Blueprint

bp = Blueprint("orders", __name__, template_folder="templates")


def init_app(app):
    from flask import session
    from flask_login import user_logged_in

    from marketplace.accounts.views import kept_on_login
    from marketplace.extensions import csrf
    from orders import (api, cart_views, cli, models, order_views, views,  # noqa: F401
                        webhooks_view)  # (routes register on import)
    from orders.cart import SESSION_KEY, GuestBag, merge_guest_cart

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(webhooks_view.bp)
    csrf.exempt(webhooks_view.bp)
    cli.init_app(app)
    kept_on_login.register(app, SESSION_KEY)

    @user_logged_in.connect_via(app)
    def _merge_cart(sender, user, **extra):
        guest = GuestBag(session)
        if guest.quantities():
            merge_guest_cart(guest, user)  # committed with the login's request
