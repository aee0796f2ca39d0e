"""A slow or overloaded Elasticsearch does not abort a reindex or lose outbox changes.

A small fault-injecting HTTP proxy stands in front of the real node (ELASTICSEARCH_URL): it
forwards every request, except that the `_bulk` requests it is told about are answered late
(beyond SEARCH_BULK_TIMEOUT_SECONDS), refused with 429/503, or have some of their items
rejected with 429. Timeouts and backoff are small here, so each test takes a few seconds.
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from catalog.models import Product
from search.models import OutboxEntry
from tests.search.conftest import build_catalog

DELAY = "delay"  # forward, then answer after the bulk timeout has passed
REJECT_ITEMS = "reject-items"  # forward, then report every other item as rejected (429)
BULK_TIMEOUT = 1.0
LATE_BY = 2.0
OPS = ("index", "create", "update", "delete")


class FaultProxy:
    """Forwards to `upstream`; the n-th `_bulk` request gets fault `plan[n]` (None: forward).

    After the plan, `then` applies to every further `_bulk` request (None: forward).
    `bulks` records, per `_bulk` request, (fault, number of actions in it).
    """

    def __init__(self, upstream: str, plan: list, then=None):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port or 9200)
        self.plan = list(plan)
        self.then = then
        self.bulks: list[tuple[object, int]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def faults(self) -> list:
        return [fault for fault, _n in self.bulks if fault is not None]

    def _next_fault(self, body: bytes):
        actions = sum(1 for line in body.splitlines()
                      if line.strip() and _is_action(json.loads(line)))
        with self.lock:
            n = len(self.bulks)
            fault = self.plan[n] if n < len(self.plan) else self.then
            self.bulks.append((fault, actions))
        return fault

    def forward(self, method: str, path: str, headers, body: bytes):
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            sent = {k: v for k, v in headers.items()
                    if k.lower() not in ("host", "connection", "keep-alive", "content-length")}
            conn.request(method, path, body=body or None, headers=sent)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, headers, body: bytes) -> None:
                try:
                    self.send_response(status)
                    for name, value in headers:
                        if name.lower() not in ("content-length", "transfer-encoding",
                                                "connection"):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the point of DELAY)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = None
                if urlsplit(self.path).path.rstrip("/").endswith("/_bulk"):
                    fault = proxy._next_fault(body)
                if fault in (429, 502, 503, 504):
                    error = {"error": {"type": "injected_fault", "reason": f"injected {fault}"},
                             "status": fault}
                    self._answer(fault, [("Content-Type", "application/json")],
                                 json.dumps(error).encode())
                    return
                status, headers, answer = proxy.forward(self.command, self.path, self.headers, body)
                if fault == DELAY:
                    time.sleep(LATE_BY)
                elif fault == REJECT_ITEMS:
                    answer = _reject_every_other_item(answer)
                self._answer(status, headers, answer)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        return Handler


def _is_action(line: dict) -> bool:
    return len(line) == 1 and next(iter(line)) in OPS


def _reject_every_other_item(answer: bytes) -> bytes:
    response = json.loads(answer)
    for n, item in enumerate(response["items"]):
        if n % 2 == 0:
            ((op, result),) = item.items()
            item[op] = {"_index": result.get("_index"), "_id": result.get("_id"), "status": 429,
                        "error": {"type": "es_rejected_execution_exception",
                                  "reason": "injected: write queue full"}}
    response["errors"] = True
    return json.dumps(response).encode()


@pytest.fixture
def patient_but_quick(app):
    """Small bulk timeout and backoff, so retries happen within a few seconds."""
    keys = ("SEARCH_BULK_TIMEOUT_SECONDS", "SEARCH_BULK_RETRIES", "SEARCH_RETRY_BACKOFF_SECONDS",
            "SEARCH_TIMEOUT_SECONDS")
    saved = {k: app.config[k] for k in keys}
    app.config.update(SEARCH_BULK_TIMEOUT_SECONDS=BULK_TIMEOUT, SEARCH_BULK_RETRIES=4,
                      SEARCH_RETRY_BACKOFF_SECONDS=0.05, SEARCH_TIMEOUT_SECONDS=2)
    yield
    app.config.update(saved)


def through(app, url: str) -> None:
    """Point the app's Elasticsearch client at `url` (the proxy, or the node itself)."""
    from search.engine import forget_backends

    app.config["ELASTICSEARCH_URL"] = url
    forget_backends(app)


def search(client, **args):
    response = client.get("/api/v1/search", query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_reindex_retries_a_slow_then_refused_chunk_and_completes(
        app, client, db, make_user, es_only, runner, patient_but_quick, monkeypatch):
    import search.elasticsearch as es_module
    from search.engine import elasticsearch_backend

    monkeypatch.setattr(es_module, "CHUNK_SIZE", 10)  # 24 products: chunks of 10, 10 and 4
    build_catalog(make_user)
    before = set(elasticsearch_backend().client.indices.get_alias(name=app.config["SEARCH_INDEX_PREFIX"]))

    # given a node that answers the second chunk late, then refuses it twice (busy)
    with FaultProxy(es_only, [None, DELAY, 429, 503]) as proxy:
        through(app, proxy.url)
        started = time.monotonic()
        result = runner.invoke(args=["search", "reindex", "--backend", "elasticsearch"])
        took = time.monotonic() - started

    # then the reindex completes with every product, having sent only that chunk again
    assert result.exit_code == 0, result.output
    assert "indexed 24 products" in result.output
    assert proxy.faults() == [DELAY, 429, 503]
    assert [n for _fault, n in proxy.bulks] == [10, 10, 10, 10, 10, 4]
    assert took < 10
    through(app, es_only)
    es = elasticsearch_backend()
    after = set(es.client.indices.get_alias(name=es.alias))
    assert len(after) == 1 and after != before
    assert es.client.count(index=es.alias)["count"] == 24
    assert not es.client.indices.exists_alias(name=es.building_alias)
    assert search(client)["total"] == 24


def test_a_chunk_that_keeps_failing_fails_the_reindex_and_keeps_the_old_index(
        app, client, db, make_user, es_only, runner, patient_but_quick):
    from search.engine import elasticsearch_backend

    ids = build_catalog(make_user)
    es = elasticsearch_backend()
    before = set(es.client.indices.get_alias(name=es.alias))

    # given a node that refuses every bulk request
    with FaultProxy(es_only, [], then=503) as proxy:
        through(app, proxy.url)
        result = runner.invoke(args=["search", "reindex", "--backend", "elasticsearch"])

    # then the reindex fails, saying which chunk and after how many attempts
    assert result.exit_code != 0
    assert "elasticsearch unavailable" in result.output
    assert "chunk 1 (documents 1-24 of 24) failed after 5 attempt(s): HTTP 503" in result.output
    assert proxy.faults() == [503] * 5
    # and the alias still points at the old index, which answers; the half-built one is gone
    through(app, es_only)
    es = elasticsearch_backend()
    assert set(es.client.indices.get_alias(name=es.alias)) == before
    assert not es.client.indices.exists_alias(name=es.building_alias)
    assert set(es.client.indices.get(index=f"{es.alias}-v*")) == before
    body = search(client, q="madu")
    assert body["backend"] == "elasticsearch" and ids["madu"] in {i["id"] for i in body["items"]}
    assert search(client)["total"] == 24


def test_outbox_changes_reach_a_flaky_node_after_retries(
        app, client, db, make_user, es_only, runner, patient_but_quick):
    from catalog.services import create_product, update_product
    from tests.catalog.conftest import product_data

    ids = build_catalog(make_user)
    plan = [503,  # the dispatch right after the commit: one quick try, refused
            DELAY, 429, REJECT_ITEMS]  # `flask search sync`: late, refused, half rejected
    with FaultProxy(es_only, plan) as proxy:
        through(app, proxy.url)
        # when sellers save while the node is flaky
        madu = db.session.get(Product, ids["madu"])
        update_product(madu, {"price_idr": 111000}, actor=madu.store.owner)
        db.session.commit()
        teh = db.session.get(Product, ids["teh"])
        update_product(teh, {"title": "Teh Hijau Way Tenong"}, actor=teh.store.owner)
        db.session.commit()
        new = create_product(madu.store, product_data(title="Madu Kelulut Kalimantan",
                                                      category="madu"), actor=madu.store.owner)
        db.session.commit()
        # then the saves worked; the one quick try failed and the changes wait in the outbox
        assert proxy.faults() == [503]
        waiting = db.session.scalars(
            sa.select(OutboxEntry).where(OutboxEntry.backend == "elasticsearch")).all()
        assert {w.entity_id for w in waiting} >= {ids["madu"], ids["teh"], new.id}
        failed = [w for w in waiting if w.entity_id == ids["madu"]]
        assert failed and all(w.attempts == 1 and "503" in w.last_error for w in failed)

        # when `flask search sync` runs against the same flaky node
        result = runner.invoke(args=["search", "sync"])

    # then every change is applied, after retrying (only the rejected items the last time)
    assert result.exit_code == 0, result.output
    assert proxy.faults() == [503, DELAY, 429, REJECT_ITEMS]
    sizes = [n for _fault, n in proxy.bulks]
    assert sizes[-1] == (sizes[-2] + 1) // 2 and sizes[-2] == sizes[1] == sizes[2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 0
    through(app, es_only)
    body = search(client, q="madu")
    assert body["backend"] == "elasticsearch" and not body.get("degraded")
    prices = {i["id"]: i["price_idr"] for i in body["items"]}
    assert prices[ids["madu"]] == 111000 and new.id in prices
    assert [i["title"] for i in search(client, q="tenong")["items"]] == ["Teh Hijau Way Tenong"]


def test_backoff_doubles_and_is_capped():
    from search.elasticsearch import MAX_BACKOFF_SECONDS, WritePolicy

    policy = WritePolicy(timeout=60, retries=10, backoff=0.5)
    assert [policy.delay(n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert policy.delay(20) == MAX_BACKOFF_SECONDS
