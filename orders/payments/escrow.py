"""The marketplace collects every payment itself ("rekening bersama") and finance confirms the
ones no gateway reports: bank transfers and QRIS.

- The marketplace's own bank accounts and its merchant QRIS are set by an admin
  (`add_bank_account`, `set_qris_merchant`); buyers see them at checkout.
- A bank transfer gets a unique code ("kode unik", 1-999 rupiah) added to its amount, unique
  among open checkouts (`allocate_unique_code`; a partial unique index holds it under races), so
  the credit on the statement names the checkout by its amount alone.
- A QRIS payment gets a dynamic payload with the exact amount, built from the merchant string
  (orders/payments/qris.py) and valid until the checkout expires.
- Finance (the finance role, or an admin) confirms a payment one by one (`confirm_payment`), or
  uploads the bank's statement (`upload_statement`): each credit is read once (a fingerprint per
  line, so an overlapping statement adds nothing), credits are matched to open transfers by
  amount and date, the matched are confirmed, and both sides' unmatched are shown.

A confirmed checkout goes through `orders.payments.service.mark_paid`, as a card paid by Stripe
does: every order is paid at once, whatever store it is of.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.timeutil import isoformat, marketplace_day
from orders.models import (
    MANUAL_METHODS,
    Checkout,
    PaymentMethod,
    PaymentStatus,
    PlatformBankAccount,
    QrisMerchant,
    StatementLine,
    StatementUpload,
)
from orders.payments import qris
from orders.payments.banks import account_errors, bank_by_code
from orders.payments.statement import (
    OpenPayment,
    StatementError,
    line_fingerprint,
    match_credits,
    read_statement,
)

log = logging.getLogger(__name__)

MAX_UNIQUE_CODE = 999
#: draws before giving up: each lost race means another checkout took a code and committed
MAX_UNIQUE_CODE_TRIES = 20
MAX_STATEMENT_BYTES = 2 * 1024 * 1024


def is_finance(user: User | None) -> bool:
    """Finance confirms payments and matches statements; admins may too."""
    return user is not None and (user.has_role(Role.FINANCE) or user.is_admin)


def require_finance(user: User | None) -> None:
    if not is_finance(user):
        raise Forbidden()


def _require_admin(user: User | None) -> None:
    if user is None or not user.is_admin:
        raise Forbidden()


# --- the marketplace's accounts -----------------------------------------------------------------

def active_bank_accounts() -> list[PlatformBankAccount]:
    return list(db.session.scalars(sa.select(PlatformBankAccount).where(PlatformBankAccount.active)
                                   .order_by(PlatformBankAccount.id)))


def bank_accounts_json() -> list[dict]:
    """The accounts a transfer may go to, as the checkout's `payment.bank_accounts`."""
    return [{"bank": bank_name(a.bank_code), "bank_code": a.bank_code, "number": a.number,
             "holder": a.holder} for a in active_bank_accounts()]


def bank_name(code: str) -> str:
    bank = bank_by_code(code)
    return bank.name if bank else code


def add_bank_account(data: dict, *, actor: User) -> PlatformBankAccount:
    """An admin adds an account of the marketplace: a known bank, its number, its holder."""
    _require_admin(actor)
    (code, number, holder), errors = account_errors(data)
    if not errors and db.session.scalar(sa.select(PlatformBankAccount.id).where(
            PlatformBankAccount.bank_code == code, PlatformBankAccount.number == number)):
        errors["number"] = _l("Rekening ini sudah terdaftar.")
    if errors:
        raise ValidationError(fields=errors)
    account = PlatformBankAccount(bank_code=code, number=number, holder=holder, created_by_id=actor.id)
    db.session.add(account)
    db.session.flush()
    return account


def set_bank_account_active(account_id: int, active: bool, *, actor: User) -> PlatformBankAccount:
    """Stop (or start again) offering an account; open transfers to it keep their instructions."""
    _require_admin(actor)
    account = db.session.get(PlatformBankAccount, account_id)
    if account is None:
        raise NotFound()
    account.active = bool(active)
    db.session.flush()
    return account


def active_qris() -> QrisMerchant | None:
    return db.session.scalar(sa.select(QrisMerchant).where(QrisMerchant.active)
                             .order_by(QrisMerchant.id.desc()).limit(1))


def set_qris_merchant(payload: str, *, actor: User) -> QrisMerchant:
    """An admin sets the marketplace's static merchant QRIS (what its acquirer issued); a
    string that is not a valid Indonesian static QRIS is refused with what is wrong."""
    _require_admin(actor)
    # pasted text may wrap; spaces inside belong to the payload (merchant names, cities)
    text = "".join(str(payload or "").strip().splitlines())
    if not text:
        raise ValidationError(fields={"payload": _l("Tempelkan string QRIS merchant.")})
    try:
        parsed = qris.parse_merchant_qris(text)
        qris.dynamic_payload(text, 1)  # a static one, that an amount can be put into
    except qris.QrisError as exc:
        raise ValidationError(fields={"payload": exc.message}) from None
    for older in db.session.scalars(sa.select(QrisMerchant).where(QrisMerchant.active)):
        older.active = False
    merchant = QrisMerchant(payload=text, merchant_name=parsed.fields["59"],
                            merchant_city=parsed.fields["60"], created_by_id=actor.id)
    db.session.add(merchant)
    db.session.flush()
    return merchant


def method_errors(payment_method: str) -> dict:
    """Why a manual method cannot be chosen now (nothing set up to pay into), else {}."""
    if payment_method == PaymentMethod.BANK_TRANSFER and not active_bank_accounts():
        return {"payment_method": _l("Transfer bank belum tersedia: rekening marketplace belum diatur.")}
    if payment_method == PaymentMethod.QRIS and active_qris() is None:
        return {"payment_method": _l("QRIS belum tersedia: QRIS merchant marketplace belum diatur.")}
    return {}


# --- at checkout --------------------------------------------------------------------------------

def allocate_unique_code(checkout: Checkout, *, rng: random.Random | None = None) -> None:
    """Give a pending bank-transfer checkout a code no other open checkout has.

    The free codes are read, one is drawn at random (sequential codes would tell a buyer how
    many others are paying), and written in a savepoint: when a concurrent checkout took the
    same code first, the partial unique index refuses it and another is drawn."""
    if checkout.payment_method != PaymentMethod.BANK_TRANSFER:
        return
    rng = rng or random.SystemRandom()
    for _ in range(MAX_UNIQUE_CODE_TRIES):
        taken = set(db.session.scalars(sa.select(Checkout.unique_code).where(
            Checkout.payment_status == PaymentStatus.PENDING, Checkout.unique_code > 0,
            Checkout.id != checkout.id)))
        free = [code for code in range(1, MAX_UNIQUE_CODE + 1) if code not in taken]
        if not free:
            break
        code = rng.choice(free)
        try:
            with db.session.begin_nested():
                checkout.unique_code = code
                db.session.flush()
            return
        except IntegrityError:
            checkout.unique_code = 0
    raise Conflict(_l("Terlalu banyak transfer yang menunggu saat ini. Coba lagi sebentar lagi "
                      "atau bayar dengan QRIS atau kartu."), code="no_unique_code")


def qris_payload(checkout: Checkout) -> str | None:
    """The dynamic QRIS of a pending QRIS checkout (its exact amount), or None."""
    if checkout.payment_method != PaymentMethod.QRIS:
        return None
    merchant = active_qris()
    if merchant is None:
        return None
    return qris.dynamic_payload(merchant.payload, checkout.amount_due_idr)


def payment_json(checkout: Checkout) -> dict:
    """What a transfer or QRIS checkout's `payment` adds: the amount to pay and where to."""
    if checkout.payment_method not in MANUAL_METHODS:
        return {}
    extra = {"amount_idr": checkout.amount_due_idr, "unique_code": checkout.unique_code,
             "expires_at": isoformat(checkout.expires_at)}
    if checkout.payment_method == PaymentMethod.BANK_TRANSFER:
        extra["bank_accounts"] = bank_accounts_json()
    elif checkout.payment_status == PaymentStatus.PENDING:
        extra["qris_payload"] = qris_payload(checkout)
    return extra


# --- confirming ---------------------------------------------------------------------------------

def pending_manual_checkouts() -> sa.Select:
    """Transfers and QRIS payments still awaited, oldest first (finance's queue)."""
    return (sa.select(Checkout).where(Checkout.payment_status == PaymentStatus.PENDING,
                                      Checkout.payment_method.in_([str(m) for m in MANUAL_METHODS]))
            .order_by(Checkout.created_at, Checkout.id))


def _lock_checkout(checkout_id: int) -> Checkout:
    checkout = db.session.scalar(sa.select(Checkout).where(Checkout.id == checkout_id)
                                 .with_for_update().execution_options(populate_existing=True))
    if checkout is None:
        raise NotFound()
    return checkout


def confirm_payment(checkout_id: int, *, actor: User, reference: str | None = None) -> Checkout:
    """Finance confirms that a transfer or QRIS payment reached the marketplace: the whole
    checkout is paid. The checkout row is locked, so two confirmations (or a confirmation and
    the expiry job) never both act; a second confirmation of a paid checkout is a Conflict."""
    from orders.payments.service import mark_paid

    require_finance(actor)
    checkout = _lock_checkout(checkout_id)
    if checkout.payment_method not in MANUAL_METHODS:
        raise Conflict(_l("Pembayaran ini bukan transfer bank atau QRIS."), code="not_transfer")
    if checkout.payment_status != PaymentStatus.PENDING:
        raise Conflict(_l("Pembayaran ini tidak menunggu konfirmasi lagi."), code="not_pending")
    reference = " ".join(str(reference or "").split()) or None
    if reference and len(reference) > 120:
        raise ValidationError(fields={"reference": _l("Maksimal %(n)d karakter.", n=120)})
    checkout.confirmed_by_id = actor.id
    checkout.payment_reference = reference
    mark_paid(checkout)
    log.info("manual payment confirmed", extra={
        "checkout_id": checkout.id, "amount_idr": checkout.amount_due_idr, "actor_id": actor.id})
    return checkout


@dataclass
class UploadResult:
    """What one statement upload did: the lines new to the marketplace, the transfers it
    confirmed, and what is left unmatched on either side."""

    upload: StatementUpload
    matched: list[tuple[StatementLine, Checkout]]
    repeated: int
    unmatched_lines: list[StatementLine]
    ambiguous_lines: list[StatementLine]
    open_checkouts: list[Checkout]


def upload_statement(data: bytes, *, filename: str, bank_account_id, actor: User) -> UploadResult:
    """Read a statement of one of the marketplace's accounts and confirm the transfers it shows.

    Lines seen in an earlier upload (same fingerprint) are skipped, so uploading the same or an
    overlapping statement twice confirms nothing twice. The new credits are matched to the open
    transfers (amount with its unique code, the day within the checkout's window, in WIB);
    each match is confirmed as `confirm_payment` would, under the checkout's row lock."""
    from marketplace.money.rates import today_wib
    from orders.payments.service import mark_paid

    require_finance(actor)
    account = db.session.get(PlatformBankAccount, _int_or_none(bank_account_id))
    errors: dict = {}
    if account is None:
        errors["bank_account_id"] = _l("Pilih rekening marketplace yang mutasinya diunggah.")
    if not data:
        errors["file"] = _l("Pilih berkas mutasi (CSV).")
    elif len(data) > MAX_STATEMENT_BYTES:
        errors["file"] = _l("Berkas terlalu besar (maksimal 2 MB).")
    if errors:
        raise ValidationError(fields=errors)
    try:
        statement = read_statement(data, today=today_wib(), account=f"{account.bank_code}:{account.number}")
    except StatementError as exc:
        raise ValidationError(fields={"file": exc.message}) from None

    upload = StatementUpload(bank_account_id=account.id, filename=(filename or "mutasi.csv")[:200],
                             layout=statement.layout, credits=len(statement.credits),
                             uploaded_by_id=actor.id)
    db.session.add(upload)
    db.session.flush()
    fingerprints = {line_fingerprint(c): c for c in statement.credits}
    seen = set(db.session.scalars(sa.select(StatementLine.fingerprint).where(
        StatementLine.fingerprint.in_(list(fingerprints)))))
    fresh = [c for f, c in fingerprints.items() if f not in seen]
    lines = {}
    for credit in fresh:
        line = StatementLine(upload_id=upload.id, fingerprint=line_fingerprint(credit),
                             booked_on=credit.date, amount_idr=credit.amount_idr,
                             description=credit.description[:1000])
        db.session.add(line)
        lines[line.fingerprint] = line
    db.session.flush()

    # only bank transfers carry a unique code; their window is their life in WIB days
    open_rows = db.session.scalars(sa.select(Checkout).where(
        Checkout.payment_status == PaymentStatus.PENDING,
        Checkout.payment_method == PaymentMethod.BANK_TRANSFER)).all()
    candidates = [OpenPayment(id=c.id, amount_idr=c.amount_due_idr, created_at=marketplace_day(c.created_at),
                              expires_at=marketplace_day(c.expires_at)) for c in open_rows]
    matching = match_credits(fresh, candidates)
    matched = []
    for credit, payment in matching.matched:
        line = lines[line_fingerprint(credit)]
        checkout = _lock_checkout(payment.id)
        if checkout.payment_status != PaymentStatus.PENDING:
            continue  # paid or expired meanwhile: the line stays unmatched for finance
        line.checkout_id = checkout.id
        checkout.confirmed_by_id = actor.id
        checkout.payment_reference = f"statement {upload.id} line {line.id} ({credit.date.isoformat()})"
        mark_paid(checkout)
        matched.append((line, checkout))
    upload.new_lines, upload.matched = len(fresh), len(matched)
    db.session.flush()
    matched_ids = {line.id for line, _ in matched}
    ambiguous = {line_fingerprint(c) for c in matching.ambiguous}
    unmatched = [line for f, line in lines.items() if line.id not in matched_ids and f not in ambiguous]
    log.info("statement uploaded", extra={"upload_id": upload.id, "credits": upload.credits,
                                          "new": upload.new_lines, "matched": upload.matched})
    return UploadResult(upload=upload, matched=matched, repeated=len(statement.credits) - len(fresh),
                        unmatched_lines=unmatched,
                        ambiguous_lines=[lines[f] for f in ambiguous if f in lines],
                        open_checkouts=list(db.session.scalars(pending_manual_checkouts().where(
                            Checkout.payment_method == PaymentMethod.BANK_TRANSFER))))


def unmatched_lines() -> sa.Select:
    """Credits on the marketplace's statements that paid no checkout, newest first: a transfer
    without its code, a late or double one (finance refunds or confirms it by hand)."""
    return (sa.select(StatementLine).where(StatementLine.checkout_id.is_(None))
            .order_by(StatementLine.booked_on.desc(), StatementLine.id.desc()))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Instructions:
    """How to pay a pending transfer or QRIS checkout, for its pages."""

    method: str
    amount_idr: int
    unique_code: int
    expires_at: datetime
    bank_accounts: list[dict]
    qris_svg: object | None  # markup (segno's SVG), or None


def instructions(checkout: Checkout) -> Instructions | None:
    """What the buyer needs to pay `checkout`, while it waits for a manual payment."""
    if checkout.payment_method not in MANUAL_METHODS or checkout.payment_status != PaymentStatus.PENDING:
        return None
    svg = None
    payload = qris_payload(checkout)
    if payload:
        svg = qris.qr_svg(payload, title=_l("QRIS untuk membayar %(amount)s",
                                            amount=rupiah(checkout.amount_due_idr)))
    return Instructions(method=checkout.payment_method, amount_idr=checkout.amount_due_idr,
                        unique_code=checkout.unique_code, expires_at=checkout.expires_at,
                        bank_accounts=(bank_accounts_json()
                                       if checkout.payment_method == PaymentMethod.BANK_TRANSFER else []),
                        qris_svg=svg)
