"""QRIS: the EMVCo merchant-presented QR payloads Indonesia's QRIS standard is built on.

A payload is a string of TLV data objects: a two-digit tag ("00".."99"), a two-digit length
(in characters) and the value. Tag 00 (payload format indicator, "01") comes first and tag 63
(CRC) last; the CRC is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) over the
UTF-8 bytes of everything before its four hex digits, "6304" included. Tags 26-51 (merchant
account information), 62 (additional data), 64 (merchant information in another language) and
80-99 are templates: their value is itself a list of TLV objects.

The marketplace holds one *static* merchant QRIS (tag 01 = "11", the buyer types the amount),
issued by its acquirer. `dynamic_payload` turns it into the *dynamic* QRIS of one payment: tag
01 = "12", tag 54 the exact amount in whole rupiah, the tip tags 55-57 dropped, CRC recomputed.
`qr_svg` draws a payload as an inline SVG with segno.

Every refusal is a `QrisError` (a ValueError) whose `message` names what is wrong, in the
reader's language.
"""
from __future__ import annotations

import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from flask_babel import lazy_gettext as _l

#: the largest amount tag 54 carries here (13 characters are allowed; ten digits of rupiah are
#: far above any checkout)
MAX_AMOUNT_IDR = 9_999_999_999
TEMPLATE_TAGS = frozenset([f"{n:02d}" for n in range(26, 52)] + ["62", "64"]
                          + [f"{n:02d}" for n in range(80, 100)])
MERCHANT_ACCOUNT_TAGS = frozenset(f"{n:02d}" for n in range(2, 52))
TIP_TAGS = frozenset({"55", "56", "57"})
IDR = "360"  # ISO 4217 numeric code of the rupiah

TAG_NAMES = {
    "00": _l("indikator format payload"),
    "01": _l("metode inisiasi"),
    "52": _l("kode kategori merchant"),
    "53": _l("mata uang"),
    "54": _l("nominal"),
    "58": _l("kode negara"),
    "59": _l("nama merchant"),
    "60": _l("kota merchant"),
    "63": _l("CRC"),
}
REQUIRED_TAGS = ("52", "53", "58", "59", "60")
#: the format EMVCo fixes for some root data objects (lengths in characters)
_FORMATS = {
    "01": re.compile(r"1[12]"),
    "52": re.compile(r"\d{4}"),
    "53": re.compile(r"\d{3}"),
    "54": re.compile(r"(?=.{1,13}$)\d+(\.\d*)?"),
    "55": re.compile(r"0[123]"),
    "56": re.compile(r"(?=.{1,13}$)\d+(\.\d*)?"),
    "57": re.compile(r"(?=.{1,5}$)\d+(\.\d*)?"),
    "58": re.compile(r"[A-Z]{2}"),
    "59": re.compile(r".{1,25}", re.S),
    "60": re.compile(r".{1,15}", re.S),
    "61": re.compile(r".{1,10}", re.S),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class QrisError(ValueError):
    """A payload that is not a valid (or not a usable) QRIS; `message` is a lazy translated text."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of `data` (poly 0x1021, init 0xFFFF, no reflection, no final xor).

    binascii's crc_hqx is exactly that CRC when started from 0xFFFF.
    """
    return binascii.crc_hqx(data, 0xFFFF)


def payload_crc(text_before_crc_value: str) -> str:
    """The four uppercase hex digits of tag 63 for a payload that ends in "6304"."""
    return f"{crc16_ccitt(text_before_crc_value.encode('utf-8')):04X}"


@dataclass(frozen=True)
class QrisPayload:
    """A parsed payload: the root data objects in their order, and the templates' sub-objects."""

    text: str
    fields: MappingProxyType  # tag -> raw value, in payload order
    templates: MappingProxyType  # template tag -> MappingProxyType(sub tag -> value)

    def get(self, tag: str, default: str | None = None) -> str | None:
        return self.fields.get(tag, default)

    @property
    def is_dynamic(self) -> bool:
        return self.fields.get("01") == "12"

    @property
    def merchant_name(self) -> str:
        return self.fields["59"]

    @property
    def merchant_city(self) -> str:
        return self.fields["60"]

    @property
    def country(self) -> str:
        return self.fields["58"]

    @property
    def currency(self) -> str:
        return self.fields["53"]

    @property
    def crc(self) -> str:
        return self.fields["63"]

    @property
    def amount_idr(self) -> int | None:
        """Tag 54 as whole rupiah ("144000", "144000.00"), or None without an amount or with sen."""
        amount = self.fields.get("54")
        if amount is None:
            return None
        whole, _, fraction = amount.partition(".")
        if fraction.strip("0"):
            return None
        return int(whole)


def _tag_label(tag: str):
    name = TAG_NAMES.get(tag)
    return _l("tag %(tag)s (%(name)s)", tag=tag, name=name) if name else _l("tag %(tag)s", tag=tag)


def parse_tlv(text: str, *, offset: int = 0) -> list[tuple[str, str]]:
    """The (tag, value) pairs of a TLV string; `offset` only shifts the positions in messages."""
    pairs = []
    position = 0
    while position < len(text):
        head = text[position:position + 4]
        if len(head) < 4 or not head.isascii() or not head.isdigit():
            raise QrisError(_l("Data rusak di posisi %(pos)d: \"%(text)s\" bukan tag dan panjang "
                               "dua digit.", pos=offset + position + 1, text=head))
        tag, length = head[:2], int(head[2:])
        start = position + 4
        value = text[start:start + length]
        if len(value) < length:
            raise QrisError(_l("Data terpotong: %(tag)s meminta %(length)d karakter di posisi "
                               "%(pos)d, tersisa %(left)d.", tag=_tag_label(tag), length=length,
                               pos=offset + start + 1, left=len(value)))
        if length == 0:
            raise QrisError(_l("%(tag)s kosong (panjang 00).", tag=_tag_label(tag)))
        pairs.append((tag, value))
        position = start + length
    return pairs


def _check_template(tag: str, value: str, offset: int) -> MappingProxyType:
    try:
        pairs = parse_tlv(value, offset=offset)
    except QrisError as error:
        raise QrisError(_l("Isi template %(tag)s tidak valid: %(detail)s", tag=_tag_label(tag),
                           detail=error.message))
    subfields = {}
    for sub, subvalue in pairs:
        if sub in subfields:
            raise QrisError(_l("Template %(tag)s memuat sub-tag %(sub)s dua kali.",
                               tag=_tag_label(tag), sub=sub))
        subfields[sub] = subvalue
    if tag in MERCHANT_ACCOUNT_TAGS and "00" not in subfields:
        # EMVCo: a merchant account template starts from its globally unique identifier
        raise QrisError(_l("Template %(tag)s tidak punya sub-tag 00 (ID unik global).",
                           tag=_tag_label(tag)))
    return MappingProxyType(subfields)


def parse_payload(payload: str) -> QrisPayload:
    """Parse and check an EMVCo merchant-presented payload (any country and currency).

    Checks: TLV structure (templates included), tag 00 = "01" first, tag 63 last with length 04
    and the right CRC, no tag twice, the mandatory tags (52, 53, 58, 59, 60 and a merchant
    account in 02-51), and the format of the tags whose format EMVCo fixes.
    """
    if not isinstance(payload, str):
        raise QrisError(_l("QRIS harus berupa teks."))
    text = payload.strip()
    if not text:
        raise QrisError(_l("QRIS kosong."))
    if _CONTROL.search(text):
        raise QrisError(_l("QRIS memuat karakter kendali (baris baru, tab ...) di tengahnya."))
    if not text.startswith("000201"):
        raise QrisError(_l("Tag 00 (indikator format payload) harus yang pertama, bernilai "
                           "\"01\": QRIS harus diawali \"000201\"."))
    if len(text) < 8 or text[-8:-4] != "6304":
        raise QrisError(_l("Tag 63 (CRC) harus yang terakhir, dengan panjang 04: QRIS harus "
                           "diakhiri \"6304\" dan empat digit CRC."))
    # the CRC first: a payload changed anywhere (a digit, a length) is refused for what it is
    given = text[-4:]
    expected = payload_crc(text[:-4])
    if given.upper() != expected:
        raise QrisError(_l("CRC tidak cocok: tertulis %(given)s, seharusnya %(expected)s. QRIS "
                           "salah salin atau telah diubah.", given=given, expected=expected))
    pairs = parse_tlv(text)
    if pairs[-1][0] != "63" or len(pairs[-1][1]) != 4:
        raise QrisError(_l("Tag 63 (CRC) harus yang terakhir, dengan panjang 04: QRIS harus "
                           "diakhiri \"6304\" dan empat digit CRC."))
    fields: dict[str, str] = {}
    templates: dict[str, MappingProxyType] = {}
    position = 0
    for tag, value in pairs:
        if tag in fields:
            raise QrisError(_l("%(tag)s muncul dua kali.", tag=_tag_label(tag)))
        fields[tag] = value
        if tag in TEMPLATE_TAGS:
            templates[tag] = _check_template(tag, value, position + 4)
        position += 4 + len(value)
    for tag in REQUIRED_TAGS:
        if tag not in fields:
            raise QrisError(_l("%(tag)s tidak ada.", tag=_tag_label(tag)))
    if not MERCHANT_ACCOUNT_TAGS.intersection(fields):
        raise QrisError(_l("Tidak ada informasi akun merchant (tag 02-51)."))
    for tag, pattern in _FORMATS.items():
        if tag in fields and not pattern.fullmatch(fields[tag]):
            raise QrisError(_l("%(tag)s tidak valid: \"%(value)s\".", tag=_tag_label(tag),
                               value=fields[tag]))
    return QrisPayload(text=text, fields=MappingProxyType(fields),
                       templates=MappingProxyType(templates))


def parse_merchant_qris(payload: str) -> QrisPayload:
    """A payload that is a QRIS the marketplace can be paid with: EMVCo-valid, Indonesia, rupiah."""
    parsed = parse_payload(payload)
    if parsed.country != "ID":
        raise QrisError(_l("Tag 58 (kode negara) harus ID untuk QRIS, bukan \"%(value)s\".",
                           value=parsed.country))
    if parsed.currency != IDR:
        raise QrisError(_l("Tag 53 (mata uang) harus 360 (rupiah), bukan \"%(value)s\".",
                           value=parsed.currency))
    return parsed


def _tlv(tag: str, value: str) -> str:
    if not 1 <= len(value) <= 99:
        raise QrisError(_l("%(tag)s harus 1 sampai 99 karakter, bukan %(n)d.", tag=_tag_label(tag),
                           n=len(value)))
    return f"{tag}{len(value):02d}{value}"


def encode(fields: Iterable[tuple[str, str | Sequence[tuple[str, str]]]]) -> str:
    """Write (tag, value) pairs as a payload, in the order given, and append tag 63 (CRC).

    A value may be a sequence of (sub tag, value) pairs, written as a template. Tag 63 among
    `fields` is ignored: the CRC is always computed here.
    """
    body = []
    for tag, value in fields:
        if tag == "63":
            continue
        if not isinstance(value, str):
            value = "".join(_tlv(sub, subvalue) for sub, subvalue in value)
        body.append(_tlv(tag, value))
    text = "".join(body) + "6304"
    return text + payload_crc(text)


def dynamic_payload(static_merchant_string: str, amount_idr: int) -> str:
    """The dynamic QRIS for one payment of `amount_idr` rupiah, from the static merchant QRIS.

    Tag 01 becomes "12" (dynamic), tag 54 the amount as digits, the tip or convenience-fee tags
    55-57 are dropped (the buyer must pay exactly the amount), every other data object is kept
    as it was, the tags are written in ascending order (63 last) and the CRC recomputed.
    """
    if isinstance(amount_idr, bool) or not isinstance(amount_idr, int):
        raise QrisError(_l("Nominal QRIS harus bilangan bulat rupiah."))
    if not 1 <= amount_idr <= MAX_AMOUNT_IDR:
        raise QrisError(_l("Nominal QRIS harus antara Rp1 dan Rp9.999.999.999."))
    static = parse_merchant_qris(static_merchant_string)
    if static.get("01") != "11":
        raise QrisError(_l("QRIS merchant harus QRIS statis (tag 01 bernilai 11), bukan "
                           "\"%(value)s\": QRIS dinamis hanya berlaku untuk satu transaksi.",
                           value=static.get("01") or "-"))
    fields = {tag: value for tag, value in static.fields.items() if tag not in TIP_TAGS | {"63"}}
    fields["01"] = "12"
    fields["54"] = str(amount_idr)
    return encode(sorted(fields.items()))


def qr_svg(payload: str, *, title: str):
    """The payload drawn as a QR code, as SVG markup to put inside a page (no XML declaration).

    segno writes only the modules' path data and the title, which it escapes, so the result is
    marked safe for Jinja. The SVG has a viewBox and no fixed size (the page's CSS sizes it);
    error correction level M and the four-module quiet zone QR readers expect.
    """
    import segno
    from markupsafe import Markup

    code = segno.make_qr(payload, error="m")
    svg = code.svg_inline(omitsize=True, title=str(title), svgclass="qris-code", lineclass=None)
    return Markup(svg)
