"""Product page views, counted without slowing pages or keeping anything about the viewer.

A view adds one to a counter per (product, WIB day): nothing else is kept (no address, no
user, no cookie). Robots (a user agent naming a bot, crawler, spider or link preview) and the
store's own owner are not counted. The counters live in Redis (`HINCRBY`, when the task
queue's `TASK_QUEUE_URL` is a Redis: shared by every process) or else in this process's memory;
`flush` moves them into `ProductViewsDaily` with upserts. It runs as the job `books.flush_views`
every minute; memory counters are also flushed by the process itself once a minute during a
page's request (a worker process cannot see another process's memory).

Counts are at most once: a flush that fails after taking its counters loses them (views are
a rough figure; sales are exact and come from the orders).
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from books.analytics import add_to
from books.models import ProductViewsDaily
from catalog.models import Product
from marketplace.extensions import db
from marketplace.money.rates import today_wib

log = logging.getLogger(__name__)

ROBOT_WORDS = ("bot", "crawler", "spider", "preview")
#: seconds between the flushes a process makes of its memory counters
FLUSH_SECONDS = 60
#: seconds a process counts in memory after Redis did not answer (pages never wait on it twice)
REDIS_RETRY_SECONDS = 30
_KEY = "books.views"
_REDIS_PREFIX = "pasar:views:"


def is_robot(user_agent: str | None) -> bool:
    """A user agent of a robot or link-preview fetcher (or none at all)."""
    agent = (user_agent or "").lower()
    return not agent or any(word in agent for word in ROBOT_WORDS)


class _Memory:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.flushed_at = time.monotonic()

    def take(self) -> Counter:
        with self.lock:
            taken, self.counts = self.counts, Counter()
            self.flushed_at = time.monotonic()
        return taken


def _state(app=None) -> dict:
    app = app or current_app._get_current_object()
    return app.extensions.setdefault(_KEY, {"memory": _Memory(), "redis": None, "redis_url": None,
                                            "redis_down_until": 0.0})


def _redis(app=None):
    """The Redis client of the task queue's Redis, or None (memory counters)."""
    app = app or current_app._get_current_object()
    url = app.config.get("TASK_QUEUE_URL") or ""
    if not url.startswith(("redis://", "rediss://")):
        return None
    state = _state(app)
    if state["redis"] is None or state["redis_url"] != url:
        import redis

        state["redis"] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        state["redis_url"] = url
    return state["redis"]


def _prefix(app=None) -> str:
    app = app or current_app._get_current_object()
    return f"{_REDIS_PREFIX}{app.config.get('TASK_QUEUE_NAME') or 'pasar'}:"


def count_view(product, viewer, user_agent: str | None) -> None:
    """`catalog.views.product_viewed` entry: one view of `product` today, unless a robot or
    the store's owner is looking."""
    if is_robot(user_agent) or (viewer is not None and viewer.id == product.store.owner_id):
        return
    day = today_wib()
    client, state = _redis(), _state()
    if client is not None and time.monotonic() >= state["redis_down_until"]:
        try:
            client.hincrby(f"{_prefix()}{day.isoformat()}", f"{product.id}:{product.store_id}", 1)
            return
        except Exception:  # Redis down: count here instead for a while; never fail the page
            state["redis_down_until"] = time.monotonic() + REDIS_RETRY_SECONDS
            log.warning("view counter: Redis unavailable, counting in memory", exc_info=True)
    memory = state["memory"]
    with memory.lock:
        memory.counts[(product.id, product.store_id, day)] += 1
        due = time.monotonic() - memory.flushed_at >= FLUSH_SECONDS
    if due:
        _write(memory.take())  # in this request's transaction, committed with it


def _write(counts: Counter) -> int:
    """Add the counts to the daily rows, in a savepoint of the caller's transaction: views of
    products deleted since they were counted are dropped, and a failure is logged and dropped
    too (the counts are best effort; a product page must never fail for them)."""
    if not counts:
        return 0
    pairs = {(product_id, store_id) for product_id, store_id, _day in counts}
    alive = {(product_id, store_id) for product_id, store_id in db.session.execute(
        sa.select(Product.id, Product.store_id).where(Product.id.in_({p for p, _s in pairs})))}
    rows = 0
    try:
        with db.session.begin_nested():
            for (product_id, store_id, day), n in sorted(counts.items()):
                if (product_id, store_id) in alive:
                    add_to(ProductViewsDaily, {"product_id": product_id, "day": day}, {"views": n},
                           extra={"store_id": store_id})
                    rows += 1
    except SQLAlchemyError:
        log.warning("view counter: %d counts dropped", sum(counts.values()), exc_info=True)
        return 0
    return rows


def _take_redis(client, prefix: str) -> Counter:
    """Take every counter out of Redis: each day's hash is renamed first (atomic), so views
    counted meanwhile go to a fresh hash."""
    from datetime import date

    counts: Counter = Counter()
    for key in client.scan_iter(match=f"{prefix}*", count=100):
        key = key.decode()
        if ":taken:" in key:
            taken = key
        else:
            taken = f"{key}:taken:{uuid.uuid4().hex}"
            try:
                client.rename(key, taken)
            except Exception:  # gone meanwhile (another flusher took it)
                continue
        day = date.fromisoformat(taken[len(prefix):len(prefix) + 10])
        for field, n in client.hgetall(taken).items():
            product_id, store_id = (int(part) for part in field.decode().split(":"))
            counts[(product_id, store_id, day)] += int(n)
        client.delete(taken)
    return counts


def flush() -> dict:
    """Move the counted views into `ProductViewsDaily` (the job `books.flush_views`): Redis's
    counters, and this process's memory counters."""
    counts: Counter = Counter()
    client = _redis()
    if client is not None:
        try:
            counts.update(_take_redis(client, _prefix()))
        except Exception:  # Redis down: its counters wait there for the next run
            log.warning("view counter: Redis unavailable, flushing this process's counters only", exc_info=True)
    counts.update(_state()["memory"].take())
    rows = _write(counts)
    return {"rows": rows, "views": sum(counts.values())}
