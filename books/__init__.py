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
    from marketplace.navigation import NavLink, nav_links

    _register_credit(app)
    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    nav_links.register(app, NavLink("books.books_home", _l("Pembukuan"), audience="seller", order=53))
    nav_links.register(app, NavLink("books.statements_page", _l("Laporan keuangan"), audience="seller", order=54))
