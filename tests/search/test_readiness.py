"""Search in /readyz and /metrics: which backend answers, and the outbox lag while one is down."""
from __future__ import annotations

from tests.marketplace.test_ops import sample


def test_readyz_reports_elasticsearch_down_and_ready_again_when_it_returns(app, client, es_only,
                                                                           make_product):
    from search.engine import forget_backends

    # given Elasticsearch answers
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready", body
    search = body["checks"]["search"]
    assert search["ok"] is True and search["engine"] == "elasticsearch"
    assert search["backends"] == {"embedded": True, "elasticsearch": True}

    # when it becomes unreachable and a seller keeps saving
    app.config["ELASTICSEARCH_URL"] = "http://127.0.0.1:9"
    app.config["SEARCH_TIMEOUT_SECONDS"] = 1
    forget_backends(app)
    try:
        make_product()
        response = client.get("/readyz")
        # then the app is not ready: searches are answered degraded by the embedded index
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable"
        search = body["checks"]["search"]
        assert search["ok"] is False and search["engine"] == "embedded" and search["degraded"] is True
        assert search["backends"] == {"embedded": True, "elasticsearch": False}
        assert body["checks"]["database"]["ok"] is True
        # and the changes Elasticsearch has yet to learn wait in the outbox, and age
        assert search["outbox"]["pending"] >= 1 and search["outbox"]["oldest_age_seconds"] >= 0
        text = client.get("/metrics").get_data(as_text=True)
        assert sample(text, "pasar_search_outbox_pending") == search["outbox"]["pending"]
        assert sample(text, "pasar_search_outbox_oldest_age_seconds") >= 0
    finally:
        # when it is back
        app.config["ELASTICSEARCH_URL"] = es_only
        forget_backends(app)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"]["search"]["engine"] == "elasticsearch"
