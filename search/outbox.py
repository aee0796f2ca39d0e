"""Keeping the indexes in step with the database.

1. Catalog signals (sent inside the changing transaction) add outbox rows to the same session,
   one per configured backend, so a committed change always has its row and a rolled-back one
   never does.
2. After the commit, the `search.dispatch` job is queued: a worker (not the user's request)
   runs `dispatch()`, which reads the current state of each product from the database, writes
   it to the backend, and deletes the rows. A backend that fails keeps its rows (attempts and
   error recorded) and is left alone for a short while. The job also runs every minute, so a
   lost wake-up loses nothing: the outbox is the source of truth.
3. `flask search sync` runs `dispatch()` for every backend, to catch up after an outage; it is
   safe to run alongside the workers.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context

from marketplace.extensions import db
from marketplace.jobs import enqueue
from search.backend import BackendUnavailable, SearchBackend
from search.documents import documents_for, product_ids_of_stores
from search.engine import configured_backends, mark_down, mark_up, recently_down, state
from search.models import OutboxEntry

log = logging.getLogger(__name__)
_PENDING_KEY = "search_outbox_pending"
BATCH = 500


def record(entity: str, ids: list[int]) -> None:
    """Add outbox rows for changed entities to the current transaction."""
    ids = [i for i in ids if i is not None]
    if not ids or not has_app_context():
        return
    rows = [{"backend": b.name, "entity": entity, "entity_id": i}
            for b in configured_backends() for i in ids]
    db.session.execute(sa.insert(OutboxEntry), rows)
    db.session.info[_PENDING_KEY] = True


def on_products_changed(sender, product_ids=None, **_extra) -> None:
    ids = list(product_ids or [])
    if sender is not None:
        ids.append(sender.id)
    record("product", ids)


def on_store_changed(sender, **_extra) -> None:
    record("store", [sender.id])


DISPATCH_JOB = "search.dispatch"


def _after_commit(session) -> None:
    if session.info.pop(_PENDING_KEY, False) and has_app_context():
        if current_app.config["SEARCH_DISPATCH_ON_COMMIT"]:
            try:
                enqueue(DISPATCH_JOB)
            except Exception:  # never fail the user's request over indexing; the schedule retries
                log.exception("search dispatch after commit failed")


def dispatch_job() -> dict[str, int]:
    """The `search.dispatch` job: apply what waits, for every backend that is not resting.

    In a worker it is patient (bulk timeouts and retries with backoff); where jobs run at once in
    the caller's process (TASK_QUEUE_IMMEDIATE, so inside the user's request) one quick try."""
    return dispatch_all(patient=not current_app.config["TASK_QUEUE_IMMEDIATE"])


def _after_rollback(session) -> None:
    session.info.pop(_PENDING_KEY, None)


def dispatch_all(*, force: bool = False, patient: bool = True) -> dict[str, int]:
    """Apply pending rows for every configured backend; returns rows applied per backend."""
    done = {}
    for backend in configured_backends():
        if recently_down(backend) and not force:
            continue
        done[backend.name] = dispatch(backend, patient=patient)
    return done


def dispatch(backend: SearchBackend, *, patient: bool = True) -> int:
    """Apply this backend's pending rows, in order, until none are left. Returns rows applied.

    `patient` (sync, the default): each batch's bulk writes get SEARCH_BULK_TIMEOUT_SECONDS and
    are retried with backoff (search.elasticsearch); a batch that still fails keeps its rows,
    with attempts and last error. False (after a commit, inside the user's request): one try at
    SEARCH_TIMEOUT_SECONDS, so a slow node never holds a save (or the dispatch lock) for long.

    Runs in a session of its own (it is called from after-commit hooks). On PostgreSQL an
    advisory lock per backend makes concurrent dispatchers take turns, so an older state can
    never be written after a newer one.
    """
    applied = 0
    with state().dispatch_lock, so.Session(db.engine) as session:
        while True:
            with session.begin():
                if session.bind.dialect.name == "postgresql":
                    session.execute(sa.select(sa.func.pg_advisory_xact_lock(
                        sa.func.hashtext("search-outbox:" + backend.name))))
                rows = session.scalars(
                    sa.select(OutboxEntry).where(OutboxEntry.backend == backend.name)
                    .order_by(OutboxEntry.id).limit(BATCH)).all()
                if not rows:
                    return applied
                product_ids = {r.entity_id for r in rows if r.entity == "product"}
                store_ids = {r.entity_id for r in rows if r.entity == "store"}
                try:
                    product_ids.update(product_ids_of_stores(store_ids, session))
                    upserts, deletes = documents_for(product_ids, session)
                    backend.apply(upserts, deletes, patient=patient)
                except BackendUnavailable as exc:
                    mark_down(backend)
                    session.execute(
                        sa.update(OutboxEntry)
                        .where(OutboxEntry.id.in_([r.id for r in rows]))
                        .values(attempts=OutboxEntry.attempts + 1, last_error=str(exc)[:2000]))
                    log.warning("search backend %s unavailable; %d changes wait: %s",
                                backend.name, len(rows), exc)
                    return applied
                mark_up(backend)
                session.execute(sa.delete(OutboxEntry).where(
                    OutboxEntry.id.in_([r.id for r in rows])))
                applied += len(rows)


def pending_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(OutboxEntry.backend, sa.func.count()).group_by(OutboxEntry.backend)).all()
    return dict(rows)


def on_regions_recoded(conn: sa.Connection, level: str, moved: dict[str, str]) -> None:
    """A region data upgrade moved stores to new province or regency codes (`catalog.regions`):
    their products' documents carry the old ones, so the stores go in the outbox (written on the
    loader's connection, in its transaction)."""
    if level not in ("province", "regency") or not has_app_context():
        return
    from catalog.models import Store

    column = Store.province_code if level == "province" else Store.regency_code
    ids = conn.execute(sa.select(Store.id).where(column.in_(list(moved.values())))).scalars().all()
    rows = [{"backend": b.name, "entity": "store", "entity_id": i} for b in configured_backends() for i in ids]
    if rows:
        conn.execute(sa.insert(OutboxEntry), rows)


def init_app(app) -> None:
    from catalog.regions import region_recoded
    from catalog.signals import products_changed, store_changed

    products_changed.connect(on_products_changed)
    store_changed.connect(on_store_changed)
    region_recoded.register(app, on_regions_recoded)
    if not sa.event.contains(so.Session, "after_commit", _after_commit):
        sa.event.listen(so.Session, "after_commit", _after_commit)
        sa.event.listen(so.Session, "after_rollback", _after_rollback)
