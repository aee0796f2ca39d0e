"""Transfer receipts are private files: stored outside the public upload folder, never reachable
under /media/ whatever the path spelling, served only to the order's buyer and seller and never
cached publicly (issue 8).
"""
from __future__ import annotations

import http.client
import io
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from orders.models import Order
from tests.catalog.conftest import image_bytes, make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.conftest import buyer_client  # noqa: F401  (fixture)
from tests.orders.test_pages import place_order, sold  # noqa: F401  (fixture)


def _spellings(rel: str, private_dir_name: str) -> list[str]:
    """Every way of naming a private file under /media/ that was tried (or could be)."""
    return [
        f"/media/private/{rel}",
        f"/media/./private/{rel}",
        f"/media/%2e/private/{rel}",
        f"/media/%2E/private/{rel}",
        f"/media/.//private/{rel}",
        f"/media//private/{rel}",
        f"/media/private//{rel}",
        f"/media/products/../private/{rel}",
        f"/media/products/%2e%2e/private/{rel}",
        f"/media/products/..%2fprivate/{rel}",
        f"/media/products%2f..%2fprivate/{rel}",
        f"/media/%70rivate/{rel}",
        f"/media/private/./{rel}",
        f"/media/private\\{rel}",
        # out of UPLOAD_DIR into PRIVATE_UPLOAD_DIR, next to it in the test setup
        f"/media/../{private_dir_name}/{rel}",
        f"/media/%2e%2e/{private_dir_name}/{rel}",
        f"/media/products/../../{private_dir_name}/{rel}",
        f"/media/{rel}",
    ]


@pytest.fixture
def proof(sold, app, db):
    """The sold order with a transfer proof uploaded by its buyer; also a copy of the file where
    proofs used to live (UPLOAD_DIR/private/...), as a legacy install still has them."""
    order_id = sold["order_id"]
    response = sold["buyer"].post(f"/pesanan/{order_id}/bukti-transfer", data={
        "image": (io.BytesIO(image_bytes()), "bukti.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    rel = db.session.get(Order, order_id).transfer_proof_path
    private_root = Path(app.config["PRIVATE_UPLOAD_DIR"])
    legacy = Path(app.config["UPLOAD_DIR"]) / "private" / rel
    legacy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(private_root / rel, legacy)
    yield {**sold, "rel": rel, "bytes": (private_root / rel).read_bytes()}
    shutil.rmtree(Path(app.config["UPLOAD_DIR"]) / "private", ignore_errors=True)


def test_proofs_are_written_outside_the_public_upload_folder(proof, app):
    rel = proof["rel"]
    assert not rel.startswith("private/") and rel.startswith(f"transfers/{proof['order_id']}/")
    private_root = Path(app.config["PRIVATE_UPLOAD_DIR"]).resolve()
    assert (private_root / rel).is_file()
    assert not private_root.is_relative_to(Path(app.config["UPLOAD_DIR"]).resolve())


def test_no_spelling_of_a_media_path_reaches_a_proof(proof, app, client, make_product, db):
    # given a public product picture, which /media/ does serve
    from catalog.images import add_image

    product = make_product()
    picture = add_image(product, image_bytes(), actor=product.store.owner)
    db.session.commit()
    public = client.get(f"/media/{picture.path}")
    assert public.status_code == 200 and "public" in public.headers["Cache-Control"]
    public.close()
    # then no spelling of the proof's path does, anonymously or as a stranger
    for path in _spellings(proof["rel"], Path(app.config["PRIVATE_UPLOAD_DIR"]).name):
        response = client.get(path)
        if response.status_code == 308:  # werkzeug merges slashes: follow to the one spelling
            response = client.get(response.headers["Location"])
        assert response.status_code == 404, path
        assert proof["bytes"] not in response.get_data(), path
        assert "public" not in response.headers.get("Cache-Control", ""), path


def test_no_spelling_reaches_a_proof_through_a_real_http_server(proof, app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in _spellings(proof["rel"], Path(app.config["PRIVATE_UPLOAD_DIR"]).name):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request("GET", path)  # sent as is, as `curl --path-as-is` does
            response = conn.getresponse()
            body = response.read()
            conn.close()
            assert response.status in (308, 400, 404), (path, response.status)
            assert proof["bytes"] not in body, path
            assert "public" not in (response.getheader("Cache-Control") or ""), path
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def test_buyer_and_seller_get_the_proof_through_the_checked_route_never_cached(proof, app,
                                                                                make_user, login):
    url = f"/pesanan/{proof['order_id']}/bukti-transfer"
    for who in ("buyer", "seller"):
        response = proof[who].get(url)
        assert response.status_code == 200 and response.get_data() == proof["bytes"], who
        assert response.mimetype == "image/webp"
        cache = response.headers["Cache-Control"]
        assert "private" in cache and "no-store" in cache and "public" not in cache
        response.close()
    stranger = app.test_client()
    login(stranger, make_user())
    assert stranger.get(url).status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code in (302, 401) and proof["bytes"] not in anonymous.get_data()


def test_a_legacy_proof_is_moved_out_of_the_public_folder_when_read(proof, app, db):
    # given an order whose row still points at the old place, UPLOAD_DIR/private/...
    order_id, rel = proof["order_id"], proof["rel"]
    (Path(app.config["PRIVATE_UPLOAD_DIR"]) / rel).unlink()
    db.session.execute(sa.update(Order).where(Order.id == order_id)
                       .values(transfer_proof_path=f"private/{rel}"))
    db.session.commit()
    legacy = Path(app.config["UPLOAD_DIR"]) / "private" / rel
    assert legacy.is_file()
    # when the seller opens it
    response = proof["seller"].get(f"/pesanan/{order_id}/bukti-transfer")
    # then it is served, and now lives under PRIVATE_UPLOAD_DIR only
    assert response.status_code == 200 and response.get_data() == proof["bytes"]
    response.close()
    assert not legacy.exists() and (Path(app.config["PRIVATE_UPLOAD_DIR"]) / rel).is_file()
    db.session.expire_all()
    assert db.session.get(Order, order_id).transfer_proof_path == rel


def test_the_move_command_moves_every_legacy_proof(proof, app, db, runner):
    order_id, rel = proof["order_id"], proof["rel"]
    (Path(app.config["PRIVATE_UPLOAD_DIR"]) / rel).unlink()
    db.session.execute(sa.update(Order).where(Order.id == order_id)
                       .values(transfer_proof_path=f"private/{rel}"))
    db.session.commit()
    result = runner.invoke(args=["orders", "move-private-uploads"])
    assert result.exit_code == 0 and "moved 1 transfer proofs" in result.output
    assert not (Path(app.config["UPLOAD_DIR"]) / "private" / rel).exists()
    assert (Path(app.config["PRIVATE_UPLOAD_DIR"]) / rel).is_file()
    db.session.expire_all()
    assert db.session.get(Order, order_id).transfer_proof_path == rel
    assert runner.invoke(args=["orders", "move-private-uploads"]).output.strip() == "moved 0 transfer proofs"
