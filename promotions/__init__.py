"""Promotions: trade-promotion events, applications, registrations, RFQs and quotes, meetings,
event prices and event reports."""
from flask import Blueprint

bp = Blueprint("promotions", __name__, template_folder="templates")


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from catalog.home import home_sections
    from marketplace.navigation import NavLink, bottom_nav, nav_links
    from marketplace.notifications import messages
    from orders.cart import price_offers
    from promotions import (  # noqa: F401
        api,
        models,
        notify,
        officer_views,
        seo,
        services,
        trade_views,  # (routes register on import)
        views,
    )
    from search.documents import document_fields

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    price_offers.register(app, services.event_prices)
    messages.register(app, notify.PROMOTION_MESSAGES)
    nav_links.register(app, NavLink("promotions.events", _l("Acara"), order=10,
                                    current_on=("promotions.events", "promotions.event_page")))
    nav_links.register(app, NavLink("promotions.manage_events", _l("Kelola acara"),
                                    audience="officer", order=75))
    document_fields.register(app, services.events_of_products)
    seo.init_app(app)  # the Event JSON-LD, the events' sitemap section, officer paths in robots.txt
    home_sections.register(app, views.home_events)
    # a seller's fourth place on a phone: the store's event applications and invitations
    bottom_nav.register(app, NavLink("promotions.my_applications", _l("Pameran"), audience="seller",
                                     order=40, icon="calendar"))
