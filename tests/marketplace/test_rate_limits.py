"""The login rate limit holds across workers and processes: counters live in the database.

Reproduction from issue 8: with `memory://` storage and 2 gunicorn workers, 13-18 wrong
passwords passed before a 429 instead of 10, alternating 429/200, because each worker counted
on its own.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.limiter_storage import DatabaseStorage, RateLimit

ROOT = Path(__file__).resolve().parents[2]


# -- Two processes ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    """The status of a GET, or 0 while nothing listens yet."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _wrong_password(base: str, email: str) -> int:
    body = urllib.parse.urlencode({"email": email, "password": "salah-sekali"}).encode()
    try:
        with urllib.request.urlopen(f"{base}/masuk", data=body, timeout=30) as response:
            page = response.read().decode()
            assert "E-mail atau kata sandi salah." in page
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class _Server:
    """`gunicorn -w N` serving the app (default login limit: 10 per minute) on the test database."""

    def __init__(self, app, tmp_path, workers: int):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        overrides = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            "UPLOAD_DIR": str(tmp_path / "uploads"), "ELASTICSEARCH_URL": None,
            "SEARCH_INDEX_PATH": str(tmp_path / f"index-{self.port}.db"),
            "STRIPE_SECRET_KEY": None, "STRIPE_API_BASE": None,
        }
        env = {k: v for k, v in os.environ.items()
               if k not in ("LOGIN_RATE_LIMIT", "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED", "TASK_QUEUE_URL")}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
             "--graceful-timeout", "3",
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", str(self.log),
             "--access-logformat", "pid=%(p)s %(s)s", "--error-logfile", str(self.log),
             f"app:create_app({overrides!r})"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.workers = workers

    def wait_until_serving(self) -> None:
        workers = self.workers
        deadline = time.monotonic() + 60
        while _get(f"{self.base}/masuk") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn did not start:\n{self.log_text()[-3000:]}")
            time.sleep(0.2)
        while len(re.findall(r"Booting worker", self.log_text())) < workers:
            assert time.monotonic() < deadline, self.log_text()[-3000:]
            time.sleep(0.2)

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def pids_that_answered_post(self) -> set[str]:
        return set(re.findall(r"pid=<?(\d+)>? (?:200|429)", self.log_text()))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def servers(app, tmp_path):
    started: list[_Server] = []

    def start(workers: int) -> _Server:
        server = _Server(app, tmp_path, workers)
        started.append(server)
        server.wait_until_serving()
        return server

    yield start
    for server in started:
        server.stop()


def test_ten_wrong_passwords_pass_across_two_processes_then_429(servers, make_user):
    # given the app in two separate server processes, with the default login limit
    user = make_user()
    first, second = servers(1), servers(1)
    # when wrong passwords come in turn to one process and then the other
    codes = [_wrong_password((first, second)[i % 2].base, user.email) for i in range(14)]
    # then the first 10 are answered (wrong password) and every later one is 429, on both
    assert codes == [200] * 10 + [429] * 4


def test_two_gunicorn_workers_share_the_limit_under_concurrent_attempts(servers, make_user):
    # given `gunicorn -w 2`
    email = make_user().email
    server = servers(2)
    # when 24 wrong passwords arrive four at a time
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda _: _wrong_password(server.base, email), range(24)))
    # then exactly 10 passed, whichever worker answered, and the next is refused too
    assert sorted(codes) == [200] * 10 + [429] * 14
    assert _wrong_password(server.base, email) == 429
    # and both workers took part: the kernel may hand a busy moment's connections to one worker,
    # so more attempts go in (each refused, whichever worker answers it) until both have answered
    deadline = time.monotonic() + 30
    with ThreadPoolExecutor(max_workers=4) as pool:
        while len(server.pids_that_answered_post()) < 2 and time.monotonic() < deadline:
            assert set(pool.map(lambda _: _wrong_password(server.base, email), range(8))) == {429}
    assert len(server.pids_that_answered_post()) == 2, server.log_text()[-2000:]


# -- The storage itself ---------------------------------------------------------------------------

@pytest.fixture
def storage(app):
    storage = DatabaseStorage("database://", url=app.config["SQLALCHEMY_DATABASE_URI"])
    yield storage
    storage.engine.dispose()


def test_storage_counts_within_a_window_and_starts_again_after_it(storage, db):
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3
    assert time.time() < storage.get_expiry("k") <= time.time() + 60
    # when the window has passed, the next hit starts a new one
    db.session.execute(sa.update(RateLimit).values(expires_at=time.time() - 1))
    db.session.commit()
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0


def test_storage_reset_and_purge(storage, db):
    storage.incr("a", 60)
    storage.incr("b", 60)
    db.session.execute(sa.update(RateLimit).where(RateLimit.key == "a").values(expires_at=0))
    db.session.commit()
    assert storage.purge_expired() == 1
    assert storage.reset() == 1
    assert storage.check()


def test_storage_hashes_a_key_too_long_for_its_column(storage, db):
    long_key = "LIMITER/" + "x" * 400
    assert storage.incr(long_key, 60) == 1
    assert storage.incr(long_key, 60) == 2
    (key,) = db.session.scalars(sa.select(RateLimit.key)).all()
    assert len(key) <= 255


def test_a_refused_login_counts_though_the_request_commits_nothing(app, client, make_user, db):
    # given a login limit of 3; the login view never commits a wrong attempt
    user = make_user()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(2):
            client.post("/masuk", data={"email": user.email, "password": "salah-sekali"})
        # then the attempts are in the database already
        assert db.session.scalars(sa.select(RateLimit.count)).all() == [2]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"


def test_database_is_the_default_storage_and_an_explicit_uri_wins():
    from flask import Flask
    from limits.storage import MemoryStorage, storage_from_string

    from marketplace import config, limiter_storage

    assert config.load()["RATELIMIT_STORAGE_URI"] == (
        os.environ.get("RATELIMIT_STORAGE_URI") or config.broker_url() or "database://")
    default = Flask(__name__)
    default.config.update(config.load())
    default.config.update(RATELIMIT_STORAGE_URI="database://", SQLALCHEMY_DATABASE_URI="sqlite:///x.db")
    limiter_storage.init_app(default)
    assert default.config["RATELIMIT_STORAGE_URI"] == "database://sqlite:///x.db"
    storage = storage_from_string(default.config["RATELIMIT_STORAGE_URI"])
    assert isinstance(storage, DatabaseStorage) and storage.url == "sqlite:///x.db"
    explicit = Flask(__name__)
    explicit.config.update(config.load())
    explicit.config.update(RATELIMIT_STORAGE_URI="memory://", SQLALCHEMY_DATABASE_URI="sqlite:///x.db")
    limiter_storage.init_app(explicit)
    assert explicit.config["RATELIMIT_STORAGE_OPTIONS"] == {}
    assert isinstance(storage_from_string("memory://"), MemoryStorage)


def test_the_task_queues_redis_holds_the_counters_when_there_is_one(monkeypatch):
    from marketplace import config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("TASK_QUEUE_URL", "redis://127.0.0.1:63790/0")
    assert config.load()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:63790/0"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    assert config.load()["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    monkeypatch.delenv("TASK_QUEUE_URL")
    assert config.load()["RATELIMIT_STORAGE_URI"] == "database://"
