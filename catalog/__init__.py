"""Catalog: regions, categories, stores, products, images, CSV import and export."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("catalog", __name__, template_folder="templates")


def init_app(app):
    """Register the catalog's models, pages, API, commands, jobs, GET /me field and header links."""
    from catalog import api, cli, csv_views, images, models, seo, views  # noqa: F401  (models and routes register on import)
    from marketplace.accounts.api import me_fields
    from marketplace.navigation import NavLink, bottom_nav, nav_links

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    cli.init_app(app)
    _register_jobs(app)
    me_fields.register(app, api.me_store)
    app.add_template_global(images.image_url)  # product pictures on every domain's pages
    seo.init_app(app)  # JSON-LD and descriptions of products and stores; sitemap sections
    nav_links.register(app, NavLink("catalog.seller_dashboard", _l("Toko saya"),
                                    audience="seller", order=60))
    nav_links.register(app, NavLink("catalog.store_new", _l("Buka toko"),
                                    audience="not_seller", order=60))
    nav_links.register(app, NavLink("catalog.admin_stores", _l("Verifikasi toko"),
                                    audience="officer", order=70))
    # the bottom navigation on phones: a shopper's home and categories, a seller's desk
    bottom_nav.register(app, NavLink("catalog.home", _l("Beranda"), audience="shopper", order=10,
                                     icon="home"))
    bottom_nav.register(app, NavLink("catalog.categories", _l("Kategori"), audience="shopper",
                                     order=20, icon="grid",
                                     current_on=("catalog.categories", "catalog.category")))
    bottom_nav.register(app, NavLink("catalog.seller_dashboard", _l("Dasbor"), audience="seller",
                                     order=10, icon="store",
                                     current_on=("catalog.seller_dashboard", "catalog.product_edit",
                                                 "catalog.store_edit")))
    bottom_nav.register(app, NavLink("catalog.product_new", _l("Produk baru"), audience="seller",
                                     order=20, icon="plus"))


def _register_jobs(app) -> None:
    from catalog import pending_photos
    from marketplace.jobs import Job, crontab, jobs

    jobs.register(app, Job("catalog.purge_pending_photos", pending_photos.purge_expired,
                           schedule=crontab(minute="17"), every="hourly",
                           doc="remove photos kept for a failed new-product form, once expired"))
