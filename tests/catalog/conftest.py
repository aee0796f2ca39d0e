"""Catalog factories: stores and products with sensible Lampung defaults."""
from __future__ import annotations

import io

import pytest

_seq = {"n": 0}


def _n() -> int:
    _seq["n"] += 1
    return _seq["n"]


def store_data(**overrides) -> dict:
    n = _n()
    data = {
        "name": f"Kopi Lereng Tanggamus {n}", "description": "Kopi robusta petik merah dari lereng Tanggamus.",
        "province_code": "18", "regency_code": "18.06", "nib": "1234567890123", "scale": "mikro",
        "whatsapp": "0812-3456-7890", "export_ready": False,
    }
    data.update(overrides)
    return data


def product_data(**overrides) -> dict:
    n = _n()
    data = {
        "title": f"Kopi Robusta Lampung {n}", "description": "Biji kopi robusta sangrai medium, 250 gram.",
        "category": "kopi", "price_idr": 45000, "min_order_qty": 1, "stock": 20, "weight_g": 250,
        "sku": f"KOPI-{n}", "halal": True, "export_ready": False, "status": "active",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_store(app, ctx, make_user):
    """make_store(owner=None, **fields) -> Store (committed); makes a seller when no owner given."""
    from catalog.services import create_store
    from marketplace.extensions import db

    def make(owner=None, verified=False, **fields):
        owner = owner or make_user()
        store = create_store(owner, store_data(**fields))
        if verified:
            from marketplace.timeutil import utcnow

            store.verified_at = utcnow()
        db.session.commit()
        return store

    return make


@pytest.fixture
def make_product(app, ctx, make_store):
    """make_product(store=None, **fields) -> Product (committed)."""
    from catalog.services import create_product
    from marketplace.extensions import db

    def make(store=None, **fields):
        store = store or make_store()
        product = create_product(store, product_data(**fields), actor=store.owner)
        db.session.commit()
        return product

    return make


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(180, 60, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()
