"""Indonesian banks, their three-digit codes, and the account numbers each accepts.

The code ("kode bank") is the three digits Bank Indonesia gives each bank: what a payer types
before the account number for a transfer to another bank at an ATM, and what bulk-transfer files
name the destination bank by. Banks that merged or closed are left out; a bank's unit-level
codes (a sharia unit's own code) too.

Sources, cross-checked against each other: the bank code appendices of payment providers'
public API documentation (e.g. zenospaycom/api-docs, v1/apendix.md) and the bank lists of
open-source Indonesian apps (makiraid/cek-norek-mobile items.js, Siswadi24/ecommerce-api
config/bank.php); HSBC Indonesia's own ATM help page names 087 as its code. Every
regional development bank (BPD, "bank pembangunan daerah") is here: 27, codes 110-137.

Account number lengths are checked only where a bank's numbers have one well-known length
(BCA 10, Mandiri 13, BRI 15, BNI 10 digits); elsewhere 6 to 20 digits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Bank:
    """A bank: `code` its three digits, `name` as people call it, `regional` for a BPD."""

    code: str
    name: str
    regional: bool = False
    popular: bool = False


# (code, name, popular): national banks, state and private, digital and sharia
_NATIONAL = (
    ("002", "Bank Rakyat Indonesia (BRI)", True),
    ("008", "Bank Mandiri", True),
    ("009", "Bank Negara Indonesia (BNI)", True),
    ("011", "Bank Danamon", True),
    ("013", "PermataBank", True),
    ("014", "Bank Central Asia (BCA)", True),
    ("016", "Maybank Indonesia", True),
    ("019", "Panin Bank", True),
    ("022", "CIMB Niaga", True),
    ("023", "UOB Indonesia", True),
    ("028", "OCBC NISP", True),
    ("031", "Citibank", False),
    ("032", "JPMorgan Chase Bank", False),
    ("033", "Bank of America", False),
    ("036", "China Construction Bank Indonesia", False),
    ("037", "Bank Artha Graha Internasional", False),
    ("040", "Bangkok Bank", False),
    ("042", "MUFG Bank", False),
    ("046", "Bank DBS Indonesia", True),
    ("047", "Bank Resona Perdania", False),
    ("048", "Bank Mizuho Indonesia", False),
    ("050", "Standard Chartered Bank", False),
    ("054", "Bank Capital Indonesia", False),
    ("057", "Bank BNP Paribas Indonesia", False),
    ("067", "Deutsche Bank", False),
    ("069", "Bank of China (Hong Kong)", False),
    ("076", "Bank Bumi Arta", False),
    ("087", "HSBC Indonesia", False),
    ("095", "Bank JTrust Indonesia", False),
    ("097", "Bank Mayapada", False),
    ("146", "Bank of India Indonesia", False),
    ("147", "Bank Muamalat", True),
    ("151", "Bank Mestika Dharma", False),
    ("152", "Bank Shinhan Indonesia", False),
    ("153", "Bank Sinarmas", True),
    ("157", "Bank Maspion", False),
    ("161", "Bank Ganesha", False),
    ("164", "Bank ICBC Indonesia", False),
    ("167", "Bank QNB Indonesia", False),
    ("200", "Bank Tabungan Negara (BTN)", True),
    ("212", "Bank Woori Saudara", False),
    ("213", "SMBC Indonesia (BTPN, Jenius)", True),
    ("405", "Bank Victoria Syariah", False),
    ("425", "BJB Syariah", False),
    ("426", "Bank Mega", True),
    ("441", "KB Bank (Bukopin)", True),
    ("451", "Bank Syariah Indonesia (BSI)", True),
    ("459", "Krom Bank Indonesia (Bisnis Internasional)", False),
    ("472", "Bank Jasa Jakarta", False),
    ("484", "KEB Hana Bank Indonesia (LINE Bank)", False),
    ("485", "MNC Bank (Motion)", False),
    ("490", "Bank Neo Commerce", False),
    ("494", "Bank Raya (BRI Agroniaga)", False),
    ("498", "Bank SBI Indonesia", False),
    ("501", "blu by BCA Digital", True),
    ("503", "Nobu Bank (Nationalnobu)", False),
    ("506", "Bank Mega Syariah", False),
    ("513", "Bank Ina Perdana", False),
    ("517", "Panin Dubai Syariah", False),
    ("521", "KB Bukopin Syariah", False),
    ("523", "Bank Sahabat Sampoerna", False),
    ("531", "Bank Amar Indonesia", False),
    ("535", "SeaBank", True),
    ("536", "BCA Syariah", True),
    ("542", "Bank Jago", True),
    ("547", "BTPN Syariah", False),
    ("548", "Bank Multiarta Sentosa", False),
    ("553", "Bank Mayora", False),
    ("555", "Bank Index Selindo", False),
    ("559", "Bank CNB (Centratama Nasional)", False),
    ("562", "Bank Fama Internasional", False),
    ("564", "Bank Mandiri Taspen", False),
    ("566", "Bank Victoria International", False),
    ("567", "Allo Bank", True),
    ("947", "Bank Aladin Syariah", False),
    ("949", "CTBC Indonesia", False),
)
# (code, name, popular): the regional development banks (BPD), one per province or two
_REGIONAL = (
    ("110", "bank bjb (Jawa Barat dan Banten)", True),
    ("111", "Bank DKI", True),
    ("112", "Bank BPD DIY", False),
    ("113", "Bank Jateng", True),
    ("114", "Bank Jatim", True),
    ("115", "Bank Jambi", False),
    ("116", "Bank Aceh Syariah", False),
    ("117", "Bank Sumut", False),
    ("118", "Bank Nagari (Sumatera Barat)", False),
    ("119", "Bank Riau Kepri Syariah", False),
    ("120", "Bank Sumsel Babel", False),
    ("121", "Bank Lampung (BPD Lampung)", False),
    ("122", "Bank Kalsel", False),
    ("123", "Bank Kalbar", False),
    ("124", "Bank Kaltimtara", False),
    ("125", "Bank Kalteng", False),
    ("126", "Bank Sulselbar", False),
    ("127", "Bank SulutGo", False),
    ("128", "Bank NTB Syariah", False),
    ("129", "BPD Bali", False),
    ("130", "Bank NTT", False),
    ("131", "Bank Maluku Malut", False),
    ("132", "Bank Papua", False),
    ("133", "Bank Bengkulu", False),
    ("134", "Bank Sulteng", False),
    ("135", "Bank Sultra", False),
    ("137", "Bank Banten", False),
)

BANKS: tuple[Bank, ...] = tuple(sorted(
    [Bank(code, name, regional=False, popular=popular) for code, name, popular in _NATIONAL]
    + [Bank(code, name, regional=True, popular=popular) for code, name, popular in _REGIONAL],
    key=lambda bank: bank.code))
_BY_CODE = {bank.code: bank for bank in BANKS}

#: the account numbers' one length, for the banks where it is well known
ACCOUNT_DIGITS = {"014": 10, "008": 13, "002": 15, "009": 10}
MIN_ACCOUNT_DIGITS, MAX_ACCOUNT_DIGITS = 6, 20
_SEPARATORS = re.compile(r"[\s.\-]")


class BankAccountError(ValueError):
    """A bank code or account number refused; `message` is a lazy translated text."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def _normal_code(code) -> str:
    text = str(code if code is not None else "").strip()
    # a spreadsheet drops the leading zeros of "014"
    return text.zfill(3) if text.isascii() and text.isdigit() and len(text) <= 3 else text


def bank_by_code(code) -> Bank | None:
    """The bank with this code ("014", also "14" or 14 as a spreadsheet leaves it), or None."""
    return _BY_CODE.get(_normal_code(code))


def get_bank(code) -> Bank:
    """The bank with this code; BankAccountError when there is none."""
    bank = bank_by_code(code)
    if bank is None:
        raise BankAccountError(_l("Bank dengan kode \"%(code)s\" tidak dikenal.",
                                  code=str(code if code is not None else "")))
    return bank


def bank_choices() -> list[tuple[str, str]]:
    """(code, "name (code)") for a select: the most used banks first, then the rest by name."""
    ordered = sorted(BANKS, key=lambda bank: (not bank.popular, bank.name.casefold()))
    return [(bank.code, f"{bank.name} ({bank.code})") for bank in ordered]


def clean_account_number(bank_code, number) -> str:
    """The account number as digits only, checked against the bank's length.

    Spaces, dots and dashes people type between the groups are dropped ("123-456 7890").
    """
    bank = get_bank(bank_code)
    text = _SEPARATORS.sub("", str(number if number is not None else ""))
    if not text:
        raise BankAccountError(_l("Nomor rekening wajib diisi."))
    if not (text.isascii() and text.isdigit()):
        raise BankAccountError(_l("Nomor rekening hanya boleh berisi angka."))
    digits = ACCOUNT_DIGITS.get(bank.code)
    if digits is not None and len(text) != digits:
        raise BankAccountError(_l("Nomor rekening %(bank)s harus %(n)d digit; yang diisi %(got)d "
                                  "digit.", bank=bank.name, n=digits, got=len(text)))
    if not MIN_ACCOUNT_DIGITS <= len(text) <= MAX_ACCOUNT_DIGITS:
        raise BankAccountError(_l("Nomor rekening harus %(min)d sampai %(max)d digit; yang diisi "
                                  "%(got)d digit.", min=MIN_ACCOUNT_DIGITS, max=MAX_ACCOUNT_DIGITS,
                                  got=len(text)))
    return text


MAX_HOLDER = 120


def account_errors(data: dict) -> tuple[tuple[str, str | None, str], dict]:
    """A bank account given as {bank_code, number, holder}, cleaned: ((code, number, holder),
    {field: message}) — the one check behind the marketplace's own accounts and sellers'
    payout accounts. The caller adds its own rules to the errors and raises them."""
    errors: dict = {}
    code, number = str(data.get("bank_code") or "").strip(), None
    try:
        code = get_bank(code).code
        number = clean_account_number(code, data.get("number"))
    except BankAccountError as exc:
        errors["number" if bank_by_code(code) else "bank_code"] = exc.message
    holder = " ".join(str(data.get("holder") or "").split())
    if not holder:
        errors["holder"] = _l("Nama pemilik rekening wajib diisi.")
    elif len(holder) > MAX_HOLDER:
        errors["holder"] = _l("Maksimal %(n)d karakter.", n=MAX_HOLDER)
    return (code, number, holder), errors
