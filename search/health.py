"""Search as operations sees it: which backend answers, and how far the outbox lags behind.

`readiness` is search's entry on `marketplace.ops.readiness_checks` ("search") and `gauges` its
entry on `metric_gauges`; both registered by `search.init_app`.
"""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.timeutil import as_utc, utcnow
from search import engine
from search.models import OutboxEntry


def outbox_lag() -> dict:
    """Changes waiting in the outbox (every backend's rows) and the age in seconds of the oldest."""
    pending, oldest = db.session.execute(
        sa.select(sa.func.count(OutboxEntry.id), sa.func.min(OutboxEntry.created_at))).one()
    age = None
    if oldest is not None:
        age = round(max((utcnow() - as_utc(oldest)).total_seconds(), 0.0), 3)
    return {"pending": int(pending), "oldest_age_seconds": age}


def readiness() -> dict:
    """Ready when the configured engine answers: Elasticsearch if ELASTICSEARCH_URL is set (the
    embedded fallback keeps search up, but degraded, so not ready), else the embedded index.
    `engine` names the backend that answers searches now."""
    es = engine.elasticsearch_backend()
    embedded_up = engine.embedded_backend().healthy()
    es_up = es.healthy() if es is not None else None
    if es_up:
        answering = "elasticsearch"
    else:
        answering = "embedded" if embedded_up else None
    result = {
        "ok": bool(es_up) if es is not None else embedded_up,
        "engine": answering,
        "backends": {"embedded": embedded_up, **({"elasticsearch": es_up} if es is not None else {})},
        "outbox": outbox_lag(),
    }
    if es is not None and not es_up:
        result["degraded"] = True
    return result


def gauges() -> dict[str, float | None]:
    """The outbox lag, for /metrics."""
    lag = outbox_lag()
    return {"pasar_search_outbox_pending": lag["pending"],
            "pasar_search_outbox_oldest_age_seconds": lag["oldest_age_seconds"] or 0.0}
