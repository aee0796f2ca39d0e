"""Catalog pages: the public shop windows, the seller's pages and the officer's store checks.

Each view parses the request, calls a service from `catalog.services` or `catalog.images`, and
renders. Services only flush; a view commits after a successful call and rolls back when a
service raises a DomainError, which it shows under the form fields or as a flash message.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from catalog import bp, images, services
from catalog.forms import ImageUploadForm, ProductForm, StoreForm, VerifyStoreForm, apply_errors, product_form_data
from catalog.models import Product, ProductStatus, Province, Regency, Store
from marketplace.accounts.models import User
from marketplace.auth import officer_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.web import safe_next

PER_PAGE = 24
SELLER_PER_PAGE = 20
ADMIN_PER_PAGE = 30
SORT_OPTIONS = {
    "newest": _l("Terbaru"),
    "price_asc": _l("Harga terendah"),
    "price_desc": _l("Harga tertinggi"),
    "best_selling": _l("Terlaris"),
}
REVIEW_FILTERS = {"unverified": False, "verified": True, "all": None}


# --- helpers ----------------------------------------------------------------------------------

def _lang() -> str:
    return str(get_locale() or "id")


def _me() -> User | None:
    """The signed-in user as a real model object (services compare and store it), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def _sort() -> str:
    sort = request.args.get("sort", "newest")
    return sort if sort in SORT_OPTIONS else "newest"


def _with_store(stmt):
    """Grid queries show each product's store and its regency: load them in one go, not per card."""
    return stmt.options(so.selectinload(Product.store).selectinload(Store.regency))


def _paginate(stmt, per_page: int):
    return db.paginate(stmt, per_page=per_page, max_per_page=per_page, error_out=False)


def _form_failed(form, exc: DomainError) -> None:
    db.session.rollback()
    for message in apply_errors(form, exc):
        flash(message, "error")


def _image_error(exc: DomainError) -> str:
    return str(exc.fields.get("image") or exc.message)


@bp.context_processor
def _catalog_helpers():
    def page_url(page: int) -> str:
        """This page's URL with the same filters, at another page number."""
        args = {**request.view_args, **request.args.to_dict(), "page": page}
        return url_for(request.endpoint, **args)

    return {"page_url": page_url, "image_url": images.image_url,
            "sort_options": SORT_OPTIONS}


# --- public pages -----------------------------------------------------------------------------

@bp.get("/")
def home():
    """The home page: top-level categories, featured stores and the newest products."""
    top = [cat for cat, path in services.category_tree() if len(path) == 1]
    newest = db.session.scalars(
        _with_store(services.active_products(sort="newest")).limit(12)).all()
    return render_template("catalog/home.html", categories=top, newest=newest,
                           stores=services.featured_stores(limit=8))


@bp.get("/produk")
def browse():
    """All active products, optionally matching `q`, sorted and paginated."""
    q = (request.args.get("q") or "").strip()
    sort = _sort()
    stmt = services.matching_text(services.active_products(sort=sort), q)
    top = [cat for cat, path in services.category_tree() if len(path) == 1]
    return render_template("catalog/browse.html", page=_paginate(_with_store(stmt), PER_PAGE),
                           q=q, sort=sort, category=None, chips=top, trail=[])


@bp.get("/kategori/<slug>")
def category(slug: str):
    """One category's active products, those of its subcategories included."""
    cat = services.category_by_slug(slug)
    if cat is None:
        abort(404)
    sort = _sort()
    stmt = services.active_products(category=cat, sort=sort)
    return render_template("catalog/browse.html", page=_paginate(_with_store(stmt), PER_PAGE),
                           q="", sort=sort, category=cat, chips=cat.children,
                           trail=services.category_path(cat))


@bp.get("/produk/<int:product_id>")
def product_page(product_id: int):
    """A product's page. Drafts and archived products are shown only to their store's owner."""
    me = _me()
    product = services.visible_product(product_id, me)
    return render_template("catalog/product.html", product=product,
                           is_owner=me is not None and product.store.owner_id == me.id,
                           trail=services.category_path(product.category))


@bp.get("/toko/<slug>")
def store_page(slug: str):
    """A store's page: who they are, where from, and their active products."""
    store = services.get_store(slug)
    sort = _sort()
    stmt = services.active_products(store=store, sort=sort)
    return render_template("catalog/store.html", store=store, sort=sort,
                           page=_paginate(_with_store(stmt), PER_PAGE))


# --- seller pages -----------------------------------------------------------------------------

def _region_choices(form: StoreForm) -> None:
    form.set_region_choices(
        db.session.scalars(sa.select(Province).order_by(Province.name)).all(),
        db.session.scalars(sa.select(Regency).order_by(Regency.name)).all())


@bp.route("/jual/toko/baru", methods=["GET", "POST"])
@login_required
def store_new():
    """Open a store; the user becomes a seller. One store per user."""
    me = _me()
    if services.store_of(me) is not None:
        return redirect(url_for("catalog.seller_dashboard"))
    form = StoreForm()
    _region_choices(form)
    if form.validate_on_submit():
        try:
            store = services.create_store(me, form.service_data())
        except DomainError as exc:
            _form_failed(form, exc)
        else:
            db.session.commit()
            flash(_("Toko %(name)s sudah dibuka. Tambahkan produk pertama Anda!", name=store.name),
                  "success")
            return redirect(url_for("catalog.seller_dashboard"))
    return render_template("catalog/store_form.html", form=form, store=None)


@bp.route("/jual/toko", methods=["GET", "POST"])
@login_required
def store_edit():
    """Edit the seller's own store."""
    me = _me()
    store = services.store_of(me)
    if store is None:
        return redirect(url_for("catalog.store_new"))
    form = StoreForm(obj=store)
    _region_choices(form)
    if form.validate_on_submit():
        try:
            services.update_store(store, form.service_data(), actor=me)
        except DomainError as exc:
            _form_failed(form, exc)
        else:
            db.session.commit()
            flash(_("Data toko tersimpan."), "success")
            return redirect(url_for("catalog.seller_dashboard"))
    return render_template("catalog/store_form.html", form=form, store=store)


@bp.get("/jual")
@login_required
def seller_dashboard():
    """The seller's desk: store summary, product counts and the product table."""
    me = _me()
    store = services.store_of(me)
    if store is None:
        return redirect(url_for("catalog.store_new"))
    status = request.args.get("status") or None
    if status not in {s.value for s in ProductStatus}:
        status = None
    stmt = services.store_products(store, actor=me, status=status)
    return render_template("catalog/dashboard.html", store=store, status=status,
                           counts=services.product_counts_by_status(store, actor=me),
                           page=_paginate(stmt, SELLER_PER_PAGE))


def _save_product(form: ProductForm, *, store: Store, product: Product | None) -> Product | None:
    """Create or update from the form; on failure roll back, mark the fields and return None."""
    me = _me()
    data, tier_error = form.service_data()
    try:
        if product is None:
            saved = services.create_product(store, data, actor=me)
        else:
            saved = services.update_product(product, data, actor=me)
    except DomainError as exc:
        _form_failed(form, exc)
        saved = None
    if tier_error is not None:
        # The tiers never reached the service, so nothing may be kept even if the rest was fine.
        db.session.rollback()
        form.wholesale_tiers.errors = [tier_error.message]
        return None
    return saved


@bp.route("/jual/produk/baru", methods=["GET", "POST"])
@login_required
def product_new():
    """Add a product, with its photos chosen in the same form."""
    me = _me()
    store = services.store_of(me)
    if store is None:
        flash(_("Buka toko terlebih dahulu untuk mulai berjualan."), "info")
        return redirect(url_for("catalog.store_new"))
    form = ProductForm()
    form.set_category_choices(services.category_tree(), _lang())
    if form.validate_on_submit():
        product = _save_product(form, store=store, product=None)
        if product is not None:
            db.session.commit()
            for upload in form.uploaded_images():
                try:
                    images.add_image(product, upload.read(), actor=me)
                except DomainError as exc:
                    # The product is saved already; the seller fixes the photos on its edit page.
                    db.session.rollback()
                    flash(_("Produk tersimpan, tetapi foto %(file)s ditolak: %(reason)s",
                            file=upload.filename, reason=_image_error(exc)), "error")
                    return redirect(url_for("catalog.product_edit", product_id=product.id))
                db.session.commit()
            flash(_("Produk %(title)s tersimpan.", title=product.title), "success")
            return redirect(url_for("catalog.seller_dashboard"))
    return render_template("catalog/product_form.html", form=form, product=None)


@bp.route("/jual/produk/<int:product_id>/ubah", methods=["GET", "POST"])
@login_required
def product_edit(product_id: int):
    """Edit one of the seller's products and manage its photos."""
    me = _me()
    product = services.owned_product(product_id, me)
    form = ProductForm(data=product_form_data(product))
    form.set_category_choices(services.category_tree(), _lang())
    if form.validate_on_submit():
        if _save_product(form, store=product.store, product=product) is not None:
            db.session.commit()
            flash(_("Perubahan produk tersimpan."), "success")
            return redirect(url_for("catalog.seller_dashboard"))
    return render_template("catalog/product_form.html", form=form, product=product,
                           upload_form=ImageUploadForm(),
                           max_images=current_app.config["MAX_IMAGES_PER_PRODUCT"])


@bp.post("/jual/produk/<int:product_id>/foto")
@login_required
def product_images_upload(product_id: int):
    """Add photos to one of the seller's products; stops at the first refused file."""
    me = _me()
    product = services.owned_product(product_id, me)
    form = ImageUploadForm()
    uploads = form.uploaded_images() if form.validate_on_submit() else []
    if not uploads:
        flash(_("Pilih berkas foto."), "error")
    added = 0
    for upload in uploads:
        try:
            images.add_image(product, upload.read(), actor=me)
        except DomainError as exc:
            db.session.rollback()
            flash(_("Foto %(file)s ditolak: %(reason)s", file=upload.filename,
                    reason=_image_error(exc)), "error")
            break
        db.session.commit()
        added += 1
    if added:
        flash(ngettext("%(num)d foto ditambahkan.", "%(num)d foto ditambahkan.", added), "success")
    return redirect(url_for("catalog.product_edit", product_id=product_id, _anchor="foto"))


@bp.post("/jual/produk/<int:product_id>/foto/<int:image_id>/hapus")
@login_required
def product_image_delete(product_id: int, image_id: int):
    """Remove one photo from one of the seller's products."""
    me = _me()
    images.delete_image(services.owned_product(product_id, me), image_id, actor=me)
    db.session.commit()
    flash(_("Foto dihapus."), "success")
    return redirect(url_for("catalog.product_edit", product_id=product_id, _anchor="foto"))


@bp.post("/jual/produk/<int:product_id>/foto/<int:image_id>/utama")
@login_required
def product_image_main(product_id: int, image_id: int):
    """Make one photo the product's main photo."""
    me = _me()
    images.move_image_first(services.owned_product(product_id, me), image_id, actor=me)
    db.session.commit()
    flash(_("Foto utama diganti."), "success")
    return redirect(url_for("catalog.product_edit", product_id=product_id, _anchor="foto"))


@bp.post("/jual/produk/<int:product_id>/hapus")
@login_required
def product_delete(product_id: int):
    """Delete one of the seller's products: the first POST asks, a POST with confirm=1 deletes."""
    me = _me()
    product = services.owned_product(product_id, me)
    if request.form.get("confirm") != "1":
        return render_template("catalog/product_delete.html", product=product)
    title = product.title
    services.delete_product(product, actor=me)
    db.session.commit()
    flash(_("Produk %(title)s dihapus.", title=title), "success")
    return redirect(url_for("catalog.seller_dashboard"))


# --- officer pages ----------------------------------------------------------------------------

@bp.get("/admin/toko")
@officer_required
def admin_stores():
    """Stores for officers to verify: unverified first, filterable and searchable by name."""
    show = request.args.get("status", "unverified")
    if show not in REVIEW_FILTERS:
        show = "unverified"
    q = (request.args.get("q") or "").strip()
    stmt = services.stores_for_review(actor=_me(), verified=REVIEW_FILTERS[show], q=q).options(
        so.selectinload(Store.regency), so.selectinload(Store.province), so.selectinload(Store.owner))
    return render_template("catalog/admin_stores.html", page=_paginate(stmt, ADMIN_PER_PAGE),
                           show=show, q=q)


@bp.post("/admin/toko/<slug>/verifikasi")
@officer_required
def admin_store_verify(slug: str):
    """Mark a store verified (verified=1) or take the mark away (verified=0)."""
    store = services.get_store(slug)
    form = VerifyStoreForm()
    if not form.validate_on_submit() or form.verified.data not in ("0", "1"):
        abort(400)
    verified = form.verified.data == "1"
    services.set_store_verified(store, verified, actor=_me())
    db.session.commit()
    if verified:
        flash(_("Toko %(name)s sudah terverifikasi.", name=store.name), "success")
    else:
        flash(_("Verifikasi toko %(name)s dicabut.", name=store.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("catalog.admin_stores")))
