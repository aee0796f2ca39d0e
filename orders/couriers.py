"""Couriers and their services: reference data kept in code, like the zones they price.

A courier (JNE, J&T Express, SiCepat, AnterAja, Pos Indonesia, the store's own delivery,
pickup at the store) has services (JNE REG, YES, OKE ...). Each service has the marketplace's
default rate per zone it serves (rupiah for the first kilogram and for each further started
kilogram) and its estimated delivery days per zone; a zone a service has no rate for is one it
does not serve ("Kurir toko" goes no further than the store's province, "Ambil sendiri" is for
buyers in the store's own regency). Stores choose services and may set their own rates
(`orders.shipping`). Couriers that track parcels have a public tracking page; the number goes
into its address URL-encoded.

No courier API is called: prices are the store's (or these defaults), and tracking is a link
to the courier's own site.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from orders.models import ShippingZone as Z

Rate = tuple[int, int]   # (first kg, each further started kg), rupiah
Days = tuple[int, int]   # (fewest, most) days on the way


@dataclass(frozen=True, eq=False)
class Service:
    """One service of a courier (JNE REG): its default rates and estimated days per zone."""

    code: str                 # "jne_reg": what the API, forms and orders store
    courier: str              # the courier's code
    name: str                 # the courier's own name for it ("REG"), never translated
    description: str          # a lazy text: what it is ("Reguler", "Besok sampai")
    rates: dict[str, Rate]    # zone -> default rate; the zones it serves
    days: dict[str, Days]     # zone -> estimated days
    #: pickup: always free, no rate of the store's own
    free: bool = False

    def serves(self, zone: str | None) -> bool:
        return zone in self.rates

    @property
    def carrier(self) -> Courier:
        return COURIERS[self.courier]

    @property
    def title(self) -> str:
        """ "JNE REG", "J&T Express EZ"; "Kurir toko" (a service named as its courier) alone."""
        carrier = self.carrier
        return carrier.name if self.name == carrier.name else f"{carrier.name} {self.name}"


@dataclass(frozen=True, eq=False)
class Courier:
    """A courier: its name, its services and, when it tracks parcels, its public tracking page."""

    code: str
    name: str
    #: the public tracking page, `{number}` replaced by the URL-encoded tracking number
    tracking_url: str | None
    aliases: tuple[str, ...] = ()
    services: tuple[Service, ...] = field(default=())

    @property
    def tracks(self) -> bool:
        """Whether a parcel it carries has a tracking number (required when shipping)."""
        return self.tracking_url is not None

    def serves(self, zone: str | None) -> bool:
        return any(s.serves(zone) for s in self.services)

    def tracking_link(self, number: str | None) -> str | None:
        """The courier's public page for this tracking number, or None."""
        number = (number or "").strip()
        if not self.tracking_url or not number:
            return None
        return self.tracking_url.format(number=quote(number, safe=""))


def _service(code, courier, name, description, table, *, free=False) -> Service:
    """A service from {zone: (first, next, days_min, days_max)}."""
    return Service(code, courier, name, description,
                   {zone: (first, nxt) for zone, (first, nxt, _lo, _hi) in table.items()},
                   {zone: (lo, hi) for zone, (_f, _n, lo, hi) in table.items()}, free)


_DOMESTIC = (Z.SAME_REGENCY, Z.SAME_PROVINCE, Z.SAME_ISLAND, Z.OTHER_ISLAND)

# Defaults in rupiah, from a Lampung store: JNE REG is the rate table the marketplace used
# before couriers (so stores that never chose keep their prices); J&T EZ and Pos Kilat Khusus
# cost as much or a little more; OKE, SiCepat REG and AnterAja are cheaper, YES and BEST
# faster and dearer.
_SERVICES = (
    _service("jne_reg", "jne", "REG", _l("Reguler"), {
        Z.SAME_REGENCY: (10_000, 5_000, 1, 2), Z.SAME_PROVINCE: (15_000, 8_000, 2, 3),
        Z.SAME_ISLAND: (25_000, 15_000, 2, 4), Z.OTHER_ISLAND: (40_000, 25_000, 3, 6)}),
    _service("jne_yes", "jne", "YES", _l("Yakin esok sampai"), {
        Z.SAME_REGENCY: (18_000, 12_000, 1, 1), Z.SAME_PROVINCE: (26_000, 16_000, 1, 1),
        Z.SAME_ISLAND: (40_000, 25_000, 1, 2), Z.OTHER_ISLAND: (65_000, 40_000, 1, 2)}),
    _service("jne_oke", "jne", "OKE", _l("Ongkos kirim ekonomis"), {
        Z.SAME_REGENCY: (8_000, 4_000, 2, 3), Z.SAME_PROVINCE: (12_000, 6_000, 3, 5),
        Z.SAME_ISLAND: (20_000, 12_000, 4, 6), Z.OTHER_ISLAND: (32_000, 20_000, 5, 9)}),
    _service("jnt_ez", "jnt", "EZ", _l("Reguler"), {
        Z.SAME_REGENCY: (11_000, 5_000, 1, 2), Z.SAME_PROVINCE: (16_000, 8_000, 2, 3),
        Z.SAME_ISLAND: (26_000, 15_000, 2, 4), Z.OTHER_ISLAND: (42_000, 26_000, 3, 5)}),
    _service("sicepat_reg", "sicepat", "REG", _l("Reguler"), {
        Z.SAME_REGENCY: (9_000, 5_000, 1, 2), Z.SAME_PROVINCE: (14_000, 7_000, 1, 3),
        Z.SAME_ISLAND: (24_000, 14_000, 2, 4), Z.OTHER_ISLAND: (38_000, 24_000, 3, 5)}),
    _service("sicepat_best", "sicepat", "BEST", _l("Besok sampai"), {
        Z.SAME_REGENCY: (16_000, 11_000, 1, 1), Z.SAME_PROVINCE: (24_000, 15_000, 1, 1),
        Z.SAME_ISLAND: (38_000, 24_000, 1, 2), Z.OTHER_ISLAND: (60_000, 38_000, 1, 2)}),
    _service("anteraja_reg", "anteraja", "Reguler", _l("Reguler"), {
        Z.SAME_REGENCY: (9_500, 5_000, 1, 2), Z.SAME_PROVINCE: (14_500, 7_500, 2, 3),
        Z.SAME_ISLAND: (24_500, 14_500, 2, 4), Z.OTHER_ISLAND: (39_000, 24_500, 3, 6)}),
    _service("pos_kilat", "pos", "Kilat Khusus", _l("Reguler"), {
        Z.SAME_REGENCY: (10_000, 6_000, 2, 3), Z.SAME_PROVINCE: (15_000, 9_000, 2, 4),
        Z.SAME_ISLAND: (26_000, 16_000, 3, 5), Z.OTHER_ISLAND: (42_000, 27_000, 4, 7)}),
    _service("pos_ems", "pos", "EMS", _l("Kiriman ke luar negeri"), {
        Z.INTERNATIONAL: (250_000, 120_000, 5, 10)}),
    _service("kurir_toko", "kurir_toko", "Kurir toko", _l("Diantar sendiri oleh toko"), {
        Z.SAME_REGENCY: (8_000, 2_000, 1, 1), Z.SAME_PROVINCE: (15_000, 4_000, 1, 2)}),
    _service("ambil_sendiri", "ambil_sendiri", "Ambil sendiri", _l("Ambil di toko, tanpa ongkos"),
             {Z.SAME_REGENCY: (0, 0, 0, 1)}, free=True),
)

_COURIERS = (
    ("jne", "JNE", "https://www.jne.co.id/tracking-package?awb={number}", ("jne express",)),
    ("jnt", "J&T Express", "https://www.jet.co.id/track?awb={number}",
     ("j&t", "jnt", "j&t express", "jnt express", "jet")),
    ("sicepat", "SiCepat", "https://www.sicepat.com/checkAwb/{number}", ("si cepat", "sicepat ekspres")),
    ("anteraja", "AnterAja", "https://anteraja.id/id/tracking?awb={number}", ("anter aja",)),
    ("pos", "Pos Indonesia", "https://www.posindonesia.co.id/id/tracking/{number}",
     ("pos", "posindonesia", "kantor pos")),
    ("kurir_toko", "Kurir toko", None, ("kurir toko", "kurir sendiri", "antar sendiri", "own delivery")),
    ("ambil_sendiri", "Ambil sendiri", None, ("ambil sendiri", "ambil di toko", "pickup", "pick up")),
)

SERVICES: dict[str, Service] = {s.code: s for s in _SERVICES}
COURIERS: dict[str, Courier] = {
    code: Courier(code, name, url, aliases, tuple(s for s in _SERVICES if s.courier == code))
    for code, name, url, aliases in _COURIERS}

#: what a store that has chosen nothing offers (the first three cover Indonesia, EMS abroad)
DEFAULT_SERVICES = ("jne_reg", "jnt_ez", "pos_kilat", "pos_ems")
PICKUP = "ambil_sendiri"
OWN_DELIVERY = "kurir_toko"


def _normal(text: str) -> str:
    return re.sub(r"[\s.\-_]+", " ", (text or "").strip().lower()).strip()


def find_courier(text: str | None) -> Courier | None:
    """The courier a code or a typed name means ("jne", "JNE", "J&T", "Pos Indonesia"), or None.

    Couriers were free text before they were reference data; this maps what sellers and API
    clients typed then (and still may send) to a courier."""
    wanted = _normal(text or "")
    if not wanted:
        return None
    for courier in COURIERS.values():
        names = {_normal(courier.code), _normal(courier.name), *(_normal(a) for a in courier.aliases)}
        if wanted in names or wanted.replace(" ", "") in {n.replace(" ", "") for n in names}:
            return courier
    return None


def courier_name(code: str | None) -> str | None:
    """A stored courier's name to show: a known code's name, else the text as it was stored."""
    if not code:
        return None
    found = find_courier(code)
    return found.name if found else code


def days_label(days_min: int | None, days_max: int | None) -> str:
    """Estimated delivery in words: "2–3 hari", "1 hari", "hari ini"."""
    if days_max is None:
        return ""
    low = days_max if days_min is None else days_min
    if days_max == 0:
        return _("hari ini")
    if low == days_max:
        return ngettext("%(num)d hari", "%(num)d hari", days_max)
    if low == 0:
        return _("hari ini atau besok") if days_max == 1 else _("0–%(max)d hari", max=days_max)
    return _("%(min)d–%(max)d hari", min=low, max=days_max)
