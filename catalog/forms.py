"""Catalog forms: opening and editing a store, adding and editing a product, uploading photos.

Forms only parse the request and carry the CSRF token. The rules live in `catalog.services` and
`catalog.validation`; a service's ValidationError is mapped back onto the fields here, so every
field is a plain text, select or checkbox with no validators of its own.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from catalog import validation as v
from catalog.models import Category, Product, ProductStatus, Province, Regency, StoreScale
from marketplace.errors import DomainError

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
NUMERIC = {"inputmode": "numeric"}


def _select(label, **kwargs) -> SelectField:
    # The services say which values are valid, in the reader's language; WTForms' own English
    # "Not a valid choice" would only duplicate them.
    return SelectField(label, validate_choice=False, **kwargs)


class StoreForm(FlaskForm):
    """Open or edit a store. Field names are the keys `create_store`/`update_store` take."""

    name = StringField(_l("Nama toko"), render_kw={"maxlength": 120})
    slug = StringField(_l("Alamat toko (opsional)"), render_kw={"maxlength": 80})
    description = TextAreaField(_l("Deskripsi toko"))
    province_code = _select(_l("Provinsi"))
    regency_code = _select(_l("Kabupaten/kota"))
    nib = StringField(_l("NIB (Nomor Induk Berusaha)"), render_kw={"inputmode": "numeric", "maxlength": 20})
    scale = _select(_l("Skala usaha"), choices=[
        SelectChoice(StoreScale.MIKRO.value, _l("Mikro")),
        SelectChoice(StoreScale.KECIL.value, _l("Kecil")),
        SelectChoice(StoreScale.MENENGAH.value, _l("Menengah")),
    ])
    whatsapp = StringField(_l("Nomor WhatsApp"), render_kw={"inputmode": "tel", "autocomplete": "tel"})
    halal_cert = StringField(_l("Nomor sertifikat halal (opsional)"), render_kw={"maxlength": 64})
    cooperative = StringField(_l("Nama koperasi (bila anggota)"), render_kw={"maxlength": 120})
    export_ready = BooleanField(_l("Siap ekspor"))

    def set_region_choices(self, provinces: list[Province], regencies: list[Regency]) -> None:
        """Fill the province and regency selects; every regency carries its province code so a
        few lines of script can show only the chosen province's regencies."""
        self.province_code.choices = [SelectChoice("", _l("Pilih provinsi"))] + [
            SelectChoice(p.code, p.name) for p in provinces]
        self.regency_code.choices = [SelectChoice("", _l("Pilih kabupaten/kota"))] + [
            SelectChoice(r.code, r.name, render_kw={"data-province": r.province_code})
            for r in regencies]

    def service_data(self) -> dict:
        """The submitted values as the dict the store services take."""
        return {name: getattr(self, name).data for name in (
            "name", "slug", "description", "province_code", "regency_code", "nib", "scale",
            "whatsapp", "halal_cert", "cooperative", "export_ready")}


PRODUCT_STATUS_CHOICES = [
    SelectChoice(ProductStatus.DRAFT.value, _l("Draft (belum tampil)")),
    SelectChoice(ProductStatus.ACTIVE.value, _l("Aktif (tampil di toko)")),
    SelectChoice(ProductStatus.ARCHIVED.value, _l("Diarsipkan")),
]


class ProductForm(FlaskForm):
    """Add or edit a product. `wholesale_tiers` is the compact text "10:23000; 50:21000"."""

    title = StringField(_l("Nama produk"), render_kw={"maxlength": 160})
    title_en = StringField(_l("Nama produk dalam bahasa Inggris (opsional)"), render_kw={"maxlength": 160})
    description = TextAreaField(_l("Deskripsi"))
    description_en = TextAreaField(_l("Deskripsi dalam bahasa Inggris (opsional)"))
    category = _select(_l("Kategori"))
    price_idr = StringField(_l("Harga satuan (Rp)"), render_kw=NUMERIC)
    wholesale_tiers = StringField(_l("Harga grosir (opsional)"),
                                  render_kw={"placeholder": "10:23000; 50:21000"})
    min_order_qty = StringField(_l("Minimal pembelian (pcs)"), default="1", render_kw=NUMERIC)
    stock = StringField(_l("Stok"), render_kw=NUMERIC)
    weight_g = StringField(_l("Berat (gram)"), render_kw=NUMERIC)
    sku = StringField(_l("SKU (kode produk Anda)"), render_kw={"maxlength": 64})
    halal = BooleanField(_l("Halal"))
    export_ready = BooleanField(_l("Siap ekspor"))
    hs_code = StringField(_l("Kode HS (opsional, untuk ekspor)"), render_kw={"placeholder": "0901.11"})
    status = _select(_l("Status"), choices=PRODUCT_STATUS_CHOICES, default=ProductStatus.ACTIVE.value)
    images = MultipleFileField(_l("Foto produk"), render_kw={"accept": IMAGE_ACCEPT})

    def set_category_choices(self, tree: list[tuple[Category, list[Category]]], lang: str) -> None:
        """Fill the category select with nested names, e.g. "Kopi & Teh › Kopi"."""
        self.category.choices = [SelectChoice("", _l("Pilih kategori"))] + [
            SelectChoice(cat.slug, " › ".join(c.display_name(lang) for c in path))
            for cat, path in tree]

    def service_data(self) -> tuple[dict, v.FieldError | None]:
        """The submitted values as the dict the product services take, and the problem with the
        wholesale-tier text if it cannot be read (then `wholesale_tiers` is left out of the dict,
        so the service still checks every other field)."""
        data = {name: getattr(self, name).data for name in (
            "title", "title_en", "description", "description_en", "category", "price_idr",
            "min_order_qty", "stock", "weight_g", "sku", "halal", "export_ready", "hs_code",
            "status")}
        try:
            data["wholesale_tiers"] = v.parse_tiers_text(self.wholesale_tiers.data or "")
        except v.FieldError as exc:
            return data, exc
        return data, None

    def uploaded_images(self) -> list:
        """The files chosen in the photo input (an empty input sends one nameless part)."""
        return [f for f in (self.images.data or []) if getattr(f, "filename", "")]


def product_form_data(product: Product) -> dict:
    """A product's current values in the shape ProductForm shows them."""
    return {
        "title": product.title, "title_en": product.title_en or "",
        "description": product.description, "description_en": product.description_en or "",
        "category": product.category.slug, "price_idr": str(product.price_idr),
        "wholesale_tiers": v.format_tiers_text(product.tiers),
        "min_order_qty": str(product.min_order_qty), "stock": str(product.stock),
        "weight_g": str(product.weight_g), "sku": product.sku, "halal": product.halal,
        "export_ready": product.export_ready, "hs_code": product.hs_code or "",
        "status": product.status,
    }


class ImageUploadForm(FlaskForm):
    """More photos for an existing product."""

    images = MultipleFileField(_l("Tambah foto"), render_kw={"accept": IMAGE_ACCEPT})

    def uploaded_images(self) -> list:
        """The files chosen in the photo input."""
        return [f for f in (self.images.data or []) if getattr(f, "filename", "")]


class VerifyStoreForm(FlaskForm):
    """An officer's verify (1) or unverify (0) decision on a store."""

    verified = HiddenField()


def apply_errors(form: FlaskForm, exc: DomainError) -> list:
    """Put a service error's field messages under the matching form fields.

    Returns the messages that belong to no field (or the error's own message when it names no
    field), for the page to flash.
    """
    leftover = []
    for name, message in exc.fields.items():
        field = form._fields.get(name)
        if field is None:
            leftover.append(message)
        else:
            field.errors = list(field.errors) + [message]
    if not exc.fields:
        leftover.append(exc.message)
    return leftover
