"""Background jobs on the real broker: `flask jobs worker` processes on the Redis that `make test`
starts (TASK_QUEUE_URL), against the test database.

Each test runs its own workers on a queue name of its own, so runs never share messages.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.models import Product
from marketplace.timeutil import utcnow
from orders.models import Order
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import require_postgresql, require_service
from tests.orders.conftest import buyer_client  # noqa: F401  (fixtures)
from tests.orders.test_state_and_notifications import place

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    url = os.environ.get("TASK_QUEUE_URL") or ""
    require_service("Redis (the task queue's broker)", url.startswith("redis://"), "TASK_QUEUE_URL is not set")
    return url


class Worker:
    def __init__(self, app, broker: str, tmp_path: Path, queue: str, **env):
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "STRIPE_"))}
        environment.update({
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
            "TASK_QUEUE_URL": broker, "TASK_QUEUE_NAME": queue, "TASK_QUEUE_IMMEDIATE": "0",
            "ELASTICSEARCH_URL": "", "SEARCH_INDEX_PATH": app.config["SEARCH_INDEX_PATH"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"], "RATELIMIT_STORAGE_URI": "memory://",
            "PYTHONUNBUFFERED": "1", **env})
        with self.log.open("w") as out:  # the child keeps its own copy of the file
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "jobs", "worker", "--workers", "2"],
                cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def wait_for(self, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while what not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker never logged {what!r}:\n{self.text()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(app, broker, tmp_path):
    started: list[Worker] = []
    queue = f"test-{uuid.uuid4().hex[:8]}"

    def start(**env) -> Worker:
        worker = Worker(app, broker, tmp_path, queue, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _wait(predicate, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _overdue_transfer_checkout(buyer_client, make_product, db, *, stock=5, quantity=2):
    client, _ = buyer_client()
    product = make_product(stock=stock)
    checkout = db.session.get(Order, place(client, product, quantity)["id"]).checkout
    checkout.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return checkout.id, product.id


def _state(db, checkout_id, product_id):
    db.session.expire_all()
    stock = db.session.scalar(sa.select(Product.stock).where(Product.id == product_id))
    statuses = db.session.scalars(sa.select(Order.status).where(Order.checkout_id == checkout_id)).all()
    return stock, statuses


def test_the_worker_expires_an_overdue_checkout_and_its_stock_comes_back(workers, buyer_client,
                                                                        make_product, db):
    checkout_id, product_id = _overdue_transfer_checkout(buyer_client, make_product, db)
    assert _state(db, checkout_id, product_id) == (3, ["pending_payment"])
    worker = workers()  # nobody calls the job: the worker's schedule (its catch-up at start) does
    _wait(lambda: _state(db, checkout_id, product_id) == (5, ["expired"]), what="the expiry")
    worker.wait_for("job orders.expire done")


def test_the_worker_sends_queued_mail_through_an_smtp_server(workers, buyer_client, make_product, db):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Handler(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        client, _ = buyer_client()
        product = make_product(stock=5)
        place(client, product)
        seller_email = product.store.owner.email
        workers(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
        _wait(lambda: received, what="an e-mail")
        assert received[0].rcpt_tos == [seller_email]
        assert "Pesanan baru #" in received[0].content.decode()
        time.sleep(1)
        assert len(received) == 1  # marked e-mailed: never sent twice
    finally:
        smtp.stop()


def test_a_worker_killed_in_the_middle_of_a_job_loses_nothing_and_the_work_happens_once(
        app, workers, buyer_client, make_product, db):
    require_postgresql(db, "holds a PostgreSQL row lock to stop the job half-way")
    checkout_id, product_id = _overdue_transfer_checkout(buyer_client, make_product, db)
    # Hold the product's row: the expiry job marks the order expired, then waits on this lock
    # to give the stock back: killed there, it is half-way through its transaction.
    blocker = db.engine.connect()
    held = blocker.begin()
    blocker.execute(sa.select(Product.id).where(Product.id == product_id).with_for_update())
    first = workers()

    def expiry_waits_on_the_lock():
        with db.engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE 'UPDATE products%'")).scalar() > 0

    _wait(expiry_waits_on_the_lock, what="the job to wait on the product row")
    first.kill()
    held.rollback()
    blocker.close()
    # nothing of the killed job's transaction stayed
    assert _state(db, checkout_id, product_id) == (3, ["pending_payment"])
    # a new worker picks the work up, and it happens once: stock back once, one expiry event
    workers()
    _wait(lambda: _state(db, checkout_id, product_id) == (5, ["expired"]), what="the expiry")
    time.sleep(1)
    assert _state(db, checkout_id, product_id) == (5, ["expired"])
    from orders.models import OrderEvent

    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderEvent).where(
        OrderEvent.action == "expire")) == 1


@pytest.fixture
def queueing(app, broker):
    """The suite's app queueing jobs on the broker (not running them at once) for one test."""
    saved = dict(app.config), app.extensions.pop("marketplace.jobs", None)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.config.update(TASK_QUEUE_URL=broker, TASK_QUEUE_NAME=queue, TASK_QUEUE_IMMEDIATE=False)
    yield queue
    app.config.clear()
    app.config.update(saved[0])
    app.extensions.pop("marketplace.jobs", None)
    if saved[1] is not None:
        app.extensions["marketplace.jobs"] = saved[1]


def test_search_indexing_leaves_the_request_and_the_worker_applies_it(app, queueing, broker, client,
                                                                    make_store, db):
    """With jobs queued (not run at once): the catalog change commits and the request returns
    with the outbox row waiting; a worker applies it within seconds and the product is found."""
    from catalog.services import create_product
    from search.models import OutboxEntry
    from tests.catalog.conftest import product_data

    store = make_store()
    product = create_product(store, product_data(title="Madu Kelulut Worker"), actor=store.owner)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) >= 1
    assert client.get("/api/v1/search", query_string={"q": "kelulut"}).get_json()["items"] == []

    worker = Worker(app, broker, Path(app.config["UPLOAD_DIR"]), queueing)
    try:
        _wait(lambda: [i["id"] for i in client.get("/api/v1/search", query_string={"q": "kelulut"})
                       .get_json()["items"]] == [product.id], what="the product in search")
    finally:
        worker.stop()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 0


def test_jobs_are_listed_with_their_schedule(runner):
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0, result.output
    for name in ("orders.expire", "orders.reconcile", "orders.auto_complete", "mail.send",
                 "search.dispatch", "accounts.purge_sessions", "ratelimit.purge"):
        assert name in result.output


def test_jobs_run_runs_one_job_here(runner, buyer_client, make_product, db):
    checkout_id, product_id = _overdue_transfer_checkout(buyer_client, make_product, db)
    result = runner.invoke(args=["jobs", "run", "orders.expire"])
    assert result.exit_code == 0, result.output
    assert _state(db, checkout_id, product_id) == (5, ["expired"])
    assert runner.invoke(args=["jobs", "run", "no.such"]).exit_code != 0


def test_two_expiry_jobs_at_once_expire_each_checkout_once(app, buyer_client, make_product, db):
    require_postgresql(db, "the race is about PostgreSQL's row locks")
    from marketplace.jobs import run_now

    ids = [_overdue_transfer_checkout(buyer_client, make_product, db) for _ in range(6)]
    start = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            start.wait()
            results.append(run_now("orders.expire"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(results) == 6
    assert all(_state(db, c, p) == (5, ["expired"]) for c, p in ids)


def test_readyz_reports_the_queue_and_503_when_its_broker_does_not_answer(app, client, broker):
    body = client.get("/readyz").get_json()
    assert body["checks"]["queue"]["ok"] is True and "depth" in body["checks"]["queue"]
    saved = dict(app.config), app.extensions.pop("marketplace.jobs", None)
    app.config.update(TASK_QUEUE_URL="redis://127.0.0.1:9/0", TASK_QUEUE_IMMEDIATE=False)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["queue"]["ok"] is False
    finally:
        app.config.clear()
        app.config.update(saved[0])
        app.extensions.pop("marketplace.jobs", None)
        if saved[1] is not None:
            app.extensions["marketplace.jobs"] = saved[1]
    assert client.get("/readyz").get_json()["checks"]["queue"]["ok"] is True
