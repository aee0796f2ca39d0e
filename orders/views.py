"""Order pages' shared parts, and the seller's shipping settings (couriers, rates, free shipping). The cart and checkout are in
cart_views.py, the orders themselves in order_views.py.

As in catalog/views.py, each view parses the request with a form from orders.forms, calls a
service (orders.cart, orders.checkout, orders.services, orders.payments, orders.shipping) and
renders. Services only flush: the request commits at its end, and `marketplace.web.service_call` rolls
back a DomainError and shows it under the form fields or as a flash message.

Card payments never post card numbers to this server in production: see `checkout` and
static/js/card.js.
"""
from __future__ import annotations

from babel import Locale
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalog.access import store_required
from catalog.addresses import place_names
from marketplace.web import acting_user, current_lang, service_call
from orders import bp, state
from orders.couriers import SERVICES, days_label, find_courier
from orders.forms import ACTION_LABELS, ZONE_LABELS, ShippingSettingsForm
from orders.payments import escrow
from orders.shipping import plan_for, set_shipping
from orders.terms import carriage_included, terms_label

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

@bp.context_processor
def _order_helpers():
    def address_lines(address: dict) -> list[str]:
        """A stored shipping address as lines to print, region codes turned into names."""
        address = address or {}
        if (address.get("country") or "ID") == "ID":
            names = place_names(address)
            region = [names.get("district"), names.get("regency"), names.get("province")]
        else:
            region = [address.get("district"), address.get("regency"), address.get("province")]
        country = address.get("country") or "ID"
        return [line for line in (
            address.get("line1"), ", ".join(p for p in region if p),
            " ".join(p for p in (address.get("postal_code"),
                                 Locale.parse(current_lang()).territories.get(country, country)) if p))
            if line]

    return {"status_label": state.status_label, "order_payment_status": state.order_payment_status,
            "checkout_payment": state.checkout_payment,
            "action_labels": ACTION_LABELS, "address_lines": address_lines,
            "zone_labels": ZONE_LABELS, "terms_label": terms_label,
            "carriage_included": carriage_included, "days_label": days_label,
            "find_courier": find_courier, "shipping_services": SERVICES,
            "payment_instructions": escrow.instructions}


# --- seller settings ----------------------------------------------------

@bp.route("/jual/ongkir", methods=["GET", "POST"])
@store_required(message=None)
def shipping_rates(store):
    """The store's shipping: the courier services it offers, its own rates per service and
    zone (blank: the marketplace's), and its free-shipping threshold."""
    me = acting_user()
    plan = plan_for(store)
    form = ShippingSettingsForm.build(plan)
    if form.validate_on_submit():
        with service_call(form) as call:
            set_shipping(store, services=form.services(), rates=form.rates(),
                         free_shipping_min_idr=form.free_shipping_min_idr(), actor=me)
        if call.ok:
            flash(_("Pengaturan pengiriman tersimpan."), "success")
            return redirect(url_for("orders.shipping_rates"))
    return render_template("orders/shipping_rates.html", form=form, store=store, plan=plan)
