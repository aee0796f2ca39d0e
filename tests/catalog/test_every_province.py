"""An address in every province works for the three places that take one: opening a store,
checking out, accepting a quote. One regency (and its first district and postal code) per
province, picked from the loaded data, never a list written here."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from catalog.models import District, Province, Regency, Village


def one_place_per_province(db) -> list[dict]:
    places = []
    for province in db.session.scalars(sa.select(Province).order_by(Province.code)):
        regency = db.session.scalars(sa.select(Regency).where(
            Regency.province_code == province.code, Regency.retired.is_(False)).order_by(Regency.code)).first()
        district = db.session.scalars(sa.select(District).where(
            District.regency_code == regency.code).order_by(District.code)).first()
        postal = db.session.scalars(sa.select(Village.postal_code).where(
            Village.district_code == district.code, Village.postal_code.is_not(None))).first()
        places.append({"province": province.code, "regency": regency.code, "district": district.code,
                       "postal_code": postal or "10110", "regency_name": regency.name})
    return places


def address(place: dict) -> dict:
    return {"name": "Pembeli", "phone": "081234567890", "line1": "Jl. Merdeka 1", "country": "ID",
            **{k: place[k] for k in ("province", "regency", "district", "postal_code")}}


def test_a_store_a_checkout_and_a_quote_in_every_province(client, db, make_user, token_for,
                                                           make_product):
    from promotions import trade
    from tests.catalog.conftest import store_data

    places = one_place_per_province(db)
    assert len(places) == 38
    product = make_product(stock=100_000, price_idr=20000, weight_g=500)
    for place in places:
        # a store opens there
        seller = token_for(make_user())
        body = {key: value for key, value in store_data().items()}
        body.update(province_code=place["province"], regency_code=place["regency"],
                    district_code=place["district"])
        opened = client.post("/api/v1/stores", json=body, headers=seller)
        assert opened.status_code == 201, (place, opened.get_json())
        assert opened.get_json()["regency"] == place["regency_name"]
        assert opened.get_json()["district_code"] == place["district"]
        # a buyer there checks out a Lampung product
        buyer_user = make_user()
        buyer = token_for(buyer_user)
        assert client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2},
                          headers=buyer).status_code == 200
        placed = client.post("/api/v1/checkout", headers=buyer,
                             json={"shipping_address": address(place), "payment_method": "bank_transfer"})
        assert placed.status_code == 201, (place, placed.get_json())
        shipped_to = placed.get_json()["orders"][0]["shipping_address"]
        assert (shipped_to["regency"], shipped_to["district"]) == (place["regency"], place["district"])
        # and the same buyer accepts a quote to that address
        rfq = trade.create_rfq(buyer_user, {
            "product_id": product.id, "quantity": 10, "destination_country": "ID", "incoterm": "DAP",
            "needed_by": (date.today() + timedelta(days=30)).isoformat()})
        quote = trade.make_quote(rfq, {"unit_price_idr": 18000, "min_qty": 10, "lead_time_days": 7,
                                       "freight_idr": 150000,  # DAP: the seller's freight line
                                       "valid_until": (date.today() + timedelta(days=10)).isoformat()},
                                 actor=product.store.owner)
        db.session.commit()
        accepted = client.post(f"/api/v1/quotes/{quote.id}/accept", headers=buyer,
                               json={"shipping_address": address(place), "payment_method": "bank_transfer"})
        assert accepted.status_code == 201, (place, accepted.get_json())
