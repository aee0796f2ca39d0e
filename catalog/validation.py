"""Field rules for stores and products, shared by pages, the API and CSV import.

Each `clean_*` takes raw input (JSON values, form strings or CSV cells) and returns the clean
value or raises FieldError with a message in the reader's language.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from flask_babel import lazy_gettext as _l


class FieldError(ValueError):
    """A single field's problem; `message` is a lazy translated string."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


MAX_PRICE_IDR = 1_000_000_000_000  # a trillion rupiah: far above any real listing
MAX_QTY = 10_000_000

_TRUE = {"1", "true", "yes", "ya", "y", "on"}
_FALSE = {"0", "false", "no", "tidak", "t", "n", "off", ""}


def clean_text(value, *, required: bool, min_len: int = 0, max_len: int) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(_l("Harus berupa teks."))
    value = value.strip()
    if not value:
        if required:
            raise FieldError(_l("Wajib diisi."))
        return None
    if len(value) < min_len:
        raise FieldError(_l("Minimal %(n)d karakter.", n=min_len))
    if len(value) > max_len:
        raise FieldError(_l("Maksimal %(n)d karakter.", n=max_len))
    return value


MAX_URL_LEN = 300
_NOT_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\\<>\"'`]")


def clean_http_url(value, *, required: bool = False, max_len: int = MAX_URL_LEN) -> str | None:
    """A link a user gives (an online event's address ...): absolute http:// or https:// only.

    The one rule for every user-supplied URL, so `javascript:`, `data:`, `vbscript:` and
    relative or scheme-less links never reach an href. Checked in order of cost: type and
    length first, then characters (no spaces, controls, backslashes or quotes: browsers strip or
    reinterpret them), then the parts: scheme, a host name (IDNA-encodable), no user:password@
    (`https://bank.example@evil.example`), a valid port. Returns the link with its scheme
    lower-cased, otherwise as given.
    """
    text = clean_text(value, required=required, max_len=max_len)
    if text is None:
        return None
    invalid = FieldError(_l("Tautan harus alamat web lengkap yang diawali http:// atau https://."))
    if _NOT_IN_URL.search(text):
        raise invalid
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or 0 < parts.port
        host = parts.hostname or ""
        host.encode("idna")
    except (ValueError, UnicodeError):
        raise invalid from None
    if (parts.scheme.lower() not in ("http", "https") or not host or not port_ok
            or parts.username is not None or parts.password is not None
            or host.startswith(".") or ".." in host):
        raise invalid
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, parts.fragment))


def clean_int(value, *, minimum: int = 0, maximum: int = MAX_QTY, required: bool = True) -> int | None:
    """A whole number. Floats are refused: money and quantities are integers."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise FieldError(_l("Wajib diisi."))
        return None
    if isinstance(value, bool):
        raise FieldError(_l("Harus bilangan bulat."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        number = int(value)
    else:
        raise FieldError(_l("Harus bilangan bulat."))
    if number < minimum:
        raise FieldError(_l("Minimal %(n)s.", n=minimum))
    if number > maximum:
        raise FieldError(_l("Maksimal %(n)s.", n=maximum))
    return number


def clean_price(value, *, required: bool = True) -> int | None:
    """Rupiah as a whole number; "25.000" (Indonesian thousands dots) is accepted from forms."""
    if isinstance(value, str):
        stripped = value.strip().replace("Rp", "").replace("rp", "").strip()
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", stripped):
            stripped = stripped.replace(".", "")
        value = stripped
    return clean_int(value, minimum=1, maximum=MAX_PRICE_IDR, required=required)


def clean_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    raise FieldError(_l("Harus ya atau tidak (true/false)."))


def clean_nib(value) -> str:
    """NIB (Nomor Induk Berusaha): exactly 13 digits."""
    value = re.sub(r"[\s.-]", "", str(value or ""))
    if not value:
        raise FieldError(_l("Wajib diisi."))
    if not re.fullmatch(r"\d{13}", value):
        raise FieldError(_l("NIB harus 13 digit angka."))
    return value


def clean_whatsapp(value) -> str:
    """An Indonesian mobile number, normalised to +628..."""
    raw = re.sub(r"[\s().-]", "", str(value or ""))
    if not raw:
        raise FieldError(_l("Wajib diisi."))
    if raw.startswith("+62"):
        rest = raw[3:]
    elif raw.startswith("62"):
        rest = raw[2:]
    elif raw.startswith("0"):
        rest = raw[1:]
    else:
        rest = raw
    if not re.fullmatch(r"8\d{8,11}", rest):
        raise FieldError(_l("Nomor WhatsApp tidak valid. Contoh: 0812-3456-7890."))
    return "+62" + rest


def clean_slug(value) -> str:
    value = str(value or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value) or not 3 <= len(value) <= 80:
        raise FieldError(_l("Gunakan 3–80 huruf kecil, angka dan tanda hubung."))
    return value


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:70] or "toko"


def clean_sku(value) -> str:
    value = str(value or "").strip()
    if not value:
        raise FieldError(_l("Wajib diisi."))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}", value):
        raise FieldError(_l("SKU hanya huruf, angka, titik, garis miring dan tanda hubung (maks. 64)."))
    return value


def clean_hs_code(value) -> str | None:
    """Harmonized System code: 6 to 10 digits, dots allowed (0901.11)."""
    value = str(value or "").strip()
    if not value:
        return None
    digits = value.replace(".", "")
    if not re.fullmatch(r"\d{6,10}", digits):
        raise FieldError(_l("Kode HS harus 6–10 digit, contoh 0901.11."))
    return value


def clean_tiers(value, *, price: int | None, moq: int | None) -> list[tuple[int, int]]:
    """Wholesale tiers as sorted (min_qty, unit_price) pairs: more units, lower price."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        raise FieldError(_l("Harus berupa daftar tingkatan harga."))
    if len(value) > 10:
        raise FieldError(_l("Paling banyak 10 tingkatan harga grosir."))
    tiers = []
    for item in value:
        if not isinstance(item, dict):
            raise FieldError(_l("Setiap tingkatan butuh min_qty dan unit_price_idr."))
        try:
            qty = clean_int(item.get("min_qty"), minimum=2)
            unit = clean_price(item.get("unit_price_idr"))
        except FieldError as exc:
            raise FieldError(_l("Tingkatan harga tidak valid: %(msg)s", msg=exc.message)) from None
        tiers.append((qty, unit))
    tiers.sort()
    last_qty, last_price = 0, price
    for qty, unit in tiers:
        if qty == last_qty:
            raise FieldError(_l("Jumlah minimum tiap tingkatan harus berbeda."))
        if last_price is not None and unit >= last_price:
            raise FieldError(_l("Harga grosir harus makin murah untuk jumlah yang makin banyak."))
        last_qty, last_price = qty, unit
    if moq is not None and tiers and tiers[0][0] <= moq:
        raise FieldError(_l("Tingkatan grosir harus di atas jumlah minimum pembelian."))
    return tiers


def parse_tiers_text(text: str) -> list[dict]:
    """Parse the compact "10:23000; 50:21000" form used on pages and in CSV files."""
    text = (text or "").strip()
    if not text:
        return []
    tiers = []
    for part in re.split(r"[;\n]+", text):
        part = part.strip()
        if not part:
            continue
        if ":" not in part:
            raise FieldError(_l("Tulis tingkatan sebagai jumlah:harga, contoh 10:23000; 50:21000."))
        qty, price = part.split(":", 1)
        tiers.append({"min_qty": qty.strip(), "unit_price_idr": price.strip()})
    return tiers


def format_tiers_text(tiers) -> str:
    return "; ".join(f"{t.min_qty}:{t.unit_price_idr}" for t in tiers)
