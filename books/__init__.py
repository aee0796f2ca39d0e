"""Books: what a seller's business earns, in numbers a bank accepts.

Seller analytics (sales rollups, product views, RFQs), the seller's own bookkeeping on the one
ledger (books/chart.py: the chart of accounts and how each kind of entry posts), SAK EMKM
statements (income statement, financial position, notes) with their PDF and XLSX, the store's
scale under PP 7/2021, credit packs (paket pengajuan KUR) behind a verification code, and the
officers' anonymous province figures.
"""
from flask import Blueprint

bp = Blueprint("books", __name__, template_folder="templates")


def _register_credit(app) -> None:
    """Scale, credit packs and the officers' figures: pages, API, links, robots."""
    from flask_babel import lazy_gettext as _l

    from books import credit_api, credit_views  # noqa: F401  (routes register on import)
    from marketplace.crawl import private_paths
    from marketplace.navigation import NavLink, nav_links

    app.register_blueprint(credit_api.bp)
    nav_links.register(app, NavLink("books.scale_page", _l("Skala usaha"), audience="seller", order=57))
    nav_links.register(app, NavLink("books.credit_packs", _l("Paket pengajuan KUR"), audience="seller",
                                    order=58))
    nav_links.register(app, NavLink("books.officer_figures", _l("Naik kelas"), audience="officer", order=79))
    private_paths.register(app, "/verifikasi")  # a pack's check is for whoever holds its code


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from books import api, models, views  # noqa: F401  (routes register on import)
    from books.demo import seed_books
    from catalog.demo import demo_extras
    from marketplace.navigation import NavLink, nav_links

    _register_analytics(app)  # (before the blueprint: its pages' routes are on it)
    _register_credit(app)
    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    demo_extras.register(app, seed_books)  # last month's books of the first demo stores
    nav_links.register(app, NavLink("books.books_home", _l("Pembukuan"), audience="seller", order=53))
    nav_links.register(app, NavLink("books.statements_page", _l("Laporan keuangan"), audience="seller", order=54))


def _register_analytics(app) -> None:
    """Seller analytics: the rollups kept on each paid order, the views counter and its job,
    the page, its dashboard figures, the API route, the repair command, the header link."""
    from flask_babel import lazy_gettext as _l

    from books import analytics, analytics_api, analytics_cli, analytics_views, views_counter
    from catalog.views import dashboard_sections, product_viewed
    from marketplace.jobs import Job, crontab, jobs
    from marketplace.navigation import NavLink, nav_links
    from orders.state import order_moves

    order_moves.register(app, analytics.record_paid_order)  # in the paying transaction
    product_viewed.register(app, views_counter.count_view)
    dashboard_sections.register(app, analytics_views.dashboard_figures)
    jobs.register(app, Job("books.flush_views", views_counter.flush, schedule=crontab(minute="*"),
                           every="every minute",
                           doc="move counted product page views into the daily views table"))
    app.register_blueprint(analytics_api.bp)
    analytics_cli.init_app(app)
    nav_links.register(app, NavLink("books.analytics_page", _l("Analitik"), audience="seller", order=51))
