"""Places, beside the regions they name: country codes, the region check and postal addresses.

- `COUNTRY_CODE`: the one pattern of a country code (ISO 3166 alpha-2, upper case), for
  shipping addresses, export markets and trade-event countries alike.
- `clean_region`: the one rule for an Indonesian place, a regency (kabupaten/kota) of its
  province; stores (`catalog.services`) and shipping addresses both use it.
- `clean_address`: a shipping address, Indonesian or abroad, as checkout and quotes store it.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from catalog import validation as v
from catalog.models import Province, Regency
from marketplace.errors import ValidationError
from marketplace.extensions import db

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
INDONESIAN_POSTAL_CODE = re.compile(r"\d{5}")


class RegionError(v.FieldError):
    """A refused province or regency; `part` says which ("province" or "regency")."""

    def __init__(self, part: str, message):
        super().__init__(message)
        self.part = part


def clean_region(province, regency) -> tuple[str, str]:
    """The (province code, regency code) of an Indonesian place: the province must exist and the
    regency must be one of it. Raises RegionError for the province first, then the regency."""
    if not province or db.session.get(Province, str(province)) is None:
        raise RegionError("province", _l("Pilih provinsi."))
    reg = db.session.get(Regency, str(regency)) if regency else None
    if reg is None or reg.province_code != str(province):
        raise RegionError("regency", _l("Pilih kabupaten/kota di provinsi itu."))
    return str(province), reg.code


def clean_address(raw) -> dict:
    """A shipping address: Indonesian (province and regency codes, postal code) or abroad.

    Returns the cleaned dict (name, phone, line1, district, country, postal_code, province,
    regency). Raises ValidationError with `shipping_address.<key>` fields, or the field
    `shipping_address` when `raw` is no dict at all.
    """
    if not isinstance(raw, dict):
        raise ValidationError(fields={"shipping_address": _l("Alamat pengiriman wajib diisi.")})
    errors, clean = {}, {}

    def text(name, *, required, max_len=200):
        value = raw.get(name)
        value = value.strip() if isinstance(value, str) else ""
        if required and not value:
            errors[name] = _l("Wajib diisi.")
        elif len(value) > max_len:
            errors[name] = _l("Maksimal %(n)d karakter.", n=max_len)
        clean[name] = value or None

    country = str(raw.get("country") or "ID").strip().upper()
    if not COUNTRY_CODE.match(country):
        errors["country"] = _l("Kode negara dua huruf (ISO), mis. ID, SG, JP.")
    clean["country"] = country
    text("name", required=True, max_len=120)
    text("phone", required=True, max_len=30)
    text("line1", required=True)
    text("district", required=False, max_len=120)
    if country == "ID":
        text("postal_code", required=True, max_len=10)
        if clean.get("postal_code") and not INDONESIAN_POSTAL_CODE.fullmatch(clean["postal_code"]):
            errors["postal_code"] = _l("Kode pos Indonesia 5 digit.")
        try:
            clean["province"], clean["regency"] = clean_region(raw.get("province"),
                                                               raw.get("regency"))
        except RegionError as exc:
            errors[exc.part] = exc.message
    else:
        text("postal_code", required=False, max_len=20)
        text("province", required=False, max_len=120)
        text("regency", required=False, max_len=120)
    if errors:
        raise ValidationError(fields={f"shipping_address.{key}": message
                                      for key, message in errors.items()})
    return clean
