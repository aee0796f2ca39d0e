"""Catalog pages: the public shop windows, the seller's pages and the officer's store checks.

Each view parses the request, calls a service from `catalog.services` or `catalog.images`, and
renders. Services only flush and the request commits once at its end (`marketplace.web`); a view
that catches a service's DomainError hands it to `service_call`/`flash_errors`, which roll the
request back and show the messages under the form fields or as flash messages.
"""
from __future__ import annotations

import sqlalchemy.orm as so
from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from catalog import bp, images, pending_photos, services
from catalog import home as home_page
from catalog.access import store_required
from catalog.forms import ImageUploadForm, ProductForm, StoreForm, VerifyStoreForm, product_form_data
from catalog.models import Product, ProductStatus, Store
from marketplace.auth import officer_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.hooks import Hook
from marketplace.web import acting_user, current_lang, paginate, safe_next, service_call

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

#: functions (product, viewer, user_agent) called when a product page is shown (books counts
#: the views); they must be quick: the page waits for them
product_viewed = Hook("product_viewed", "Functions (product, viewer, user_agent) called when a "
                                        "product page is shown.")
#: functions (store) -> HomeSection | None: sections other domains add to the seller's
#: dashboard, after the store's summary (books: the key sales figures)
dashboard_sections = Hook("dashboard_sections", "Functions (store) -> HomeSection | None: "
                                                "sections of the seller's dashboard.")


# --- helpers ----------------------------------------------------------------------------------

def _sort() -> str:
    sort = request.args.get("sort", "newest")
    return sort if sort in SORT_OPTIONS else "newest"


def _with_store(stmt):
    """Grid queries show each product's store and its regency: load them in one go, not per card."""
    return stmt.options(so.selectinload(Product.store).selectinload(Store.regency))


def _image_error(exc: DomainError) -> str:
    return str(exc.fields.get("image") or exc.message)


@bp.context_processor
def _catalog_helpers():
    return {"sort_options": SORT_OPTIONS}


# --- public pages -----------------------------------------------------------------------------

@bp.get("/")
def home():
    """The home page, phone first: a compact banner, the top-level categories, the newest
    products mixed across stores, the sections of other domains (events), export-ready and
    koperasi picks, then featured stores."""
    top = [cat for cat, path in services.category_tree() if len(path) == 1]
    picks = home_page.home_picks()
    return render_template("catalog/home.html", categories=top, newest=picks["newest"],
                           export_picks=picks["export"], koperasi_picks=picks["koperasi"],
                           sections=home_page.other_sections(),
                           stores=services.featured_stores(limit=8))


@bp.get("/kategori")
def categories():
    """Every category, each top-level one with its subcategories: the bottom navigation's
    "Kategori" on phones."""
    tree = services.category_tree()
    top = [(cat, [child for child, path in tree if len(path) == 2 and path[0] is cat])
           for cat, path in tree if len(path) == 1]
    return render_template("catalog/categories.html", tree=top)


@bp.get("/produk")
def browse():
    """All active products, optionally matching `q`, sorted and paginated."""
    q = (request.args.get("q") or "").strip()
    sort = _sort()
    stmt = services.matching_text(services.active_products(sort=sort), q)
    top = [cat for cat, path in services.category_tree() if len(path) == 1]
    return render_template("catalog/browse.html", page=paginate(_with_store(stmt), PER_PAGE),
                           q=q, sort=sort, category=None, chips=top, trail=[])


@bp.get("/kategori/<slug>")
def category(slug: str):
    """One category's active products, those of its subcategories included."""
    cat = services.category_by_slug(slug)
    if cat is None:
        abort(404)
    sort = _sort()
    stmt = services.active_products(category=cat, sort=sort)
    return render_template("catalog/browse.html", page=paginate(_with_store(stmt), PER_PAGE),
                           q="", sort=sort, category=cat, chips=cat.children,
                           trail=services.category_path(cat))


@bp.get("/produk/<int:product_id>")
def product_page(product_id: int):
    """A product's page. Drafts and archived products are shown only to their store's owner."""
    me = acting_user()
    product = services.visible_product(product_id, me)
    product_viewed.call(product, me, request.headers.get("User-Agent", ""))
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
                           page=paginate(_with_store(stmt), PER_PAGE))


# --- seller pages -----------------------------------------------------------------------------

@bp.route("/jual/toko/baru", methods=["GET", "POST"])
@login_required
def store_new():
    """Open a store; the user becomes a seller. One store per user."""
    me = acting_user()
    if services.store_of(me) is not None:
        return redirect(url_for("catalog.seller_dashboard"))
    form = StoreForm()
    form.set_region_choices()
    if form.validate_on_submit() and "region_step" not in request.form:
        with service_call(form) as call:
            store = services.create_store(me, form.service_data())
        if call.ok:
            flash(_("Toko %(name)s sudah dibuka. Tambahkan produk pertama Anda!", name=store.name),
                  "success")
            return redirect(url_for("catalog.seller_dashboard"))
    return render_template("catalog/store_form.html", form=form, store=None)


@bp.route("/jual/toko", methods=["GET", "POST"])
@store_required(message=None)
def store_edit(store: Store):
    """Edit the seller's own store."""
    form = StoreForm(obj=store)
    form.set_region_choices(store)
    if form.validate_on_submit() and "region_step" not in request.form:
        with service_call(form) as call:
            services.update_store(store, form.service_data(), actor=acting_user())
        if call.ok:
            flash(_("Data toko tersimpan."), "success")
            return redirect(url_for("catalog.seller_dashboard"))
    return render_template("catalog/store_form.html", form=form, store=store)


@bp.get("/jual")
@store_required(message=None)
def seller_dashboard(store: Store):
    """The seller's desk: store summary, product counts and the product table."""
    me = acting_user()
    status = request.args.get("status") or None
    if status not in {s.value for s in ProductStatus}:
        status = None
    stmt = services.store_products(store, actor=me, status=status)
    sections = sorted((section for section in dashboard_sections.call(store) if section is not None),
                      key=lambda section: section.order)
    return render_template("catalog/dashboard.html", store=store, status=status, sections=sections,
                           counts=services.product_counts_by_status(store, actor=me),
                           page=paginate(stmt, SELLER_PER_PAGE))


def _save_product(form: ProductForm, *, store: Store, product: Product | None,
                  keep: bool = True) -> Product | None:
    """Create or update from the form; on failure roll back, mark the fields and return None.

    An empty SKU gets one proposed from the title (`services.propose_sku`). With `keep=False`
    (another part of the form failed) the service still checks every field, so the seller sees
    all the problems at once, but nothing it did is kept.
    """
    me = acting_user()
    data, tier_error = form.service_data()
    if not (data.get("sku") or "").strip():
        # (without a title too, so an empty SKU is never one of the form's errors)
        data["sku"] = services.propose_sku(store, data.get("title") or "", exclude=product)
    saved = None
    with service_call(form):
        if product is None:
            saved = services.create_product(store, data, actor=me)
        else:
            saved = services.update_product(product, data, actor=me)
    if tier_error is not None:
        form.wholesale_tiers.errors = [tier_error.message]
    if tier_error is not None or not keep:
        # The tiers never reached the service (or the photos failed): nothing may be kept,
        # even if the rest was fine.
        db.session.rollback()
        return None
    return saved


def _check_new_photos(uploads: list, room: int) -> tuple[list, list[str]]:
    """Do the picture work of `uploads` before the request writes anything.

    Returns the (file name, PreparedImage) pairs of the files that are pictures within the
    limits, at most `room` of them, and a message for each refused file.
    """
    prepared, refused = [], []
    for upload in uploads:
        if len(prepared) >= room:
            limit = current_app.config["MAX_IMAGES_PER_PRODUCT"]
            refused.append(_("%(file)s: paling banyak %(n)d foto per produk.",
                             file=upload.filename, n=limit))
            continue
        try:
            prepared.append((upload.filename, images.prepare_image(upload.read())))
        except DomainError as exc:
            refused.append(_("%(file)s: %(reason)s", file=upload.filename, reason=_image_error(exc)))
    return prepared, refused


def _prepare_photos(uploads: list) -> tuple[list, tuple | None]:
    """Do the picture work of `uploads` in order, before the request writes anything.

    Returns the (file name, PreparedImage) pairs of the files before the first refused one, and
    that refusal as (file name, reason), or None when every file is a picture. Files after a
    refused one are not looked at (the seller sends them again).
    """
    prepared = []
    for upload in uploads:
        try:
            prepared.append((upload.filename, images.prepare_image(upload.read())))
        except DomainError as exc:
            return prepared, (upload.filename, _image_error(exc))
    return prepared, None


def _attach_photos(product: Product, prepared: list, refused: tuple | None) -> tuple[int, tuple | None]:
    """Attach prepared photos to `product` in order, stopping at the first it refuses (the
    photo limit). Returns how many were added and the refusal to show (this one, or the
    preparing's `refused` when all were added)."""
    added = 0
    for filename, picture in prepared:
        try:
            # add_image refuses (too many photos) before it changes anything, so the photos
            # added before stay in the request, and so does the product.
            images.add_image(product, picture, actor=acting_user())
        except DomainError as exc:
            return added, (filename, _image_error(exc))
        added += 1
    return added, refused


def _kept_photos(store: Store) -> tuple[list[pending_photos.PendingPhoto], list[str]]:
    """The pending photos the form sends back (still ticked), and a message when some of them
    can no longer be used (expired or already used)."""
    limit = current_app.config["MAX_IMAGES_PER_PRODUCT"]
    tokens = list(dict.fromkeys(request.form.getlist("pending_photos")))[:limit]
    kept = [p for p in (pending_photos.find(store.id, t) for t in tokens) if p is not None]
    if len(kept) < len(tokens):
        return kept, [_("Foto yang dipilih sebelumnya sudah kedaluwarsa. Pilih fotonya lagi.")]
    return kept, []


@bp.teardown_request
def _discard_attached_pending_photos(exc) -> None:
    # After the request's commit (an exception here means it did not happen): the pending
    # files of photos now attached to a product are no longer needed.
    used = g.pop("attached_pending_photos", None)
    if used and exc is None:
        pending_photos.discard(used)


@bp.route("/jual/produk/baru", methods=["GET", "POST"])
@store_required
def product_new(store: Store):
    """Add a product, with its photos chosen in the same form.

    Nothing is half-written: when any field or any photo is refused, no product is saved, every
    problem is shown (a summary at the top, each message at its field), and the photos that
    passed the checks are kept as pending photos (`catalog.pending_photos`), shown with a
    preview and attached by the next valid submit.
    """
    form = ProductForm()
    form.for_new_product()
    form.set_category_choices(services.category_tree(), current_lang())
    # kept photos survive even a refused CSRF token (a form left open too long)
    kept, photo_errors = _kept_photos(store) if request.method == "POST" else ([], [])
    if form.validate_on_submit():
        room = current_app.config["MAX_IMAGES_PER_PRODUCT"] - len(kept)
        prepared, refused = _check_new_photos(form.uploaded_images(), room)
        photo_errors += refused
        product = _save_product(form, store=store, product=None, keep=not photo_errors)
        if product is not None:
            chosen = [(p.filename, pending_photos.load(p)) for p in kept] + prepared
            _added, refused_one = _attach_photos(product, chosen, None)
            g.attached_pending_photos = kept
            if refused_one is not None:  # only if the limit changed meanwhile
                flash(_("Produk tersimpan, tetapi foto %(file)s ditolak: %(reason)s",
                        file=refused_one[0], reason=refused_one[1]), "error")
                return redirect(url_for("catalog.product_edit", product_id=product.id))
            flash(_("Produk %(title)s tersimpan (SKU %(sku)s).", title=product.title, sku=product.sku),
                  "success")
            return redirect(url_for("catalog.seller_dashboard"))
        form.images.errors = list(form.images.errors) + photo_errors
        kept += [pending_photos.keep(store.id, name, picture) for name, picture in prepared]
    return render_template("catalog/product_form.html", form=form, product=None, pending=kept,
                           photo_limits=_photo_limits())


def _photo_limits() -> dict:
    """What the photo input's script needs to shrink a photo before upload."""
    max_bytes = current_app.config["MAX_IMAGE_BYTES"]
    return {"max_bytes": max_bytes, "max_mb": format_decimal(round(max_bytes / 1024 / 1024, 1)),
            "max_side": images.MAX_SIDE, "max_files": current_app.config["MAX_IMAGES_PER_PRODUCT"]}


@bp.get("/jual/produk/foto-sementara/<token>")
@store_required
def pending_photo(store: Store, token: str):
    """The thumbnail of one of the seller's pending photos (private: their own store's only)."""
    photo = pending_photos.find(store.id, token)
    if photo is None:
        abort(404)
    response = send_file(photo.thumb_path, mimetype="image/webp", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/jual/produk/<int:product_id>/ubah", methods=["GET", "POST"])
@login_required
def product_edit(product_id: int):
    """Edit one of the seller's products and manage its photos."""
    product = services.owned_product(product_id, acting_user())
    form = ProductForm(data=product_form_data(product))
    form.set_category_choices(services.category_tree(), current_lang())
    if form.validate_on_submit():
        if _save_product(form, store=product.store, product=product) is not None:
            flash(_("Perubahan produk tersimpan."), "success")
            return redirect(url_for("catalog.seller_dashboard"))
    return render_template("catalog/product_form.html", form=form, product=product,
                           upload_form=ImageUploadForm(),
                           max_images=current_app.config["MAX_IMAGES_PER_PRODUCT"])


@bp.post("/jual/produk/<int:product_id>/foto")
@login_required
def product_images_upload(product_id: int):
    """Add photos to one of the seller's products; stops at the first refused file (the ones
    before it are kept)."""
    product = services.owned_product(product_id, acting_user())
    form = ImageUploadForm()
    uploads = form.uploaded_images() if form.validate_on_submit() else []
    if not uploads:
        flash(_("Pilih berkas foto."), "error")
    prepared, refused = _prepare_photos(uploads)
    added, refused = _attach_photos(product, prepared, refused)
    if refused is not None:
        flash(_("Foto %(file)s ditolak: %(reason)s", file=refused[0], reason=refused[1]), "error")
    if added:
        flash(ngettext("%(num)d foto ditambahkan.", "%(num)d foto ditambahkan.", added), "success")
    return redirect(url_for("catalog.product_edit", product_id=product_id, _anchor="foto"))


@bp.post("/jual/produk/<int:product_id>/foto/<int:image_id>/hapus")
@login_required
def product_image_delete(product_id: int, image_id: int):
    """Remove one photo from one of the seller's products."""
    me = acting_user()
    images.delete_image(services.owned_product(product_id, me), image_id, actor=me)
    flash(_("Foto dihapus."), "success")
    return redirect(url_for("catalog.product_edit", product_id=product_id, _anchor="foto"))


@bp.post("/jual/produk/<int:product_id>/foto/<int:image_id>/utama")
@login_required
def product_image_main(product_id: int, image_id: int):
    """Make one photo the product's main photo."""
    me = acting_user()
    images.move_image_first(services.owned_product(product_id, me), image_id, actor=me)
    flash(_("Foto utama diganti."), "success")
    return redirect(url_for("catalog.product_edit", product_id=product_id, _anchor="foto"))


@bp.post("/jual/produk/<int:product_id>/hapus")
@login_required
def product_delete(product_id: int):
    """Delete one of the seller's products: the first POST asks, a POST with confirm=1 deletes."""
    me = acting_user()
    product = services.owned_product(product_id, me)
    if request.form.get("confirm") != "1":
        return render_template("catalog/product_delete.html", product=product)
    title = product.title
    services.delete_product(product, actor=me)
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
    stmt = services.stores_for_review(actor=acting_user(), verified=REVIEW_FILTERS[show], q=q).options(
        so.selectinload(Store.regency), so.selectinload(Store.province), so.selectinload(Store.owner))
    return render_template("catalog/admin_stores.html", page=paginate(stmt, ADMIN_PER_PAGE),
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
    services.set_store_verified(store, verified, actor=acting_user())
    if verified:
        flash(_("Toko %(name)s sudah terverifikasi.", name=store.name), "success")
    else:
        flash(_("Verifikasi toko %(name)s dicabut.", name=store.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("catalog.admin_stores")))
