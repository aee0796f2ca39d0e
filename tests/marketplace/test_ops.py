"""Operations endpoints, request ids and logs: /healthz, /readyz, /metrics, X-Request-ID, JSON logs."""
from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

SHARED_SETTINGS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_DIR", "PRIVATE_UPLOAD_DIR",
                   "SEARCH_INDEX_PATH", "SEARCH_INDEX_PREFIX", "ELASTICSEARCH_URL", "WTF_CSRF_ENABLED",
                   "STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")


@pytest.fixture
def new_app(app):
    """new_app(**overrides) -> a separate app on the test database (hooks of its own)."""
    from app import create_app
    from marketplace.extensions import db, limiter

    # Flask-Limiter keeps one storage for all apps: keep the suite app's, give it back after
    saved_limiter = (limiter._storage, limiter._limiter, limiter.enabled)
    made = []

    def make(**overrides):
        other = create_app({"TESTING": True, **{k: app.config[k] for k in SHARED_SETTINGS},
                            "RATELIMIT_STORAGE_URI": "memory://", **overrides})
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
    limiter._storage, limiter._limiter, limiter.enabled = saved_limiter


def sample(metrics_text: str, name: str, labels: dict | None = None) -> float | None:
    """The value of one sample in a Prometheus text answer, or None when absent."""
    for family in text_string_to_metric_families(metrics_text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in (labels or {}).items()):
                return s.value
    return None


def test_healthz_says_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_every_check_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["latency_ms"] >= 0
    # the test app has no Elasticsearch: the embedded index answers
    search = body["checks"]["search"]
    assert search["ok"] is True and search["engine"] == "embedded"
    assert search["outbox"] == {"pending": 0, "oldest_age_seconds": None}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_failing_or_raising_check_makes_readyz_503_not_500(new_app):
    from marketplace.ops import readiness_checks, register_check

    other = new_app()

    def queue_check():
        return {"ok": False, "depth": 12}

    def broken():
        raise RuntimeError("no route to queue\nsecond line")

    register_check(other, "queue", queue_check)
    readiness_checks.register(other, broken)  # a plain callable: reported under its name
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"] == {"ok": False, "depth": 12}
    assert body["checks"]["broken"] == {"ok": False, "error": "RuntimeError: no route to queue"}


def test_readyz_is_503_while_the_database_is_unreachable(new_app):
    other = new_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://pasar:pasar@127.0.0.1:9/gone")
    client = other.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"].startswith("OperationalError")
    # the process itself still serves
    assert client.get("/healthz").status_code == 200


def test_metrics_has_the_request_histogram_and_gauges(client):
    before = sample(client.get("/metrics").get_data(as_text=True),
                    "pasar_http_request_duration_seconds_count",
                    {"endpoint": "ops.healthz", "method": "GET", "status": "200"}) or 0
    client.get("/healthz")
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    labels = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    assert sample(text, "pasar_http_request_duration_seconds_count", labels) == before + 2
    assert sample(text, "pasar_http_request_duration_seconds_bucket", {**labels, "le": "+Inf"}) == before + 2
    # an unknown path is counted without a new label per path
    client.get("/tidak-ada/123")
    text = client.get("/metrics").get_data(as_text=True)
    assert sample(text, "pasar_http_request_duration_seconds_count",
                  {"endpoint": "none", "method": "GET", "status": "404"}) >= 1
    # search's gauges, read at scrape time
    assert sample(text, "pasar_search_outbox_pending") == 0
    assert sample(text, "pasar_search_outbox_oldest_age_seconds") == 0


def test_metric_gauges_of_a_domain_are_read_at_each_scrape(new_app):
    from marketplace.ops import metric_gauges

    other = new_app()
    depth = {"n": 3}
    metric_gauges.register(other, lambda: {"pasar_queue_depth": depth["n"]})
    client = other.test_client()
    assert sample(client.get("/metrics").get_data(as_text=True), "pasar_queue_depth") == 3
    depth["n"] = 7
    assert sample(client.get("/metrics").get_data(as_text=True), "pasar_queue_depth") == 7


def test_a_sane_request_id_is_echoed_and_any_other_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.01_x"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.01_x"
    for bad in ("a" * 65, "id with spaces", "<script>", ""):
        generated = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert generated != bad and len(generated) == 32 and int(generated, 16) >= 0
    first, second = (client.get("/api/v1/me").headers["X-Request-ID"] for _ in range(2))
    assert first != second  # a fresh one per request, on API answers too


@pytest.fixture
def captured_logs(app):
    """configure_logging(app) as wsgi.py does, into a buffer; returns the buffer."""
    from marketplace.logs import configure_logging

    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = configure_logging(app, stream=buffer)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def json_lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_an_admin_role_change_logs_json_with_the_request_id(app, captured_logs, make_user, login, db):
    assert app.config["LOG_FORMAT"] is None and not app.debug  # production default: JSON
    admin, user = make_user(roles=("admin",)), make_user()
    client = app.test_client()
    login(client, admin)
    response = client.post(f"/admin/pengguna/{user.id}/peran", data={"role": "officer", "action": "grant"},
                           headers={"X-Request-ID": "req-role-1"})
    assert response.status_code == 302 and response.headers["X-Request-ID"] == "req-role-1"
    records = [r for r in json_lines(captured_logs) if r.get("message") == "role granted"]
    assert len(records) == 1
    record = records[0]
    assert record["request_id"] == "req-role-1" and record["level"] == "INFO"
    assert record["logger"] == "marketplace.accounts.services"
    assert (record["user_id"], record["role"], record["actor_id"]) == (user.id, "officer", admin.id)
    assert "time" in record


def test_a_log_line_outside_a_request_has_no_request_id(captured_logs):
    logging.getLogger("pasar.test").info("from a command", extra={"checkout_id": 5})
    (record,) = [r for r in json_lines(captured_logs) if r.get("message") == "from a command"]
    assert record["request_id"] is None and record["checkout_id"] == 5


def test_plain_logs_in_development(app):
    from marketplace.logs import configure_logging

    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    app.config["LOG_FORMAT"] = "plain"
    try:
        handler = configure_logging(app, stream=buffer)
        with app.test_request_context("/", headers={"X-Request-ID": "dev-1"}):
            from marketplace.logs import assign_request_id

            assign_request_id()
            logging.getLogger("pasar.test").info("hello")
    finally:
        app.config["LOG_FORMAT"] = None
        root.removeHandler(handler)
        root.setLevel(level)
    assert buffer.getvalue().rstrip().endswith("INFO pasar.test [dev-1] hello")
    with pytest.raises(ValueError):
        from marketplace.logs import formatter_for

        formatter_for("xml")


def test_a_check_whose_query_fails_does_not_fail_the_checks_after_it(new_app):
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.ops import register_check

    other = new_app()

    def bad_query():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return {"ok": True}

    def good_query():
        return {"ok": db.session.execute(sa.text("SELECT 1")).scalar() == 1}

    register_check(other, "first", bad_query)
    register_check(other, "second", good_query)
    body = other.test_client().get("/readyz").get_json()
    assert body["checks"]["first"]["ok"] is False
    assert body["checks"]["first"]["error"].startswith("ProgrammingError")
    assert body["checks"]["second"] == {"ok": True}
