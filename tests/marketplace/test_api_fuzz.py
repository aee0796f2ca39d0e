"""Schemathesis, an outside fuzzer, against the API served over HTTP on PostgreSQL.

`st run` reads /api/v1/openapi.json and sends generated requests, valid and invalid, to every
operation: anonymously and as a seller, a buyer and an officer, with a fixed seed and a bounded
number of examples per operation. Every check must pass: no 500, every status and response
declared and matching its schema, invalid input refused, valid input accepted (see
`schemathesis.toml` for the few operations whose rules reach beyond what JSON Schema can say),
405 with `Allow` for undeclared methods. The stateful phase follows the document's links
(create a store -> add a product -> read it).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "marketplace" / "schemathesis.toml"
#: Examples per operation in the fuzzing and stateful phases. The coverage phase, which crosses
#: every declared bound, is deterministic and not bounded by it (most of the run's time).
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
SEED = int(os.environ.get("FUZZ_SEED", "20261202"))


def _st() -> str:
    path = Path(sys.executable).with_name("st")
    if not path.exists():
        message = "schemathesis is not installed (requirements-dev.txt)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return str(path)


@pytest.fixture
def served(app):
    """The app on a real HTTP server on loopback, as an outside client sees it."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    swallow = app.config.get("TESTING_SWALLOW_ERRORS")
    app.config["TESTING_SWALLOW_ERRORS"] = True  # a server error is an answer (500) the fuzzer sees
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        app.config["TESTING_SWALLOW_ERRORS"] = swallow
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def world(make_user, token_for, db):
    """A small marketplace for the fuzzer to find: a verified store with products, an event open
    for applications with a meeting slot, an RFQ, and one token per role."""
    from catalog.models import ProductStatus
    from catalog.services import create_product, create_store
    from marketplace.timeutil import utcnow
    from promotions import services as events
    from promotions import trade
    from tests.catalog.conftest import product_data, store_data

    seller = make_user()
    buyer = make_user()
    officer = make_user(roles=("buyer", "officer"))
    store = create_store(seller, store_data(slug="toko-fuzz"))
    store.verified_at = utcnow()
    products = [create_product(store, product_data(sku=f"FZ-{n}", status=ProductStatus.ACTIVE,
                                                   stock=50), actor=seller)
                for n in range(3)]
    db.session.commit()
    now = utcnow()
    event = events.create_event({
        "title": "Forum Ekspor Fuzz", "description": "Forum bisnis untuk pembeli ekspor.",
        "kind": "export_forum", "starts_at": (now + timedelta(days=20)).isoformat(),
        "ends_at": (now + timedelta(days=21)).isoformat(), "venue": "Bandar Lampung",
        "exhibitor_quota": 10}, actor=officer)
    db.session.commit()
    events.transition_event(event, "open", actor=officer)
    db.session.commit()
    trade.create_rfq(buyer, {"product_id": products[0].id, "quantity": 10,
                             "destination_country": "JP", "incoterm": "FOB",
                             "needed_by": (now + timedelta(days=40)).date().isoformat()})
    db.session.commit()
    return {"seller": token_for(seller), "buyer": token_for(buyer), "officer": token_for(officer)}


@pytest.mark.postgres
@pytest.mark.parametrize("who", ["anonymous", "seller", "buyer", "officer"])
def test_schemathesis_finds_nothing(who, served, world, tmp_path):
    # given the API on a real server with a small marketplace in it
    command = [_st(), "--config-file", str(CONFIG), "run", f"{served}/api/v1/openapi.json",
               "--checks", "all", "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
               "--generation-deterministic", "--no-shrink", "--workers", "1",
               "--request-timeout", "20", "--no-color", "--warnings", "off",
               "--report", "junit", "--report-dir", str(tmp_path)]
    if who != "anonymous":
        command += ["-H", f"Authorization: {world[who]['Authorization']}"]
    # when schemathesis fuzzes every operation
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    # then every check passes
    tail = run.stdout[-20000:]
    assert run.returncode == 0, f"schemathesis ({who}) found failures:\n{tail}\n{run.stderr[-3000:]}"
    print(tail[-1500:])
