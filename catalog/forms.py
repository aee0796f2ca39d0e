"""Catalog forms: opening and editing a store, adding and editing a product, uploading photos,
and the postal address (with its country list) that checkout and quotes ask for.

Forms only parse the request and carry the CSRF token. The rules live in `catalog.services`,
`catalog.validation` and `catalog.addresses`; a service's ValidationError is mapped back onto the
fields by `marketplace.forms.apply_errors`, so every field is a plain text, select or checkbox
with no validators of its own.
"""
from __future__ import annotations

from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, Field, HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from catalog import validation as v
from catalog.addresses import RegionChoices, region_choices
from catalog.models import Category, Product, ProductStatus, StoreScale
from marketplace.forms import default_field_for_error

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
    description_en = TextAreaField(_l("Deskripsi toko dalam bahasa Inggris (opsional)"))
    province_code = _select(_l("Provinsi"))
    regency_code = _select(_l("Kabupaten/kota"))
    district_code = _select(_l("Kecamatan (opsional)"))
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

    def set_region_choices(self, store=None) -> None:
        """Offer every province, the regencies of the chosen one and the districts of the chosen
        regency (from the submitted form, else the store's own place)."""
        province = self.province_code.data or (store.province_code if store else None)
        regency = self.regency_code.data or (store.regency_code if store else None)
        fill_region_selects(self.province_code, self.regency_code, self.district_code,
                            region_choices(province, regency))

    def service_data(self) -> dict:
        """The submitted values as the dict the store services take."""
        return {name: getattr(self, name).data for name in (
            "name", "slug", "description", "description_en", "province_code", "regency_code",
            "district_code", "nib", "scale", "whatsapp", "halal_cert", "cooperative", "export_ready")}


def fill_region_selects(province, regency, district, choices: RegionChoices) -> None:
    """The three selects of a place: every province; only the chosen province's regencies and
    the chosen regency's districts (a page reloaded without JavaScript narrows one step, and
    js/region-picker.js does the same in place), so no list is ever the whole country."""
    province.choices = [SelectChoice("", _l("Pilih provinsi"))] + [
        SelectChoice(p.code, p.name) for p in choices.provinces]
    regency.choices = [SelectChoice("", _l("Pilih kabupaten/kota"))] + [
        SelectChoice(r.code, r.name) for r in choices.regencies]
    district.choices = [SelectChoice("", _l("Pilih kecamatan"))] + [
        SelectChoice(d.code, d.name) for d in choices.districts]


class MarkedRequired:
    """Marks a field the service requires: WTForms then renders the `required` attribute and
    `partials/form_field.html` a visible * in the label. It checks nothing itself (the rules
    live in the services); the forms keep `novalidate`, so the messages a seller sees are the
    service's, in their language, with the page's error summary."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


REQUIRED = [MarkedRequired()]

#: A new product is published unless the seller chooses draft: they add a product to sell it.
#: (The API's default stays draft, as its contract says.)
NEW_PRODUCT_STATUS_CHOICES = [
    SelectChoice(ProductStatus.ACTIVE.value, _l("Aktif (tampil di toko)")),
    SelectChoice(ProductStatus.DRAFT.value, _l("Draft (belum tampil)")),
]
PRODUCT_STATUS_CHOICES = NEW_PRODUCT_STATUS_CHOICES + [
    SelectChoice(ProductStatus.ARCHIVED.value, _l("Diarsipkan")),
]


class ProductForm(FlaskForm):
    """Add or edit a product. `wholesale_tiers` is the compact text "10:23000; 50:21000"."""

    title = StringField(_l("Nama produk"), REQUIRED, render_kw={"maxlength": 160})
    title_en = StringField(_l("Nama produk dalam bahasa Inggris (opsional)"), render_kw={"maxlength": 160})
    description = TextAreaField(_l("Deskripsi"), REQUIRED)
    description_en = TextAreaField(_l("Deskripsi dalam bahasa Inggris (opsional)"))
    category = _select(_l("Kategori"), validators=REQUIRED)
    price_idr = StringField(_l("Harga satuan (Rp)"), REQUIRED, render_kw=NUMERIC)
    wholesale_tiers = StringField(_l("Harga grosir (opsional)"),
                                  render_kw={"placeholder": "10:23000; 50:21000"})
    min_order_qty = StringField(_l("Minimal pembelian (pcs)"), default="1", render_kw=NUMERIC)
    stock = StringField(_l("Stok"), REQUIRED, render_kw=NUMERIC)
    weight_g = StringField(_l("Berat (gram)"), REQUIRED, render_kw=NUMERIC)
    # Optional here (the page proposes one from the title, see `services.propose_sku`); the
    # API and the CSV import still require it.
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

    def for_new_product(self) -> None:
        """A new product: published or draft (archiving is for later)."""
        self.status.choices = NEW_PRODUCT_STATUS_CHOICES


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



#: Territory codes of Babel's list that are no country one ships to (and Indonesia, listed first).
_NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "ID"}


def country_choices(lang: str) -> list[SelectChoice]:
    """Every country by its ISO code, named in the reader's language; Indonesia first."""
    names = Locale.parse(lang).territories
    codes = sorted((code for code in names if len(code) == 2 and code.isalpha()
                    and code not in _NOT_COUNTRIES),
                   key=lambda code: names[code].casefold())
    return [SelectChoice("ID", names.get("ID", "Indonesia"))] + [
        SelectChoice(code, names[code]) for code in codes]


class AddressForm(FlaskForm):
    """A shipping address, as the checkout and an accepted quote take it.

    An Indonesian address uses the province and regency selects (codes) and a 5-digit postal
    code; an address abroad uses the free-text `region` and `city`. `address()` gives the dict
    `catalog.addresses.clean_address` reads.
    """

    name = StringField(_l("Nama penerima"), render_kw={"autocomplete": "name", "maxlength": 120})
    phone = StringField(_l("Nomor telepon"), render_kw={"autocomplete": "tel", "inputmode": "tel",
                                                         "maxlength": 30})
    line1 = StringField(_l("Alamat (jalan, nomor rumah, RT/RW)"),
                        render_kw={"autocomplete": "street-address", "maxlength": 200})
    country = _select(_l("Negara"), default="ID", render_kw={"autocomplete": "country"})
    province = _select(_l("Provinsi"))
    regency = _select(_l("Kabupaten/kota"))
    district = _select(_l("Kecamatan"))
    region = StringField(_l("Provinsi / negara bagian (opsional)"), render_kw={"maxlength": 120})
    city = StringField(_l("Kota (opsional)"), render_kw={"maxlength": 120})
    #: the postal-code hint for each side of the country choice (address.js swaps them)
    POSTAL_HINTS = {"id": _l("Indonesia: 5 digit."),
                    "abroad": _l("Kode pos sesuai negara tujuan; kosongkan bila tidak ada.")}
    postal_code = StringField(_l("Kode pos"), render_kw={
        "autocomplete": "postal-code", "maxlength": 20,
        "data-hint-id": POSTAL_HINTS["id"], "data-hint-abroad": POSTAL_HINTS["abroad"]})

    def set_address_choices(self, *, lang: str) -> None:
        """Fill the selects: the countries, and the place narrowed to what is chosen."""
        self.country.choices = country_choices(lang)
        fill_region_selects(self.province, self.regency, self.district,
                            region_choices(self.province.data, self.regency.data))

    @property
    def abroad(self) -> bool:
        """Whether the chosen country is not Indonesia (then `region` and `city` are used)."""
        return (self.country.data or "ID").strip().upper() != "ID"

    @property
    def postal_hint(self):
        """The postal-code hint for the chosen country (the Indonesian one only for Indonesia)."""
        return self.POSTAL_HINTS["abroad" if self.abroad else "id"]

    def address(self) -> dict:
        """The submitted address as `clean_address` takes it."""
        data = {name: getattr(self, name).data for name in (
            "name", "phone", "line1", "country", "postal_code")}
        if self.abroad:
            data.update(province=self.region.data, regency=self.city.data)
        else:
            data.update(province=self.province.data, regency=self.regency.data,
                        district=self.district.data)
        return data

    def field_for_error(self, key: str) -> Field | None:
        """The field of a service key: `shipping_address.<key>` is the address's own key, and
        abroad the province and regency are the free-text `region` and `city`; other keys
        (a subclass's fields) are the field of that name."""
        name = key.removeprefix("shipping_address.")
        if self.abroad:
            name = {"province": "region", "regency": "city"}.get(name, name)
        return default_field_for_error(self, name)
