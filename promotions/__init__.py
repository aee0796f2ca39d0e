"""Promotions: trade-promotion events, applications, registrations, RFQs and quotes, meetings,
event prices and event reports."""
from flask import Blueprint

bp = Blueprint("promotions", __name__, template_folder="templates")


def init_app(app):
    from orders.cart import PRICE_RULES
    from promotions import (api, models, notify, officer_views, services,  # noqa: F401
                            trade_views, views)  # (routes register on import)
    from search.documents import DOCUMENT_EXTENSIONS

    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    if services.event_prices not in PRICE_RULES:
        PRICE_RULES.append(services.event_prices)
    if services.events_of_products not in DOCUMENT_EXTENSIONS:
        DOCUMENT_EXTENSIONS.append(services.events_of_products)
