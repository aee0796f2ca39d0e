"""The seller's "Saldo" page and its CSV, and the admin's commission rates page."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination

from catalog.access import store_required
from catalog.services import category_tree
from marketplace.auth import admin_required
from marketplace.i18n import local_datetime
from marketplace.web import acting_user, current_lang, service_call
from orders import bp
from orders.ledger import commission
from orders.ledger import service as ledger
from orders.ledger.forms import CommissionForm, RemoveCommissionForm

PER_PAGE = 30

KIND_LABELS = {
    "payment": _l("Pembayaran diterima"),
    "release": _l("Dana dilepas ke toko"),
    "commission": _l("Komisi platform"),
    "refund": _l("Pengembalian dana ke pembeli"),
    "refund_paid": _l("Pengembalian dana terkirim"),
    "payout_reserve": _l("Pencairan diproses"),
    "payout": _l("Pencairan terkirim ke rekening"),
    "payout_failed": _l("Pencairan gagal, dana kembali"),
    "adjustment": _l("Penyesuaian"),
}
ACCOUNT_LABELS = {
    "pending": _l("Tertahan"),
    "available": _l("Tersedia"),
    "in_transit": _l("Dalam pencairan"),
}


class StatementPagination(Pagination):
    """A page of a store's statement with what `partials/pagination.html` reads."""

    def _query_items(self):
        rows, self._total = ledger.statement_for(self._query_args["store"], actor=self._query_args["actor"],
                                                 page=self.page, per_page=self.per_page)
        return rows

    def _query_count(self):
        return self._total


@bp.get("/jual/saldo")
@store_required(message=None)
def balance(store):
    """The store's money: held for orders, available, paid out; and its statement."""
    me = acting_user()
    page = request.args.get("page", "1")
    return render_template("orders/balance.html", store=store, balance=ledger.balance_for(store, actor=me),
                           page=StatementPagination(store=store, actor=me, per_page=PER_PAGE, max_per_page=PER_PAGE,
                                                    page=int(page) if page.isdigit() and 0 < int(page) < 10**6
                                                    else 1, error_out=False),
                           kind_labels=KIND_LABELS, account_labels=ACCOUNT_LABELS)


@bp.get("/jual/saldo.csv")
@store_required(message=None)
def balance_csv(store):
    """The whole statement as CSV (oldest first), for the seller's own books."""
    rows = ledger.statement_csv_rows(store, actor=acting_user())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Waktu"), _("Jenis"), _("Saldo"), _("Jumlah (Rp)"), _("Saldo setelahnya (Rp)"),
                     _("Sumber"), _("Nomor sumber"), _("Pesanan")])
    for row in rows:
        writer.writerow([local_datetime(row.at), KIND_LABELS.get(row.kind, row.kind),
                         ACCOUNT_LABELS.get(row.account, row.account), row.amount_idr, row.balance_idr,
                         row.source_type, row.source_id, row.order_id or ""])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="saldo-{store.slug}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/admin/komisi", methods=["GET", "POST"])
@admin_required
def commission_rates():
    """Admins set the platform's commission per category or per store (default 0%)."""
    form = CommissionForm()
    form.set_category_choices(category_tree(), current_lang())
    if form.validate_on_submit():
        rate_bp = commission.parse_percent(form.rate.data)
        by_store = form.target.data == "store"
        with service_call(form) as call:
            row = commission.set_commission_rate(
                rate_bp=rate_bp if rate_bp is not None else -1,
                category_slug=None if by_store else (form.category.data or None),
                store_slug=(form.store.data or "").strip() or None if by_store else None,
                actor=acting_user())
        if call.ok:
            target = row.store.name if row.store_id else row.category.name
            flash(_("Komisi %(target)s disimpan.", target=target), "success")
            return redirect(url_for("orders.commission_rates"))
    return render_template("orders/commission_rates.html", form=form, rates=commission.commission_rates(),
                           remove_form=RemoveCommissionForm(formdata=None))


@bp.post("/admin/komisi/<int:rate_id>/hapus")
@admin_required
def remove_commission_rate(rate_id: int):
    if not RemoveCommissionForm().validate_on_submit():
        abort(400)
    with service_call() as call:
        commission.remove_commission_rate(rate_id, actor=acting_user())
    if call.ok:
        flash(_("Komisi dihapus."), "success")
    return redirect(url_for("orders.commission_rates"))
