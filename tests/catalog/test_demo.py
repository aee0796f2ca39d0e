"""`flask seed-demo`: the demo accounts, Lampung stores and products with pictures."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog import demo
from catalog.models import Category, Product, ProductImage, Store
from marketplace.accounts.models import User

#: Lampung's 15 regencies and cities by Kemendagri code (18.01 Lampung Selatan ... 18.72 Metro)
LAMPUNG = {f"18.{n:02d}" for n in range(1, 14)} | {"18.71", "18.72"}


@pytest.fixture
def seeded(app, runner, db):
    """A small demo marketplace: 5 stores, 30 products."""
    result = runner.invoke(args=["seed-demo", "--stores", "5", "--products", "30"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def roles_of(db, email: str) -> list[str]:
    return db.session.scalar(sa.select(User).where(User.email == email)).roles


def test_seed_makes_the_four_demo_accounts(seeded, db, client, login):
    # then each account has its role
    assert "admin" in roles_of(db, "admin@demo.test")
    assert "officer" in roles_of(db, "officer@demo.test")
    assert "seller" in roles_of(db, "seller@demo.test")
    assert roles_of(db, "buyer@demo.test") == ["buyer"]
    # and the seller owns the verified "Kopi Lereng Tanggamus"
    seller = db.session.scalar(sa.select(User).where(User.email == "seller@demo.test"))
    store = db.session.scalar(sa.select(Store).where(Store.owner_id == seller.id))
    assert store.name == "Kopi Lereng Tanggamus" and store.verified and store.regency_code == "18.06"
    # and the password printed by the command logs them in
    assert "password demo12345" in seeded.output
    response = client.post("/masuk", data={"email": "seller@demo.test", "password": "demo12345"})
    assert response.status_code == 302


def test_seed_spreads_stores_over_lampung_regencies(seeded, db):
    stores = db.session.scalars(sa.select(Store)).all()
    assert len(stores) == 5
    assert {s.province_code for s in stores} == {"18"}
    assert len({s.regency_code for s in stores}) == 5 and {s.regency_code for s in stores} <= LAMPUNG
    for store in stores:
        assert len(store.nib) == 13 and store.nib.isdigit()
        assert store.whatsapp.startswith("+628")
        assert store.scale in ("mikro", "kecil", "menengah")


def test_seed_makes_active_products_with_real_pictures(seeded, app, db, client):
    products = db.session.scalars(sa.select(Product)).all()
    assert len(products) == 30
    assert {p.status for p in products} == {"active"}
    assert len({p.store_id for p in products}) == 5  # every store sells something
    for p in products:
        assert p.title_en and p.description_en and len(p.description) >= 10
        assert p.price_idr > 0 and p.price_idr % 500 == 0
        assert p.weight_g > 0
        assert len(p.images) >= 1
        for image in p.images:
            assert (Path(app.config["UPLOAD_DIR"]) / image.path).stat().st_size > 0
            assert (Path(app.config["UPLOAD_DIR"]) / image.thumb_path).stat().st_size > 0
    assert all(p.hs_code for p in products if p.export_ready)
    # and the pictures are served
    with client.get(f"/media/{products[0].images[0].thumb_path}") as response:
        assert response.status_code == 200 and response.content_type == "image/webp"


def test_seeding_again_adds_nothing(seeded, runner, db):
    counts = _counts(db)
    # --if-empty: stores exist, so nothing at all is done
    result = runner.invoke(args=["seed-demo", "--if-empty", "--stores", "5", "--products", "30"])
    assert result.exit_code == 0 and "nothing seeded" in result.output
    assert _counts(db) == counts
    # without it, the demo accounts and stores are found and not made twice
    result = runner.invoke(args=["seed-demo", "--stores", "5", "--products", "30"])
    assert result.exit_code == 0, result.output
    assert _counts(db) == counts


def _counts(db) -> tuple[int, int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (User, Store, Product, ProductImage))


# --- the default size, checked in code (seeding 400 pictures takes too long for every run) ------

def test_defaults_cover_all_regencies_and_leaf_categories():
    assert (demo.DEFAULT_STORES, demo.DEFAULT_PRODUCTS) == (40, 400)
    specs = demo._store_specs(demo.DEFAULT_STORES, random.Random(demo.DEFAULT_SEED))
    assert len({name for name, _r, _c in specs}) == 40
    assert {regency for _n, regency, _c in specs} == LAMPUNG
    per_store = demo._assign_categories(specs, demo.DEFAULT_PRODUCTS)
    assert sum(len(cats) for cats in per_store) == 400
    assert all(per_store)  # every store sells something
    assert {cat for cats in per_store for cat in cats} == set(demo.leaf_categories())
    assert set(demo.PRODUCTS) == set(demo.leaf_categories())


def test_store_names_beyond_the_named_ones_stay_unique_and_in_lampung():
    specs = demo._store_specs(120, random.Random(1))
    assert len({name for name, _r, _c in specs}) == 120
    assert {regency for _n, regency, _c in specs} == LAMPUNG


def test_leaf_categories_match_the_database(app, db):
    parents = set(db.session.scalars(sa.select(Category.parent_id).where(Category.parent_id.is_not(None))))
    leaves = set(db.session.scalars(sa.select(Category.slug).where(Category.id.not_in(parents))))
    assert leaves == set(demo.leaf_categories())


def test_default_products_pass_the_catalog_rules_and_repeat_with_the_seed(app, db):
    from catalog.services import category_ids_by_slug, clean_product_fields

    def rows(seed):
        rng = random.Random(seed)
        specs = demo._store_specs(demo.DEFAULT_STORES, rng)
        out = []
        for (name, regency, _cats), cats in zip(specs, demo._assign_categories(specs, 400)):
            store = Store(name=name, regency_code=regency, export_ready=True, halal_cert="ID18")
            out.extend(demo._product_rows(store, cats, rng, "X"))
        return out

    generated = rows(demo.DEFAULT_SEED)
    assert generated == rows(demo.DEFAULT_SEED)
    assert len(generated) == 400
    assert any(r["wholesale_tiers"] for r in generated) and any(r["stock"] == 0 for r in generated)
    categories = category_ids_by_slug()
    with app.test_request_context():
        for r in generated:
            data = dict(r, wholesale_tiers=[
                {"min_qty": q, "unit_price_idr": p}
                for q, p in (t.split(":") for t in r["wholesale_tiers"].split("; ") if t)])
            _clean, errors = clean_product_fields(data, partial=False, category_ids=categories)
            assert errors == {}, (r, errors)
