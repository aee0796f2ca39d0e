"""Operations: `/healthz` (the process serves), `/readyz` (its dependencies answer), `/metrics`.

The core knows no domain, so what readiness and the scrape-time gauges look at is plugged in:

- `readiness_checks`: callables `() -> {"ok": bool, ...details}`, reported under their
  `check_name` (`register_check(app, name, fn)` sets it; else the function's name without a
  `_check` suffix). The core registers "database" (SELECT 1); search registers "search"; the
  task queue will register "queue". A check that raises counts as not ok, with its error.
- `metric_gauges`: callables `() -> {metric_name: number}`, read at each scrape (outbox lag,
  queue depth), so a gauge is always the present value, whichever worker answers.

Request latency goes to one histogram by endpoint, method and status. Counters of a domain
(checkouts, payment failures) are defined by the domain with `prometheus_client` itself; all
of them land in the process's default registry. With PROMETHEUS_MULTIPROC_DIR set (gunicorn with
several workers) a scrape adds up every worker's files (`prometheus_client.multiprocess`).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from marketplace import logs
from marketplace.extensions import csrf, db, limiter
from marketplace.hooks import Hook

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)

readiness_checks = Hook("readiness_checks", "{name: () -> {'ok': bool, ...}} checks behind /readyz")
metric_gauges = Hook("metric_gauges", "() -> {metric_name: number}, read at each /metrics scrape")

REQUEST_SECONDS = Histogram(
    "pasar_http_request_duration_seconds", "Time to answer an HTTP request",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))

#: Characters of an error kept in a readiness answer (enough to say what failed).
_ERROR_CHARS = 200


class NamedCheck:
    """A readiness check with the name it is reported under (equal ones register once)."""

    def __init__(self, name: str, check: Callable[[], dict]) -> None:
        self.check_name, self.check = name, check

    def __call__(self) -> dict:
        return self.check()

    def __eq__(self, other) -> bool:
        return isinstance(other, NamedCheck) and (self.check_name, self.check) == (
            other.check_name, other.check)

    def __hash__(self) -> int:
        return hash((self.check_name, self.check))


def register_check(app: Flask, name: str, check: Callable[[], dict]) -> NamedCheck:
    """Make `check` part of `app`'s readiness, reported as `name`."""
    return readiness_checks.register(app, NamedCheck(name, check))


def check_name(entry) -> str:
    """The name a readiness entry is reported under."""
    name = getattr(entry, "check_name", None) or getattr(entry, "__name__", None) or repr(entry)
    return name.removesuffix("_check")


def database_check() -> dict:
    """The database answers a trivial query."""
    started = time.perf_counter()
    db.session.execute(sa.text("SELECT 1"))  # on failure run_checks resets the session
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _reset_session() -> None:
    """Roll the request's session back (an aborted PostgreSQL transaction refuses every query)."""
    try:
        db.session.rollback()
    except Exception:
        log.warning("rollback after a failed check failed", exc_info=True)


def _error_text(exc: BaseException) -> str:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:_ERROR_CHARS]


def run_checks() -> dict[str, dict]:
    """Every registered check's answer, by name; a check that raises is not ok."""
    results = {}
    for entry in readiness_checks.entries():
        name = check_name(entry)
        try:
            result = dict(entry())
            result["ok"] = result.get("ok") is True
        except Exception as exc:
            log.warning("readiness check %s failed", name, exc_info=True, extra={"check": name})
            result = {"ok": False, "error": _error_text(exc)}
            _reset_session()  # a failed query must not fail the checks after it
        results[name] = result
    return results


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: the process serves requests. Touches nothing else."""
    return _no_store(jsonify(status="ok", checks={}))


@bp.get("/readyz")
def readyz():
    """Readiness: 200 when every registered check is ok, else 503."""
    checks = run_checks()
    ready = all(c["ok"] for c in checks.values())
    response = jsonify(status="ready" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    return _no_store(response)


class _HookGauges:
    """A collector giving the `metric_gauges` entries' present values, at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        values: dict[str, float] = {}
        for entry in metric_gauges.entries(self.app):
            try:
                values.update(entry())
            except Exception:
                log.warning("metric gauge %r failed", entry, exc_info=True)
                _reset_session()
        for name, value in sorted(values.items()):
            if value is None:
                continue
            family = GaugeMetricFamily(name, f"{name} (read at scrape time)")
            family.add_metric([], float(value))
            yield family


def _process_registry() -> CollectorRegistry:
    """This process's metrics, or with PROMETHEUS_MULTIPROC_DIR every worker's."""
    directory = current_app.config["PROMETHEUS_MULTIPROC_DIR"]
    if not directory:
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


@bp.get("/metrics")
def metrics():
    """Prometheus text format: counters and histograms, then the gauges read now."""
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(_HookGauges(current_app._get_current_object()))
    try:
        body = generate_latest(_process_registry()) + generate_latest(gauges)
    finally:
        db.session.rollback()  # the gauges read the database; nothing to keep
    return _no_store(Response(body, content_type=CONTENT_TYPE_LATEST))


csrf.exempt(bp)
limiter.exempt(bp)


def _start_request() -> None:
    g.request_started = time.perf_counter()
    logs.assign_request_id()


def _observe(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is not None:
        REQUEST_SECONDS.labels(endpoint=request.endpoint or "none", method=request.method,
                               status=str(response.status_code)).observe(time.perf_counter() - started)
    return logs.send_request_id(response)


def init_app(app: Flask) -> None:
    """Register the endpoints, the database check, the request id and latency of each request."""
    app.register_blueprint(bp)
    register_check(app, "database", database_check)
    # First of all before-request functions, so even a request refused early has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    # First registered runs last: the latency includes the request's commit.
    app.after_request_funcs.setdefault(None, []).insert(0, _observe)
