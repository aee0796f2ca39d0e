"""Order pages: the cart, checkout and its confirmation, the buyer's and the seller's orders, an
order with its actions, shipping rates, notifications, exchange rates and the display currency.

As in catalog/views.py, each view parses the request with a form from orders.forms, calls a
service (orders.cart, orders.checkout, orders.services, orders.shipping, marketplace.money) and
renders. Services only flush: a view commits after a successful call and rolls back when a
service raises a DomainError, which it shows under the form fields or as a flash message.

Card payments never post card numbers to this server in production: see `checkout` and
static/js/card.js.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale
from flask import (abort, current_app, flash, g, jsonify, redirect, render_template, request,
                   send_from_directory, session, url_for)
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from catalog import services as catalog_services
from catalog.images import image_url
from catalog.models import Product, Province, Regency
from marketplace.auth import admin_required
from marketplace.errors import Conflict, DomainError, ValidationError
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.money import DISPLAY_CURRENCIES, current_rate, format_foreign, latest_rates, set_rate
from marketplace.web import safe_next
from orders import bp, notifications, services, state
from orders.cart import bag_for, build_cart, set_quantity
from orders.checkout import PaymentDeclined, clean_address, place_checkout
from orders.forms import (ACTION_LABELS, AddToCartForm, CartLineForm, CheckoutForm,
                          ConfirmTransferForm, CurrencyForm, ExchangeRateForm, OrderActionForm,
                          RefundForm, ShippingRatesForm, TransferProofForm, ZONE_LABELS,
                          apply_errors, parse_rupiah)
from orders.models import OrderStatus, PaymentMethod
from orders.payments import stripe as payments
from orders.shipping import rates_for, set_rates

PER_PAGE = 20
ACTION_DONE = {
    "accept": _l("Pesanan diterima. Siapkan barangnya."),
    "pack": _l("Pesanan ditandai sedang dikemas."),
    "ship": _l("Pesanan ditandai dikirim. Pembeli sudah diberi tahu nomor resinya."),
    "deliver": _l("Pesanan ditandai sudah sampai."),
    "complete": _l("Terima kasih! Pesanan selesai."),
    "cancel": _l("Pesanan dibatalkan; stok dikembalikan."),
}


# --- helpers ----------------------------------------------------------------------------------

def _me():
    """The signed-in user as a real model object (services compare and store it), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def _lang() -> str:
    return str(get_locale() or "id")


def _paginate(stmt):
    return db.paginate(stmt, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)


def _flash_failure(exc: DomainError) -> None:
    """Roll the request back and show the service's messages."""
    db.session.rollback()
    for message in (list(exc.fields.values()) or [exc.message]):
        flash(message, "error")


def _display_currency() -> str:
    chosen = session.get("currency")
    return chosen if chosen in DISPLAY_CURRENCIES else "IDR"


def _rate_amount(rate) -> str:
    """Rupiah per unit: "Rp15.875", or "Rp105,25" when the rate has decimals."""
    value = Decimal(rate.idr_per_unit)
    if value == value.to_integral_value():
        return rupiah(int(value))
    return "Rp" + format_decimal(value.normalize(), locale="id")


def _rate_day(rate) -> str:
    return format_date(rate.valid_on, "d MMM yyyy")


def _rate_text(rate) -> str:
    """ "Kurs 1 USD = Rp15.875 (28 Nov 2026)" """
    return _("Kurs 1 %(currency)s = %(amount)s (%(day)s)", currency=rate.currency,
             amount=_rate_amount(rate), day=_rate_day(rate))


@bp.app_template_global()
def foreign_price(amount_idr) -> Markup:
    """An approximate price in the buyer's display currency, e.g. "≈ US$2,84", with the rate and
    its date in the title; empty when rupiah is chosen or no rate is set."""
    currency = _display_currency()
    if currency == "IDR" or amount_idr is None:
        return Markup("")
    if "fx_rate" not in g:
        g.fx_rate = current_rate(currency)
    rate = g.fx_rate
    if rate is None:
        return Markup("")
    shown = format_foreign(int(amount_idr), rate, locale="id" if _lang() == "id" else "en_001")
    return Markup('<span class="fx" title="{title}">≈ {amount}</span>').format(
        title=_rate_text(rate), amount=shown)


@bp.app_context_processor
def _header_helpers():
    """What the site header shows on every page: cart size, unread notifications, currency."""

    def cart_count() -> int:
        """How many products (lines) the cart holds."""
        return len(bag_for(_me(), session).quantities())

    def unread_notifications() -> int:
        me = _me()
        return notifications.unread_count(me.id) if me is not None else 0

    return {"cart_count": cart_count, "unread_notifications": unread_notifications,
            "display_currency": _display_currency(), "display_currencies": DISPLAY_CURRENCIES}


@bp.context_processor
def _order_helpers():
    def page_url(page: int) -> str:
        args = {**request.view_args, **request.args.to_dict(), "page": page}
        return url_for(request.endpoint, **args)

    def address_lines(address: dict) -> list[str]:
        """A stored shipping address as lines to print, region codes turned into names."""
        address = address or {}
        region = [address.get("district"), address.get("regency"), address.get("province")]
        if (address.get("country") or "ID") == "ID":
            regency = db.session.get(Regency, address.get("regency") or "")
            province = db.session.get(Province, address.get("province") or "")
            region = [address.get("district"), regency and regency.name, province and province.name]
        country = address.get("country") or "ID"
        return [line for line in (
            address.get("line1"), ", ".join(p for p in region if p),
            " ".join(p for p in (address.get("postal_code"),
                                 Locale.parse(_lang()).territories.get(country, country)) if p))
            if line]

    return {"page_url": page_url, "image_url": image_url, "status_label": state.status_label,
            "action_labels": ACTION_LABELS, "address_lines": address_lines,
            "zone_labels": ZONE_LABELS}


# --- cart -------------------------------------------------------------------------------------

@bp.get("/keranjang")
def cart():
    """The cart, grouped by store, with tier prices and what stands in the way of checkout."""
    view = build_cart(bag_for(_me(), session).quantities())
    return render_template("orders/cart.html", cart=view, line_form=CartLineForm(formdata=None))


def _product_id(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@bp.post("/keranjang/tambah")
def cart_add():
    """Add a quantity of a product (from its page); the quantity adds to what is in the cart."""
    form = AddToCartForm()
    product_id = _product_id(form.product_id.data)
    if not form.validate_on_submit() or product_id is None:
        abort(400)
    me = _me()
    bag = bag_for(me, session)
    quantity = (form.quantity.data or "").strip()
    if quantity.isdigit() and int(quantity) > 0:
        quantity = int(quantity) + bag.quantities().get(product_id, 0)
    try:
        set_quantity(bag, product_id, quantity, actor=me)
    except DomainError as exc:
        _flash_failure(exc)
        if exc.status == 404:
            return redirect(url_for("orders.cart"))
        return redirect(url_for("catalog.product_page", product_id=product_id))
    db.session.commit()
    product = db.session.get(Product, product_id)
    flash(_("%(title)s masuk keranjang.", title=product.display_title(_lang())), "success")
    return redirect(url_for("orders.cart"))


@bp.post("/keranjang/ubah")
def cart_update():
    """Change a line's quantity (0 removes it), or remove it with the `remove` button."""
    form = CartLineForm()
    product_id = _product_id(form.product_id.data)
    if not form.validate_on_submit() or product_id is None:
        abort(400)
    me = _me()
    bag = bag_for(me, session)
    product = db.session.get(Product, product_id)
    title = product.display_title(_lang()) if product else ""
    if request.form.get("remove"):
        bag.remove(product_id)
        db.session.commit()
        flash(_("%(title)s dihapus dari keranjang.", title=title), "success")
        return redirect(url_for("orders.cart"))
    try:
        set_quantity(bag, product_id, form.quantity.data, actor=me)
    except DomainError as exc:
        db.session.rollback()
        for message in (list(exc.fields.values()) or [exc.message]):
            flash(f"{title}: {message}" if title else message, "error")
    else:
        db.session.commit()
        flash(_("Keranjang diperbarui."), "success")
    return redirect(url_for("orders.cart"))


# --- checkout ---------------------------------------------------------------------------------

def _stripe_mode() -> str:
    """ "local" when STRIPE_API_BASE points at a local Stripe-compatible test server, else "stripe"."""
    return "local" if current_app.config.get("STRIPE_API_BASE") else "stripe"


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    """The shipping address, the cost per store and the payment method; places the checkout.

    "Hitung ongkir" (`calculate`) prices shipping for the address; "Bayar" (`place`) calls
    orders.checkout.place_checkout and, on success, goes to the confirmation page. Nothing is
    kept when it fails: the view rolls back on every DomainError.

    Cards: the form only ever carries a Stripe PaymentMethod id (`payment_method_id`), never a
    card number. card.js makes that id in the browser: with real Stripe (no STRIPE_API_BASE)
    through Stripe.js and a card Element, which send the card straight to Stripe; with a local
    Stripe-compatible test server (STRIPE_API_BASE set) by posting a TEST card to `test_card`,
    a route that exists only then. Without JavaScript the card option cannot be used; bank
    transfer always works.
    """
    me = _me()
    bag = bag_for(me, session)
    if not bag.quantities() and request.method == "GET":
        flash(_("Keranjang Anda kosong."), "info")
        return redirect(url_for("orders.cart"))
    form = CheckoutForm()
    form.set_choices(lang=_lang(), card=payments.configured(),
                     provinces=db.session.scalars(sa.select(Province).order_by(Province.name)).all(),
                     regencies=db.session.scalars(sa.select(Regency).order_by(Regency.name)).all())
    if not form.idempotency_key.data:
        form.idempotency_key.data = uuid.uuid4().hex
    address, problem, declined, messages = None, None, None, []
    if form.validate_on_submit():
        try:
            address = clean_address(form.address())
        except ValidationError as exc:
            messages += form.apply_errors(exc)
        card = form.payment_method.data == PaymentMethod.CARD
        if "place" in request.form and address is not None:
            if card and not form.payment_method_id.data:
                form.payment_method.errors = [_(
                    "Pembayaran kartu memerlukan JavaScript. Aktifkan JavaScript atau pilih transfer bank.")]
            else:
                try:
                    placed = place_checkout(
                        me, bag, shipping_address=form.address(),
                        payment_method=form.payment_method.data,
                        payment_method_id=(form.payment_method_id.data or None) if card else None,
                        idempotency_key=form.idempotency_key.data)
                except PaymentDeclined as exc:
                    db.session.rollback()
                    declined = exc.message
                except Conflict as exc:
                    db.session.rollback()
                    problem = exc.message
                except DomainError as exc:
                    db.session.rollback()
                    messages += form.apply_errors(exc)
                else:
                    db.session.commit()
                    return redirect(url_for("orders.checkout_done", checkout_id=placed.id))
        form.payment_method_id.data = ""  # a declined or unused id is never sent twice
    view = build_cart(bag.quantities(), address)
    if view.empty and problem is None:
        flash(_("Keranjang Anda kosong."), "info")
        return redirect(url_for("orders.cart"))
    return render_template(
        "orders/checkout.html", form=form, cart=view, problem=problem, declined=declined,
        messages=messages, stripe_mode=_stripe_mode(),
        stripe_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY") or "")


@bp.post("/pembayaran/kartu-uji")
@login_required
def test_card():
    """LOCAL TESTING ONLY: make a PaymentMethod for a TEST card on the local Stripe server.

    Exists only while STRIPE_API_BASE is set (a localstripe-like server that never sees real
    cards); 404 otherwise, and payments.create_test_payment_method refuses too. In production
    card.js uses Stripe.js and card numbers never reach this server. Body: JSON
    {number, exp_month, exp_year, cvc}; answer {"id": "pm_..."}.
    """
    if not current_app.config.get("STRIPE_API_BASE"):
        abort(404)
    data = request.get_json(silent=True) or {}
    try:
        month, year = int(data.get("exp_month")), int(data.get("exp_year"))
    except (TypeError, ValueError):
        return jsonify({"error": {"message": _("Masa berlaku kartu ditulis BB/TT, mis. 12/30.")}}), 422
    try:
        pm_id = payments.create_test_payment_method(
            data.get("number"), month, year + 2000 if year < 100 else year, data.get("cvc"))
    except DomainError as exc:
        return jsonify({"error": {"message": str(exc.message)}}), exc.status
    return jsonify({"id": pm_id})


@bp.get("/checkout/<int:checkout_id>")
@login_required
def checkout_done(checkout_id: int):
    """After placing: the orders, totals and payment status; for a bank transfer, whom to pay
    and where to upload each order's proof."""
    placed = services.checkout_for(checkout_id, _me())
    return render_template("orders/checkout_done.html", checkout=placed,
                           proof_form=TransferProofForm(formdata=None),
                           stripe_mode=_stripe_mode(),
                           stripe_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY") or "")


# --- orders -----------------------------------------------------------------------------------

@bp.get("/pesanan")
@login_required
def my_orders():
    """The buyer's orders, newest first."""
    return render_template("orders/my_orders.html", page=_paginate(services.buyer_orders(_me())))


@bp.get("/jual/pesanan")
@login_required
def store_orders():
    """The seller's orders, filterable by status, newest first."""
    me = _me()
    store = catalog_services.store_of(me)
    if store is None:
        return redirect(url_for("catalog.store_new"))
    status = request.args.get("status") or None
    if status not in {s.value for s in OrderStatus}:
        status = None
    return render_template("orders/store_orders.html", store=store, status=status,
                           counts=services.order_counts_by_status(store, actor=me),
                           page=_paginate(services.store_orders(store, actor=me, status=status)))


def _render_order(order, *, action_form=None, refund_form=None):
    me = _me()
    actions = state.allowed_actions(order, me)
    forms = {a: OrderActionForm(formdata=None, action=a) for a in actions}
    if action_form is not None and action_form.action.data in forms:
        forms[action_form.action.data] = action_form
    role = state.role_of(order, me)
    checkout = order.checkout
    transfer = checkout.payment_method == PaymentMethod.BANK_TRANSFER
    pending = order.status == OrderStatus.PENDING_PAYMENT
    paid = any(e.action == "pay" for e in order.events)
    return render_template(
        "orders/order.html", order=order, checkout=checkout, role=role, forms=forms,
        can_upload_proof=role == state.BUYER and transfer and pending,
        can_confirm_transfer=role == state.SELLER and transfer and pending,
        can_refund=role in (state.SELLER, state.ADMIN) and paid
        and order.total_idr > order.refunded_idr,
        proof_form=TransferProofForm(formdata=None), confirm_form=ConfirmTransferForm(formdata=None),
        refund_form=refund_form or RefundForm(formdata=None))


@bp.get("/pesanan/<int:order_id>")
@login_required
def order_page(order_id: int):
    """An order for its buyer or its seller: lines, money, address, history and next steps."""
    return _render_order(services.order_for(order_id, _me()))


@bp.post("/pesanan/<int:order_id>/aksi")
@login_required
def order_action(order_id: int):
    """Move the order (accept, pack, ship, deliver, complete, cancel) through services.act."""
    me = _me()
    order = services.order_for(order_id, me)
    form = OrderActionForm()
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data
    try:
        services.act(order, action, actor=me, reason=form.reason.data,
                     courier=form.courier.data, tracking_number=form.tracking_number.data)
    except ValidationError as exc:
        db.session.rollback()
        for message in apply_errors(form, exc):
            flash(message, "error")
        flash(_("Periksa kembali isian yang ditandai."), "error")
        return _render_order(services.order_for(order_id, me), action_form=form)
    except DomainError as exc:
        _flash_failure(exc)
    else:
        db.session.commit()
        flash(ACTION_DONE.get(action, _("Tersimpan.")), "success")
    return redirect(url_for("orders.order_page", order_id=order_id))


@bp.post("/pesanan/<int:order_id>/bukti-transfer")
@login_required
def transfer_proof(order_id: int):
    """The buyer uploads a photo of the bank transfer for the seller to check."""
    me = _me()
    order = services.order_for(order_id, me)
    form = TransferProofForm()
    back = safe_next(form.next.data, url_for("orders.order_page", order_id=order_id))
    if not form.validate_on_submit():
        abort(400)
    try:
        services.attach_transfer_proof(order, form.upload(), actor=me)
    except DomainError as exc:
        _flash_failure(exc)
    else:
        db.session.commit()
        flash(_("Bukti transfer terkirim. Penjual akan memeriksa dan mengonfirmasi pembayaran."),
              "success")
    return redirect(back)


@bp.get("/pesanan/<int:order_id>/bukti-transfer")
@login_required
def transfer_proof_image(order_id: int):
    """The transfer photo, for the order's buyer and seller only (never cached publicly)."""
    order = services.order_for(order_id, _me())
    if not order.transfer_proof_path:
        abort(404)
    path = Path(order.transfer_proof_path)
    response = send_from_directory(Path(current_app.config["UPLOAD_DIR"]) / path.parent, path.name,
                                   max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/pesanan/<int:order_id>/konfirmasi-transfer")
@login_required
def confirm_transfer(order_id: int):
    """The seller confirms the transfer arrived: the order is paid."""
    me = _me()
    order = services.order_for(order_id, me)
    if not ConfirmTransferForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_transfer(order, actor=me)
    except DomainError as exc:
        _flash_failure(exc)
    else:
        db.session.commit()
        flash(_("Pembayaran dikonfirmasi. Pesanan siap diproses."), "success")
    return redirect(url_for("orders.order_page", order_id=order_id))


@bp.post("/pesanan/<int:order_id>/pengembalian-dana")
@login_required
def refund(order_id: int):
    """The seller gives back part or all of a paid order (card refunds go through Stripe)."""
    me = _me()
    order = services.order_for(order_id, me)
    form = RefundForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        made = services.refund_order(order, parse_rupiah(form.amount_idr.data),
                                     reason=form.reason.data or "", actor=me)
    except ValidationError as exc:
        db.session.rollback()
        for message in apply_errors(form, exc):
            flash(message, "error")
        return _render_order(services.order_for(order_id, me), refund_form=form)
    except DomainError as exc:
        _flash_failure(exc)
    else:
        db.session.commit()
        flash(_("Dana %(amount)s dikembalikan ke pembeli.", amount=rupiah(made.amount_idr)), "success")
    return redirect(url_for("orders.order_page", order_id=order_id))


# --- seller settings, notifications, admin ----------------------------------------------------

@bp.route("/jual/ongkir", methods=["GET", "POST"])
@login_required
def shipping_rates():
    """The store's shipping price per zone: first kilogram and each further kilogram."""
    me = _me()
    store = catalog_services.store_of(me)
    if store is None:
        return redirect(url_for("catalog.store_new"))
    form = ShippingRatesForm.build(rates_for(store))
    if form.validate_on_submit():
        try:
            set_rates(store, form.rates(), actor=me)
        except DomainError as exc:
            db.session.rollback()
            for message in form.apply_errors(exc):
                flash(message, "error")
        else:
            db.session.commit()
            flash(_("Tarif ongkos kirim tersimpan."), "success")
            return redirect(url_for("orders.shipping_rates"))
    return render_template("orders/shipping_rates.html", form=form, store=store)


@bp.get("/notifikasi", endpoint="notifications")
@login_required
def notifications_page():
    """The user's notifications, newest first, in the reader's language; viewing marks them read."""
    me = _me()
    page = _paginate(services.user_notifications(me))
    items = [(n, notifications.render(n), n.read_at is None) for n in page.items]
    notifications.mark_all_read(me.id)
    db.session.commit()
    return render_template("orders/notifications.html", page=page, items=items)



def _today_wib() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@bp.route("/admin/kurs", methods=["GET", "POST"])
@admin_required
def exchange_rates():
    """Admins set how many rupiah a display currency is worth, from a given day."""
    form = ExchangeRateForm()
    if not form.valid_on.data:
        form.valid_on.data = _today_wib().isoformat()
    if form.validate_on_submit():
        try:
            valid_on = date.fromisoformat((form.valid_on.data or "").strip())
        except ValueError:
            form.valid_on.errors = [_("Tanggal tidak valid.")]
        else:
            try:
                row = set_rate(form.currency.data, form.rate_value(), valid_on, actor=_me())
            except DomainError as exc:
                db.session.rollback()
                for message in apply_errors(form, exc):
                    flash(message, "error")
            else:
                flash(_rate_text(row), "success")
                db.session.commit()
                return redirect(url_for("orders.exchange_rates"))
    return render_template("orders/exchange_rates.html", form=form, rates=latest_rates(),
                           rate_amount=_rate_amount, rate_day=_rate_day)


@bp.post("/mata-uang")
def set_currency():
    """Show approximate prices in another currency too (rupiah is always shown and charged)."""
    form = CurrencyForm()
    if not form.validate_on_submit():
        abort(400)
    if form.currency.data in DISPLAY_CURRENCIES:
        session["currency"] = form.currency.data
    else:
        session.pop("currency", None)
    return redirect(safe_next(form.next.data, url_for("catalog.home")))
