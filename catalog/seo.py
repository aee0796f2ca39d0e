"""The catalog as search engines and link previews see it: schema.org JSON-LD for products
(`Product` with its `Offer`, `AggregateRating` once a product has ratings) and stores
(`Organization`), the meta descriptions of the catalog's pages, and the catalog's sitemap
sections (products, stores, categories, the product list) and private paths.

Ratings come through the `product_ratings` hook: entries are functions `(product) -> Rating |
None` (the reviews domain registers one); with none registered, no rating is claimed.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, abort, url_for
from flask_babel import gettext as _

from catalog import bp, services
from catalog.images import image_url, share_jpeg, share_size
from catalog.models import Category, Product, ProductStatus, Store
from marketplace.crawl import SitemapEntry, fixed_section, private_paths, ranged_section, sitemap_sections
from marketplace.extensions import db
from marketplace.hooks import Hook
from marketplace.i18n import rupiah
from marketplace.seo import absolute_url, breadcrumb_ld, canonical_path_url, summary
from marketplace.web import acting_user

product_ratings = Hook("product_ratings", "Functions (product) -> Rating | None for JSON-LD.")

SCHEMA = "https://schema.org/"
#: schema.org availability of each stock state (Product.stock_state)
AVAILABILITY = {"ok": "InStock", "low": "LimitedAvailability", "out": "OutOfStock"}
#: Open Graph product:availability of each stock state
OG_AVAILABILITY = {"ok": "in stock", "low": "in stock", "out": "out of stock"}


@dataclass(frozen=True)
class Rating:
    """An average rating (1-5) over `count` reviews."""

    value: float
    count: int


def _rating_of(product: Product) -> Rating | None:
    for found in product_ratings.call(product):
        if found is not None and found.count > 0:
            return found
    return None


def _availability(product: Product) -> str:
    state = "out" if product.stock < product.min_order_qty else product.stock_state
    return state


def store_ref(store: Store) -> dict:
    return {"@type": "Organization", "name": store.name,
            "url": canonical_path_url(url_for("catalog.store_page", slug=store.slug))}


def product_ld(product: Product, lang: str, rating: Rating | None = None) -> dict:
    """schema.org Product with its Offer (price in rupiah, availability from stock, condition
    new, the store as seller); `rating` (or the `product_ratings` hook) adds AggregateRating."""
    url = canonical_path_url(url_for("catalog.product_page", product_id=product.id))
    offer = {
        "@type": "Offer",
        "url": url,
        "price": product.price_idr,
        "priceCurrency": "IDR",
        "availability": SCHEMA + AVAILABILITY[_availability(product)],
        "itemCondition": SCHEMA + "NewCondition",
        "seller": store_ref(product.store),
    }
    if product.min_order_qty > 1:
        offer["eligibleQuantity"] = {"@type": "QuantitativeValue", "minValue": product.min_order_qty,
                                     "unitCode": "C62"}
    if product.tiers:
        offer["priceSpecification"] = [
            {"@type": "UnitPriceSpecification", "price": tier.unit_price_idr, "priceCurrency": "IDR",
             "eligibleQuantity": {"@type": "QuantitativeValue", "minValue": tier.min_qty,
                                  "unitCode": "C62"}}
            for tier in product.tiers]
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.display_title(lang),
        "description": summary(product.display_description(lang), 5000) or product.display_title(lang),
        "sku": product.sku,
        "url": url,
        "brand": {"@type": "Brand", "name": product.store.name},
        "category": product.category.display_name(lang),
        "offers": offer,
    }
    if product.images:
        data["image"] = [absolute_url(image_url(image)) for image in product.images]
    if product.weight_g:
        data["weight"] = {"@type": "QuantitativeValue", "value": product.weight_g, "unitCode": "GRM"}
    rating = rating or _rating_of(product)
    if rating is not None:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": round(rating.value, 2),
                                   "reviewCount": rating.count, "bestRating": 5, "worstRating": 1}
    return data


SHARE_MAX_AGE = 24 * 3600


@bp.get("/produk/<int:product_id>/gambar-bagikan.jpg")
def share_picture(product_id: int):
    """The product's main picture as a JPEG for link previews (og:image): stored pictures are
    WebP, which WhatsApp's preview is widely reported not to show. Visible as the product page is."""
    product = services.visible_product(product_id, acting_user())
    if not product.images:
        abort(404)
    response = Response(share_jpeg(product.images[0]), mimetype="image/jpeg")
    response.headers["Cache-Control"] = f"public, max-age={SHARE_MAX_AGE}"
    return response


def share_image(product: Product) -> dict | None:
    """og:image of a product: the JPEG share picture's absolute URL, size and type, or None."""
    if not product.images:
        return None
    main = product.images[0]
    return {"url": absolute_url(url_for("catalog.share_picture", product_id=product.id, v=main.id, lang=None)),
            "size": share_size(main), "type": "image/jpeg"}


def product_meta(product: Product) -> dict:
    """Open Graph product tags: price and availability."""
    return {"amount": product.price_idr, "currency": "IDR",
            "availability": OG_AVAILABILITY[_availability(product)]}


def product_description(product: Product, lang: str) -> str:
    """The product's meta description: the start of its description, else title, price, store."""
    text = summary(product.display_description(lang))
    if text:
        return text
    return _("%(title)s, %(price)s, dari %(store)s (%(place)s) di Pasar UMKM.",
             title=product.display_title(lang), price=rupiah(product.price_idr),
             store=product.store.name, place=product.store.regency.name)


def trail_ld(trail: list[Category], lang: str, last: tuple[str, str | None] | None = None) -> dict:
    """BreadcrumbList: home, the category path, and `last` (the product) when given."""
    items = [(_("Beranda"), url_for("catalog.home"))]
    items += [(c.display_name(lang), url_for("catalog.category", slug=c.slug)) for c in trail]
    if last:
        items.append(last)
    return breadcrumb_ld(items)


def store_ld(store: Store) -> dict:
    """schema.org Organization: the store, where it is, and its cooperative."""
    data = {
        "@context": "https://schema.org",
        **store_ref(store),
        "address": {"@type": "PostalAddress", "addressLocality": store.regency.name,
                    "addressRegion": store.province.name, "addressCountry": "ID"},
    }
    if store.description:
        data["description"] = summary(store.description, 5000)
    if store.cooperative:
        data["memberOf"] = {"@type": "Organization", "name": store.cooperative}
    return data


def store_description(store: Store) -> str:
    place = ", ".join((store.regency.name, store.province.name))
    return summary(store.description) or _(
        "%(store)s, UMKM dari %(place)s: lihat produknya di Pasar UMKM.", store=store.name, place=place)


def category_description(category: Category, lang: str) -> str:
    return _("Belanja %(name)s dari UMKM Indonesia di Pasar UMKM: harga eceran dan grosir langsung "
             "dari pembuatnya.", name=category.display_name(lang))


# --- sitemap and robots -----------------------------------------------------------------------

def _fixed_pages() -> list[SitemapEntry]:
    return [SitemapEntry("catalog.home"), SitemapEntry("catalog.browse")]


def _categories() -> list[SitemapEntry]:
    slugs = db.session.scalars(sa.select(Category.slug).order_by(Category.id))
    return [SitemapEntry("catalog.category", {"slug": slug}) for slug in slugs]


SECTIONS = (
    fixed_section("pages", _fixed_pages),
    fixed_section("categories", _categories),
    ranged_section("products", id_column=Product.id, lastmod_column=Product.updated_at,
                   where=(Product.status == ProductStatus.ACTIVE,),
                   entry=lambda row: SitemapEntry("catalog.product_page", {"product_id": row.id},
                                                  row.lastmod)),
    ranged_section("stores", id_column=Store.id, lastmod_column=Store.updated_at,
                   columns=(Store.slug,),
                   entry=lambda row: SitemapEntry("catalog.store_page", {"slug": row.slug}, row.lastmod)),
)
PRIVATE_PATHS = ("/jual",)


def init_app(app) -> None:
    for section in SECTIONS:
        sitemap_sections.register(app, section)
    for path in PRIVATE_PATHS:
        private_paths.register(app, path)
    for helper in (product_ld, product_meta, share_image, product_description, trail_ld, store_ld,
                   store_description, category_description):
        app.add_template_global(helper)
