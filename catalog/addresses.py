"""Places, beside the regions they name: country codes, the region check and postal addresses.

- `COUNTRY_CODE`: the one pattern of a country code (ISO 3166 alpha-2, upper case), for
  shipping addresses, export markets and trade-event countries alike.
- `clean_region`: the one rule for an Indonesian place, a regency (kabupaten/kota) of its
  province and optionally a district (kecamatan) of the regency, each by code or name; stores
  (`catalog.services`), shipping addresses and quote acceptance all use it.
- `region_choices`, `districts_of`, `find_places`: what address forms and the regions API offer
  (one step at a time, and a type-ahead over regencies and districts).
- `clean_address`: a shipping address, Indonesian or abroad, as checkout and quotes store it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from catalog import validation as v
from catalog.models import District, Province, Regency, Village
from catalog.regions import name_key
from marketplace.errors import ValidationError
from marketplace.extensions import db

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
INDONESIAN_POSTAL_CODE = re.compile(r"\d{5}")


class RegionError(v.FieldError):
    """A refused province, regency or district; `part` says which ("province", "regency",
    "district")."""

    def __init__(self, part: str, message):
        super().__init__(message)
        self.part = part


_CODE = {"province": re.compile(r"\d{2}"), "regency": re.compile(r"\d{2}\.\d{2}"),
         "district": re.compile(r"\d{2}\.\d{2}\.\d{2}")}


def _find(model, part: str, value, parent_column=None, parent: str | None = None):
    """The live place `value` names under `parent`: by its code, or by its name compared loosely
    (`catalog.regions.name_key`: "kab. bogor" is not a name, "Kabupaten  Bogor" is)."""
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if not text or len(text) > 120:
        return None
    if _CODE[part].fullmatch(text):
        place = db.session.get(model, text)
        if place is None or getattr(place, "retired", False):
            return None
        return place if parent_column is None or getattr(place, parent_column.key) == parent else None
    stmt = sa.select(model)
    if parent_column is not None:
        stmt = stmt.where(parent_column == parent)
    if hasattr(model, "retired"):
        stmt = stmt.where(model.retired.is_(False))
    key = name_key(text)
    return next((place for place in db.session.scalars(stmt) if name_key(place.name) == key), None)


def clean_region(province, regency, district=None) -> tuple[str, str, str | None]:
    """The (province, regency, district or None) codes of an Indonesian place, each given by its
    Kemendagri code or its name: the province must exist, the regency be one of it, the district
    (optional) one of the regency. Raises RegionError for the first part that is wrong."""
    prov = _find(Province, "province", province)
    if prov is None:
        raise RegionError("province", _l("Pilih provinsi."))
    reg = _find(Regency, "regency", regency, Regency.province_code, prov.code) if regency else None
    if reg is None:
        raise RegionError("regency", _l("Pilih kabupaten/kota di provinsi itu."))
    if district in (None, ""):
        return prov.code, reg.code, None
    dist = _find(District, "district", district, District.regency_code, reg.code)
    if dist is None:
        raise RegionError("district", _l("Pilih kecamatan di kabupaten/kota itu."))
    return prov.code, reg.code, dist.code


@dataclass
class RegionChoices:
    """What an address form offers: every province, the regencies of the chosen province, the
    districts of the chosen regency (a form reloaded without JavaScript narrows one step)."""

    provinces: list[Province]
    regencies: list[Regency]
    districts: list[District]


def region_choices(province: str | None = None, regency: str | None = None) -> RegionChoices:
    provinces = db.session.scalars(sa.select(Province).order_by(Province.name)).all()
    regencies = db.session.scalars(
        sa.select(Regency).where(Regency.province_code == (province or ""), Regency.retired.is_(False))
        .order_by(Regency.name)).all() if province else []
    in_province = regency and any(r.code == regency for r in regencies)
    districts = db.session.scalars(
        sa.select(District).where(District.regency_code == regency, District.retired.is_(False))
        .order_by(District.name)).all() if in_province else []
    return RegionChoices(list(provinces), list(regencies), list(districts))


def districts_of(regency_code: str) -> list[tuple[District, list[str]]]:
    """The live districts of a regency with their postal codes, by name."""
    districts = db.session.scalars(
        sa.select(District).where(District.regency_code == regency_code, District.retired.is_(False))
        .order_by(District.name)).all()
    postal = postal_codes_of([d.code for d in districts])
    return [(d, postal.get(d.code, [])) for d in districts]


def postal_codes_of(district_codes: list[str]) -> dict[str, list[str]]:
    """{district code: its villages' distinct postal codes, sorted}."""
    found: dict[str, set[str]] = {}
    for start in range(0, len(district_codes), 500):
        chunk = district_codes[start:start + 500]
        for code, postal in db.session.execute(
                sa.select(Village.district_code, Village.postal_code).distinct()
                .where(Village.district_code.in_(chunk), Village.postal_code.is_not(None),
                       Village.retired.is_(False))):
            found.setdefault(code, set()).add(postal)
    return {code: sorted(codes) for code, codes in found.items()}


@dataclass(frozen=True)
class PlaceMatch:
    """A regency or district a few typed letters name, for the address type-ahead."""

    province: Province
    regency: Regency
    district: District | None

    @property
    def label(self) -> str:
        parts = ([self.district.name] if self.district else []) + [self.regency.name, self.province.name]
        return ", ".join(parts)


def find_places(q: str, limit: int = 10) -> list[PlaceMatch]:
    """Regencies, then districts, whose name holds `q` (at least 2 letters; "Kabupaten"/"Kota"
    aside, a name starting with it first)."""
    text = " ".join(str(q or "").split()).lower()
    if len(text) < 2 or len(text) > 80:
        return []
    name = sa.func.lower(Regency.name)
    regencies = db.session.scalars(
        sa.select(Regency).options(so.joinedload(Regency.province))
        .where(Regency.retired.is_(False), name.contains(text, autoescape=True))
        .order_by(Regency.name).limit(limit)).all()
    matches = [PlaceMatch(r.province, r, None) for r in regencies]
    if len(matches) < limit:
        dname = sa.func.lower(District.name)
        districts = db.session.scalars(
            sa.select(District).options(so.joinedload(District.regency).joinedload(Regency.province))
            .where(District.retired.is_(False), dname.contains(text, autoescape=True))
            .order_by(sa.case((dname.startswith(text, autoescape=True), 0), else_=1), District.name)
            .limit(limit - len(matches))).all()
        matches += [PlaceMatch(d.regency.province, d.regency, d) for d in districts]
    return matches


def place_names(address: dict) -> dict[str, str]:
    """The names of an address's province, regency and district codes (a free-text district of an
    address written before districts were codes is kept as it was)."""
    names = {}
    for key, model in (("province", Province), ("regency", Regency), ("district", District)):
        value = address.get(key)
        if not value:
            continue
        place = db.session.get(model, value) if _CODE[key].fullmatch(str(value)) else None
        names[key] = place.name if place is not None else str(value)
    return names


def clean_address(raw) -> dict:
    """A shipping address: Indonesian (province, regency and optional district, each given by code
    or name and kept as its code; a postal code) or abroad (free text).

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
    if country == "ID":
        text("postal_code", required=True, max_len=10)
        if clean.get("postal_code") and not INDONESIAN_POSTAL_CODE.fullmatch(clean["postal_code"]):
            errors["postal_code"] = _l("Kode pos Indonesia 5 digit.")
        try:
            clean["province"], clean["regency"], clean["district"] = clean_region(
                raw.get("province"), raw.get("regency"), raw.get("district"))
        except RegionError as exc:
            errors[exc.part] = exc.message
    else:
        text("district", required=False, max_len=120)
        text("postal_code", required=False, max_len=20)
        text("province", required=False, max_len=120)
        text("regency", required=False, max_len=120)
    if errors:
        raise ValidationError(fields={f"shipping_address.{key}": message
                                      for key, message in errors.items()})
    return clean
