"""Concurrent picture uploads on the embedded default database, SQLite (issue 8: 6 simultaneous
12 MP uploads gave 2 x 500 "database is locked"; 8 large PNGs gave 5 x 500 with the workers at
1.3 GiB).

SQLite ON PURPOSE, whatever TEST_DATABASE_URL says: a separate app from create_app on a
temporary SQLite file, served by a real threaded HTTP server (as tests/browser's live_server),
uploads sent at the same moment through the API with one bearer token (each request also
records the token's last use: a write to the same row).
"""
from __future__ import annotations

import http.client
import io
import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.catalog.conftest import product_data, store_data

MIB = 1024 * 1024


@pytest.fixture
def sqlite_server(tmp_path):
    """(base host, port, bearer headers, product ids, app) of an app on a SQLite file."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from catalog.services import create_product, create_store
    from marketplace.accounts.models import User, UserRole
    from marketplace.accounts.services import create_token
    from marketplace.extensions import db, limiter

    # Flask-Limiter keeps one storage for all apps: keep the suite app's, give it back after
    saved_limiter = (limiter._storage, limiter._limiter, limiter.enabled)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pasar.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"), "PRIVATE_UPLOAD_DIR": str(tmp_path / "private"),
        "SEARCH_INDEX_PATH": str(tmp_path / "search.db"), "ELASTICSEARCH_URL": None,
        "STRIPE_SECRET_KEY": None, "STRIPE_API_BASE": None, "STRIPE_WEBHOOK_SECRET": None,
        "MAX_IMAGE_BYTES": 16 * MIB, "SERVER_NAME": None, "RATELIMIT_STORAGE_URI": "memory://",
    })
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"
        upgrade()
        seller = User(email="penjual@example.test", name="Penjual", password_hash="x")
        seller.role_rows.append(UserRole(role="buyer"))
        db.session.add(seller)
        db.session.flush()
        store = create_store(seller, store_data())
        ids = [create_product(store, product_data(), actor=seller).id for _ in range(8)]
        _row, token = create_token(seller, "uploads")
        db.session.commit()
        journal = db.session.execute(sa.text("PRAGMA journal_mode")).scalar()
        busy = db.session.execute(sa.text("PRAGMA busy_timeout")).scalar()
        db.session.remove()
    assert journal == "wal" and busy == 30_000
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port, {"Authorization": f"Bearer {token}"}, ids, app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        limiter._storage, limiter._limiter, limiter.enabled = saved_limiter


def _upload_all_at_once(port: int, headers: dict, uploads: list[tuple[int, bytes, str]]):
    """POST every (product id, bytes, file name) at the same moment; [(status, body)]."""
    start = threading.Barrier(len(uploads))
    results: list = [None] * len(uploads)

    def send(i: int, product_id: int, data: bytes, name: str) -> None:
        boundary, body = encode_multipart({"image": FileStorage(io.BytesIO(data), filename=name)})
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            start.wait()
            conn.request("POST", f"/api/v1/products/{product_id}/images", body=body, headers={
                **headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
            response = conn.getresponse()
            results[i] = (response.status, response.read()[:300])
        finally:
            conn.close()

    threads = [threading.Thread(target=send, args=(i, *u)) for i, u in enumerate(uploads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results


def _photo(seed: int) -> bytes:
    """A 12 MP (4000x3000) phone-like JPEG, a little different each time."""
    picture = Image.blend(Image.radial_gradient("L").resize((4000, 3000)).convert("RGB"),
                          Image.effect_noise((4000, 3000), 20 + seed).convert("RGB"), 0.2)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def _peak_kib() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def _stored(app) -> int:
    from catalog.models import ProductImage
    from marketplace.extensions import db

    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage))
        db.session.remove()
    return count


def test_six_simultaneous_12_megapixel_uploads_all_succeed_on_sqlite(sqlite_server):
    port, headers, ids, app = sqlite_server
    photos = [_photo(n) for n in range(6)]
    results = _upload_all_at_once(port, headers, [(ids[n], photos[n], f"foto{n}.jpg")
                                                  for n in range(6)])
    assert [status for status, _body in results] == [201] * 6, results
    assert _stored(app) == 6


def test_eight_simultaneous_large_pngs_all_succeed_within_bounded_memory(sqlite_server):
    port, headers, ids, app = sqlite_server
    # 5000x5000 RGB PNGs: ~100 MiB each decoded; unbounded, eight at once would need ~2 GiB
    big = Image.new("RGB", (5000, 5000), (30, 120, 200))
    pngs = []
    for n in range(8):
        big.paste((n * 30, 10, 10), (0, 0, 2500, 2500))
        out = io.BytesIO()
        big.save(out, "PNG", compress_level=1)
        pngs.append(out.getvalue())
    del big
    Path("/proc/self/clear_refs").write_text("5")  # the peak is reset to the current size
    before = _peak_kib()
    results = _upload_all_at_once(port, headers, [(ids[n], pngs[n], f"besar{n}.png")
                                                  for n in range(8)])
    growth_mib = (_peak_kib() - before) / 1024
    assert [status for status, _body in results] == [201] * 8, results
    assert _stored(app) == 8
    slots = app.config["IMAGE_DECODE_SLOTS"]
    assert growth_mib < slots * 150 + 150, f"{growth_mib:.0f} MiB with {slots} decode slots"
