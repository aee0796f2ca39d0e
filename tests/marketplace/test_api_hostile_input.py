"""Hostile and careless input on the API: each finding of the outside review, as a test.

Every answer is the one error shape with a 4xx status, never a 500; the OpenAPI document
declares the limits that the server holds requests to.
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from marketplace.api import INT32_MAX


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


@pytest.fixture
def seller(make_user, token_for, client):
    user = make_user()
    headers = token_for(user)
    from tests.catalog.conftest import store_data

    created = client.post("/api/v1/stores", headers=headers, json=store_data(slug="toko-uji"))
    assert created.status_code == 201, created.get_json()
    return headers


# --- ids and pages ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/v1/products/577604656334672449914273792",
    f"/api/v1/products/{INT32_MAX + 1}",
    "/api/v1/products/0",
    "/produk/99999999999999999999",
])
def test_ids_beyond_the_database_range_are_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_an_id_out_of_range_on_a_path_other_methods_serve_is_404_not_405(client, seller):
    for method in ("DELETE", "PATCH"):
        response = client.open(f"/api/v1/products/{INT32_MAX + 1}", method=method,
                               headers=seller, json={})
        assert response.status_code == 404, method
    response = client.delete("/api/v1/bookings/14859889158136031048892416", headers=seller)
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["23269204379016057670953057910784", "0", "-1", "1e3", "10001"])
def test_pages_out_of_range_are_422(client, seller, page):
    response = client.get(f"/api/v1/stores/toko-uji/products?page={page}")
    assert response.status_code == 422
    assert "page" in _error(response)["fields"]


@pytest.mark.parametrize("query", ["sort=", "status=", "sort=%00", "category=%00", "status=%00"])
def test_empty_or_nul_enum_values_are_refused(client, query):
    path = "/api/v1/events" if query.startswith("status") else "/api/v1/products"
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422
    assert _error(response)["fields"]


def test_rfq_list_refuses_an_empty_as(client, make_user, token_for):
    response = client.get("/api/v1/rfqs?as=", headers=token_for(make_user()))
    assert response.status_code == 422 and "as" in _error(response)["fields"]


# --- methods and content types ----------------------------------------------------------------

def test_undeclared_methods_answer_405_with_allow(client):
    response = client.open("/api/v1/products/394", method="TRACE")
    assert response.status_code == 405
    assert {"GET", "PATCH", "DELETE"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert _error(response)["code"] == "method_not_allowed"


def test_a_delete_without_a_body_is_not_a_content_type_error(client):
    response = client.delete("/api/v1/cart/items/400")
    assert response.status_code != 415
    assert response.status_code < 500


def test_an_open_post_must_be_json(client):
    response = client.post("/api/v1/auth/register", data="email=a@b.c")
    assert response.status_code == 415 and _error(response)["code"] == "unsupported_media_type"


# --- bodies -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"email": None, "password": "rahasia-123", "label": "x", "extra": {"nested": [1, 2]}},
    {"email": "a@example.test", "password": 12345678, "label": "x"},
    {"email": ["a@example.test"], "password": "rahasia-123", "label": 5},
])
def test_wrong_types_on_account_routes_are_422(client, body):
    response = client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 422
    assert _error(response)["fields"]


@pytest.mark.parametrize("name", ["a\ud800", "a\u0000b"])
def test_lone_surrogates_and_nul_bytes_are_refused(client, name):
    raw = json.dumps({"email": "siti@example.test", "password": "rahasia-123", "name": name})
    response = client.post("/api/v1/auth/register", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert set(_error(response)["fields"]) == {"name"}


def test_surrogates_in_product_store_and_rfq_text_are_refused(client, seller, make_user,
                                                            token_for):
    from tests.catalog.conftest import product_data

    for path, body in [("/api/v1/stores/toko-uji/products", product_data(title="Kopi \ud800")),
                       ("/api/v1/stores/toko-uji", {"description": "\udfff"}),
                       ("/api/v1/rfqs", {"product_id": 1, "quantity": 1,
                                         "destination_country": "JP\ud800", "incoterm": "FOB",
                                         "needed_by": "2030-01-01"})]:
        method = "PATCH" if path == "/api/v1/stores/toko-uji" else "POST"
        headers = seller if "stores" in path else token_for(make_user())
        response = client.open(path, method=method, headers=headers,
                               data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422, (path, response.get_json())


def test_json_nested_100000_deep_is_a_400(client):
    raw = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/register", data=raw, content_type="application/json")
    assert response.status_code in (400, 413)
    assert _error(response)["code"] in ("bad_json", "too_large")


def test_json_nested_past_the_depth_limit_is_refused(client):
    body = {"email": "a@example.test", "password": "rahasia-123", "name": "Ani"}
    node = body
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 400 and _error(response)["code"] == "bad_json"


def test_a_string_is_never_read_as_a_number(client, seller):
    from tests.catalog.conftest import product_data

    response = client.post("/api/v1/stores/toko-uji/products", headers=seller,
                           json=product_data(price_idr="10000"))
    assert response.status_code == 422 and set(_error(response)["fields"]) == {"price_idr"}


def test_unknown_keys_are_ignored(client, seller):
    from tests.catalog.conftest import product_data

    response = client.post("/api/v1/stores/toko-uji/products", headers=seller,
                           json={**product_data(), "warna": "merah"})
    assert response.status_code == 201 and "warna" not in response.get_json()


def test_an_email_over_254_characters_is_refused_before_it_is_parsed(client):
    response = client.post("/api/v1/auth/register", json={
        "email": "a" * 250 + "@example.test", "password": "rahasia-123", "name": "Ani"})
    assert response.status_code == 422 and "email" in _error(response)["fields"]


def test_a_json_body_over_the_api_limit_is_413(client, app):
    big = "x" * (app.config["API_MAX_BODY_BYTES"] + 1)
    response = client.post("/api/v1/auth/register", json={"email": big, "password": "x",
                                                          "name": "Ani"})
    assert response.status_code == 413 and _error(response)["code"] == "too_large"


def test_unbounded_text_is_refused_on_order_transitions_and_registrations(client, make_user,
                                                                          token_for):
    headers = token_for(make_user())
    response = client.post("/api/v1/orders/1/transitions", headers=headers,
                           json={"action": "cancel", "reason": "x" * 5000})
    assert response.status_code in (404, 422)
    response = client.post("/api/v1/events/tidak-ada/registrations", headers=headers,
                           json={"buyer_type": "export", "company": "x" * 5000, "country": "JP"})
    assert response.status_code in (404, 422)


# --- the document says what the server does ---------------------------------------------------

def _request_schemas(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                yield f"{method.upper()} {path} ?{param['name']}", param["schema"]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield f"{method.upper()} {path} body", body["schema"]


def _leaves(schema, document, where, seen=()):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        yield from _leaves(document["components"]["schemas"][name], document, where, seen + (name,))
        return
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from _leaves(sub, document, where, seen)
    if schema.get("type") == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from _leaves(sub, document, f"{where}.{name}", seen)
    elif schema.get("type") == "array":
        assert "maxItems" in schema, f"{where}: a list needs maxItems"
        yield from _leaves(schema["items"], document, f"{where}[]", seen)
    elif "type" in schema:
        yield where, schema


def test_every_request_text_and_number_in_the_document_is_bounded(client):
    document = client.get("/api/v1/openapi.json").get_json()
    unbounded = []
    for where, top in _request_schemas(document):
        for leaf_where, leaf in _leaves(top, document, where):
            if leaf["type"] == "string" and "maxLength" not in leaf and "enum" not in leaf \
                    and leaf.get("format") not in ("date", "date-time", "binary"):
                unbounded.append(leaf_where)
            if leaf["type"] == "integer" and not {"minimum", "maximum"} <= set(leaf):
                unbounded.append(leaf_where)
    assert not unbounded, unbounded


# --- slow input ------------------------------------------------------------------------------

PUBLIC_WRITES = [
    ("POST", "/api/v1/auth/register", "email"),
    ("POST", "/api/v1/auth/tokens", "email"),
    ("PUT", "/api/v1/cart/items/1", "quantity"),
    ("POST", "/api/v1/stores", "name"),
    ("POST", "/api/v1/rfqs", "destination_country"),
    ("POST", "/api/v1/checkout", "payment_method"),
]


def test_twenty_concurrent_one_mib_fields_are_refused_fast_and_do_not_stall_reads(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = "127.0.0.1", server.server_port

    def send(method, path, body: bytes, content_type="application/json"):
        started = time.monotonic()
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": content_type})
            status = conn.getresponse().status
        except (BrokenPipeError, ConnectionResetError):
            status = 413  # refused from its Content-Length before the body was read
        finally:
            conn.close()
        return status, time.monotonic() - started

    big = "x" * (1024 * 1024)
    try:
        jobs = []
        with ThreadPoolExecutor(max_workers=24) as pool:
            for i in range(20):
                method, path, field = PUBLIC_WRITES[i % len(PUBLIC_WRITES)]
                jobs.append(pool.submit(send, method, path, json.dumps({field: big}).encode()))
            time.sleep(0.05)
            read = pool.submit(send, "GET", "/api/v1/categories", b"")
            results = [j.result() for j in jobs]
            read_status, read_time = read.result()
        assert all(status in (413, 401, 415, 422) for status, _ in results), results
        assert max(elapsed for _, elapsed in results) < 1.0, results
        assert read_status == 200 and read_time < 1.0
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
