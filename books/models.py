"""Seller books: the seller's own entries (on the one ledger), sales rollups for analytics,
product page views, scale confirmations and credit packs (paket pengajuan KUR).

The seller's entries are journal entries on the ledger of orders/ledger (`LedgerEntry` of kind
`book`, on accounts of kind `book` owned by the store and named by their chart code), so there
is one journal; `BookEntry` is the seller-facing record of one: the date it happened, what it
was, the receipt photo, and the entry that voided it.

The rollups (`SalesDaily`, `ProductSalesDaily`, `RegionSalesDaily`, `ProductViewsDaily`) are
counters per store (or product) and WIB day, kept up in the transaction that pays an order
(and by the views job), so analytics never scan orders per page view.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from marketplace.extensions import db
from marketplace.timeutil import utcnow

BigInt = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class BookEntry(db.Model):
    """One thing the seller recorded: a cash sale, a purchase, wages, a loan, a stock count..."""

    __tablename__ = "book_entries"
    __table_args__ = (
        sa.Index("ix_book_entries_store_date", "store_id", "entry_date"),
        sa.CheckConstraint("amount_idr >= 0", name="book_amount_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    entry_date: so.Mapped[date] = so.mapped_column(sa.Date)
    #: books.chart.KINDS: income, expense, asset, loan_in, loan_out, owner_in, owner_out,
    #: payable_paid, receivable_received, stock_count
    kind: so.Mapped[str] = so.mapped_column(sa.String(24))
    category: so.Mapped[str] = so.mapped_column(sa.String(24))
    amount_idr: so.Mapped[int] = so.mapped_column(BigInt)
    #: how the money moved: cash (kas), bank, credit (on account: a payable or receivable)
    method: so.Mapped[str] = so.mapped_column(sa.String(10), default="cash")
    note: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: an asset's useful life for straight-line depreciation (SAK EMKM), in months
    useful_life_months: so.Mapped[int | None]
    receipt_path: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: a stock count taken from the catalog: [{product_id, title, stock, unit_cost_idr}]
    details: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    ledger_entry_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ledger_entries.id"))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: a mistaken entry is voided by a reversing journal entry, never edited or deleted
    voided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    void_entry_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ledger_entries.id"))


class SalesDaily(db.Model):
    """A store's paid orders per WIB day: count, units, goods value (rupiah, shipping apart)."""

    __tablename__ = "sales_daily"

    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"),
                                                primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    orders: so.Mapped[int] = so.mapped_column(default=0)
    units: so.Mapped[int] = so.mapped_column(BigInt, default=0)
    revenue_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)
    shipping_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)


class ProductSalesDaily(db.Model):
    """One product's paid units and goods value per WIB day."""

    __tablename__ = "product_sales_daily"
    __table_args__ = (sa.Index("ix_product_sales_daily_store", "store_id", "day", "product_id",
                               "revenue_idr", "units"),)

    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"),
                                                  primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    orders: so.Mapped[int] = so.mapped_column(default=0)
    units: so.Mapped[int] = so.mapped_column(BigInt, default=0)
    revenue_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)


class RegionSalesDaily(db.Model):
    """A store's paid orders per WIB day by where they ship: country (ISO alpha-2) and, in
    Indonesia, province code ('' abroad)."""

    __tablename__ = "region_sales_daily"

    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"),
                                                primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    country_code: so.Mapped[str] = so.mapped_column(sa.String(2), primary_key=True)
    province_code: so.Mapped[str] = so.mapped_column(sa.String(2), primary_key=True)
    orders: so.Mapped[int] = so.mapped_column(default=0)
    revenue_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)


class ProductViewsDaily(db.Model):
    """Product page views per WIB day: a count, nothing about who viewed."""

    __tablename__ = "product_views_daily"
    __table_args__ = (sa.Index("ix_product_views_daily_store", "store_id", "day", "product_id", "views"),)

    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"),
                                                  primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    views: so.Mapped[int] = so.mapped_column(BigInt, default=0)


class ScaleConfirmation(db.Model):
    """The seller confirmed the store's scale (PP 7/2021) from a year's sales: kept, so the
    programme can count the stores that moved up a scale."""

    __tablename__ = "scale_confirmations"
    __table_args__ = (sa.Index("ix_scale_confirmations_store", "store_id", "confirmed_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    scale: so.Mapped[str] = so.mapped_column(sa.String(16))
    previous_scale: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    annual_sales_idr: so.Mapped[int] = so.mapped_column(BigInt)
    period_start: so.Mapped[date] = so.mapped_column(sa.Date)
    period_end: so.Mapped[date] = so.mapped_column(sa.Date)
    confirmed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class CreditPack(db.Model):
    """A "paket pengajuan KUR": what the seller chose to share with a bank, frozen when issued
    (`contents`: the profile, the months' sales with their orders, the statements), behind a
    verification code the seller may revoke."""

    __tablename__ = "credit_packs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(24), unique=True)
    period_start: so.Mapped[date] = so.mapped_column(sa.Date)
    period_end: so.Mapped[date] = so.mapped_column(sa.Date)
    #: the sections the seller chose: profile, sales, statements
    sections: so.Mapped[list] = so.mapped_column(sa.JSON)
    contents: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
