"""Officers' decisions leave a log line saying who decided what (request ids: tests/marketplace/test_ops.py)."""
import logging

from tests.promotions.conftest import event_data


def test_accepting_and_rejecting_applications_is_logged_with_ids(client, caplog, officer, make_store,
                                                                make_product, token_for):
    off = token_for(officer)
    slug = client.post("/api/v1/events", json=event_data(), headers=off).get_json()["slug"]
    client.post(f"/api/v1/events/{slug}/transitions", json={"action": "open"}, headers=off)
    decisions = []
    for accept in (True, False):
        store = make_store(verified=True)
        product = make_product(store=store, stock=10)
        applied = client.post(f"/api/v1/events/{slug}/applications", headers=token_for(store.owner),
                              json={"product_ids": [product.id], "pitch": "Produk unggulan kami siap."})
        assert applied.status_code == 201, applied.get_json()
        decisions.append((applied.get_json()["id"], store.id, accept))
    with caplog.at_level(logging.INFO, logger="promotions.services"):
        for app_id, _store_id, accept in decisions:
            response = client.post(f"/api/v1/applications/{app_id}/decision", headers=off,
                                   json={"accept": accept, "reason": "Sesuai kurasi"})
            assert response.status_code == 200, response.get_json()
    lines = [r for r in caplog.records if r.getMessage().startswith("application ")]
    assert [(r.getMessage(), r.application_id, r.store_id, r.actor_id) for r in lines] == [
        ("application accepted" if accept else "application rejected", app_id, store_id, officer.id)
        for app_id, store_id, accept in decisions]
