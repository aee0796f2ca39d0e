"""Shipping rates per courier service: which services a store offers to a zone and what each
costs (zone x weight x the store's own rate x free-shipping threshold x pickup and own
delivery), the store's settings rules, and the couriers' reference data. Given / when / then."""
from __future__ import annotations

import pytest

from marketplace.errors import NotFound, ValidationError
from orders.couriers import COURIERS, DEFAULT_SERVICES, SERVICES, days_label, find_courier
from orders.shipping import ShippingPlan, plan_for, set_shipping, shipping_options, zone_for
from tests.catalog.conftest import make_store  # noqa: F401  (fixtures)


def offered(plan, zone, weight_g, subtotal_idr=50_000):
    return [(o.code, o.cost_idr) for o in shipping_options(plan, zone, weight_g, subtotal_idr)]


DEFAULT_PLAN = ShippingPlan(services=[SERVICES[c] for c in DEFAULT_SERVICES])


@pytest.mark.parametrize("zone, weight_g, expected", [
    # within the regency, under a kilogram: JNE REG and Pos tie on price, JNE is quicker
    ("same_regency", 250, [("jne_reg", 10_000), ("pos_kilat", 10_000), ("jnt_ez", 11_000)]),
    # exactly one kilogram is still the first kilogram; one gram more starts the second
    ("same_province", 1000, [("jne_reg", 15_000), ("pos_kilat", 15_000), ("jnt_ez", 16_000)]),
    ("same_province", 1001, [("jne_reg", 23_000), ("jnt_ez", 24_000), ("pos_kilat", 24_000)]),
    ("same_island", 1500, [("jne_reg", 40_000), ("jnt_ez", 41_000), ("pos_kilat", 42_000)]),
    ("other_island", 2500, [("jne_reg", 90_000), ("jnt_ez", 94_000), ("pos_kilat", 96_000)]),
    # abroad only Pos Indonesia's EMS goes
    ("international", 2500, [("pos_ems", 490_000)]),
])
def test_a_store_that_chose_nothing_offers_the_default_services_cheapest_first(zone, weight_g, expected):
    # given the default offer; when a parcel of that weight goes to that zone
    # then these services are offered at these prices, cheapest (then quickest) first
    assert offered(DEFAULT_PLAN, zone, weight_g) == expected


def test_the_old_single_rate_table_is_still_what_a_default_store_charges():
    # given the rates the marketplace charged before couriers (first kg, next kg per zone)
    before = {"same_regency": (10_000, 5_000), "same_province": (15_000, 8_000),
              "same_island": (25_000, 15_000), "other_island": (40_000, 25_000),
              "international": (250_000, 120_000)}
    for zone, (first, nxt) in before.items():
        for weight_g in (1, 999, 2000, 7300):
            kilos = max(1, -(-weight_g // 1000))
            # then the cheapest default service costs just that, so old checkouts keep their totals
            assert offered(DEFAULT_PLAN, zone, weight_g)[0][1] == first + (kilos - 1) * nxt


def test_each_option_carries_its_estimated_days():
    options = shipping_options(DEFAULT_PLAN, "other_island", 500, 10_000)
    assert [(o.code, o.days_min, o.days_max) for o in options] == [
        ("jne_reg", 3, 6), ("jnt_ez", 3, 5), ("pos_kilat", 4, 7)]


def test_the_store_own_rate_replaces_the_default_for_that_service_and_zone_only(make_store, db):
    store = make_store()
    # given a store that offers JNE REG, its own delivery and pickup, with a cheaper JNE rate to
    # other islands and only its own next-kilogram price for its courier in the regency
    set_shipping(store, services=["jne_reg", "kurir_toko", "ambil_sendiri"],
                 rates={"jne_reg": {"other_island": (30_000, 7_000)},
                        "kurir_toko": {"same_regency": (None, 1_000)}},
                 free_shipping_min_idr=None, actor=store.owner)
    db.session.commit()
    plan = plan_for(store)
    assert plan.chosen and [s.code for s in plan.services] == ["jne_reg", "kurir_toko", "ambil_sendiri"]
    # then 1.5 kg to another island: its own JNE rate; its courier and pickup do not go there
    assert offered(plan, "other_island", 1500) == [("jne_reg", 37_000)]
    # in its regency: pickup (free), its courier (default first kg + its own next kg), JNE default
    assert offered(plan, "same_regency", 1500) == [("ambil_sendiri", 0), ("kurir_toko", 9_000),
                                                    ("jne_reg", 15_000)]
    # in its province: its courier still goes, pickup does not
    assert offered(plan, "same_province", 1500) == [("kurir_toko", 19_000), ("jne_reg", 23_000)]
    # on the same island: JNE only, at the default
    assert offered(plan, "same_island", 1500) == [("jne_reg", 40_000)]
    # abroad: nothing it offers goes
    assert offered(plan, "international", 1500) == []


def test_free_shipping_starts_at_the_threshold_for_domestic_parcels(make_store, db):
    store = make_store()
    set_shipping(store, services=["jne_reg", "jne_yes", "pos_ems"], rates={},
                 free_shipping_min_idr=100_000, actor=store.owner)
    plan = plan_for(store)
    # below the threshold: priced, and the plan says how much is missing
    assert offered(plan, "other_island", 800, subtotal_idr=99_999) == [("jne_reg", 40_000),
                                                                       ("jne_yes", 65_000)]
    assert plan.missing_for_free(99_999) == 1
    # at the threshold: every domestic service is free, quickest first
    options = shipping_options(plan, "other_island", 800, 100_000)
    assert [(o.code, o.cost_idr, o.free) for o in options] == [("jne_yes", 0, True), ("jne_reg", 0, True)]
    assert plan.missing_for_free(100_000) == 0
    # abroad the store does not pay the parcel
    assert offered(plan, "international", 800, subtotal_idr=500_000) == [("pos_ems", 250_000)]


def test_pickup_is_only_for_the_regency_and_always_free(make_store, db):
    store = make_store()
    set_shipping(store, services=["ambil_sendiri"], rates={}, free_shipping_min_idr=None, actor=store.owner)
    plan = plan_for(store)
    assert offered(plan, "same_regency", 25_000) == [("ambil_sendiri", 0)]
    assert all(offered(plan, zone, 100) == [] for zone in
               ("same_province", "same_island", "other_island", "international"))
    assert not COURIERS["ambil_sendiri"].tracks and not COURIERS["kurir_toko"].tracks


def test_the_default_offer_until_a_store_chooses(make_store, db):
    store = make_store()
    plan = plan_for(store)
    assert not plan.chosen and plan.free_shipping_min_idr is None
    assert [s.code for s in plan.services] == list(DEFAULT_SERVICES)


@pytest.mark.parametrize("services, rates, threshold, field", [
    ([], {}, None, "services"),
    (["jne_reg", "dhl_express"], {}, None, "services"),
    (["jne_reg"], {"jne_reg": {"same_island": (-1, 5_000)}}, None, "rates.jne_reg.same_island"),
    (["jne_reg"], {"jne_reg": {"same_island": ("banyak", 5_000)}}, None, "rates.jne_reg.same_island"),
    (["kurir_toko"], {"kurir_toko": {"other_island": (20_000, 5_000)}}, None, "rates.kurir_toko.other_island"),
    (["ambil_sendiri"], {"ambil_sendiri": {"same_regency": (5_000, 0)}}, None, "rates.ambil_sendiri.same_regency"),
    (["jne_reg"], {}, 0, "free_shipping_min_idr"),
    (["jne_reg"], {}, "gratis", "free_shipping_min_idr"),
])
def test_shipping_settings_that_make_no_sense_are_refused(make_store, db, services, rates, threshold, field):
    store = make_store()
    with pytest.raises(ValidationError) as caught:
        set_shipping(store, services=services, rates=rates, free_shipping_min_idr=threshold,
                     actor=store.owner)
    assert field in caught.value.fields
    db.session.rollback()
    # and the store still offers the defaults
    assert not plan_for(store).chosen


def test_only_the_owner_sets_a_store_shipping(make_store, make_user, db):
    store = make_store()
    with pytest.raises(NotFound):
        set_shipping(store, services=["jne_reg"], rates={}, free_shipping_min_idr=None, actor=make_user())


def test_zones_follow_the_store_region_and_the_address(make_store):
    store = make_store(province_code="18", regency_code="18.02")
    assert zone_for(store, {"country": "ID", "province": "18", "regency": "18.02"}) == "same_regency"
    assert zone_for(store, {"country": "ID", "province": "18", "regency": "18.71"}) == "same_province"
    assert zone_for(store, {"country": "ID", "province": "16", "regency": "16.71"}) == "same_island"
    assert zone_for(store, {"country": "ID", "province": "31", "regency": "31.71"}) == "other_island"
    assert zone_for(store, {"country": "JP", "province": "Tokyo"}) == "international"


def test_couriers_are_found_by_code_or_by_the_name_sellers_typed():
    assert find_courier("jne").code == "jne" and find_courier(" JNE ").code == "jne"
    assert find_courier("J&T").code == find_courier("J&T Express").code == find_courier("JNT").code == "jnt"
    assert find_courier("SiCepat").code == "sicepat" and find_courier("Anter Aja").code == "anteraja"
    assert find_courier("Pos Indonesia").code == "pos" and find_courier("pos").code == "pos"
    assert find_courier("Kurir toko").code == "kurir_toko" and find_courier("ambil_sendiri").code == "ambil_sendiri"
    assert find_courier("DHL") is None and find_courier("") is None and find_courier(None) is None


def test_tracking_links_go_to_the_courier_page_with_the_number_url_encoded():
    assert COURIERS["jne"].tracking_link("JNE123") == "https://www.jne.co.id/tracking-package?awb=JNE123"
    assert COURIERS["jnt"].tracking_link(" JP 12/3&x=<b> ") == \
        "https://www.jet.co.id/track?awb=JP%2012%2F3%26x%3D%3Cb%3E"
    assert COURIERS["sicepat"].tracking_link("0021").startswith("https://www.sicepat.com/")
    assert COURIERS["anteraja"].tracking_link("10").startswith("https://anteraja.id/")
    assert COURIERS["pos"].tracking_link("P1").startswith("https://www.posindonesia.co.id/")
    assert COURIERS["jne"].tracking_link("") is None
    assert COURIERS["kurir_toko"].tracking_link("A1") is None


def test_every_service_has_days_for_each_zone_it_prices_and_a_known_courier():
    for service in SERVICES.values():
        assert set(service.days) == set(service.rates), service.code
        assert all(0 <= lo <= hi for lo, hi in service.days.values()), service.code
        assert service in COURIERS[service.courier].services


def test_days_read_as_a_buyer_expects(app):
    with app.test_request_context():
        assert days_label(2, 3) == "2–3 hari"
        assert days_label(1, 1) == "1 hari"
        assert days_label(0, 0) == "hari ini"
        assert days_label(0, 1) == "hari ini atau besok"
    with app.test_request_context("/?lang=en"):
        assert days_label(2, 3) == "2–3 days"
        assert days_label(1, 1) == "1 day"


def test_the_demo_gives_its_stores_a_courier_choice(app, runner, db):
    import sqlalchemy as sa

    from catalog.models import Store
    from marketplace.accounts.models import User

    # when the demo marketplace is seeded
    result = runner.invoke(args=["seed-demo", "--stores", "5", "--products", "10"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    # then the demo seller's store offers most couriers, its own delivery, pickup and free shipping
    seller = db.session.scalar(sa.select(User).where(User.email == "seller@demo.test"))
    plan = plan_for(db.session.scalar(sa.select(Store).where(Store.owner_id == seller.id)))
    assert plan.chosen and {"jne_reg", "jne_yes", "sicepat_reg", "kurir_toko", "ambil_sendiri"} <= {
        s.code for s in plan.services}
    assert plan.free_shipping_min_idr == 500_000
    assert offered(plan, "same_regency", 1000)[0] == ("ambil_sendiri", 0)
    # and every store ships somewhere in Indonesia
    for store in db.session.scalars(sa.select(Store)):
        assert shipping_options(plan_for(store), "same_province", 1000, 10_000), store.slug


def test_the_upgrade_keeps_old_store_rates_and_maps_typed_couriers(app, tmp_path):
    """Migration 0012 on a database from before couriers (a SQLite file of its own)."""
    import sqlalchemy as sa
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from app import create_app
    from marketplace.extensions import db, limiter

    saved_limiter = (limiter._storage, limiter._limiter, limiter.enabled)
    old = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "SEARCH_INDEX_PATH": str(tmp_path / "search.db"), "ELASTICSEARCH_URL": None,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    try:
        with old.app_context():
            before = ScriptDirectory.from_config(old.extensions["migrate"].migrate.get_config()) \
                .get_revision("0012").down_revision
            # given a store with its own rates per zone and orders shipped with typed couriers
            upgrade(revision=before)
            for statement in (
                "INSERT INTO users (id, email, name, password_hash, is_active, created_at) "
                "VALUES (1, 's@example.test', 'S', 'x', 1, '2026-12-01')",
                "INSERT INTO stores (id, owner_id, name, slug, description, province_code, regency_code, "
                "nib, scale, whatsapp, export_ready, created_at, updated_at) VALUES (1, 1, 'T', 't', '', "
                "'18', '18.02', '1234567890123', 'mikro', '+6281', 0, '2026-12-01', '2026-12-01')",
                "INSERT INTO shipping_rates (store_id, zone, first_kg_idr, next_kg_idr) VALUES "
                "(1, 'other_island', 30000, 7000), (1, 'international', 200000, 90000)",
                "INSERT INTO checkouts (id, reference, buyer_id, payment_method, payment_status, total_idr, "
                "shipping_address, created_at, expires_at) VALUES (1, 'r', 1, 'bank_transfer', 'paid', 3, "
                "'{}', '2026-12-01', '2026-12-01')",
                *(f"INSERT INTO orders (checkout_id, store_id, buyer_id, status, subtotal_idr, shipping_idr, "
                  f"discount_idr, total_idr, refunded_idr, weight_g, shipping_zone, courier, created_at, "
                  f"updated_at) VALUES (1, 1, 1, 'shipped', 0, 1, 0, 1, 0, 0, 'other_island', '{typed}', "
                  f"'2026-12-01', '2026-12-01')" for typed in ("J&T Express", " jne ", "Lion Parcel"))):
                db.session.execute(sa.text(statement))
            db.session.commit()
            # when the database is upgraded
            upgrade(revision="0012")
            rates = db.session.execute(sa.text(
                "SELECT service, zone, first_kg_idr, next_kg_idr FROM shipping_rates ORDER BY service")).all()
            couriers = db.session.scalars(sa.text("SELECT courier FROM orders ORDER BY id")).all()
            db.session.remove()
    finally:
        limiter._storage, limiter._limiter, limiter.enabled = saved_limiter
    # then its rates are its rates for each default service (so its prices stay what they were)
    assert rates == [("jne_reg", "other_island", 30000, 7000), ("jnt_ez", "other_island", 30000, 7000),
                     ("pos_ems", "international", 200000, 90000), ("pos_kilat", "other_island", 30000, 7000)]
    # and typed couriers that name a known one are its code; other text stays
    assert couriers == ["jnt", "jne", "Lion Parcel"]
