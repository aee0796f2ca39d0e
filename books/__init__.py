"""Books: what a seller's business earns, in numbers a bank accepts.

Seller analytics (sales rollups, product views, RFQs), the seller's own bookkeeping on the one
ledger (books/chart.py: the chart of accounts and how each kind of entry posts), SAK EMKM
statements (income statement, financial position, notes) with their PDF and XLSX, the store's
scale under PP 7/2021, credit packs (paket pengajuan KUR) behind a verification code, and the
officers' anonymous province figures.
"""
from flask import Blueprint

bp = Blueprint("books", __name__, template_folder="templates")


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from books import api, models, views  # noqa: F401  (routes register on import)
    from marketplace.navigation import NavLink, nav_links

    from books.demo import seed_books
    from catalog.demo import demo_extras

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    demo_extras.register(app, seed_books)  # last month's books of the first demo stores
    nav_links.register(app, NavLink("books.books_home", _l("Pembukuan"), audience="seller", order=53))
    nav_links.register(app, NavLink("books.statements_page", _l("Laporan keuangan"), audience="seller", order=54))
