"""Promotion events: the officer's life cycle, applications and curation, buyer registrations.

Trade (RFQs, quotes, meetings) is in promotions/trade.py; the report in promotions/report.py.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from catalog import validation as v
from catalog.addresses import COUNTRY_CODE
from catalog.models import Category, Product, ProductStatus, Store
from catalog.signals import products_changed
from marketplace.accounts.models import User
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import as_utc, utcnow
from promotions.models import (
    Application,
    ApplicationProduct,
    ApplicationStatus,
    BuyerType,
    Event,
    EventHistory,
    EventKind,
    EventProduct,
    Registration,
)
from promotions.models import EventStatus as S

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str


MOVES: dict[str, Move] = {
    "open": Move(frozenset({S.DRAFT}), S.OPEN),
    "curate": Move(frozenset({S.OPEN}), S.CURATION),
    "publish": Move(frozenset({S.CURATION}), S.PUBLISHED),
    "start": Move(frozenset({S.PUBLISHED}), S.LIVE),
    "close": Move(frozenset({S.LIVE}), S.CLOSED),
    "cancel": Move(frozenset({S.DRAFT, S.OPEN, S.CURATION, S.PUBLISHED}), S.CANCELLED),
}

#: statuses in which anyone may see the event
PUBLIC = {S.OPEN, S.PUBLISHED, S.LIVE, S.CLOSED}


def require_officer(actor: User | None) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        from marketplace.errors import Unauthorized

        raise Unauthorized()
    if not actor.is_officer:
        raise Forbidden()


def parse_time(value, tz: ZoneInfo, name: str, errors: dict) -> datetime | None:
    """An ISO 8601 time; without an offset it is read in the event's own zone."""
    if value in (None, ""):
        errors[name] = _l("Wajib diisi.")
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            errors[name] = _l("Tanggal dan jam tidak valid (contoh 2026-12-10T09:00).")
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def _clean_event(data: dict, *, partial: bool, current: Event | None = None) -> dict:
    clean, errors = {}, {}

    def take(name, fn):
        if partial and name not in data:
            return
        try:
            clean[name] = fn(data.get(name))
        except v.FieldError as exc:
            errors[name] = exc.message

    take("title", lambda x: v.clean_text(x, required=True, min_len=5, max_len=160))
    take("title_en", lambda x: v.clean_text(x, required=False, max_len=160))
    take("description", lambda x: v.clean_text(x, required=True, min_len=10, max_len=20000))
    take("description_en", lambda x: v.clean_text(x, required=False, max_len=20000))
    take("venue", lambda x: v.clean_text(x, required=False, max_len=200))
    take("online_url", lambda x: v.clean_http_url(x, required=False, max_len=300))
    take("exhibitor_quota", lambda x: v.clean_int(x if x not in (None, "") else 50, minimum=1,
                                                  maximum=10000))
    if not partial or "kind" in data:
        try:
            clean["kind"] = EventKind(str(data.get("kind") or "")).value
        except ValueError:
            errors["kind"] = _l("Pilih jenis acara.")
    tz_name = data.get("timezone") or (current.timezone if current else "Asia/Jakarta")
    try:
        tz = ZoneInfo(str(tz_name))
        if not partial or "timezone" in data:
            clean["timezone"] = str(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _l("Zona waktu tidak dikenal.")
        tz = ZoneInfo("Asia/Jakarta")
    for name in ("starts_at", "ends_at"):
        if not partial or name in data:
            clean[name] = parse_time(data.get(name), tz, name, errors)
    if not partial or "application_deadline" in data:
        if data.get("application_deadline"):
            clean["application_deadline"] = parse_time(data["application_deadline"], tz,
                                                        "application_deadline", errors)
        else:
            clean["application_deadline"] = None
    starts = clean.get("starts_at") or (as_utc(current.starts_at) if current else None)
    ends = clean.get("ends_at") or (as_utc(current.ends_at) if current else None)
    if starts and ends and ends <= starts and "ends_at" not in errors:
        errors["ends_at"] = _l("Selesai harus sesudah mulai.")
    deadline = clean.get("application_deadline")
    if deadline and starts and deadline > starts:
        errors["application_deadline"] = _l("Batas pendaftaran harus sebelum acara mulai.")
    if not partial or "target_markets" in data:
        markets = data.get("target_markets") or []
        if isinstance(markets, str):
            markets = [m for m in re.split(r"[,\s]+", markets) if m]
        markets = [str(m).strip().upper() for m in markets] if isinstance(markets, list) else None
        if markets is None or not all(COUNTRY_CODE.match(m) for m in markets):
            errors["target_markets"] = _l("Kode negara dua huruf, dipisah koma (mis. JP, SG, NL).")
        else:
            clean["target_markets"] = sorted(set(markets))
    if not partial or "categories" in data:
        cats = data.get("categories") or []
        if isinstance(cats, str):
            cats = [c for c in re.split(r"[,\s]+", cats) if c]
        known = set(db.session.scalars(sa.select(Category.slug)))
        if not isinstance(cats, list) or not all(c in known for c in cats):
            errors["categories"] = _l("Kategori tidak dikenal.")
        else:
            clean["categories"] = list(dict.fromkeys(cats))
    if errors:
        raise ValidationError(fields=errors)
    return clean


def _unique_slug(title: str) -> str:
    base = v.slugify(title)[:70] or "acara"
    slug, n = base, 1
    while db.session.scalar(sa.select(Event.id).where(Event.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_event(data: dict, *, actor: User) -> Event:
    """A new event, in draft, by a trade officer."""
    require_officer(actor)
    clean = _clean_event(data, partial=False)
    event = Event(slug=_unique_slug(clean["title"]), created_by_id=actor.id, **clean)
    event.history.append(EventHistory(status=S.DRAFT, action="create", actor_id=actor.id))
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, data: dict, *, actor: User) -> Event:
    require_officer(actor)
    if event.status in (S.CLOSED, S.CANCELLED):
        raise Conflict(_l("Acara yang sudah selesai atau batal tidak dapat diubah."), code="event_closed")
    clean = _clean_event(data, partial=True, current=event)
    if event.status == S.LIVE and clean.get("starts_at") and clean["starts_at"] > utcnow():
        # a running event cannot start later again: its prices and countdown follow the dates
        raise ValidationError(fields={"starts_at": _l(
            "Acara sudah berlangsung; waktu mulai tidak dapat di masa depan.")})
    for key, value in clean.items():
        setattr(event, key, value)
    db.session.flush()
    _reindex_event_products(event)
    return event


def starts_early(event: Event, at: datetime | None = None) -> bool:
    """Whether starting the event now would be before its planned start."""
    return event.status in MOVES["start"].sources and (at or utcnow()) < as_utc(event.starts_at)


def transition_event(event: Event, action: str, *, actor: User, early: bool = False) -> Event:
    """Move an event along draft -> open -> curation -> published -> live -> closed (or cancel).

    Status and dates always agree: starting before the planned start needs `early` (the
    officer confirmed it) and moves the start to now; closing before the planned end moves the
    end to now. The history row keeps the planned time it replaced, so event prices, the
    countdown and the listings all read the same "live" or "closed" from the dates.
    """
    require_officer(actor)
    move = MOVES.get(action)
    if move is None:
        raise ValidationError(fields={"action": _l("Tindakan tidak dikenal.")})
    if event.status not in move.sources:
        raise Conflict(_l("Acara berstatus %(status)s tidak dapat dipindah dengan tindakan ini.",
                          status=event.status), code="invalid_transition")
    now, note = utcnow(), None
    if action == "start" and starts_early(event, now):
        if not early:
            raise Conflict(_l("Acara ini dijadwalkan mulai nanti. Konfirmasi dulu untuk memulainya "
                              "lebih awal."), code="early_start")
        note = f"planned start {as_utc(event.starts_at).isoformat()}"
        event.starts_at = now
        if event.application_deadline and as_utc(event.application_deadline) > now:
            event.application_deadline = now
    if action == "close" and now < as_utc(event.ends_at):
        note = f"planned end {as_utc(event.ends_at).isoformat()}"
        event.ends_at = max(now, as_utc(event.starts_at))
    event.status = move.target
    event.history.append(EventHistory(status=move.target, action=action, actor_id=actor.id,
                                      note=note))
    db.session.flush()
    log.info("event moved", extra={"event_id": event.id, "action": action, "note": note,
                                    "event_status": str(move.target), "actor_id": actor.id})
    _reindex_event_products(event)
    return event


def visible_event(slug: str, viewer: User | None) -> Event:
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound()
    if event.status not in PUBLIC and not (viewer is not None and getattr(viewer, "is_authenticated", False)
                                           and viewer.is_officer):
        raise NotFound()
    return event


def list_events(viewer: User | None, *, status: str | None = None, kind: str | None = None) -> sa.Select:
    stmt = sa.select(Event)
    if not (viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_officer):
        stmt = stmt.where(Event.status.in_(PUBLIC))
    if status:
        stmt = stmt.where(Event.status == status)
    if kind:
        stmt = stmt.where(Event.kind == kind)
    return stmt.order_by(Event.starts_at.desc(), Event.id.desc())


# --- applications and curation ----------------------------------------------------------------

def _store_products(store: Store, product_ids) -> list[Product]:
    if not isinstance(product_ids, list) or not product_ids:
        raise ValidationError(fields={"product_ids": _l("Pilih minimal satu produk.")})
    try:
        ids = {int(i) for i in product_ids}
    except (TypeError, ValueError):
        raise ValidationError(fields={"product_ids": _l("Daftar produk tidak valid.")}) from None
    products = db.session.scalars(sa.select(Product).where(
        Product.id.in_(ids), Product.store_id == store.id,
        Product.status == ProductStatus.ACTIVE)).all()
    if len(products) != len(ids):
        raise ValidationError(fields={"product_ids": _l("Pilih produk aktif dari toko Anda sendiri.")})
    return products


def apply(event: Event, store: Store, *, product_ids, pitch: str, actor: User) -> Application:
    """A seller applies to exhibit with some of their products while applications are open."""
    from catalog.services import require_owner

    require_owner(store, actor)
    if event.status != S.OPEN:
        raise Conflict(_l("Pendaftaran peserta acara ini tidak sedang dibuka."), code="not_open")
    if event.application_deadline and as_utc(event.application_deadline) < utcnow():
        raise Conflict(_l("Batas pendaftaran sudah lewat."), code="deadline_passed")
    if db.session.scalar(sa.select(Application.id).where(
            Application.event_id == event.id, Application.store_id == store.id)) is not None:
        raise Conflict(_l("Toko Anda sudah mendaftar ke acara ini."), code="already_applied")
    products = _store_products(store, product_ids)
    try:
        pitch = v.clean_text(pitch, required=True, min_len=10, max_len=2000)
    except v.FieldError as exc:
        raise ValidationError(fields={"pitch": exc.message}) from None
    application = Application(event_id=event.id, store_id=store.id, pitch=pitch)
    application.products = [ApplicationProduct(product_id=p.id) for p in products]
    db.session.add(application)
    db.session.flush()
    return application


def _accepted_count(event: Event) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.event_id == event.id, Application.status == ApplicationStatus.ACCEPTED)) or 0


def _add_products(event: Event, product_ids: list[int]) -> None:
    existing = set(db.session.scalars(sa.select(EventProduct.product_id).where(
        EventProduct.event_id == event.id)))
    position = db.session.scalar(sa.select(sa.func.max(EventProduct.position)).where(
        EventProduct.event_id == event.id)) or 0
    for product_id in product_ids:
        if product_id not in existing:
            position += 1
            db.session.add(EventProduct(event_id=event.id, product_id=product_id, position=position))
    db.session.flush()
    products_changed.send(None, product_ids=list(product_ids))


def decide(application: Application, *, accept: bool, reason: str | None, actor: User) -> Application:
    """The officer accepts (within the quota) or rejects an application, with a reason."""
    require_officer(actor)
    event = db.session.scalar(sa.select(Event).where(Event.id == application.event_id).with_for_update())
    if event.status not in (S.OPEN, S.CURATION):
        raise Conflict(_l("Keputusan hanya selama pendaftaran atau kurasi."), code="invalid_transition")
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(_l("Pendaftaran ini sudah diputuskan."), code="already_decided")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError(fields={"reason": _l("Tuliskan alasan penolakan.")})
    if accept and _accepted_count(event) >= event.exhibitor_quota:
        raise Conflict(_l("Kuota peserta sudah penuh."), code="quota_full")
    application.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.REJECTED
    application.reason = reason or None
    application.decided_by_id, application.decided_at = actor.id, utcnow()
    db.session.flush()
    if accept:
        _add_products(event, [p.product_id for p in application.products])
    _notify_store(application.store, "application_accepted" if accept else "application_rejected",
                  event, reason=reason)
    log.info("application accepted" if accept else "application rejected", extra={
        "application_id": application.id, "event_id": event.id, "store_id": application.store_id,
        "actor_id": actor.id})
    return application


def invite(event: Event, store: Store, *, product_ids, actor: User) -> Application:
    """The officer brings a store in directly: an accepted application marked as invited."""
    require_officer(actor)
    if event.status not in (S.DRAFT, S.OPEN, S.CURATION):
        raise Conflict(_l("Undangan hanya sebelum acara diterbitkan."), code="invalid_transition")
    if db.session.scalar(sa.select(Application.id).where(
            Application.event_id == event.id, Application.store_id == store.id)) is not None:
        raise Conflict(_l("Toko ini sudah terdaftar di acara ini."), code="already_applied")
    if _accepted_count(event) >= event.exhibitor_quota:
        raise Conflict(_l("Kuota peserta sudah penuh."), code="quota_full")
    products = _store_products(store, product_ids)
    application = Application(event_id=event.id, store_id=store.id, pitch="", invited=True,
                              status=ApplicationStatus.ACCEPTED, decided_by_id=actor.id,
                              decided_at=utcnow())
    application.products = [ApplicationProduct(product_id=p.id) for p in products]
    db.session.add(application)
    db.session.flush()
    _add_products(event, [p.id for p in products])
    _notify_store(store, "invited", event)
    log.info("store invited", extra={"application_id": application.id, "event_id": event.id,
                                      "store_id": store.id, "actor_id": actor.id})
    return application


def curate(event: Event, items: list[dict], *, actor: User) -> list[EventProduct]:
    """Set the showcase: for each curated product its position, whether it is featured, and an
    optional event price (valid only during the event)."""
    require_officer(actor)
    rows = {ep.product_id: ep for ep in db.session.scalars(
        sa.select(EventProduct).where(EventProduct.event_id == event.id))}
    errors = {}
    for n, item in enumerate(items):
        try:
            product_id = int(item.get("product_id"))
        except (TypeError, ValueError, AttributeError):
            errors[f"items.{n}"] = _l("Produk tidak valid.")
            continue
        row = rows.get(product_id)
        if row is None:
            errors[f"items.{n}"] = _l("Produk ini bukan peserta acara.")
            continue
        try:
            if "position" in item:
                row.position = v.clean_int(item["position"], minimum=0, maximum=100000)
            if "featured" in item:
                row.featured = v.clean_bool(item["featured"])
        except v.FieldError as exc:
            errors[f"items.{n}"] = exc.message
            continue
        if "event_price_idr" in item:
            price = item["event_price_idr"]
            if price in (None, ""):
                row.event_price_idr = None
            else:
                try:
                    price = v.clean_price(price)
                except v.FieldError as exc:
                    errors[f"items.{n}.event_price_idr"] = exc.message
                    continue
                if price >= row.product.price_idr:
                    errors[f"items.{n}.event_price_idr"] = _l("Harga acara harus di bawah harga biasa.")
                    continue
                row.event_price_idr = price
    if errors:
        raise ValidationError(fields=errors)
    db.session.flush()
    products_changed.send(None, product_ids=list(rows))
    return sorted(rows.values(), key=lambda r: r.position)


def event_products(event: Event) -> list[EventProduct]:
    return list(db.session.scalars(
        sa.select(EventProduct).where(EventProduct.event_id == event.id)
        .order_by(EventProduct.featured.desc(), EventProduct.position)))


def exhibitors(event: Event) -> list[Store]:
    return list(db.session.scalars(
        sa.select(Store).join(Application, Application.store_id == Store.id)
        .where(Application.event_id == event.id, Application.status == ApplicationStatus.ACCEPTED)
        .order_by(Store.name)))


def applications_of_store(store: Store, *, actor: User) -> list[Application]:
    from catalog.services import require_owner

    require_owner(store, actor)
    return list(db.session.scalars(sa.select(Application).where(Application.store_id == store.id)
                                   .order_by(Application.created_at.desc())))


def _reindex_event_products(event: Event) -> None:
    ids = list(db.session.scalars(sa.select(EventProduct.product_id).where(
        EventProduct.event_id == event.id)))
    if ids:
        products_changed.send(None, product_ids=ids)


def _notify_store(store: Store, kind: str, event: Event, **extra) -> None:
    from promotions.notify import notify_user

    notify_user(store.owner_id, kind, event, **extra)


# --- registrations -----------------------------------------------------------------------------

def register(event: Event, user: User, data: dict) -> Registration:
    """A buyer registers for a published or live event: domestic or export, company, country."""
    if event.status not in (S.OPEN, S.PUBLISHED, S.LIVE):
        raise Conflict(_l("Pendaftaran pembeli untuk acara ini tidak dibuka."), code="not_open")
    errors = {}
    try:
        buyer_type = BuyerType(str(data.get("buyer_type") or "")).value
    except ValueError:
        errors["buyer_type"] = _l("Pilih pembeli dalam negeri atau ekspor.")
        buyer_type = None
    company = (data.get("company") or "").strip() if isinstance(data.get("company"), str) else ""
    if not company:
        errors["company"] = _l("Wajib diisi.")
    elif len(company) > 160:
        errors["company"] = _l("Maksimal %(n)d karakter.", n=160)
    country = str(data.get("country") or "").strip().upper()
    if not COUNTRY_CODE.match(country):
        errors["country"] = _l("Kode negara dua huruf (ISO), mis. ID, SG, JP.")
    interests = data.get("interests") or ""
    if isinstance(interests, list):
        interests = ", ".join(str(i) for i in interests)
    if len(str(interests)) > 2000:
        errors["interests"] = _l("Maksimal %(n)d karakter.", n=2000)
    if errors:
        raise ValidationError(fields=errors)
    if db.session.scalar(sa.select(Registration.id).where(
            Registration.event_id == event.id, Registration.user_id == user.id)) is not None:
        raise Conflict(_l("Anda sudah terdaftar di acara ini."), code="already_registered")
    row = Registration(event_id=event.id, user_id=user.id, buyer_type=buyer_type,
                       company=company[:160], country=country, interests=str(interests)[:2000])
    db.session.add(row)
    db.session.flush()
    return row


def registration_of(event: Event, user: User) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.user_id == user.id))


# --- event prices (an orders.cart.price_offers entry) ---------------------------------------------

def _live_clause(now: datetime):
    """SQL for `event_phase(...) == "live"`: started (live) and not past its end, or published
    and between its start and end."""
    return sa.or_(sa.and_(Event.status == S.LIVE, Event.ends_at >= now),
                  sa.and_(Event.status == S.PUBLISHED, Event.starts_at <= now, Event.ends_at >= now))


def event_prices(product_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The event prices valid right now for these products: those of events that are live
    (`event_phase`)."""
    if not product_ids:
        return {}
    now = utcnow()
    rows = db.session.execute(
        sa.select(EventProduct.product_id, EventProduct.event_price_idr, Event.slug)
        .join(Event, Event.id == EventProduct.event_id)
        .where(EventProduct.product_id.in_(product_ids), EventProduct.event_price_idr.is_not(None),
               _live_clause(now))).all()
    offers: dict[int, tuple[int, str]] = {}
    for product_id, price, slug in rows:
        if product_id not in offers or price < offers[product_id][0]:
            offers[product_id] = (price, f"event:{slug}")
    return offers


def events_of_products(product_ids: list[int], session=None) -> dict[int, dict]:
    """Search document extension: the public events each product is curated in."""
    rows = (session or db.session).execute(
        sa.select(EventProduct.product_id, Event.slug).join(Event, Event.id == EventProduct.event_id)
        .where(EventProduct.product_id.in_(product_ids),
               Event.status.in_((S.OPEN, S.CURATION, S.PUBLISHED, S.LIVE)))).all()
    out: dict[int, dict] = {}
    for product_id, slug in rows:
        out.setdefault(product_id, {"events": []})["events"].append(slug)
    return out


# --- for the event pages ------------------------------------------------------------------------

def applications_of_event(event: Event, *, actor: User) -> list[Application]:
    """An event's applications for the officer: pending first, then the oldest first."""
    require_officer(actor)
    pending_first = sa.case((Application.status == ApplicationStatus.PENDING, 0), else_=1)
    return list(db.session.scalars(sa.select(Application).where(Application.event_id == event.id)
                                   .order_by(pending_first, Application.created_at, Application.id)))


def application_of(event: Event, store: Store) -> Application | None:
    """The store's application to (or invitation into) the event, if any."""
    return db.session.scalar(sa.select(Application).where(
        Application.event_id == event.id, Application.store_id == store.id))


def event_counts(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """For the officer's list, per event: pending applications, exhibitors, curated products,
    buyer registrations and RFQs (one grouped query each; missing means zero)."""
    from promotions.models import Rfq

    counts: dict[int, dict[str, int]] = {i: {"pending": 0, "exhibitors": 0, "products": 0,
                                             "registrations": 0, "rfqs": 0} for i in event_ids}
    if not event_ids:
        return counts
    for status, key in ((ApplicationStatus.PENDING, "pending"), (ApplicationStatus.ACCEPTED, "exhibitors")):
        for event_id, n in db.session.execute(
                sa.select(Application.event_id, sa.func.count()).where(
                    Application.event_id.in_(event_ids), Application.status == status)
                .group_by(Application.event_id)):
            counts[event_id][key] = n
    for model, key in ((EventProduct, "products"), (Registration, "registrations"), (Rfq, "rfqs")):
        for event_id, n in db.session.execute(
                sa.select(model.event_id, sa.func.count()).where(model.event_id.in_(event_ids))
                .group_by(model.event_id)):
            counts[event_id][key] = n
    return counts


def stores_to_invite(event: Event, *, actor: User, limit: int = 300) -> list[Store]:
    """Stores an officer may invite: those with an active product and no application yet."""
    require_officer(actor)
    applied = sa.select(Application.store_id).where(Application.event_id == event.id)
    with_products = sa.select(Product.store_id).where(Product.status == ProductStatus.ACTIVE)
    return list(db.session.scalars(sa.select(Store).where(
        Store.id.in_(with_products), Store.id.not_in(applied)).order_by(Store.name).limit(limit)))


def event_phase(event: Event, at: datetime | None = None) -> str:
    """Where the event stands for buyers at `at` (now), from its status and dates together:
    "upcoming", "live", "ended" or "cancelled".

    A started event is live until its end, a published one between its start and its end; a
    closed one, or one past its end, has ended. Prices, the countdown and the listings all
    read this one answer.
    """
    at = at or utcnow()
    if event.status == S.CANCELLED:
        return "cancelled"
    if event.status == S.CLOSED or at > as_utc(event.ends_at):
        return "ended"
    if event.status == S.LIVE or (event.status == S.PUBLISHED and at >= as_utc(event.starts_at)):
        return "live"
    return "upcoming"


#: how an event's phase reads as a status badge on the public pages
PHASE_STATUS = {"live": S.LIVE, "ended": S.CLOSED, "cancelled": S.CANCELLED}


def shown_status(event: Event, at: datetime | None = None) -> str:
    """The status to show in listings: "live" once a published event has begun, "closed"
    once a live one is past its end; otherwise the stored status."""
    return PHASE_STATUS.get(event_phase(event, at), event.status)


def event_prices_valid(event: Event, at: datetime | None = None) -> bool:
    """Whether the event's prices apply at `at` (now): while it is live (the same rule as
    `event_prices`)."""
    return event_phase(event, at) == "live"


def current_events(*, limit: int = 4, at: datetime | None = None) -> list[Event]:
    """Public events that have not ended at `at` (now by default): live ones first, then the
    upcoming (published, or open for applications) by start. The home page shows them."""
    now = at or utcnow()
    live_first = sa.case((_live_clause(now), 0), else_=1)  # live as event_phase says
    return list(db.session.scalars(
        sa.select(Event).where(Event.status.in_((S.LIVE, S.PUBLISHED, S.OPEN)), Event.ends_at > now)
        .order_by(live_first, Event.starts_at, Event.id).limit(limit)))
