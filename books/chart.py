"""A seller's chart of accounts and how each kind of entry it records posts to it.

The seller's books follow SAK EMKM's statements: assets (kas, bank, receivables, inventory,
fixed assets), liabilities (payables, loans), equity (the owner's capital and drawings, the
profit kept), income and expenses. Every account is a ledger account of kind `book` owned by
the store and named by its code (`orders.ledger.posting.book(store_id, code)`); nothing here
touches the marketplace's accounts.

A recorded entry (`KINDS`) names where its amount goes (the category's account) and where it
comes from (the money: cash, bank, or on credit: a receivable or a payable), and posts one
balanced journal entry: `lines(kind, category, method, amount)`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# --- accounts ---------------------------------------------------------------------------------

ASSET, LIABILITY, EQUITY, INCOME, COGS, EXPENSE = "asset", "liability", "equity", "income", "cogs", "expense"
#: groups whose balance is a debit in normal use (the others are credits)
DEBIT_GROUPS = frozenset({ASSET, COGS, EXPENSE})


@dataclass(frozen=True)
class Account:
    code: str
    group: str
    label: object  # lazy text
    #: a contra account (accumulated depreciation, drawings, sales returns) reads against its group
    contra: bool = False


ACCOUNTS = {a.code: a for a in (
    Account("kas", ASSET, _l("Kas")),
    Account("bank", ASSET, _l("Bank")),
    Account("piutang_marketplace", ASSET, _l("Piutang marketplace (dana di Pasar UMKM)")),
    Account("piutang_usaha", ASSET, _l("Piutang usaha")),
    Account("persediaan", ASSET, _l("Persediaan")),
    Account("aset_tetap", ASSET, _l("Aset tetap (harga perolehan)")),
    Account("akumulasi_penyusutan", ASSET, _l("Akumulasi penyusutan"), contra=True),
    Account("utang_usaha", LIABILITY, _l("Utang usaha")),
    Account("pinjaman", LIABILITY, _l("Pinjaman")),
    Account("modal", EQUITY, _l("Modal pemilik")),
    Account("prive", EQUITY, _l("Prive (pengambilan pemilik)"), contra=True),
    Account("laba_ditahan", EQUITY, _l("Saldo laba")),
    Account("penjualan_marketplace", INCOME, _l("Penjualan di Pasar UMKM")),
    Account("retur_marketplace", INCOME, _l("Pengembalian dana pembeli"), contra=True),
    Account("penjualan_tunai", INCOME, _l("Penjualan di luar marketplace")),
    Account("pendapatan_lain", INCOME, _l("Pendapatan lain")),
    Account("pembelian_bahan", COGS, _l("Pembelian bahan dan barang dagangan")),
    Account("perubahan_persediaan", COGS, _l("Perubahan persediaan")),
    Account("komisi_marketplace", EXPENSE, _l("Komisi marketplace")),
    Account("gaji", EXPENSE, _l("Gaji dan upah")),
    Account("sewa", EXPENSE, _l("Sewa")),
    Account("transportasi", EXPENSE, _l("Transportasi dan pengiriman")),
    Account("utilitas", EXPENSE, _l("Listrik, air dan internet")),
    Account("pemasaran", EXPENSE, _l("Pemasaran")),
    Account("penyusutan", EXPENSE, _l("Penyusutan aset tetap")),
    Account("bunga", EXPENSE, _l("Bunga pinjaman")),
    Account("beban_lain", EXPENSE, _l("Beban lain")),
)}

# --- what a seller records ----------------------------------------------------------------------

CASH, BANK, CREDIT = "cash", "bank", "credit"
METHODS = {CASH: _l("Tunai"), BANK: _l("Bank / transfer"), CREDIT: _l("Belum dibayar (kredit)")}


@dataclass(frozen=True)
class Kind:
    """A kind of entry: its categories (category -> account code), whether the category's account
    is debited (money out for it) or credited (money in from it), the money methods it allows,
    and what "on credit" means for it."""

    key: str
    label: object
    categories: dict
    debit_category: bool
    methods: tuple = (CASH, BANK)
    credit_account: str | None = None


#: a category's default useful life in months (straight line; groups of PMK 72/2023)
ASSET_LIFE_MONTHS = {"equipment": 48, "vehicle": 96, "building": 240}

KINDS = {k.key: k for k in (
    Kind("income", _l("Pemasukan"), {
        "cash_sale": ("penjualan_tunai", _l("Penjualan tunai / di luar marketplace")),
        "other_income": ("pendapatan_lain", _l("Pendapatan lain")),
    }, debit_category=False, methods=(CASH, BANK, CREDIT), credit_account="piutang_usaha"),
    Kind("expense", _l("Pengeluaran"), {
        "materials": ("pembelian_bahan", _l("Pembelian bahan / barang dagangan")),
        "wages": ("gaji", _l("Gaji dan upah")),
        "rent": ("sewa", _l("Sewa")),
        "transport": ("transportasi", _l("Transportasi dan pengiriman")),
        "utilities": ("utilitas", _l("Listrik, air dan internet")),
        "marketing": ("pemasaran", _l("Pemasaran")),
        "interest": ("bunga", _l("Bunga pinjaman")),
        "other_expense": ("beban_lain", _l("Pengeluaran lain")),
    }, debit_category=True, methods=(CASH, BANK, CREDIT), credit_account="utang_usaha"),
    Kind("asset", _l("Beli peralatan / aset"), {
        "equipment": ("aset_tetap", _l("Peralatan dan mesin")),
        "vehicle": ("aset_tetap", _l("Kendaraan")),
        "building": ("aset_tetap", _l("Bangunan")),
    }, debit_category=True, methods=(CASH, BANK, CREDIT), credit_account="utang_usaha"),
    Kind("loan_in", _l("Terima pinjaman"), {
        "kur": ("pinjaman", _l("KUR")),
        "bank_loan": ("pinjaman", _l("Pinjaman bank lain")),
        "other_loan": ("pinjaman", _l("Pinjaman lain (keluarga, koperasi)")),
    }, debit_category=False),
    Kind("loan_out", _l("Bayar cicilan pokok pinjaman"), {
        "kur": ("pinjaman", _l("KUR")),
        "bank_loan": ("pinjaman", _l("Pinjaman bank lain")),
        "other_loan": ("pinjaman", _l("Pinjaman lain (keluarga, koperasi)")),
    }, debit_category=True),
    Kind("owner_in", _l("Uang pribadi masuk ke usaha"), {
        "capital": ("modal", _l("Modal pemilik")),
    }, debit_category=False),
    Kind("owner_out", _l("Uang usaha dipakai pribadi"), {
        "drawing": ("prive", _l("Prive")),
    }, debit_category=True),
    Kind("payable_paid", _l("Bayar utang usaha"), {
        "supplier": ("utang_usaha", _l("Utang ke pemasok")),
    }, debit_category=True),
    Kind("receivable_received", _l("Terima pelunasan piutang"), {
        "customer": ("piutang_usaha", _l("Piutang pelanggan")),
    }, debit_category=False),
    Kind("transfer", _l("Pindah uang kas / bank"), {
        "to_bank": ("bank", _l("Setor kas ke bank")),
        "to_cash": ("kas", _l("Tarik bank ke kas")),
    }, debit_category=True),
)}

#: a stock count is no posting of its own: the inventory a statement shows at a date is the
#: latest count on or before it, and the change in the period goes to cost of goods sold
STOCK_COUNT = "stock_count"

_MONEY_ACCOUNT = {CASH: "kas", BANK: "bank"}


def money_account(kind: Kind, category: str, method: str) -> str:
    """The account the money moves through: cash, bank, or the kind's receivable/payable."""
    if method == CREDIT:
        return kind.credit_account
    if kind.key == "transfer":  # from the other one of cash and bank
        return "kas" if category == "to_bank" else "bank"
    return _MONEY_ACCOUNT[method]


def lines(kind_key: str, category: str, method: str, amount_idr: int) -> list[tuple[str, int]]:
    """The (account code, signed amount) lines of one recorded entry, debit positive."""
    kind = KINDS[kind_key]
    target = kind.categories[category][0]
    money = money_account(kind, category, method)
    if kind.debit_category:
        return [(target, amount_idr), (money, -amount_idr)]
    return [(money, amount_idr), (target, -amount_idr)]


def methods_for(kind_key: str, category: str) -> tuple:
    kind = KINDS[kind_key]
    if kind.key == "transfer":
        return (CASH,)  # the pair is fixed by the category
    return kind.methods


# --- the marketplace, as the seller's books see it ---------------------------------------------

#: where a change of what the marketplace owes the store (its available and in-transit money:
#: the seller's receivable) comes from, by ledger entry kind. Payments held for orders not
#: completed yet are not the seller's income yet (revenue is recognised when the order
#: completes and its money is released); moving money between available and in transit
#: (payout_reserve, payout_failed) changes nothing for the seller.
MARKETPLACE_COUNTER = {
    "release": "penjualan_marketplace",
    "commission": "komisi_marketplace",
    "refund": "retur_marketplace",
    "payout": "bank",
    "adjustment": "pendapatan_lain",
}
