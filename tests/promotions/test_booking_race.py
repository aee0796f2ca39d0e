"""Meeting slots are never double-booked: buyers race for one slot, and one buyer races for two
overlapping slots, on PostgreSQL (row locks and the partial unique index)."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from promotions.models import Booking
from tests.conftest import require_postgresql


def _race(app, jobs):
    """Run each (user_id, slot_id) booking in its own thread and app context, all released at
    once; return the outcomes ('ok' or the Conflict code)."""
    from marketplace.errors import Conflict

    start = threading.Barrier(len(jobs), timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(user_id, slot_id):
        from marketplace.accounts.models import User
        from marketplace.extensions import db as _db
        from promotions.models import MeetingSlot
        from promotions.trade import book_slot

        with app.app_context():
            user = _db.session.get(User, user_id)
            slot = _db.session.get(MeetingSlot, slot_id)
            _db.session.commit()  # hand the connection back: the pool is smaller than the crowd
            start.wait()
            try:
                book_slot(slot, actor=user)
                _db.session.commit()
                result = "ok"
            except Conflict as exc:
                _db.session.rollback()
                result = exc.code
            finally:
                _db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=book, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.fixture
def forum(db, officer, make_event, make_store, make_product):
    """A published event with two exhibitors, each with a slot at the same time."""
    from marketplace.timeutil import as_utc
    from promotions import services, trade

    require_postgresql(db, "the race is about PostgreSQL's row locks")
    event = make_event("curation")
    start = as_utc(event.starts_at) + timedelta(hours=1)
    slots = []
    for name in ("Kopi Lereng Tanggamus", "Madu Way Kambas"):
        store = make_store(name=name)
        product = make_product(store=store)
        services.invite(event, store, product_ids=[product.id], actor=officer)
        slots.append(trade.create_slot(event, {
            "store_slug": store.slug, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=30)).isoformat()}, actor=officer))
    services.transition_event(event, "publish", actor=officer)
    db.session.commit()
    return event, slots


def _register(db, event, user):
    from promotions.services import register

    register(event, user, {"buyer_type": "domestic", "company": f"CV {user.name}", "country": "ID"})
    db.session.commit()


def test_twenty_buyers_racing_for_one_slot_make_exactly_one_booking(app, db, make_user, forum):
    # given twenty registered buyers and one free slot
    event, (slot, _other) = forum
    buyers = [make_user() for _ in range(20)]
    for buyer in buyers:
        _register(db, event, buyer)

    # when they all book it at once
    outcomes = _race(app, [(b.id, slot.id) for b in buyers])

    # then exactly one wins and the others are told the slot is taken
    assert outcomes.count("ok") == 1
    assert outcomes.count("slot_taken") == 19
    db.session.expire_all()
    booked = db.session.scalars(sa.select(Booking).where(Booking.status == "booked")).all()
    assert len(booked) == 1 and booked[0].slot_id == slot.id


def test_one_buyer_racing_for_two_overlapping_slots_gets_one(app, db, make_user, forum):
    # given a registered buyer and two slots of different exhibitors at the same time
    event, slots = forum
    buyer = make_user()
    _register(db, event, buyer)

    # when they book both at once
    outcomes = _race(app, [(buyer.id, s.id) for s in slots])

    # then one booking is made and the other is refused as a clash
    assert sorted(outcomes) == ["buyer_busy", "ok"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.buyer_id == buyer.id, Booking.status == "booked")) == 1
