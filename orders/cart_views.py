"""Cart and checkout pages: the cart, checkout (card or bank transfer) and its confirmation.

Card payments never post card numbers to this server in production: see `checkout` and
static/js/card.js.
"""
from __future__ import annotations

import uuid

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalog.addresses import clean_address
from catalog.models import Product
from marketplace.errors import Conflict, DomainError, ValidationError
from marketplace.extensions import db
from marketplace.forms import apply_errors
from marketplace.web import acting_user, current_lang, flash_errors
from orders import bp, services
from orders.cart import bag_for, build_cart, set_quantity
from orders.checkout import PaymentDeclined, TotalChanged, place_checkout
from orders.forms import AddToCartForm, CartLineForm, CheckoutForm, TransferProofForm, shipping_choices
from orders.models import PaymentMethod
from orders.payments import stripe as gateway

# --- cart -------------------------------------------------------------------------------------

@bp.get("/keranjang")
def cart():
    """The cart, grouped by store, with tier prices and what stands in the way of checkout."""
    view = build_cart(bag_for(acting_user(), session).quantities())
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
    me = acting_user()
    bag = bag_for(me, session)
    quantity = (form.quantity.data or "").strip()
    if quantity.isdigit() and int(quantity) > 0:
        quantity = int(quantity) + bag.quantities().get(product_id, 0)
    try:
        set_quantity(bag, product_id, quantity, actor=me)
    except DomainError as exc:
        flash_errors(exc)
        if exc.status == 404:
            return redirect(url_for("orders.cart"))
        return redirect(url_for("catalog.product_page", product_id=product_id))
    product = db.session.get(Product, product_id)
    flash(_("%(title)s masuk keranjang.", title=product.display_title(current_lang())), "success")
    return redirect(url_for("orders.cart"))


@bp.post("/keranjang/ubah")
def cart_update():
    """Change a line's quantity (0 removes it), or remove it with the `remove` button."""
    form = CartLineForm()
    product_id = _product_id(form.product_id.data)
    if not form.validate_on_submit() or product_id is None:
        abort(400)
    me = acting_user()
    bag = bag_for(me, session)
    product = db.session.get(Product, product_id)
    title = product.display_title(current_lang()) if product else ""
    if request.form.get("remove"):
        bag.remove(product_id)
        flash(_("%(title)s dihapus dari keranjang.", title=title), "success")
        return redirect(url_for("orders.cart"))
    try:
        set_quantity(bag, product_id, form.quantity.data, actor=me)
    except DomainError as exc:
        db.session.rollback()
        for message in (list(exc.fields.values()) or [exc.message]):
            flash(f"{title}: {message}" if title else message, "error")
    else:
        flash(_("Keranjang diperbarui."), "success")
    return redirect(url_for("orders.cart"))


# --- checkout ---------------------------------------------------------------------------------

def _stripe_mode() -> str:
    """ "local" when STRIPE_API_BASE points at a local Stripe-compatible test server, else "stripe"."""
    return "local" if current_app.config["STRIPE_API_BASE"] else "stripe"


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    """The shipping address, the courier service per store and the payment method; places the
    checkout.

    "Hitung ongkir" (`calculate`) prices shipping for the address and lists each store's
    services as radio buttons (`ship-<store slug>`, the cheapest checked); pressing it again
    after choosing another service prices that one. "Bayar" (`place`) calls
    orders.checkout.place_checkout and, on success, goes to the confirmation page. Nothing is
    kept when it fails: the view rolls back on every DomainError.

    Cards: the form only ever carries a Stripe PaymentMethod id (`payment_method_id`), never a
    card number. card.js makes that id in the browser: with real Stripe (no STRIPE_API_BASE)
    through Stripe.js and a card Element, which send the card straight to Stripe; with a local
    Stripe-compatible test server (STRIPE_API_BASE set) by posting a TEST card to `test_card`,
    a route that exists only then. Without JavaScript the card option cannot be used; bank
    transfer always works.
    """
    me = acting_user()
    bag = bag_for(me, session)
    quantities = bag.quantities()
    if not quantities and request.method == "GET":
        flash(_("Keranjang Anda kosong."), "info")
        return redirect(url_for("orders.cart"))
    form = CheckoutForm()
    form.set_choices(lang=current_lang(), card=gateway.configured())
    if not form.idempotency_key.data:
        form.idempotency_key.data = uuid.uuid4().hex
    address, problem, declined, messages, confirm = None, None, None, [], None
    choices = shipping_choices(request.form) if request.method == "POST" else {}
    shipping_errors: dict[str, str] = {}
    # "region_step" (without JavaScript): the next step of the place, nothing checked or placed
    if form.validate_on_submit() and "region_step" not in request.form:
        try:
            address = clean_address(form.address())
        except ValidationError as exc:
            messages += apply_errors(form, exc)
        card = form.payment_method.data == PaymentMethod.CARD
        if "place" in request.form and address is not None:
            if card and not form.payment_method_id.data:
                form.payment_method.errors = [_(
                    "Pembayaran kartu memerlukan JavaScript. Aktifkan JavaScript atau pilih transfer bank.")]
            else:
                try:
                    shown = (form.shown_total.data or "").strip()
                    placed = place_checkout(
                        me, quantities, address, payment_method=form.payment_method.data,
                        payment_method_id=(form.payment_method_id.data or None) if card else None,
                        idempotency_key=form.idempotency_key.data,
                        expected_total_idr=int(shown) if shown.isdigit() else -1,
                        shipping_choices=choices)
                    bag.clear()
                except TotalChanged as exc:
                    db.session.rollback()
                    confirm = exc.message
                except PaymentDeclined as exc:
                    db.session.rollback()
                    declined = exc.message
                except Conflict as exc:
                    db.session.rollback()
                    problem = exc.message
                except DomainError as exc:
                    db.session.rollback()
                    shipping_errors = _shipping_errors(exc)
                    messages += apply_errors(form, exc) if exc.fields or not shipping_errors else []
                else:
                    return redirect(url_for("orders.checkout_done", checkout_id=placed.id))
        form.payment_method_id.data = ""  # a declined or unused id is never sent twice
    view = build_cart(quantities, address, shipping_choices=choices)
    in_cart = {group.store.slug for group in view.groups}
    messages += [message for slug, message in shipping_errors.items() if slug not in in_cart]
    form.shown_total.data = str(view.total_idr) if view.shipping_known else ""
    if view.empty and problem is None:
        flash(_("Keranjang Anda kosong."), "info")
        return redirect(url_for("orders.cart"))
    return render_template(
        "orders/checkout.html", form=form, cart=view, problem=problem, declined=declined,
        messages=messages, confirm=confirm, shipping_errors=shipping_errors, stripe_mode=_stripe_mode(),
        stripe_key=current_app.config["STRIPE_PUBLISHABLE_KEY"] or "")


def _shipping_errors(exc: DomainError) -> dict[str, str]:
    """Take the `shipping_choices.<slug>` messages out of a service error, by store slug (the
    page shows them at that store's couriers); the rest stay for the form."""
    found = {key.removeprefix("shipping_choices."): message for key, message in exc.fields.items()
             if key.startswith("shipping_choices.")}
    for slug in found:
        exc.fields.pop(f"shipping_choices.{slug}")
    return found


@bp.post("/pembayaran/kartu-uji")
@login_required
def test_card():
    """LOCAL TESTING ONLY: make a PaymentMethod for a TEST card on the local Stripe server.

    Exists only while STRIPE_API_BASE is set (a localstripe-like server that never sees real
    cards); 404 otherwise, and gateway.create_test_payment_method refuses too. In production
    card.js uses Stripe.js and card numbers never reach this server. Body: JSON
    {number, exp_month, exp_year, cvc}; answer {"id": "pm_..."}.
    """
    if not current_app.config["STRIPE_API_BASE"]:
        abort(404)
    data = request.get_json(silent=True) or {}
    try:
        month, year = int(data.get("exp_month")), int(data.get("exp_year"))
    except (TypeError, ValueError):
        return jsonify({"error": {"message": _("Masa berlaku kartu ditulis BB/TT, mis. 12/30.")}}), 422
    try:
        pm_id = gateway.create_test_payment_method(
            data.get("number"), month, year + 2000 if year < 100 else year, data.get("cvc"))
    except DomainError as exc:
        return jsonify({"error": {"message": str(exc.message)}}), exc.status
    return jsonify({"id": pm_id})


@bp.get("/checkout/<int:checkout_id>")
@login_required
def checkout_done(checkout_id: int):
    """After placing: the orders, totals and payment status; for a bank transfer, whom to pay
    and where to upload each order's proof."""
    placed = services.checkout_for(checkout_id, acting_user())
    return render_template("orders/checkout_done.html", checkout=placed,
                           proof_form=TransferProofForm(formdata=None),
                           stripe_mode=_stripe_mode(),
                           stripe_key=current_app.config["STRIPE_PUBLISHABLE_KEY"] or "")
