"""Money pages: finance's queue of transfers and QRIS payments to confirm, statement uploads
that confirm them in bulk, the marketplace's own accounts (orders/payments/escrow.py), and the
sellers' payout accounts with their checks (orders/payouts.py)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from catalog.access import store_required
from marketplace.auth import admin_required, officer_required, role_required
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.web import acting_user, paginate, service_call
from orders import bp, payouts
from orders.forms import (
    CheckAccountForm,
    ConfirmPaymentForm,
    PayoutAccountForm,
    PayoutBatchForm,
    PlatformBankAccountForm,
    QrisMerchantForm,
    RefundPaidForm,
    SettleLineForm,
    StatementUploadForm,
    ToggleForm,
    parse_rupiah,
)
from orders.models import PlatformBankAccount
from orders.payments import escrow

finance_required = role_required(escrow.is_finance)
PER_PAGE = 30


def _account_choices(form: StatementUploadForm) -> None:
    form.bank_account_id.choices = [
        SelectChoice(str(a.id), f"{escrow.bank_name(a.bank_code)} {a.number} · {a.holder}")
        for a in db.session.scalars(sa.select(PlatformBankAccount).order_by(PlatformBankAccount.id))]


@bp.get("/keuangan/pembayaran")
@finance_required
def finance_payments():
    """Transfers and QRIS payments waiting, oldest first, each with its amount and proofs."""
    upload_form = StatementUploadForm(formdata=None)
    _account_choices(upload_form)
    return render_template("orders/finance_payments.html", page=paginate(escrow.pending_manual_checkouts(), PER_PAGE),
                           confirm_form=ConfirmPaymentForm(formdata=None), upload_form=upload_form,
                           unmatched=db.session.scalars(escrow.unmatched_lines().limit(20)).all(),
                           bank_name=escrow.bank_name)


@bp.post("/keuangan/pembayaran/<int:checkout_id>/konfirmasi")
@finance_required
def finance_confirm(checkout_id: int):
    form = ConfirmPaymentForm()
    if not form.validate_on_submit():
        abort(400)
    with service_call() as call:
        checkout = escrow.confirm_payment(checkout_id, actor=acting_user(), reference=form.reference.data)
    if call.ok:
        flash(_("Pembayaran checkout %(ref)s dikonfirmasi; pesanannya kini dibayar.",
                ref=checkout.reference[:8]), "success")
    return redirect(url_for("orders.finance_payments"))


@bp.route("/keuangan/mutasi", methods=["GET", "POST"])
@finance_required
def finance_statement():
    """Upload a statement: its new credits are matched to open transfers and confirmed."""
    form = StatementUploadForm()
    _account_choices(form)
    result = None
    if form.validate_on_submit():
        data, filename = form.upload()
        with service_call(form) as call:
            result = escrow.upload_statement(data, filename=filename, bank_account_id=form.bank_account_id.data,
                                             actor=acting_user())
        if call.ok:
            flash(_("%(n)d transfer dikonfirmasi dari mutasi.", n=len(result.matched)), "success")
    elif request.method == "POST":
        flash(_("Periksa kembali isian yang ditandai."), "error")
    return render_template("orders/finance_statement.html", form=form, result=result,
                           bank_name=escrow.bank_name)


@bp.route("/admin/rekening", methods=["GET", "POST"])
@admin_required
def platform_accounts():
    """The marketplace's bank accounts and its merchant QRIS, where buyers pay."""
    account_form, qris_form = PlatformBankAccountForm(prefix="account"), QrisMerchantForm(prefix="qris")
    account_form.set_choices()
    if request.method == "POST" and "account-submit" in request.form and account_form.validate_on_submit():
        with service_call(account_form) as call:
            escrow.add_bank_account({"bank_code": account_form.bank_code.data, "number": account_form.number.data,
                                     "holder": account_form.holder.data}, actor=acting_user())
        if call.ok:
            flash(_("Rekening ditambahkan."), "success")
            return redirect(url_for("orders.platform_accounts"))
    if request.method == "POST" and "qris-submit" in request.form and qris_form.validate_on_submit():
        with service_call(qris_form) as call:
            escrow.set_qris_merchant(qris_form.payload.data, actor=acting_user())
        if call.ok:
            flash(_("QRIS merchant disimpan."), "success")
            return redirect(url_for("orders.platform_accounts"))
    accounts = db.session.scalars(sa.select(PlatformBankAccount).order_by(PlatformBankAccount.id)).all()
    return render_template("orders/platform_accounts.html", accounts=accounts, account_form=account_form,
                           qris_form=qris_form, qris=escrow.active_qris(), toggle_form=ToggleForm(formdata=None),
                           bank_name=escrow.bank_name)


@bp.post("/admin/rekening/<int:account_id>/<any(aktif, nonaktif):switch>")
@admin_required
def platform_account_switch(account_id: int, switch: str):
    if not ToggleForm().validate_on_submit():
        abort(400)
    with service_call():
        escrow.set_bank_account_active(account_id, switch == "aktif", actor=acting_user())
    return redirect(url_for("orders.platform_accounts"))



# --- payout accounts ----------------------------------------------------------------------------

@bp.route("/jual/rekening", methods=["GET", "POST"])
@store_required(message=None)
def payout_account(store):
    """The seller's account for payouts: register or replace it, see whether it is verified."""
    form = PayoutAccountForm()
    form.set_choices()
    if form.validate_on_submit():
        with service_call(form) as call:
            payouts.register_account(store, {"bank_code": form.bank_code.data, "number": form.number.data,
                                             "holder": form.holder.data}, actor=acting_user())
        if call.ok:
            flash(_("Rekening pencairan tersimpan dan menunggu verifikasi petugas."), "success")
            return redirect(url_for("orders.payout_account"))
    return render_template("orders/payout_account.html", store=store, form=form,
                           account=payouts.current_account(store), bank_name=escrow.bank_name)


@bp.get("/admin/rekening-penjual")
@officer_required
def payout_accounts_to_check():
    """Officers and admins check the payout accounts sellers registered."""
    return render_template("orders/payout_accounts_check.html",
                           page=paginate(payouts.accounts_to_check(), PER_PAGE),
                           form=CheckAccountForm(formdata=None), bank_name=escrow.bank_name)


@bp.post("/admin/rekening-penjual/<int:account_id>/<any(verifikasi, tolak):verdict>")
@officer_required
def payout_account_check(account_id: int, verdict: str):
    form = CheckAccountForm()
    if not form.validate_on_submit():
        abort(400)
    with service_call() as call:
        account = payouts.check_account(account_id, verified=verdict == "verifikasi", note=form.note.data,
                                        actor=acting_user())
    if call.ok:
        flash(_("Rekening %(store)s diverifikasi.", store=account.store.name) if verdict == "verifikasi"
              else _("Rekening %(store)s ditolak.", store=account.store.name), "success")
    return redirect(url_for("orders.payout_accounts_to_check"))


# --- payout batches -----------------------------------------------------------------------------

@bp.route("/keuangan/pencairan", methods=["GET", "POST"])
@finance_required
def payout_batches():
    """Finance's payout batches, newest first, and the form to make the next one."""
    form = PayoutBatchForm()
    if form.validate_on_submit():
        with service_call(form) as call:
            result = payouts.make_batch(parse_rupiah(form.min_amount_idr.data), actor=acting_user())
        if call.ok:
            for store, amount in result.without_account:
                flash(_("%(store)s punya saldo %(amount)s tetapi belum punya rekening terverifikasi; "
                        "tidak ikut dicairkan.", store=store.name, amount=rupiah(amount)), "info")
            flash(_("Pencairan #%(id)s dibuat: %(n)d toko.", id=result.batch.id, n=len(result.batch.lines)),
                  "success")
            return redirect(url_for("orders.payout_batch", batch_id=result.batch.id))
    return render_template("orders/payout_batches.html", form=form, page=paginate(payouts.batches(), PER_PAGE))


@bp.get("/keuangan/pencairan/<int:batch_id>")
@finance_required
def payout_batch(batch_id: int):
    batch = payouts.batch(batch_id)
    return render_template("orders/payout_batch.html", batch=batch, form=SettleLineForm(formdata=None),
                           bank_name=escrow.bank_name)


@bp.get("/keuangan/pencairan/<int:batch_id>.csv")
@finance_required
def payout_batch_csv(batch_id: int):
    batch = payouts.batch(batch_id)
    return Response(payouts.batch_csv(batch), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="pencairan-{batch.id}.csv"'})


@bp.post("/keuangan/pencairan/baris/<int:line_id>/<any(dibayar, gagal):outcome>")
@finance_required
def payout_line_settle(line_id: int, outcome: str):
    form = SettleLineForm()
    if not form.validate_on_submit():
        abort(400)
    with service_call() as call:
        line = payouts.settle_line(line_id, paid=outcome == "dibayar", reference=form.reference.data,
                                   reason=form.reason.data, actor=acting_user())
    if call.ok:
        flash(_("Pencairan %(store)s dicatat.", store=line.store.name), "success")
        return redirect(url_for("orders.payout_batch", batch_id=line.batch_id))
    return redirect(request.referrer or url_for("orders.payout_batches"))


@bp.get("/keuangan/komplain")
@finance_required
def finance_complaints():
    """Complaints waiting for finance's decision (the seller rejected them or did not answer in
    time), oldest first, and refunds of transfer/QRIS orders still to pay into buyers' accounts."""
    from orders import complaints

    return render_template("orders/finance_complaints.html",
                           page=paginate(complaints.waiting_for_decision(), PER_PAGE),
                           to_pay=complaints.refunds_to_pay(), labels=complaints,
                           paid_form=RefundPaidForm(formdata=None),
                           bank_name=escrow.bank_name, answer_days=current_app.config["COMPLAINT_ANSWER_DAYS"])


@bp.post("/keuangan/komplain/<int:complaint_id>/dana-dikirim")
@finance_required
def complaint_refund_paid(complaint_id: int):
    """Finance transferred a complaint's refund to the buyer's account: record it with the
    bank's reference."""
    from orders import complaints

    form = RefundPaidForm()
    if not form.validate_on_submit():
        abort(400)
    with service_call() as call:
        complaints.mark_refund_paid(complaint_id, reference=form.reference.data, actor=acting_user())
    if call.ok:
        flash(_("Pengembalian dana komplain #%(id)s dicatat sudah ditransfer.", id=complaint_id), "success")
    return redirect(url_for("orders.finance_complaints"))
