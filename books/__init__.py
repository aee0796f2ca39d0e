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
    from books import models  # noqa: F401

    app.register_blueprint(bp)
