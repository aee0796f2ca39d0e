"""Orders: cart, checkout, orders and their state machine, payments, webhooks, notifications."""
from flask import Blueprint

bp = Blueprint("orders", __name__, template_folder="templates")


def _cart_size(user) -> int:
    """How many products (lines) the cart of `user` (None: this browser's guest cart) holds."""
    from flask import session

    from orders.cart import bag_for

    return len(bag_for(user, session).quantities())


def _register_header_links(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.navigation import NavLink, bottom_nav, nav_links

    nav_links.register(app, NavLink("orders.cart", _l("Keranjang"), order=20, css_class="nav-cart",
                                    placement="bar", icon="cart",
                                    counter=_cart_size, counter_label=_l("%(n)d produk")))
    nav_links.register(app, NavLink("orders.my_orders", _l("Pesanan saya"), audience="member",
                                    order=40))
    nav_links.register(app, NavLink("orders.store_orders", _l("Pesanan toko"), audience="seller",
                                    order=50))
    nav_links.register(app, NavLink("orders.finance_payments", _l("Keuangan"), audience="finance",
                                    order=82))
    nav_links.register(app, NavLink("orders.finance_complaints", _l("Komplain"), audience="finance",
                                    order=83))
    nav_links.register(app, NavLink("orders.platform_accounts", _l("Rekening marketplace"),
                                    audience="admin", order=84))
    nav_links.register(app, NavLink("orders.payout_batches", _l("Pencairan"), audience="finance",
                                    order=83))
    nav_links.register(app, NavLink("orders.payout_account", _l("Rekening pencairan"),
                                    audience="seller", order=56))
    nav_links.register(app, NavLink("orders.payout_accounts_to_check", _l("Rekening penjual"),
                                    audience="officer", order=83))
    nav_links.register(app, NavLink("orders.balance", _l("Saldo"), audience="seller", order=52))
    nav_links.register(app, NavLink("orders.commission_rates", _l("Komisi"), audience="admin", order=86))
    # the bottom navigation: a shopper's cart and orders, a seller's store orders
    bottom_nav.register(app, NavLink("orders.cart", _l("Keranjang"), audience="shopper", order=30,
                                     icon="cart", counter=_cart_size,
                                     counter_label=_l("%(n)d produk")))
    bottom_nav.register(app, NavLink("orders.my_orders", _l("Pesanan"), audience="shopper",
                                     order=40, icon="receipt",
                                     current_on=("orders.my_orders", "orders.order_page")))
    bottom_nav.register(app, NavLink("orders.store_orders", _l("Pesanan"), audience="seller",
                                     order=30, icon="receipt"))


def _register_jobs(app) -> None:
    from marketplace.jobs import Job, crontab, jobs
    from orders import complaints, services
    from orders.payments import service as payments

    jobs.register(app, Job("orders.expire", payments.expire_unpaid, schedule=crontab(minute="*"),
                           every="every minute",
                           doc="expire unpaid checkouts past their time: stock back, PaymentIntent cancelled"))
    jobs.register(app, Job("orders.reconcile", payments.reconcile, schedule=crontab(minute="*/5"),
                           every="every 5 minutes",
                           doc="ask Stripe about card payments still pending (a lost webhook loses nothing)"))
    jobs.register(app, Job("orders.auto_complete", services.auto_complete_delivered,
                           schedule=crontab(minute="*/15"), every="every 15 minutes",
                           doc="complete delivered orders left unconfirmed (buyer told before)"))
    jobs.register(app, Job("orders.complaints_escalate", complaints.escalate_unanswered,
                           schedule=crontab(minute="*/15"), every="every 15 minutes",
                           doc="send complaints the seller left unanswered to finance"))


def init_app(app):
    from flask import session
    from flask_login import user_logged_in

    from catalog.regions import region_recoded
    from marketplace.accounts.views import kept_on_login
    from marketplace.extensions import csrf
    from marketplace.notifications import messages
    from orders import (  # noqa: F401
        api,
        cart_views,
        cli,
        complaint_api,
        complaint_views,
        finance_views,
        models,
        order_views,
        views,
        webhooks_view,  # (routes register on import)
    )
    from orders.cart import SESSION_KEY, GuestBag, merge_guest_cart
    from orders.complaints import COMPLAINT_MESSAGES, has_open_complaint
    from orders.ledger import api as ledger_api
    from orders.ledger import models as ledger_models  # noqa: F401
    from orders.ledger import views as ledger_views  # noqa: F401
    from orders.ledger.service import release_blockers
    from orders.notifications import ORDER_MESSAGES
    from orders.region_codes import recode_addresses

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ledger_api.bp)
    app.register_blueprint(webhooks_view.bp)
    csrf.exempt(webhooks_view.bp)
    cli.init_app(app)
    kept_on_login.register(app, SESSION_KEY)
    messages.register(app, ORDER_MESSAGES)
    messages.register(app, COMPLAINT_MESSAGES)
    release_blockers.register(app, has_open_complaint)  # an open complaint keeps the money held
    region_recoded.register(app, recode_addresses)
    _register_header_links(app)
    _register_jobs(app)
    from catalog.demo import demo_extras
    from orders.demo import seed_payment_accounts, seed_shipping

    demo_extras.register(app, seed_shipping)  # the demo stores' couriers
    demo_extras.register(app, seed_payment_accounts)  # where demo buyers pay
    from marketplace.crawl import private_paths

    for path in ("/keranjang", "/checkout", "/pembayaran", "/pesanan", "/komplain", "/webhooks"):
        private_paths.register(app, path)  # robots.txt: the cart, checkout, payments, orders

    @user_logged_in.connect_via(app)
    def _merge_cart(sender, user, **extra):
        guest = GuestBag(session)
        if guest.quantities():
            merge_guest_cart(guest, user)  # committed with the login's request
