"""Search fixtures: each shared behaviour test runs on both backends, over one fixed catalog.

The Elasticsearch run uses the real node that `make test` starts (ELASTICSEARCH_URL); without
it the run is skipped locally and fails under CI.
"""
from __future__ import annotations

import os
import uuid

import pytest

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import require_service

STORES = {
    "tanggamus": dict(name="Kopi Lereng Tanggamus", regency_code="18.06", scale="mikro", verified=True),
    "mboksum": dict(name="Camilan Mbok Sum", regency_code="18.71", scale="kecil", verified=False),
    "pesisir": dict(name="Tapis Ratu Pesisir", regency_code="18.13", scale="mikro", verified=True,
                    export_ready=True),
    "waykanan": dict(name="Madu Hutan Way Kanan", regency_code="18.08", scale="kecil", verified=False),
    "lada": dict(name="Lada Makmur Lampung Utara", regency_code="18.03", scale="menengah", verified=True),
    "jakarta": dict(name="Galeri Batik Menteng", province_code="31", regency_code="31.71",
                    scale="kecil", verified=False),
}

# key: (store, title, title_en, category, price, extra)
PRODUCTS = {
    "robusta": ("tanggamus", "Kopi Robusta Lampung Petik Merah 250g", "Lampung Robusta Coffee Red Cherry 250g", "kopi", 45000, {"sold_count": 120}),
    "bubuk": ("tanggamus", "Kopi Bubuk Robusta Tanggamus 500g", "Ground Robusta Coffee 500g", "kopi", 60000, {}),
    "luwak": ("tanggamus", "Kopi Luwak Liar Lampung Barat", "Wild Civet Coffee from West Lampung", "kopi", 350000, {"export_ready": True}),
    "teh": ("tanggamus", "Teh Hijau Daun Pilihan", "Selected Green Tea Leaves", "teh", 25000, {}),
    "pisang": ("mboksum", "Keripik Pisang Coklat", "Chocolate Banana Chips", "keripik", 18000, {"sold_count": 300}),
    "singkong": ("mboksum", "Keripik Singkong Balado Pedas", "Spicy Balado Cassava Chips", "keripik", 15000, {}),
    "tempe": ("mboksum", "Keripik Tempe Renyah", "Crispy Tempeh Chips", "keripik", 12000, {"stock": 0}),
    "jahe": ("mboksum", "Minuman Jahe Merah Instan", "Instant Red Ginger Drink", "minuman", 30000, {}),
    "tapis": ("pesisir", "Kain Tapis Lampung Motif Pucuk Rebung", "Lampung Tapis Cloth, Bamboo Shoot Motif", "tapis", 1500000, {"export_ready": True}),
    "selendang": ("pesisir", "Selendang Tenun Tapis", "Woven Tapis Shawl", "tenun", 450000, {}),
    "tas": ("pesisir", "Tas Anyaman Purun", "Purun Woven Bag", "anyaman", 85000, {}),
    "madu": ("waykanan", "Madu Hutan Murni 500ml", "Pure Wild Forest Honey 500ml", "madu", 95000, {"halal": True}),
    "klanceng": ("waykanan", "Madu Klanceng Asli", "Stingless Bee Honey", "madu", 150000, {"halal": False}),
    "ladahitam": ("lada", "Lada Hitam Lampung Butiran 100g", "Lampung Whole Black Pepper 100g", "lada", 35000, {"export_ready": True}),
    "ladaputih": ("lada", "Lada Putih Bubuk", "Ground White Pepper", "lada", 40000, {}),
    "kayumanis": ("lada", "Kayu Manis Batang", "Cinnamon Sticks", "rempah-lainnya", 20000, {}),
    "ikanasin": ("mboksum", "Olahan Ikan Asin Kakap", "Salted Snapper Fish", "hasil-laut", 70000, {}),
    "kemplang": ("mboksum", "Kemplang Ikan Tenggiri", "Mackerel Fish Crackers", "hasil-laut", 25000, {}),
    "batiktulis": ("jakarta", "Batik Tulis Sutra", "Hand-drawn Silk Batik", "batik", 750000, {}),
    "gulaaren": ("lada", "Gula Aren Organik", "Organic Palm Sugar", "hasil-tani", 22000, {}),
    "beras": ("lada", "Beras Merah Kualitas Premium", "Premium Red Rice", "hasil-tani", 32000, {}),
    "ukiran": ("pesisir", "Ukiran Kayu Gajah Lampung", "Lampung Elephant Wood Carving", "ukiran-kayu", 250000, {}),
    "kemeja": ("pesisir", "Kemeja Batik Tapis Pria", "Men's Tapis Batik Shirt", "pakaian", 180000, {}),
    "dodol": ("mboksum", "Dodol Durian Lampung", "Lampung Durian Dodol", "kue-tradisional", 28000, {}),
}


def _es_url() -> str | None:
    return os.environ.get("ELASTICSEARCH_URL")


@pytest.fixture(params=["embedded", "elasticsearch"])
def backend_name(request, app):
    """Run the test once per backend, with that backend answering searches."""
    from search.engine import forget_backends

    name = request.param
    saved = app.config["ELASTICSEARCH_URL"], app.config["SEARCH_INDEX_PREFIX"]
    if name == "elasticsearch":
        url = _es_url()
        require_service("Elasticsearch", bool(url), "ELASTICSEARCH_URL is not set")
        app.config["ELASTICSEARCH_URL"] = url
        app.config["SEARCH_INDEX_PREFIX"] = f"test-{uuid.uuid4().hex[:10]}"
    forget_backends(app)
    with app.app_context():
        from search.engine import configured_backends

        for backend in configured_backends():
            backend.clear()
    yield name
    with app.app_context():
        from search.engine import elasticsearch_backend

        es = elasticsearch_backend()
        if es is not None:
            es.clear()
    app.config["ELASTICSEARCH_URL"], app.config["SEARCH_INDEX_PREFIX"] = saved
    forget_backends(app)


@pytest.fixture
def es_only(app):
    """Elasticsearch answering, for the tests about index management."""
    from search.engine import forget_backends

    url = _es_url()
    require_service("Elasticsearch", bool(url), "ELASTICSEARCH_URL is not set")
    saved = app.config["ELASTICSEARCH_URL"], app.config["SEARCH_INDEX_PREFIX"]
    app.config["ELASTICSEARCH_URL"] = url
    app.config["SEARCH_INDEX_PREFIX"] = f"test-{uuid.uuid4().hex[:10]}"
    forget_backends(app)
    with app.app_context():
        from search.engine import embedded_backend

        embedded_backend().clear()
    yield url
    with app.app_context():
        from search.engine import elasticsearch_backend

        elasticsearch_backend().clear()
    app.config["ELASTICSEARCH_URL"], app.config["SEARCH_INDEX_PREFIX"] = saved
    forget_backends(app)


@pytest.fixture
def fixed_catalog(app, ctx, make_user, backend_name):
    """The fixed catalog, saved through the catalog services (so indexed through the outbox).

    Returns {key: product id}.
    """
    return build_catalog(make_user)


def build_catalog(make_user) -> dict:
    from catalog.services import create_product, create_store
    from marketplace.extensions import db
    from marketplace.timeutil import utcnow
    from tests.catalog.conftest import product_data, store_data

    stores = {}
    for key, spec in STORES.items():
        spec = dict(spec)
        verified = spec.pop("verified")
        owner = make_user(roles=("buyer",))
        store = create_store(owner, store_data(**spec))
        if verified:
            store.verified_at = utcnow()
        stores[key] = store
    db.session.commit()
    ids = {}
    for key, (store_key, title, title_en, category, price, extra) in PRODUCTS.items():
        extra = dict(extra)
        sold = extra.pop("sold_count", 0)
        store = stores[store_key]
        data = product_data(title=title, title_en=title_en, category=category, price_idr=price,
                            description=f"{title}. Produk UMKM asli Indonesia.",
                            description_en=f"{title_en}. Genuine Indonesian UMKM product.",
                            halal=extra.pop("halal", False), **extra)
        product = create_product(store, data, actor=store.owner)
        product.sold_count = sold
        ids[key] = product
    db.session.commit()
    # sold_count is set by orders later; here it was set after create, so push once more
    from catalog.signals import products_changed

    products_changed.send(None, product_ids=[p.id for p in ids.values()])
    db.session.commit()
    return {k: p.id for k, p in ids.items()}
