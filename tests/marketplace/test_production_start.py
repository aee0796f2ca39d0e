"""Safe to start in production: no development secret, no demo data in a real database, the
real client behind a proxy."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import require_postgresql

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PASAR_ENV", "FLASK_DEBUG")}
    env.update(extra)
    return env


def test_production_settings_with_the_default_secret_refuse_to_start(tmp_path):
    flask = str(Path(sys.executable).parent / "flask")
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", SEARCH_INDEX_PATH=str(tmp_path / "i.db"))
    refused = subprocess.run([flask, "--app", "wsgi", "jobs", "list"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr + refused.stdout
    # a real secret, or a development machine, starts
    for extra in ({"SECRET_KEY": "a" * 64}, {"PASAR_ENV": "development"}):
        started = subprocess.run([flask, "--app", "wsgi", "jobs", "list"], cwd=ROOT, env={**env, **extra},
                                 capture_output=True, text=True, timeout=60)
        assert started.returncode == 0, started.stderr[-2000:]
        assert "orders.expire" in started.stdout


def test_create_app_refuses_the_development_secret_outside_development():
    from app import create_app
    from marketplace.config import DEV_SECRET_KEY, UnsafeConfiguration

    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY"):
        create_app({"SECRET_KEY": DEV_SECRET_KEY, "PASAR_ENV": "production", "TESTING": False,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_trusted_proxies_give_the_app_the_real_client():
    from flask import Flask, request

    from marketplace import trust_proxies

    def client_with(hops):
        app = Flask(__name__)
        app.config["TRUSTED_PROXIES"] = hops
        trust_proxies(app)
        app.add_url_rule("/_whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
        return app.test_client()

    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https"}
    assert client_with(1).get("/_whoami", headers=headers).get_data(as_text=True) == "203.0.113.7 https"
    two_hops = {**headers, "X-Forwarded-Proto": "https, http"}
    assert client_with(2).get("/_whoami", headers=two_hops).get_data(as_text=True) == "198.51.100.1 https"
    assert client_with(0).get("/_whoami", headers=headers).get_data(as_text=True) == "127.0.0.1 http"


def test_seed_demo_never_goes_into_a_database_with_users(runner, make_user, db):
    from marketplace.accounts.models import User

    make_user(email="pemilik.toko@example.test")
    result = runner.invoke(args=["seed-demo", "--if-empty", "--stores", "2", "--products", "3"])
    assert result.exit_code == 0 and "nothing seeded" in result.output
    result = runner.invoke(args=["seed-demo", "--stores", "2", "--products", "3"])
    assert result.exit_code != 0 and "not demo accounts" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_on_a_database_with_users_adds_no_demo_accounts(app, make_user, db, tmp_path):
    """scripts/run.sh (what `make run` runs) on the test database, which has a user: it serves,
    and adds no demo account even with DEMO_DATA=1."""
    from marketplace.accounts.models import User

    require_postgresql(db, "make run with DATABASE_URL is about a server database")
    make_user(email="warga@example.test")
    port = _free_port()
    env = _env(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], PORT=str(port), DEMO_DATA="1",
               SEARCH_INDEX_PATH=str(tmp_path / "index.db"), ELASTICSEARCH_URL="", TASK_QUEUE_URL="",
               UPLOAD_DIR=str(tmp_path / "uploads"))
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        import urllib.request

        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
        assert "nothing seeded" in log.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    db.session.expire_all()
    assert db.session.scalars(sa.select(User.email)).all() == ["warga@example.test"]
