"""Promotion-forum events and the trade they produce: applications, curated products,
buyer registrations, requests for quotation, quotes, messages, meeting slots and bookings."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from catalog.models import Product, Store
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from orders.terms import FREIGHT_TERMS, INCOTERMS, PORT_TERMS  # noqa: F401  (promotions names them here too)

BigInt = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class EventKind(enum.StrEnum):
    NATIONAL_EXPO = "national_expo"
    EXPORT_FORUM = "export_forum"          # forum promosi ekspor
    BUSINESS_MATCHING = "business_matching"
    ONLINE_CAMPAIGN = "online_campaign"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"                # open for applications
    CURATION = "curation"
    PUBLISHED = "published"
    LIVE = "live"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Event(db.Model):
    """A trade-promotion event run by a trade officer (petugas dinas perdagangan)."""

    __tablename__ = "events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    title_en: so.Mapped[str | None] = so.mapped_column(sa.String(160))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    description_en: so.Mapped[str | None] = so.mapped_column(sa.Text)
    kind: so.Mapped[str] = so.mapped_column(sa.String(24))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=EventStatus.DRAFT, index=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    ends_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    #: the zone the event's times are set and shown in (WIB by default)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(40), default="Asia/Jakarta")
    venue: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    online_url: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    #: ISO country codes of the target markets
    target_markets: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: category slugs the event is about
    categories: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    exhibitor_quota: so.Mapped[int] = so.mapped_column(default=50)
    application_deadline: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       onupdate=utcnow)

    created_by: so.Mapped[User] = so.relationship()
    history: so.Mapped[list[EventHistory]] = so.relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventHistory.id")

    def display_title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title

    def display_description(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description


class EventHistory(db.Model):
    """Who moved an event to which status, when."""

    __tablename__ = "event_history"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    action: so.Mapped[str] = so.mapped_column(sa.String(16))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: e.g. the planned start an early start replaced ("planned start 2026-12-10T02:00:00+00:00")
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    event: so.Mapped[Event] = so.relationship(back_populates="history")


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Application(db.Model):
    """A store's request to exhibit at an event with some of its products (or an invitation)."""

    __tablename__ = "event_applications"
    __table_args__ = (sa.UniqueConstraint("event_id", "store_id", name="uq_event_applications_event_store"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    pitch: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=ApplicationStatus.PENDING)
    invited: so.Mapped[bool] = so.mapped_column(default=False)
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    event: so.Mapped[Event] = so.relationship()
    store: so.Mapped[Store] = so.relationship()
    products: so.Mapped[list[ApplicationProduct]] = so.relationship(
        cascade="all, delete-orphan", lazy="selectin")


class ApplicationProduct(db.Model):
    __tablename__ = "event_application_products"

    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("event_applications.id", ondelete="CASCADE"), primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)

    product: so.Mapped[Product] = so.relationship()


class EventProduct(db.Model):
    """A product curated into an event: its place in the showcase and an optional event price,
    valid only between the event's start and end."""

    __tablename__ = "event_products"
    __table_args__ = (sa.UniqueConstraint("event_id", "product_id", name="uq_event_products_event_product"),
                      sa.CheckConstraint("event_price_idr IS NULL OR event_price_idr > 0",
                                         name="event_price_positive"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    featured: so.Mapped[bool] = so.mapped_column(default=False)
    event_price_idr: so.Mapped[int | None] = so.mapped_column(BigInt)

    event: so.Mapped[Event] = so.relationship()
    product: so.Mapped[Product] = so.relationship()


class BuyerType(enum.StrEnum):
    DOMESTIC = "domestic"
    EXPORT = "export"


class Registration(db.Model):
    """A buyer registered for an event."""

    __tablename__ = "event_registrations"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id", name="uq_event_registrations_event_user"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    buyer_type: so.Mapped[str] = so.mapped_column(sa.String(16))
    company: so.Mapped[str] = so.mapped_column(sa.String(160))
    country: so.Mapped[str] = so.mapped_column(sa.String(2))
    interests: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    event: so.Mapped[Event] = so.relationship()
    user: so.Mapped[User] = so.relationship()


class RfqStatus(enum.StrEnum):
    OPEN = "open"
    QUOTED = "quoted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


MAX_PORT_LEN = 80
#: Indonesian export ports offered as suggestions for the port of loading: (port, city)
EXPORT_PORTS = (
    ("Tanjung Priok", "Jakarta"), ("Tanjung Perak", "Surabaya"), ("Tanjung Emas", "Semarang"),
    ("Belawan", "Medan"), ("Panjang", "Bandar Lampung"), ("Soekarno-Hatta", "Makassar"),
    ("Bitung", "Sulawesi Utara"), ("Batu Ampar", "Batam"), ("Teluk Bayur", "Padang"),
    ("Boom Baru", "Palembang"), ("Dwikora", "Pontianak"), ("Semayang", "Balikpapan"),
    ("Benoa", "Bali"), ("Tanjung Intan", "Cilacap"), ("Dumai", "Riau"),
)


class Rfq(db.Model):
    """A buyer's request for quotation on a product (B2B)."""

    __tablename__ = "rfqs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    buyer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id"), index=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id"))
    event_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("events.id"), index=True)
    quantity: so.Mapped[int]
    target_price_idr: so.Mapped[int | None] = so.mapped_column(BigInt)
    destination_country: so.Mapped[str] = so.mapped_column(sa.String(2))
    incoterm: so.Mapped[str] = so.mapped_column(sa.String(3))
    needed_by: so.Mapped[date] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=RfqStatus.OPEN)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    buyer: so.Mapped[User] = so.relationship()
    store: so.Mapped[Store] = so.relationship()
    product: so.Mapped[Product] = so.relationship()
    event: so.Mapped[Event | None] = so.relationship()
    quotes: so.Mapped[list[Quote]] = so.relationship(back_populates="rfq", order_by="Quote.id")
    messages: so.Mapped[list[RfqMessage]] = so.relationship(order_by="RfqMessage.id")


class QuoteStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Quote(db.Model):
    """A seller's answer to an RFQ: unit price from a minimum quantity, lead time, validity,
    and what the RFQ's Incoterm needs (a port, a freight line), in stock or made to order."""

    __tablename__ = "quotes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    rfq_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    unit_price_idr: so.Mapped[int] = so.mapped_column(BigInt)
    min_qty: so.Mapped[int]
    lead_time_days: so.Mapped[int]
    valid_until: so.Mapped[date] = so.mapped_column(sa.Date)
    #: the RFQ's Incoterm's port or named place ("Panjang", "Rotterdam"); required by PORT_TERMS
    port: so.Mapped[str | None] = so.mapped_column(sa.String(MAX_PORT_LEN))
    #: the seller's freight line for FREIGHT_TERMS (0 for the others): the order's shipping
    freight_idr: so.Mapped[int] = so.mapped_column(BigInt, default=0)
    #: produced for this order: may exceed today's stock, reserves none, needs a lead time
    made_to_order: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=QuoteStatus.OFFERED)
    order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("orders.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    rfq: so.Mapped[Rfq] = so.relationship(back_populates="quotes")


class RfqMessage(db.Model):
    """One message in an RFQ's thread between its buyer and the seller."""

    __tablename__ = "rfq_messages"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    rfq_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: so.Mapped[User] = so.relationship()


class MeetingSlot(db.Model):
    """A business-matching meeting slot with one exhibitor at an event."""

    __tablename__ = "meeting_slots"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    store_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    ends_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    store: so.Mapped[Store] = so.relationship()
    bookings: so.Mapped[list[Booking]] = so.relationship(back_populates="slot")


class Booking(db.Model):
    """A buyer's booking of a slot. At most one active booking per slot (a partial unique
    index); a buyer's overlapping bookings are refused under a lock on their registration."""

    __tablename__ = "meeting_bookings"
    __table_args__ = (sa.Index("uq_meeting_bookings_active_slot", "slot_id", unique=True,
                               postgresql_where=sa.text("status = 'booked'"),
                               sqlite_where=sa.text("status = 'booked'")),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slot_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting_slots.id", ondelete="CASCADE"))
    buyer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="booked")
    cancelled_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    slot: so.Mapped[MeetingSlot] = so.relationship(back_populates="bookings")
    buyer: so.Mapped[User] = so.relationship(foreign_keys=[buyer_id])
