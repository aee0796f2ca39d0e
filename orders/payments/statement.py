"""Bank statements ("mutasi rekening") as CSV, and matching their credits to open payments.

`read_statement` reads a CSV export of internet banking and returns its credit lines (money
in); debits are read, checked and left out. `match_credits` pairs credits with the open bank
transfer payments they pay: the amount of each payment carries a unique code (1-999 rupiah),
so an exact amount inside the payment's window names it. `line_fingerprint` is a stable key
of a statement line, which the caller stores with what it did, so uploading an overlapping
statement again changes nothing.

Layouts read (a header row found anywhere in the file decides; account-information lines
above it and summary lines below it are skipped). They are written from what open-source
parsers of these exports and their sample files show; a bank that reorders its columns still
reads, since columns are found by their header names:

- BCA, KlikBCA (individual): lines "No. Rekening,=,'...", "Nama,=,...", "Periode,=,01/12/2026 -
  07/12/2026", then "Tanggal Transaksi,Keterangan,Cabang,Jumlah,,Saldo" (English interface:
  "Date,Description,Branch,Amount,,Balance"); the date "'02/12" (no year: taken from the
  period line, or else the latest such day not after today) or "'02/12/2026", "PEND" for a
  transfer not yet booked (skipped: it comes back with its date in a later statement); the
  unnamed fifth column "CR"/"DB"; then "Saldo Awal,=,...", "Mutasi Kredit,=,...", "Mutasi
  Debet,=,...", "Saldo Akhir,=,...". Sources: ThePrime-Sushimas/suryamas
  (bank-statement-import/test-samples/sample_bca_personal.csv) and the KlikBCA CSV reader and
  bank presets of other open-source tools (header lines, PEND, footer).
- BCA, KlikBCA Bisnis: "Tanggal Transaksi","Keterangan","Cabang","Jumlah" with the direction
  after the amount: "287,490.00 DB" (suryamas, sample_bca_business.csv).
- Mandiri, Mandiri Cash Management / Livin': "Account No,Date,Val. Date,Transaction Code,
  Description,[Description,]Reference No.,Debit,Credit", dates dd/mm/yy, "5,000,000.00" and
  ".00" (suryamas, sample_mandiri_cv.csv); the description columns are joined.
- BRI, internet banking: title and account lines, then "Tanggal Transaksi,Uraian Transaksi,
  Teller,Debet,Kredit,Saldo", dd/mm/yy, amounts "1.234.567,00".
- BNI: BNI Direct "Post Date,Value Date,Branch,Journal No.,Description,Debit,Credit,Balance"
  (a post date may carry a time), or internet banking "Tanggal Transaksi,Uraian Transaksi,
  Tipe,Nominal,Saldo" with D/K or DB/CR in Tipe.
  The BRI and BNI layouts come from the descriptions in open-source multi-bank statement
  importers, not from a file of ours: check them against a real export when one is at hand.
- Generic, for any other bank (an admin can rearrange a spreadsheet into it): a header with
  a date ("Tanggal"/"Date"), a description ("Keterangan"/"Description"), an amount
  ("Jumlah"/"Amount"/"Nominal") and a direction ("Jenis"/"Tipe"/"Type": CR/DB, K/D,
  Kredit/Debet, Masuk/Keluar); dates dd/mm/yyyy or yyyy-mm-dd.

Fields may be separated by commas, semicolons or tabs. Amounts are read exactly, never as
floats: "1,234,567.00", "1.234.567,00", "1234567", ".00". A row that cannot be read stops the
whole file with a message naming its line, so nothing is half-imported.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

MAX_AMOUNT_DIGITS = 15  # a quadrillion rupiah: no statement line is larger; longer is garbage


class StatementError(ValueError):
    """A statement refused; `message` is a lazy translated text, `line` the file's line or None."""

    def __init__(self, message, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(str(message))


@dataclass(frozen=True)
class Credit:
    """One credit line of a statement.

    `amount_idr` is the whole rupiah of the amount and `sen` its hundredths (0 for a transfer;
    interest may have sen); `line` is the line of the file the row starts on; `occurrence`
    counts the identical lines (same date, amount and description) before it in the file, so
    two equal transfers on one day are two lines; `bank` is the layout's bank code ("" for the
    generic layout) and `account` what the caller said the statement is of.
    """

    date: date
    amount_idr: int
    description: str
    line: int
    bank: str = ""
    sen: int = 0
    occurrence: int = 0
    account: str = ""


@dataclass(frozen=True)
class Statement:
    """What `read_statement` read: the layout it recognised and the credit lines in file order."""

    layout: str
    bank: str
    credits: tuple[Credit, ...]


@dataclass(frozen=True)
class _Layout:
    key: str  # "bca", "mandiri", "bri", "bni", "generic"
    bank: str
    signatures: tuple[frozenset[str], ...]  # a header row holding every name of one of them
    date: frozenset[str]
    description: frozenset[str]
    amount: frozenset[str] = frozenset()
    direction: frozenset[str] = frozenset()  # empty: the direction follows the amount
    debit: frozenset[str] = frozenset()
    credit: frozenset[str] = frozenset()
    extra_description: frozenset[str] = frozenset()  # appended to the description (references)


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


_LAYOUTS = (
    _Layout("bca", "014",
            signatures=(_names("tanggal transaksi", "keterangan", "cabang", "jumlah"),
                        _names("date", "description", "branch", "amount")),
            date=_names("tanggal transaksi", "date"), description=_names("keterangan", "description"),
            amount=_names("jumlah", "amount")),
    _Layout("mandiri", "008",
            signatures=(_names("account no", "date", "val date", "description", "debit", "credit"),),
            date=_names("date"), description=_names("description"),
            extra_description=_names("reference no"),
            debit=_names("debit"), credit=_names("credit")),
    _Layout("bri", "002",
            signatures=(_names("tanggal transaksi", "uraian transaksi", "teller", "debet", "kredit"),),
            date=_names("tanggal transaksi"), description=_names("uraian transaksi"),
            debit=_names("debet"), credit=_names("kredit")),
    _Layout("bni", "009",
            signatures=(_names("post date", "description", "debit", "credit"),),
            date=_names("post date"), description=_names("description"),
            debit=_names("debit"), credit=_names("credit")),
    _Layout("bni", "009",
            signatures=(_names("tanggal transaksi", "uraian transaksi", "tipe", "nominal"),),
            date=_names("tanggal transaksi"), description=_names("uraian transaksi"),
            amount=_names("nominal"), direction=_names("tipe")),
    _Layout("generic", "",
            signatures=tuple(_names(d, k, a, t)
                             for d in ("tanggal", "date")
                             for k in ("keterangan", "description", "deskripsi", "uraian")
                             for a in ("jumlah", "amount", "nominal")
                             for t in ("jenis", "tipe", "type", "cr/db", "db/cr", "d/k", "k/d",
                                       "debit/kredit", "kredit/debit", "debit/credit",
                                       "credit/debit")),
            date=_names("tanggal", "date"),
            description=_names("keterangan", "description", "deskripsi", "uraian"),
            amount=_names("jumlah", "amount", "nominal"),
            direction=_names("jenis", "tipe", "type", "cr/db", "db/cr", "d/k", "k/d", "debit/kredit",
                             "kredit/debit", "debit/credit", "credit/debit")),
)

_CREDIT_WORDS = {"cr", "k", "kr", "kredit", "credit", "c", "masuk"}
_DEBIT_WORDS = {"db", "d", "dr", "debet", "debit", "keluar"}
_SUMMARY_WORDS = ("saldo awal", "saldo akhir", "mutasi kredit", "mutasi debet", "mutasi debit",
                  "total", "opening balance", "closing balance", "beginning balance",
                  "ending balance", "jumlah mutasi")
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
           "agu": 8, "agt": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12,
           "dec": 12}
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DM = re.compile(r"(\d{1,2})/(\d{1,2})")
_D_MON_Y = re.compile(r"(\d{1,2})[ -]([a-z]{3})[a-z]*[ -](\d{4}|\d{2})")
_PERIOD = re.compile(r"(\d{1,2}/\d{1,2}/\d{4})\s*(?:-|s/?d|sampai|to|hingga)\s*(\d{1,2}/\d{1,2}/\d{4})")
_AMOUNT_WITH_DIRECTION = re.compile(r"(.*\d)\s*(cr|db|dr|k|d)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _normal(cell: str) -> str:
    """A header cell as compared: no quotes or dots, lower case, single spaces."""
    text = cell.replace("\ufeff", "").strip().strip("'\"").replace(".", "").lower()
    return _SPACES.sub(" ", text).strip()


def _plain(cell: str) -> str:
    """A data cell's text: trimmed, without the leading apostrophe Excel-minded exports add."""
    text = cell.strip()
    return text[1:].strip() if text.startswith("'") else text


def parse_amount(text: str) -> int:
    """An amount as exact hundredths ("sen"): "1,234,567.00", "1.234.567,00", "1234567", ".00".

    A single separator followed by one or two digits is the decimal mark; followed by groups of
    three it separates thousands (rupiah amounts have no third decimal). ValueError otherwise.
    """
    s = _SPACES.sub("", text.replace("\u00a0", " "))
    s = s[1:] if s.startswith("'") else s
    for prefix in ("rp", "idr"):
        if s.lower().startswith(prefix):
            s = s[len(prefix):]
    s = s[1:] if s.startswith("+") else s
    if not s or not re.fullmatch(r"[\d.,]+", s) or not re.search(r"\d", s):
        raise ValueError(text)
    if "." in s and "," in s:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
    elif "." in s or "," in s:
        mark = "." if "." in s else ","
        head, _, tail = s.rpartition(mark)
        decimal = mark if len(tail) in (1, 2) and mark not in head else None
    else:
        decimal = None
    if decimal:
        whole, _, fraction = s.rpartition(decimal)
        if not 1 <= len(fraction) <= 2 or not fraction.isdigit():
            raise ValueError(text)
    else:
        whole, fraction = s, ""
    group = {".": ",", ",": "."}[decimal] if decimal else None
    if group is None:
        group = "." if "." in whole else ("," if "," in whole else None)
    if group and group in whole:
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", whole):
            raise ValueError(text)
        whole = whole.replace(group, "")
    if whole and not whole.isdigit():
        raise ValueError(text)
    if len(whole) > MAX_AMOUNT_DIGITS:
        raise ValueError(text)
    return int(whole or "0") * 100 + int(fraction.ljust(2, "0") or "0")


def _direction(word: str) -> str | None:
    text = _normal(word)
    if text in _CREDIT_WORDS:
        return "credit"
    if text in _DEBIT_WORDS:
        return "debit"
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


class _Dates:
    """Reads a row's date; a day without a year is placed by the statement's period or today."""

    def __init__(self, period: tuple[date, date] | None, today: date):
        self.period = period
        self.today = today

    def read(self, text: str, line: int) -> date:
        value = _plain(text)
        # "01/08/26 10:15:30", "2026-08-01T10:15": the day is what counts
        day_text = re.split(r"[ T]\d{1,2}:\d{2}", value, maxsplit=1)[0].strip().lower()
        found = None
        if m := _YMD.fullmatch(day_text):
            found = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _DMY.fullmatch(day_text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            found = _safe_date(year, int(m[2]), int(m[1]))
        elif m := _D_MON_Y.fullmatch(day_text):
            month = _MONTHS.get(m[2])
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            found = _safe_date(year, month, int(m[1])) if month else None
        elif m := _DM.fullmatch(day_text):
            found = self._without_year(int(m[2]), int(m[1]), value, line)
        if found is None:
            raise StatementError(_l("Baris %(line)d: tanggal \"%(value)s\" tidak dikenali.",
                                    line=line, value=value), line)
        return found

    def _without_year(self, month: int, day: int, value: str, line: int) -> date | None:
        if self.period:
            start, end = self.period
            for year in range(start.year, end.year + 1):
                candidate = _safe_date(year, month, day)
                if candidate and start <= candidate <= end:
                    return candidate
            if any(_safe_date(year, month, day) for year in range(start.year, end.year + 1)):
                raise StatementError(_l("Baris %(line)d: tanggal \"%(value)s\" di luar periode "
                                        "mutasi %(start)s sampai %(end)s.", line=line, value=value,
                                        start=start.strftime("%d/%m/%Y"),
                                        end=end.strftime("%d/%m/%Y")), line)
            return None
        # no period given: the latest such day that is not after today (29/02 looks back to a
        # leap year)
        for year in range(self.today.year, self.today.year - 8, -1):
            candidate = _safe_date(year, month, day)
            if candidate and candidate <= self.today:
                return candidate
        return None


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # older internet banking writes Windows-1252; latin-1 reads any byte
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(first line of the row, cells) of every row; csv's quoting may let a row span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    last = 0
    try:
        for cells in reader:
            rows.append((last + 1, cells))
            last = reader.line_num
    except csv.Error as error:
        raise StatementError(_l("Baris %(line)d: tidak terbaca sebagai CSV (%(detail)s).",
                                line=last + 1, detail=str(error)), last + 1)
    return rows


def _find_header(rows) -> tuple[int, _Layout, list[str]] | None:
    for index, (_line, cells) in enumerate(rows):
        names = [_normal(cell) for cell in cells]
        present = set(names)
        for layout in _LAYOUTS:
            if any(signature <= present for signature in layout.signatures):
                return index, layout, names
    return None


def _period(rows) -> tuple[date, date] | None:
    for _line, cells in rows:
        text = " ".join(cells)
        if "period" in text.lower() and (m := _PERIOD.search(text)):
            start, end = (datetime.strptime(value, "%d/%m/%Y").date() for value in m.groups())
            if start <= end:
                return start, end
    return None


def _columns(names: list[str], wanted: frozenset[str]) -> list[int]:
    return [i for i, name in enumerate(names) if name in wanted]


def _is_summary(cells: list[str], date_col: int) -> bool:
    """A summary line ("Saldo Awal,=,...") rather than a transaction: no date (no digit in the
    date cell) and a summary word at the start of one of its first cells. A row with a date is
    a transaction, even one from "TOTAL JAYA"."""
    date_text = cells[date_col] if date_col < len(cells) else ""
    if re.search(r"\d", date_text):
        return False
    return any(_normal(cell).startswith(_SUMMARY_WORDS) for cell in cells[:3])


def read_statement(data: bytes | str, *, today: date | None = None, account: str = "") -> Statement:
    """The credit lines of a bank statement CSV (see the module docstring for the layouts).

    `today` places the days of a BCA statement without a year when it has no period line
    (the caller passes today's date in WIB); `account` goes into every credit's fingerprint,
    for a marketplace with more than one account at a bank.
    """
    text = _decode(data)
    if not text.strip():
        raise StatementError(_l("Berkas mutasi kosong."))
    found = None
    for delimiter in (",", ";", "\t"):
        rows = _rows(text, delimiter)
        found = _find_header(rows)
        if found:
            break
    if not found:
        raise StatementError(_l("Format mutasi rekening tidak dikenali: tidak ada baris judul "
                                "kolom BCA, Mandiri, BRI atau BNI, atau format umum (Tanggal, "
                                "Keterangan, Jumlah, Jenis)."))
    header_index, layout, names = found
    dates = _Dates(_period(rows[:header_index]), today or date.today())
    date_col = _columns(names, layout.date)[0]
    description_cols = _columns(names, layout.description) + _columns(names, layout.extra_description)
    if layout.amount:
        amount_col = _columns(names, layout.amount)[0]
        if layout.direction:
            direction_col = _columns(names, layout.direction)[0]
        else:
            # BCA's direction column has no name: the one right after the amount, when blank
            after = amount_col + 1
            direction_col = after if after < len(names) and names[after] == "" else None
        needed = [date_col, amount_col] + ([direction_col] if direction_col is not None else [])
    else:
        debit_col = _columns(names, layout.debit)[0]
        credit_col = _columns(names, layout.credit)[0]
        needed = [date_col, debit_col, credit_col]
    need = max(needed) + 1

    credits: list[Credit] = []
    seen: Counter = Counter()
    for line, cells in rows[header_index + 1:]:
        if not any(cell.strip() for cell in cells) or _is_summary(cells, date_col):
            continue
        if [_normal(cell) for cell in cells] == names:
            continue  # the header again, as multi-page exports repeat it
        if len(cells) < need:
            raise StatementError(_l("Baris %(line)d: hanya %(got)d kolom, seharusnya setidaknya "
                                    "%(need)d.", line=line, got=len(cells), need=need), line)
        if layout.key == "bca" and _normal(cells[date_col]) == "pend":
            continue  # not booked yet; a later statement has it with its date
        day = dates.read(cells[date_col], line)
        if layout.amount:
            direction, sen = _amount_and_direction(cells, amount_col, direction_col, line)
        else:
            debit = _amount(cells[debit_col], line)
            credit = _amount(cells[credit_col], line)
            if debit and credit:
                raise StatementError(_l("Baris %(line)d: debit dan kredit terisi sekaligus.",
                                        line=line), line)
            direction, sen = ("credit", credit) if credit else ("debit", debit)
        if direction != "credit" or sen == 0:
            continue
        description = _SPACES.sub(" ", " ".join(_plain(cells[i]) for i in description_cols
                                                if i < len(cells))).strip()
        key = (day, sen, description)
        credits.append(Credit(date=day, amount_idr=sen // 100, sen=sen % 100,
                              description=description, line=line, bank=layout.bank,
                              occurrence=seen[key], account=account))
        seen[key] += 1
    return Statement(layout=layout.key, bank=layout.bank, credits=tuple(credits))


def _amount(cell: str, line: int) -> int:
    value = _plain(cell)
    if value in ("", "-"):
        return 0
    try:
        return parse_amount(value)
    except ValueError:
        raise StatementError(_l("Baris %(line)d: jumlah \"%(value)s\" tidak valid.", line=line,
                                value=value), line)


def _amount_and_direction(cells, amount_col: int, direction_col: int | None,
                          line: int) -> tuple[str, int]:
    raw = _plain(cells[amount_col])
    stated = _plain(cells[direction_col]) if direction_col is not None else ""
    suffix = None
    if m := _AMOUNT_WITH_DIRECTION.fullmatch(raw):
        raw, suffix = m[1], m[2]
    word = stated or suffix or ""
    direction = _direction(word)
    if stated and suffix and _direction(suffix) != direction:
        direction = None
    if direction is None:
        raise StatementError(_l("Baris %(line)d: tidak jelas kredit atau debit (\"%(value)s\").",
                                line=line, value=" ".join(filter(None, (stated, suffix))) or "-"),
                             line)
    return direction, _amount(raw, line)


def line_fingerprint(credit: Credit) -> str:
    """A stable key of a statement line: the same line in two uploads has the same fingerprint.

    It hashes the account, bank, date, amount, description and the line's occurrence among
    identical lines, not its position in the file, so overlapping statements agree. (Exports
    cover whole days, so the n-th of several identical transfers of a day is the n-th in each.)
    """
    parts = ("v1", credit.account, credit.bank, credit.date.isoformat(), str(credit.amount_idr),
             f"{credit.sen:02d}", credit.description, str(credit.occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OpenPayment:
    """A bank transfer still awaited: its amount (unique code included) and its window."""

    id: Any
    amount_idr: int
    created_at: date
    expires_at: date


@dataclass(frozen=True)
class Matching:
    """`matched` (credit, payment) pairs; what is left on each side, for the admin to look at."""

    matched: tuple[tuple[Credit, Any], ...] = ()
    unmatched_credits: tuple[Credit, ...] = ()
    unmatched_payments: tuple[Any, ...] = ()
    #: credits whose amount fits more than one open payment: never guessed, left to the admin
    ambiguous: tuple[Credit, ...] = field(default=())


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def match_credits(credits: Iterable[Credit], open_payments: Sequence[Any]) -> Matching:
    """Pair each credit with the open payment of exactly its amount whose window holds its date.

    A payment is any object with `id`, `amount_idr`, `created_at` and `expires_at` (dates, or
    datetimes whose day counts). Credits are taken in date then line order: the first credit
    pays the payment, a second credit of the same amount stays unmatched (a double transfer
    for the admin to refund), so no credit pays two payments and no payment is paid twice. A
    credit with sen, or whose amount fits two open payments, is not matched. The result
    depends only on the input.
    """
    by_amount: dict[int, list[Any]] = {}
    for payment in open_payments:
        by_amount.setdefault(payment.amount_idr, []).append(payment)
    paid: set[int] = set()
    matched, unmatched, ambiguous = [], [], []
    for credit in sorted(credits, key=lambda c: (c.date, c.line, c.account, c.bank, c.occurrence)):
        candidates = [] if credit.sen else [
            payment for payment in by_amount.get(credit.amount_idr, ())
            if id(payment) not in paid
            and _day(payment.created_at) <= credit.date <= _day(payment.expires_at)]
        if len(candidates) == 1:
            paid.add(id(candidates[0]))
            matched.append((credit, candidates[0]))
        elif candidates:
            ambiguous.append(credit)
            unmatched.append(credit)
        else:
            unmatched.append(credit)
    return Matching(matched=tuple(matched), unmatched_credits=tuple(unmatched),
                    unmatched_payments=tuple(p for p in open_payments if id(p) not in paid),
                    ambiguous=tuple(ambiguous))
