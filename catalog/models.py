"""Catalog models: regions, categories, stores, products, wholesale tiers and images."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.timeutil import utcnow


def in_language(lang: str, indonesian: str | None, english: str | None) -> str:
    """The text a reader of `lang` sees: the English one in the English UI when there is one,
    else the Indonesian (the source language). Decided per field, so a product with an English
    title but no English description shows the English title and the Indonesian description.
    Pages, the category tree and search results (whose documents are plain dicts) all use it."""
    return english if lang == "en" and english else (indonesian or "")


class Province(db.Model):
    """One of Indonesia's 38 provinces (provinsi), keyed by its Kemendagri code ("18" Lampung)."""

    __tablename__ = "provinces"

    code: so.Mapped[str] = so.mapped_column(sa.String(2), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))

    regencies: so.Mapped[list[Regency]] = so.relationship(
        back_populates="province", order_by="Regency.code",
        primaryjoin="and_(Province.code == Regency.province_code, Regency.retired.is_(False))",
        viewonly=True,
    )


class Regency(db.Model):
    """A regency (kabupaten) or city (kota), keyed by its code ("18.71" Kota Bandar Lampung).

    `retired`: a code the current data no longer has but a store or an order still names; kept so
    they stay readable, offered for nothing new (`catalog.regions` loads and upgrades the data)."""

    __tablename__ = "regencies"

    code: so.Mapped[str] = so.mapped_column(sa.String(5), primary_key=True)
    province_code: so.Mapped[str] = so.mapped_column(sa.ForeignKey("provinces.code"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    retired: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    province: so.Mapped[Province] = so.relationship()

    @property
    def kind(self) -> str:
        """"kota" for a city, "kabupaten" for a regency (Kemendagri numbers cities from 71)."""
        return "kota" if self.code[3:] >= "71" else "kabupaten"


class District(db.Model):
    """A district (kecamatan; distrik in Papua) of a regency, keyed by its code ("32.01.01")."""

    __tablename__ = "districts"

    code: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    regency_code: so.Mapped[str] = so.mapped_column(sa.ForeignKey("regencies.code"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    retired: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    regency: so.Mapped[Regency] = so.relationship()


class Village(db.Model):
    """A village (desa) or urban village (kelurahan) of a district ("32.01.01.1001"), with its
    postal code: the unit of the Desa and koperasi programmes."""

    __tablename__ = "villages"

    code: so.Mapped[str] = so.mapped_column(sa.String(13), primary_key=True)
    district_code: so.Mapped[str] = so.mapped_column(sa.ForeignKey("districts.code"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    postal_code: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    retired: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    district: so.Mapped[District] = so.relationship()


class ReferenceData(db.Model):
    """Which version of a reference data set is loaded: for the regions, the package, its version,
    the regulation it follows and the rows per level (`catalog.regions.load_regions`)."""

    __tablename__ = "reference_data"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(80))
    version: so.Mapped[str] = so.mapped_column(sa.String(40))
    regulation: so.Mapped[str] = so.mapped_column(sa.String(120))
    counts: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    loaded_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Category(db.Model):
    """A node of the product category tree; names in Indonesian with an English one."""

    __tablename__ = "categories"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(80))
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("categories.id"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)

    parent: so.Mapped[Category | None] = so.relationship(
        back_populates="children", remote_side=[id]
    )
    children: so.Mapped[list[Category]] = so.relationship(
        back_populates="parent", order_by="Category.position"
    )

    def display_name(self, lang: str) -> str:
        """The category's name in `lang`, falling back to Indonesian."""
        return in_language(lang, self.name, self.name_en)


class StoreScale(enum.StrEnum):
    """Business scale under Indonesian law (UU 20/2008): mikro, kecil, menengah."""

    MIKRO = "mikro"
    KECIL = "kecil"
    MENENGAH = "menengah"


class Store(db.Model):
    """A seller's store. One per user; `nib` is the 13-digit Nomor Induk Berusaha from OSS."""

    __tablename__ = "stores"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    description_en: so.Mapped[str | None] = so.mapped_column(sa.Text)
    province_code: so.Mapped[str] = so.mapped_column(sa.ForeignKey("provinces.code"))
    regency_code: so.Mapped[str] = so.mapped_column(sa.ForeignKey("regencies.code"), index=True)
    district_code: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("districts.code"), index=True)
    nib: so.Mapped[str] = so.mapped_column(sa.String(13))
    scale: so.Mapped[str] = so.mapped_column(sa.String(16))
    whatsapp: so.Mapped[str] = so.mapped_column(sa.String(20))
    halal_cert: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    cooperative: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    export_ready: so.Mapped[bool] = so.mapped_column(default=False)
    verified_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    verified_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    owner: so.Mapped[User] = so.relationship(foreign_keys=[owner_id])
    province: so.Mapped[Province] = so.relationship()
    regency: so.Mapped[Regency] = so.relationship()
    district: so.Mapped[District | None] = so.relationship()

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def display_description(self, lang: str) -> str:
        """The store's description in `lang` (English for export buyers), else the Indonesian."""
        return in_language(lang, self.description, self.description_en)


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class Product(db.Model):
    """A product a store sells. Prices are integer rupiah; weight in grams."""

    __tablename__ = "products"
    __table_args__ = (
        sa.UniqueConstraint("store_id", "sku", name="uq_products_store_sku"),
        sa.CheckConstraint("price_idr > 0", name="price_positive"),
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("min_order_qty >= 1", name="moq_positive"),
        sa.Index("ix_products_status_category", "status", "category_id"),
        sa.Index("ix_products_store_status", "store_id", "status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("categories.id"))
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    title_en: so.Mapped[str | None] = so.mapped_column(sa.String(160))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    description_en: so.Mapped[str | None] = so.mapped_column(sa.Text)
    price_idr: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    min_order_qty: so.Mapped[int] = so.mapped_column(default=1)
    stock: so.Mapped[int] = so.mapped_column(default=0)
    weight_g: so.Mapped[int] = so.mapped_column(default=0)
    sku: so.Mapped[str] = so.mapped_column(sa.String(64))
    halal: so.Mapped[bool] = so.mapped_column(default=False)
    export_ready: so.Mapped[bool] = so.mapped_column(default=False)
    hs_code: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=ProductStatus.DRAFT)
    sold_count: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    store: so.Mapped[Store] = so.relationship()
    category: so.Mapped[Category] = so.relationship()
    tiers: so.Mapped[list[WholesaleTier]] = so.relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="WholesaleTier.min_qty", lazy="selectin",
    )
    images: so.Mapped[list[ProductImage]] = so.relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="ProductImage.position", lazy="selectin",
    )

    def display_title(self, lang: str) -> str:
        """The title in `lang`, falling back to Indonesian."""
        return in_language(lang, self.title, self.title_en)

    def display_description(self, lang: str) -> str:
        """The description in `lang`, falling back to Indonesian."""
        return in_language(lang, self.description, self.description_en)

    def unit_price_for(self, quantity: int) -> int:
        """The unit price at `quantity`: the deepest wholesale tier reached, else the list price."""
        price = self.price_idr
        for tier in self.tiers:
            if quantity >= tier.min_qty:
                price = tier.unit_price_idr
        return price

    @property
    def stock_state(self) -> str:
        if self.stock <= 0:
            return "out"
        if self.stock < max(self.min_order_qty, 1) * 3 or self.stock <= 5:
            return "low"
        return "ok"


class WholesaleTier(db.Model):
    """From `min_qty` units on, each unit costs `unit_price_idr` (harga grosir)."""

    __tablename__ = "wholesale_tiers"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "min_qty", name="uq_wholesale_tiers_product_qty"),
        sa.CheckConstraint("min_qty >= 2", name="tier_qty"),
        sa.CheckConstraint("unit_price_idr > 0", name="tier_price_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    min_qty: so.Mapped[int]
    unit_price_idr: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    product: so.Mapped[Product] = so.relationship(back_populates="tiers")


class ProductImage(db.Model):
    """An uploaded product photo, re-encoded, with a thumbnail; paths are relative to UPLOAD_DIR."""

    __tablename__ = "product_images"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int] = so.mapped_column(default=0)
    path: so.Mapped[str] = so.mapped_column(sa.String(200))
    thumb_path: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    width: so.Mapped[int]
    height: so.Mapped[int]
    size_bytes: so.Mapped[int]
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    product: so.Mapped[Product] = so.relationship(back_populates="images")
