"""catalog.addresses: country codes, the region rule, shipping addresses; and the address form."""
from __future__ import annotations

import pytest

from catalog.addresses import COUNTRY_CODE, RegionError, clean_address, clean_region, place_names
from marketplace.errors import ValidationError

GOOD = {"name": "Ani", "phone": "081234567890", "line1": "Jl. Kartini 1", "country": "ID",
        "province": "18", "regency": "18.71", "postal_code": "35111"}
TOKYO = {"name": "Sato", "phone": "+81 3 1234 5678", "line1": "1-1 Chiyoda", "country": "jp",
         "province": "Tokyo", "regency": "Chiyoda", "postal_code": "100-0001"}


def fields_of(raw) -> dict:
    with pytest.raises(ValidationError) as caught:
        clean_address(raw)
    return {key: str(message) for key, message in caught.value.fields.items()}


def test_country_code_is_two_upper_case_letters():
    assert COUNTRY_CODE.match("ID") and COUNTRY_CODE.match("JP")
    assert not COUNTRY_CODE.match("id") and not COUNTRY_CODE.match("IDN")


def test_region_is_a_regency_of_its_province(db):
    assert clean_region("18", "18.71") == ("18", "18.71", None)
    with pytest.raises(RegionError) as caught:
        clean_region("99", "18.71")
    assert caught.value.part == "province"
    with pytest.raises(RegionError) as caught:
        clean_region("18", "31.71")
    assert caught.value.part == "regency"
    assert str(caught.value.message) == "Pilih kabupaten/kota di provinsi itu."


def test_region_parts_are_taken_by_code_or_by_name(db):
    # given Kabupaten Bogor (32.01) and its district Cibinong (32.01.01)
    # then codes and names (case, spacing and "Administrasi" aside) give the same codes
    assert clean_region("32", "32.01", "32.01.01") == ("32", "32.01", "32.01.01")
    assert clean_region("Jawa Barat", "kabupaten bogor", "CIBINONG") == ("32", "32.01", "32.01.01")
    assert clean_region("Daerah Khusus Ibukota Jakarta", "Kota Jakarta Pusat") == ("31", "31.71", None)
    # and a district of another regency, or a name that is no place, is refused by its part
    with pytest.raises(RegionError) as caught:
        clean_region("32", "32.01", "32.71.01")
    assert caught.value.part == "district"
    assert str(caught.value.message) == "Pilih kecamatan di kabupaten/kota itu."
    with pytest.raises(RegionError) as caught:
        clean_region("Jawa Barat", "Bogor")  # "Kabupaten Bogor" or "Kota Bogor"?
    assert caught.value.part == "regency"


def test_address_keeps_the_district_as_its_code(db):
    clean = clean_address({**GOOD, "province": "Jawa Barat", "regency": "Kabupaten Bogor",
                           "district": "Cibinong", "postal_code": "16911"})
    assert (clean["province"], clean["regency"], clean["district"]) == ("32", "32.01", "32.01.01")
    assert fields_of({**GOOD, "district": "Cibinong"}) == {
        "shipping_address.district": "Pilih kecamatan di kabupaten/kota itu."}


def test_indonesian_address_is_cleaned(db):
    assert clean_address({**GOOD, "name": "  Ani  "}) == {
        "country": "ID", "name": "Ani", "phone": "081234567890", "line1": "Jl. Kartini 1",
        "district": None, "postal_code": "35111", "province": "18", "regency": "18.71"}


def test_address_errors_name_their_keys(db):
    # required fields, a regency of another province, a postal code that is not 5 digits
    fields = fields_of({"name": "", "country": "ID", "province": "18", "regency": "31.71",
                        "postal_code": "12"})
    assert {"shipping_address.name", "shipping_address.phone", "shipping_address.line1",
            "shipping_address.regency", "shipping_address.postal_code"} <= set(fields)
    assert fields["shipping_address.postal_code"] == "Kode pos Indonesia 5 digit."
    assert fields_of({**GOOD, "province": ""})["shipping_address.province"] == "Pilih provinsi."
    assert "shipping_address.country" in fields_of({**GOOD, "country": "IDN"})
    assert fields_of("Jl. Kartini") == {"shipping_address": "Alamat pengiriman wajib diisi."}


def test_address_abroad_takes_free_text_region_and_city(db):
    clean = clean_address(TOKYO)
    assert clean["country"] == "JP" and clean["province"] == "Tokyo"
    assert clean["regency"] == "Chiyoda" and clean["postal_code"] == "100-0001"
    assert "shipping_address.regency" in fields_of({**TOKYO, "regency": "x" * 121})


def test_address_form_puts_errors_under_its_fields(app, db):
    from catalog.forms import AddressForm, country_choices
    from marketplace.forms import apply_errors

    choices = country_choices("en")
    assert choices[0].value == "ID" and len({c.value for c in choices}) == len(choices) > 200
    error = ValidationError(fields={"shipping_address.regency": "kota", "shipping_address.name": "nama",
                                    "csrf_token": "token"})
    with app.test_request_context(method="POST", data={"country": "ID"}):
        form = AddressForm(meta={"csrf": False})
        assert apply_errors(form, error) == ["token"]
        assert form.regency.errors == ["kota"] and form.name.errors == ["nama"]
    with app.test_request_context(method="POST", data={"country": "JP"}):
        form = AddressForm(meta={"csrf": False})
        assert form.abroad
        assert apply_errors(form, error) == ["token"]
        assert form.city.errors == ["kota"] and not form.regency.errors


def test_catalog_header_links_by_audience(app, make_user):
    from marketplace.navigation import links_for

    def catalog_links(user):
        with app.test_request_context("/"):
            return [(shown.link.endpoint, str(shown.link.label), shown.link.order)
                    for shown in links_for(user) if shown.link.endpoint.startswith("catalog.")]

    assert catalog_links(None) == []
    assert catalog_links(make_user()) == [("catalog.store_new", "Buka toko", 60)]
    assert catalog_links(make_user(roles=("buyer", "seller"))) == [
        ("catalog.seller_dashboard", "Toko saya", 60)]
    assert ("catalog.admin_stores", "Verifikasi toko", 70) in catalog_links(make_user(roles=("officer",)))


def test_place_names_turn_codes_into_names_and_keep_free_text(db):
    # given an address kept with codes, and one from before districts were codes
    coded = clean_address({**GOOD, "province": "31", "regency": "31.71", "district": "Gambir",
                           "postal_code": "10110"})
    # then the names are shown for the codes, and the old free text as it was
    assert place_names(coded) == {"province": "Daerah Khusus Ibukota Jakarta",
                                  "regency": "Kota Administrasi Jakarta Pusat", "district": "Gambir"}
    assert place_names({"province": "18", "regency": "18.71", "district": "Kedaton lama"})["district"] == "Kedaton lama"
