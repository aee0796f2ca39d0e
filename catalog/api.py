"""Catalog API (being built)."""
from marketplace.api import api_blueprint

bp = api_blueprint("catalog_api", __name__)


def me_store(user):
    return {"store": None}
