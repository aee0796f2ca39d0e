"""Orders: carts, shipping rates, checkouts, store orders, their lines and history, payments,
refunds, notifications and display exchange rates.

Money is integer rupiah everywhere. One checkout (what the buyer pays once) holds one order per
store; each order moves through its own state machine (orders/state.py).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from catalog.models import Product, Store
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.timeutil import utcnow

BigInt = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class CartItem(db.Model):
    """A logged-in buyer's cart line. Guests keep theirs in the session until they log in."""

    __tablename__ = "cart_items"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                               primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    quantity: so.Mapped[int]
    added_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    product: so.Mapped[Product] = so.relationship()


class ShippingZone(enum.StrEnum):
    """Where a parcel goes, seen from the store."""

    SAME_REGENCY = "same_regency"      # dalam kota/kabupaten
    SAME_PROVINCE = "same_province"
    SAME_ISLAND = "same_island"        # e.g. Lampung to Palembang: both Sumatra
    OTHER_ISLAND = "other_island"
    INTERNATIONAL = "international"


class ShippingRate(db.Model):
    """A store's own price for one courier service (orders.couriers) to a zone: the first
    kilogram, and each further (started) kilogram. Services and zones without a row use the
    service's default rate."""

    __tablename__ = "shipping_rates"
    __table_args__ = (sa.UniqueConstraint("store_id", "service", "zone",
                                          name="uq_shipping_rates_store_service_zone"),
                      sa.CheckConstraint("first_kg_idr >= 0 AND next_kg_idr >= 0",
                                         name="rate_not_negative"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    #: an orders.couriers service code ("jne_reg")
    service: so.Mapped[str] = so.mapped_column(sa.String(30))
    zone: so.Mapped[str] = so.mapped_column(sa.String(20))
    first_kg_idr: so.Mapped[int] = so.mapped_column(BigInt)
    next_kg_idr: so.Mapped[int] = so.mapped_column(BigInt)


class StoreShipping(db.Model):
    """The courier services a store offers and its free-shipping threshold. A store without
    this row offers `orders.couriers.DEFAULT_SERVICES` and no free shipping."""

    __tablename__ = "store_shipping"
    __table_args__ = (sa.CheckConstraint("free_shipping_min_idr IS NULL OR free_shipping_min_idr > 0",
                                         name="free_shipping_min_positive"),)

    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"),
                                                primary_key=True)
    #: service codes, in the order the store listed them
    services: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: the store's subtotal in one order from which its shipping is free (domestic), or None
    free_shipping_min_idr: so.Mapped[int | None] = so.mapped_column(BigInt)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       onupdate=utcnow)


class PaymentMethod(enum.StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    #: a dynamic QRIS code with the exact amount, paid into the marketplace's merchant account
    QRIS = "qris"


#: the methods whose money reaches the marketplace's own accounts and is confirmed by finance
#: (one by one or from the bank statement), not by a gateway's webhook
MANUAL_METHODS = (PaymentMethod.BANK_TRANSFER, PaymentMethod.QRIS)


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"          # waiting for the card or the transfer
    PAID = "paid"
    FAILED = "failed"            # card declined
    EXPIRED = "expired"          # not paid in time; stock released
    CANCELLED = "cancelled"
    REFUNDED = "refunded"        # every order refunded in full


class Checkout(db.Model):
    """What the buyer placed and pays once: one order per store."""

    __tablename__ = "checkouts"
    __table_args__ = (
        # a transfer is told apart by its amount: no two open transfers share a code
        sa.Index("uq_checkouts_open_unique_code", "unique_code", unique=True,
                 postgresql_where=sa.text("payment_status = 'pending' AND unique_code > 0"),
                 sqlite_where=sa.text("payment_status = 'pending' AND unique_code > 0")),
        sa.CheckConstraint("unique_code BETWEEN 0 AND 999", name="unique_code_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reference: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    buyer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    payment_method: so.Mapped[str] = so.mapped_column(sa.String(20))
    payment_status: so.Mapped[str] = so.mapped_column(sa.String(20), default=PaymentStatus.PENDING)
    total_idr: so.Mapped[int] = so.mapped_column(BigInt)
    stripe_payment_intent_id: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    stripe_client_secret: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    #: the client's Idempotency-Key: the same key places the same checkout once
    idempotency_key: so.Mapped[str | None] = so.mapped_column(sa.String(80), unique=True)
    payment_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    shipping_address: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), index=True)
    paid_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: "kode unik": 1-999 rupiah added to a bank transfer's amount so the statement line can be
    #: told apart; 0 for card and QRIS (orders/payments/escrow.py)
    unique_code: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: who confirmed a transfer or QRIS payment (finance), and the bank's reference or the
    #: statement line it came from
    confirmed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    payment_reference: so.Mapped[str | None] = so.mapped_column(sa.String(120))

    buyer: so.Mapped[User] = so.relationship(foreign_keys=[buyer_id])
    orders: so.Mapped[list[Order]] = so.relationship(back_populates="checkout",
                                                       order_by="Order.id")

    @property
    def amount_due_idr(self) -> int:
        """What the buyer pays: the total plus the unique code of a transfer."""
        return self.total_idr + self.unique_code


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    #: a made-to-order quote's order, paid, while the seller produces it (orders/state.py)
    IN_PRODUCTION = "in_production"
    ACCEPTED = "accepted"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Order(db.Model):
    """One store's part of a checkout."""

    __tablename__ = "orders"
    __table_args__ = (sa.Index("ix_orders_store_status", "store_id", "status"),
                      sa.CheckConstraint("total_idr = subtotal_idr + shipping_idr - discount_idr",
                                         name="total_adds_up"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    checkout_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checkouts.id"), index=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id"))
    buyer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=OrderStatus.PENDING_PAYMENT)
    subtotal_idr: so.Mapped[int] = so.mapped_column(BigInt)
    shipping_idr: so.Mapped[int] = so.mapped_column(BigInt)
    discount_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)
    total_idr: so.Mapped[int] = so.mapped_column(BigInt)
    refunded_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)
    weight_g: so.Mapped[int] = so.mapped_column(default=0)
    shipping_zone: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: the courier service the buyer chose (an orders.couriers code; None before couriers)
    shipping_service: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    #: its estimated delivery days when the order was placed
    shipping_days_min: so.Mapped[int | None]
    shipping_days_max: so.Mapped[int | None]
    #: the courier that carries it (an orders.couriers code), recorded when shipped; orders
    #: shipped before couriers were reference data may hold the text the seller typed
    courier: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    tracking_number: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    cancel_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    transfer_proof_path: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: free-form source of the order (a promotion event slug, a quote), for reports
    source: so.Mapped[str | None] = so.mapped_column(sa.String(80), index=True)
    #: when the buyer was told a delivered order will complete by itself (once)
    auto_complete_notice_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       onupdate=utcnow)

    checkout: so.Mapped[Checkout] = so.relationship(back_populates="orders")
    store: so.Mapped[Store] = so.relationship()
    buyer: so.Mapped[User] = so.relationship()
    lines: so.Mapped[list[OrderLine]] = so.relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id",
        lazy="selectin")
    events: so.Mapped[list[OrderEvent]] = so.relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id",
        lazy="selectin")
    refunds: so.Mapped[list[Refund]] = so.relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Refund.id")
    #: the export terms of an order made from an accepted quote; None for cart orders
    trade_terms: so.Mapped[OrderTradeTerms | None] = so.relationship(
        back_populates="order", cascade="all, delete-orphan", lazy="selectin")

    @property
    def made_to_order(self) -> bool:
        """Produced for this order: no stock was reserved, and it waits "in production"."""
        return bool(self.trade_terms and self.trade_terms.made_to_order)


class OrderTradeTerms(db.Model):
    """The trade terms an accepted quote gives its order (orders/terms.py): the Incoterm, its
    named port or place, the seller's freight line (what `Order.shipping_idr` charges instead of
    parcel shipping), and whether the goods are made to order with the date they should be ready."""

    __tablename__ = "order_trade_terms"
    __table_args__ = (sa.CheckConstraint("freight_idr >= 0", name="freight_not_negative"),)

    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"),
                                                primary_key=True)
    incoterm: so.Mapped[str] = so.mapped_column(sa.String(3))
    port: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    freight_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)
    made_to_order: so.Mapped[bool] = so.mapped_column(default=False)
    lead_time_days: so.Mapped[int] = so.mapped_column(default=0)
    #: the day of acceptance plus the lead time
    ready_by: so.Mapped[date | None] = so.mapped_column(sa.Date)

    order: so.Mapped[Order] = so.relationship(back_populates="trade_terms")


class OrderLine(db.Model):
    """A product in an order, with what it cost then (title and prices are copied)."""

    __tablename__ = "order_lines"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"),
                                                index=True)
    product_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("products.id", ondelete="SET NULL"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    sku: so.Mapped[str] = so.mapped_column(sa.String(64))
    unit_price_idr: so.Mapped[int] = so.mapped_column(BigInt)
    quantity: so.Mapped[int]
    line_total_idr: so.Mapped[int] = so.mapped_column(BigInt)
    weight_g: so.Mapped[int]

    order: so.Mapped[Order] = so.relationship(back_populates="lines")


class OrderEvent(db.Model):
    """One step in an order's history: the status it moved to, who moved it, when, and why."""

    __tablename__ = "order_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"),
                                                index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(20))
    action: so.Mapped[str] = so.mapped_column(sa.String(20))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    order: so.Mapped[Order] = so.relationship(back_populates="events")


class Refund(db.Model):
    __tablename__ = "refunds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id"), index=True)
    amount_idr: so.Mapped[int] = so.mapped_column(BigInt)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    stripe_refund_id: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="succeeded")
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    order: so.Mapped[Order] = so.relationship(back_populates="refunds")


class ProcessedWebhook(db.Model):
    """Stripe event ids already handled: a redelivered event changes nothing."""

    __tablename__ = "processed_webhooks"

    event_id: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    event_type: so.Mapped[str] = so.mapped_column(sa.String(60))
    processed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class PlatformBankAccount(db.Model):
    """An account of the marketplace's own (rekening bersama) that buyers transfer to; set by
    an admin. Bank codes are orders.payments.banks'."""

    __tablename__ = "platform_bank_accounts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    bank_code: so.Mapped[str] = so.mapped_column(sa.String(3))
    number: so.Mapped[str] = so.mapped_column(sa.String(20))
    holder: so.Mapped[str] = so.mapped_column(sa.String(120))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("bank_code", "number", name="uq_platform_bank_account"),)


class QrisMerchant(db.Model):
    """The marketplace's static merchant QRIS (EMVCo string) that dynamic payloads are built
    from; the newest active one is used."""

    __tablename__ = "qris_merchants"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    payload: so.Mapped[str] = so.mapped_column(sa.Text)
    merchant_name: so.Mapped[str] = so.mapped_column(sa.String(25))
    merchant_city: so.Mapped[str] = so.mapped_column(sa.String(15))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class StatementUpload(db.Model):
    """A bank statement (mutasi rekening) a finance admin uploaded for one platform account."""

    __tablename__ = "statement_uploads"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    bank_account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("platform_bank_accounts.id"))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    layout: so.Mapped[str] = so.mapped_column(sa.String(40))
    credits: so.Mapped[int] = so.mapped_column(default=0)
    new_lines: so.Mapped[int] = so.mapped_column(default=0)
    matched: so.Mapped[int] = so.mapped_column(default=0)
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    bank_account: so.Mapped[PlatformBankAccount] = so.relationship()
    lines: so.Mapped[list[StatementLine]] = so.relationship(back_populates="upload",
                                                            order_by="StatementLine.id")


class StatementLine(db.Model):
    """A credit read from a statement, once: its fingerprint is unique, so an overlapping
    statement uploaded again adds nothing; `checkout_id` is the transfer it paid, if any."""

    __tablename__ = "statement_lines"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    upload_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("statement_uploads.id"), index=True)
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    booked_on: so.Mapped[date] = so.mapped_column(sa.Date)
    amount_idr: so.Mapped[int] = so.mapped_column(BigInt)
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    checkout_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("checkouts.id"), unique=True)

    upload: so.Mapped[StatementUpload] = so.relationship(back_populates="lines")
    checkout: so.Mapped[Checkout | None] = so.relationship()


class PayoutAccountStatus(enum.StrEnum):
    PENDING = "pending"      # registered, waiting for an officer or admin to check it
    VERIFIED = "verified"    # payouts go here
    REJECTED = "rejected"    # the holder's name or number did not check out


class StorePayoutAccount(db.Model):
    """The bank account a store is paid out to. A new one replaces the store's current one
    (kept, `replaced_at` set, so payouts made to it stay traceable); payouts go only to a
    verified one (orders/payouts.py)."""

    __tablename__ = "store_payout_accounts"
    __table_args__ = (
        sa.Index("uq_store_payout_accounts_current", "store_id", unique=True,
                 postgresql_where=sa.text("replaced_at IS NULL"), sqlite_where=sa.text("replaced_at IS NULL")),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    bank_code: so.Mapped[str] = so.mapped_column(sa.String(3))
    number: so.Mapped[str] = so.mapped_column(sa.String(20))
    holder: so.Mapped[str] = so.mapped_column(sa.String(120))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=PayoutAccountStatus.PENDING)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    checked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    replaced_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    store: so.Mapped[Store] = so.relationship()


class PayoutBatch(db.Model):
    """A run of payouts finance made at once: every available balance above a minimum, to each
    store's verified account; exported as one bulk-transfer file (orders/payouts.py)."""

    __tablename__ = "payout_batches"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    min_amount_idr: so.Mapped[int] = so.mapped_column(BigInt)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    lines: so.Mapped[list[PayoutLine]] = so.relationship(back_populates="batch", order_by="PayoutLine.id")


class PayoutLineStatus(enum.StrEnum):
    PENDING = "pending"  # in the bank's bulk transfer, not confirmed yet
    PAID = "paid"        # the bank's reference recorded
    FAILED = "failed"    # the transfer bounced: the money is back in the store's balance


class PayoutLine(db.Model):
    """One store's payout in a batch: its amount was moved from available to in transit in the
    ledger when the line was made, and leaves (paid) or comes back (failed) when settled."""

    __tablename__ = "payout_lines"
    __table_args__ = (sa.CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    batch_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("payout_batches.id"), index=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id"), index=True)
    payout_account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("store_payout_accounts.id"))
    amount_idr: so.Mapped[int] = so.mapped_column(BigInt)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=PayoutLineStatus.PENDING)
    bank_reference: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    failure_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    settled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    settled_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    batch: so.Mapped[PayoutBatch] = so.relationship(back_populates="lines")
    store: so.Mapped[Store] = so.relationship()
    payout_account: so.Mapped[StorePayoutAccount] = so.relationship()


class ComplaintReason(enum.StrEnum):
    """Why a buyer complains about an order (komplain)."""

    NOT_RECEIVED = "not_received"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    INCOMPLETE = "incomplete"
    NOT_AS_DESCRIBED = "not_as_described"
    OTHER = "other"


class ComplaintResolution(enum.StrEnum):
    """What the buyer asks for: the money back, or to send the goods back for the money."""

    REFUND = "refund"   # pengembalian dana saja
    RETURN = "return"   # retur barang dan pengembalian dana


class ComplaintStatus(enum.StrEnum):
    OPEN = "open"                      # waiting for the seller's answer
    ESCALATED = "escalated"            # the seller rejected it or did not answer: finance decides
    AWAITING_RETURN = "awaiting_return"  # a return accepted: waiting for the goods to come back
    REFUNDED = "refunded"              # closed with a refund (full or partial)
    REJECTED = "rejected"              # closed: finance/admin rejected it


#: the statuses of a complaint that is still open: the order's money stays held
OPEN_COMPLAINT = (ComplaintStatus.OPEN, ComplaintStatus.ESCALATED, ComplaintStatus.AWAITING_RETURN)
_OPEN_SQL = sa.text("status IN ('open', 'escalated', 'awaiting_return')")


class Complaint(db.Model):
    """A buyer's complaint about a delivered (or overdue) order, and how it was settled
    (orders/complaints.py). At most one open complaint per order (a partial unique index)."""

    __tablename__ = "complaints"
    __table_args__ = (
        sa.Index("uq_complaints_open_order", "order_id", unique=True,
                 postgresql_where=_OPEN_SQL, sqlite_where=_OPEN_SQL),
        sa.CheckConstraint("refund_amount_idr IS NULL OR refund_amount_idr > 0",
                           name="refund_amount_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    buyer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(20))
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    resolution: so.Mapped[str] = so.mapped_column(sa.String(10))
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=ComplaintStatus.OPEN, index=True)
    #: private picture paths (relative to PRIVATE_UPLOAD_DIR), at most three
    photos: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: where a transfer or QRIS buyer's money goes back (orders.payments.banks codes)
    refund_bank_code: so.Mapped[str | None] = so.mapped_column(sa.String(3))
    refund_account_number: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    refund_account_holder: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    #: the refund agreed (by the seller or finance), before or after it is made
    refund_amount_idr: so.Mapped[int | None] = so.mapped_column(BigInt)
    #: why the seller or finance rejected it
    decision_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    refund_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("refunds.id", ondelete="SET NULL"))
    #: a transfer/QRIS refund paid into the buyer's account (by the payouts part), or None
    refund_paid_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    refund_paid_reference: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    opened_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    answered_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    escalated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    returned_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    order: so.Mapped[Order] = so.relationship()
    buyer: so.Mapped[User] = so.relationship(foreign_keys=[buyer_id])
    refund: so.Mapped[Refund | None] = so.relationship()
    events: so.Mapped[list[ComplaintEvent]] = so.relationship(
        back_populates="complaint", cascade="all, delete-orphan", order_by="ComplaintEvent.id",
        lazy="selectin")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT

    @staticmethod
    def open_for(order_id: int) -> Complaint | None:
        """The order's open complaint, if any."""
        return db.session.scalar(sa.select(Complaint).where(
            Complaint.order_id == order_id, Complaint.status.in_(OPEN_COMPLAINT)))


class ComplaintEvent(db.Model):
    """One step of a complaint, its thread: opened, answered, escalated, decided, goods
    returned, refunded; who did it, when, and what they wrote."""

    __tablename__ = "complaint_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    complaint_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("complaints.id", ondelete="CASCADE"),
                                                    index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(20))
    status: so.Mapped[str] = so.mapped_column(sa.String(20))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    amount_idr: so.Mapped[int | None] = so.mapped_column(BigInt)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    complaint: so.Mapped[Complaint] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()
