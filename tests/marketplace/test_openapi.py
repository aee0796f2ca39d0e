"""The OpenAPI document at /api/v1/openapi.json: it lists exactly the routes the app serves, it
holds together as an OpenAPI 3.0 document, and real responses match the schemas it documents
(each key documented, each documented key present, money as integers, timestamps with offset).
"""
from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from marketplace.api import API_PREFIX, _path_for_rule
from tests.catalog.conftest import image_bytes, product_data, store_data

OPENAPI_URL = API_PREFIX + "/openapi.json"
DOC_URI = "urn:pasar-umkm:openapi"
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def document(client):
    response = client.get(OPENAPI_URL)
    assert response.status_code == 200
    return response.get_json()


def _served_operations(app) -> set[tuple[str, str]]:
    ops = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/") or rule.rule == OPENAPI_URL:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            ops.add((_path_for_rule(rule.rule), method.lower()))
    return ops


def _documented_operations(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS}


# --- (1) the document lists exactly what the app serves ---------------------------------------


def test_every_api_route_is_documented_and_every_documented_route_exists(app, document):
    served = _served_operations(app)
    documented = _documented_operations(document)
    assert served, "no API routes found"
    assert served - documented == set(), "served but not documented"
    assert documented - served == set(), "documented but not served"
    # the catalog and accounts contract, at least
    for op in [("/api/v1/auth/register", "post"), ("/api/v1/auth/tokens", "post"),
               ("/api/v1/auth/tokens/{token_id}", "delete"), ("/api/v1/me", "get"),
               ("/api/v1/categories", "get"), ("/api/v1/regions", "get"),
               ("/api/v1/stores", "post"), ("/api/v1/stores/{slug}", "get"),
               ("/api/v1/stores/{slug}", "patch"), ("/api/v1/products", "get"),
               ("/api/v1/products/{product_id}", "get"),
               ("/api/v1/stores/{slug}/products", "post"),
               ("/api/v1/products/{product_id}", "patch"),
               ("/api/v1/products/{product_id}", "delete"),
               ("/api/v1/products/{product_id}/images", "post")]:
        assert op in documented, op


# --- (2) the document holds together ----------------------------------------------------------


def _walk(node, where=""):
    """Yield (json pointer, dict) for every object in the document."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


def test_document_is_openapi_3_0_and_every_ref_resolves(document):
    assert re.fullmatch(r"3\.0\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    schemas = document["components"]["schemas"]
    refs = 0
    for where, node in _walk(document):
        if "$ref" in node:
            refs += 1
            target = node["$ref"]
            assert target.startswith("#/components/schemas/"), (where, target)
            assert target.rsplit("/", 1)[1] in schemas, (where, target)
    assert refs > 10
    # every schema, named or inline, is an OpenAPI 3.0 schema: one type per schema (no type
    # arrays), no "null" type (3.0 says nullable: true), nullable only beside a type or allOf
    roots = [(f"/components/schemas/{name}", sub) for name, sub in schemas.items()]
    roots += [(where + "/schema", node["schema"]) for where, node in _walk(document["paths"])
              if isinstance(node.get("schema"), dict)]
    for root, schema in roots:
        for where, node in _walk(schema, root):
            if where.endswith("/properties"):
                continue  # a map of property names, not a schema
            if "type" in node:
                assert node["type"] in {"object", "array", "string", "integer", "number",
                                        "boolean"}, (where, node["type"])
            if "nullable" in node:
                assert node["nullable"] is True and ("type" in node or "allOf" in node), where
            if node.get("type") == "array":
                assert "items" in node, where
            if "$ref" in node:
                assert set(node) == {"$ref"}, f"{where}: siblings of $ref are ignored in 3.0"


def test_every_operation_is_well_formed(document):
    security = set(document["components"]["securitySchemes"])
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith(API_PREFIX + "/")
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            assert method in HTTP_METHODS, where
            assert op["summary"], where
            operation_ids.append(op["operationId"])
            names = re.findall(r"{([a-z_]+)}", path)
            path_params = [p["name"] for p in op["parameters"] if p["in"] == "path"]
            assert sorted(path_params) == sorted(names), where
            for param in op["parameters"]:
                assert param["in"] in {"path", "query", "header", "cookie"}, where
                assert "schema" in param, where
                if param["in"] == "path":
                    assert param["required"] is True, where
            assert op["responses"], where
            successes = [s for s in op["responses"] if s.startswith("2")]
            assert len(successes) == 1, where
            for status, response in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status), where
                assert response["description"], where
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}, where
                if status == "204":
                    assert "content" not in response, where
            if "requestBody" in op:
                assert method in {"post", "put", "patch"}, where
                assert op["requestBody"]["content"], where
            for requirement in op.get("security", []):
                assert set(requirement) <= security, where
            if op.get("security"):
                assert "401" in op["responses"], f"{where} needs a login but documents no 401"
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


# --- (3) real responses match the documented schemas ------------------------------------------


def _to_json_schema(node, *, in_properties: bool = False):
    """OpenAPI 3.0 schema -> JSON Schema 2020-12: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    if in_properties:  # a map of property name -> schema: keep the names as they are
        return {name: _to_json_schema(sub) for name, sub in node.items()}
    out = {key: _to_json_schema(value, in_properties=key == "properties")
           for key, value in node.items() if key not in ("nullable", "example")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _is_timestamp_with_offset(value) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value).tzinfo is not None


@_FORMATS.checks("email")
def _is_email(value) -> bool:
    return not isinstance(value, str) or re.fullmatch(r"[^@\s]+@[^@\s]+", value) is not None


def _money_values(node):
    """Yield (key, value) for every *_idr key in a JSON body."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("_idr"):
                yield key, value
            yield from _money_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _money_values(value)


class Contract:
    """Checks responses (and the JSON bodies sent) against the document, by the route served."""

    def __init__(self, app, document):
        self.app = app
        self.document = document
        self.converted = _to_json_schema(document)
        self.registry = Registry().with_resource(
            DOC_URI, Resource(contents=self.converted, specification=DRAFT202012))
        self.seen: set[tuple[str, str, str]] = set()

    def _validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": f"{DOC_URI}#{pointer}"}, registry=self.registry,
                                    format_checker=_FORMATS)

    def _deref(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _properties(self, schema: dict) -> dict:
        schema = self._deref(schema)
        merged = dict(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            merged.update(self._properties(part))
        return merged

    def _assert_documented(self, value, schema: dict, where: str) -> None:
        """Every key in `value` is one the schema documents (no undocumented extras)."""
        schema = self._deref(schema)
        if isinstance(value, dict):
            properties = self._properties(schema)
            extra = schema.get("additionalProperties")
            if not isinstance(extra, dict):
                assert set(value) <= set(properties), (where, set(value) - set(properties))
            for key, item in value.items():
                sub = properties.get(key, extra if isinstance(extra, dict) else None)
                if sub is not None:
                    self._assert_documented(item, sub, f"{where}.{key}")
        elif isinstance(value, list):
            items = schema.get("items")
            for part in schema.get("allOf", []):
                items = items or self._deref(part).get("items")
            for i, item in enumerate(value):
                if items is not None:
                    self._assert_documented(item, items, f"{where}[{i}]")

    def operation(self, method: str, url: str) -> tuple[str, dict]:
        adapter = self.app.url_map.bind("localhost")
        rule, _args = adapter.match(url.split("?")[0], method.upper(), return_rule=True)
        path = _path_for_rule(rule.rule)
        return path, self.document["paths"][path][method.lower()]

    def check(self, response, method: str, url: str, sent: dict | None = None):
        """Assert `response` to METHOD url is documented, and its body matches the schema."""
        path, op = self.operation(method, url)
        status = str(response.status_code)
        where = f"{method.upper()} {path} -> {status}"
        assert status in op["responses"], f"{where} is not documented"
        self.seen.add((path, method.lower(), status))
        documented = op["responses"][status]
        if "content" not in documented:
            assert response.data == b"", where
        else:
            assert response.mimetype == "application/json", where
            body = response.get_json()
            pointer = _pointer("paths", path, method.lower(), "responses", status, "content",
                               "application/json", "schema")
            errors = sorted(self._validator(pointer).iter_errors(body), key=str)
            assert not errors, f"{where}: " + "; ".join(
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
            self._assert_documented(body, documented["content"]["application/json"]["schema"],
                                    where)
            # JSON Schema counts 45000.0 as an integer; the contract does not
            for key, value in _money_values(body if status.startswith("2") else {}):
                assert type(value) is int, (where, key, value)
        if sent is not None and status.startswith("2"):
            content = op["requestBody"]["content"]["application/json"]
            pointer = _pointer("paths", path, method.lower(), "requestBody", "content",
                               "application/json", "schema")
            errors = list(self._validator(pointer).iter_errors(sent))
            assert not errors, f"{where}: the request body we sent breaks its own schema: " + \
                "; ".join(e.message for e in errors[:5])
            assert content
        return response

    def call(self, client, method: str, url: str, *, json=None, **kwargs):
        """Make the call and check its response; JSON bodies are checked against the request
        schema when the call succeeds."""
        response = getattr(client, method)(url, json=json, **kwargs) if json is not None else \
            getattr(client, method)(url, **kwargs)
        return self.check(response, method, url, sent=json)


@pytest.fixture
def contract(app, document):
    return Contract(app, document)


def test_response_schemas_require_every_documented_key(document):
    # so a client may rely on each documented field being present (null where nullable)
    for name in ("User", "Token", "Store", "StoreSummary", "Product", "ProductImage",
                 "WholesaleTier", "Category", "Region", "Regency"):
        schema = document["components"]["schemas"][name]
        assert set(schema["required"]) == set(schema["properties"]), name


def test_money_fields_are_integers_in_the_document(document):
    money = 0
    for where, node in _walk(document):
        if not where.endswith("/properties"):
            continue
        for key, sub in node.items():
            if key.endswith("_idr"):
                money += 1
                assert sub.get("type") == "integer", (where, key)
    assert money >= 3


def test_real_responses_match_the_document(app, client, contract, make_user):
    c = contract
    # accounts
    account = {"email": "rina@example.test", "password": "kopi-lampung-1", "name": "Rina"}
    assert c.call(client, "post", "/api/v1/auth/register", json=account).status_code == 201
    assert c.call(client, "post", "/api/v1/auth/register", json=account).status_code == 409
    assert c.call(client, "post", "/api/v1/auth/register",
                  json={"email": "x", "password": "1", "name": ""}).status_code == 422
    assert c.call(client, "post", "/api/v1/auth/register", data="{",
                  content_type="application/json").status_code == 400
    assert c.call(client, "post", "/api/v1/auth/register", data=account).status_code == 415
    token = c.call(client, "post", "/api/v1/auth/tokens",
                   json={**account, "label": "kasir"}).get_json()
    assert c.call(client, "post", "/api/v1/auth/tokens",
                  json={**account, "password": "salah-sekali", "label": "x"}).status_code == 401
    owner = {"Authorization": f"Bearer {token['token']}"}
    assert c.call(client, "get", "/api/v1/me").status_code == 401
    assert c.call(client, "get", "/api/v1/me", headers=owner).get_json()["store"] is None
    # reference data, in both languages
    for language in ("id", "en"):
        c.call(client, "get", "/api/v1/categories", headers={"Accept-Language": language})
        c.call(client, "get", "/api/v1/regions", headers={"Accept-Language": language})
    # stores
    body = store_data(name="Kopi Lereng Rina", halal_cert="ID18110000123")
    store = c.call(client, "post", "/api/v1/stores", json=body, headers=owner).get_json()
    assert c.call(client, "post", "/api/v1/stores", json=store_data(),
                  headers=owner).status_code == 409
    other = make_user()
    from tests.conftest import PASSWORD

    other_token = client.post("/api/v1/auth/tokens", json={
        "email": other.email, "password": PASSWORD, "label": "x"}).get_json()["token"]
    stranger = {"Authorization": f"Bearer {other_token}"}
    assert c.call(client, "post", "/api/v1/stores", json=store_data(nib="1"),
                  headers=stranger).status_code == 422
    assert c.call(client, "post", "/api/v1/stores", json=store_data()).status_code == 401
    c.call(client, "get", f"/api/v1/stores/{store['slug']}")
    assert c.call(client, "get", "/api/v1/stores/tidak-ada").status_code == 404
    assert c.call(client, "patch", f"/api/v1/stores/{store['slug']}",
                  json={"description": "Robusta petik merah."}, headers=owner).status_code == 200
    assert c.call(client, "patch", f"/api/v1/stores/{store['slug']}", json={"name": "Curian"},
                  headers=stranger).status_code == 403
    assert c.call(client, "patch", f"/api/v1/stores/{store['slug']}", json={"nib": "1"},
                  headers=owner).status_code == 422
    me = c.call(client, "get", "/api/v1/me", headers=owner).get_json()
    assert me["store"]["slug"] == store["slug"]
    # the store's money (orders.ledger): its owner only
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/balance", headers=owner).get_json() == {
        "pending_idr": 0, "available_idr": 0, "in_transit_idr": 0, "paid_out_idr": 0}
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/balance",
                  headers=stranger).status_code == 404
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/ledger",
                  headers=owner).get_json()["items"] == []
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/ledger").status_code == 401
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/payouts",
                  headers=owner).get_json()["items"] == []
    # the store's scale (books): its owner only
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/scale",
                  headers=owner).get_json()["suggested_scale"] == "mikro"
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/scale",
                  headers=stranger).status_code == 404
    # the seller's own books (books): its owner only
    books = f"/api/v1/stores/{store['slug']}/books"
    entry = c.call(client, "post", f"{books}/entries", headers=owner, json={
        "date": "2026-11-12", "kind": "income", "category": "cash_sale", "amount_idr": 150000,
        "note": "Pasar minggu"}).get_json()
    assert c.call(client, "post", f"{books}/entries", headers=owner,
                  json={"date": "2026-11-12", "kind": "income"}).status_code == 422
    assert c.call(client, "get", f"{books}/entries", headers=owner).get_json()["total"] == 1
    assert c.call(client, "get", f"{books}/income-statement?from=2026-11-01&to=2026-11-30",
                  headers=owner).get_json()["net_income_idr"] == 150000
    assert c.call(client, "get", f"{books}/financial-position?at=2026-11-30",
                  headers=owner).get_json()["balanced"] is True
    assert c.call(client, "post", f"{books}/entries/{entry['id']}/void", headers=owner).get_json()["voided"]
    assert c.call(client, "get", f"{books}/entries", headers=stranger).status_code == 404
    # the store's analytics (books): its owner only; a range ending before it starts is 422
    analytics = c.call(client, "get", f"/api/v1/stores/{store['slug']}/analytics?period=7d",
                       headers=owner).get_json()
    assert (analytics["revenue_idr"], analytics["orders"], len(analytics["series"])) == (0, 0, 7)
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/analytics?from=2026-03-02&to=2026-03-01",
                  headers=owner).status_code == 422
    assert c.call(client, "get", f"/api/v1/stores/{store['slug']}/analytics",
                  headers=stranger).status_code == 404
    # products
    products_url = f"/api/v1/stores/{store['slug']}/products"
    product = c.call(client, "post", products_url, headers=owner, json=product_data(
        hs_code="0901.11", title_en="Robusta Coffee",
        wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 40000}])).get_json()
    draft = c.call(client, "post", products_url, headers=owner,
                   json=product_data(status="draft")).get_json()
    assert c.call(client, "post", products_url, headers=owner,
                  json=product_data(price_idr=25000.5)).status_code == 422
    assert c.call(client, "post", products_url, headers=stranger,
                  json=product_data()).status_code == 403
    assert c.call(client, "post", "/api/v1/stores/tidak-ada/products", headers=owner,
                  json=product_data()).status_code == 404
    product_url = f"/api/v1/products/{product['id']}"
    image = c.call(client, "post", f"{product_url}/images", headers=owner,
                   data={"image": (io.BytesIO(image_bytes("PNG")), "kopi.png")},
                   content_type="multipart/form-data").get_json()
    assert c.call(client, "post", f"{product_url}/images", headers=owner,
                  data={"image": (io.BytesIO(b"bukan foto"), "kopi.jpg")},
                  content_type="multipart/form-data").status_code == 422
    assert c.call(client, "post", f"{product_url}/images", headers=stranger,
                  data={"image": (io.BytesIO(image_bytes()), "kopi.jpg")},
                  content_type="multipart/form-data").status_code == 404
    listing = c.call(client, "get", "/api/v1/products?per_page=5&sort=price_asc").get_json()
    assert listing["items"][0]["images"] == [image]
    c.call(client, "get", "/api/v1/products?category=kopi-teh", headers={"Accept-Language": "en"})
    assert c.call(client, "get", "/api/v1/products?per_page=101").status_code == 422
    assert c.call(client, "get", "/api/v1/products?category=tidak-ada").status_code == 422
    c.call(client, "get", f"{products_url}?status=draft", headers=owner)
    c.call(client, "get", products_url)
    assert c.call(client, "get", f"{products_url}?status=dijual").status_code == 422
    assert c.call(client, "get", "/api/v1/stores/tidak-ada/products").status_code == 404
    assert c.call(client, "get", product_url).get_json()["images"] == [image]
    assert c.call(client, "get", f"/api/v1/products/{draft['id']}").status_code == 404
    assert c.call(client, "patch", product_url, headers=owner,
                  json={"stock": 5, "hs_code": None}).status_code == 200
    assert c.call(client, "patch", product_url, headers=owner,
                  json={"price_idr": 1.5}).status_code == 422
    assert c.call(client, "patch", product_url, headers=stranger,
                  json={"stock": 1}).status_code == 404
    assert c.call(client, "patch", product_url, json={"stock": 1}).status_code == 401
    assert c.call(client, "delete", f"{product_url}/images/{image['id']}",
                  headers=owner).status_code == 204
    assert c.call(client, "delete", f"{product_url}/images/{image['id']}",
                  headers=owner).status_code == 404
    assert c.call(client, "delete", product_url, headers=stranger).status_code == 404
    assert c.call(client, "delete", product_url, headers=owner).status_code == 204
    # tokens
    assert c.call(client, "delete", f"/api/v1/auth/tokens/{token['id']}",
                  headers=stranger).status_code == 404
    assert c.call(client, "delete", f"/api/v1/auth/tokens/{token['id']}",
                  headers=owner).status_code == 204
    assert c.call(client, "get", "/api/v1/me", headers=owner).status_code == 401

    # every catalog and accounts operation was exercised, with at least its success answer
    exercised = {(path, method) for path, method, status in c.seen if status.startswith("2")}
    mine = {op for op in _documented_operations(c.document)
            if op[0].startswith(("/api/v1/auth", "/api/v1/me", "/api/v1/categories",
                                 "/api/v1/regions", "/api/v1/stores", "/api/v1/products"))
            and not op[0].endswith("/orders")}
    assert mine - exercised == set()


def test_search_and_order_responses_match_the_document(app, client, contract, make_user, db, finance):
    """The search, cart, checkout and order operations, called for real, answer as documented."""
    import io

    from catalog.services import create_product, create_store
    from tests.catalog.conftest import image_bytes, product_data, store_data
    from tests.orders.conftest import JAKARTA

    c = contract
    seller = make_user()
    store = create_store(seller, store_data())
    product = create_product(store, product_data(price_idr=30000, stock=9), actor=seller)
    from orders.shipping import set_shipping

    set_shipping(store, services=["jne_reg", "jnt_ez"], rates={}, free_shipping_min_idr=1_000_000,
                 actor=seller)
    db.session.commit()
    buyer = make_user()
    assert client.post("/masuk", data={"email": buyer.email, "password": "rahasia-123"}).status_code == 302
    seller_client = app.test_client()
    assert seller_client.post("/masuk", data={"email": seller.email,
                                              "password": "rahasia-123"}).status_code == 302

    assert c.call(client, "get", "/api/v1/search?q=kopi&halal=true").status_code == 200
    assert c.call(client, "get", "/api/v1/search?sort=cheap").status_code == 422
    assert c.call(client, "get", "/api/v1/search/suggest?q=kop").status_code == 200

    assert c.call(client, "put", f"/api/v1/cart/items/{product.id}", json={"quantity": 2}).status_code == 200
    assert c.call(client, "put", f"/api/v1/cart/items/{product.id}", json={"quantity": 99}).status_code == 409
    assert c.call(client, "get", "/api/v1/cart?province=31&regency=31.71").status_code == 200
    assert c.call(client, "delete", f"/api/v1/cart/items/{product.id}").status_code == 200
    c.call(client, "put", f"/api/v1/cart/items/{product.id}", json={"quantity": 2})
    assert c.call(client, "post", "/api/v1/checkout",
                  json={"shipping_address": {**JAKARTA, "postal_code": "1"},
                        "payment_method": "bank_transfer"}).status_code == 422
    assert c.call(client, "post", "/api/v1/checkout",
                  json={"shipping_address": JAKARTA, "payment_method": "bank_transfer",
                        "shipping_choices": {store.slug: "ambil_sendiri"}}).status_code == 422
    placed = c.call(client, "post", "/api/v1/checkout",
                    json={"shipping_address": JAKARTA, "payment_method": "bank_transfer",
                          "shipping_choices": {store.slug: "jnt_ez"}})
    assert placed.status_code == 201
    checkout = placed.get_json()
    order_id = checkout["orders"][0]["id"]
    assert c.call(client, "get", f"/api/v1/checkouts/{checkout['id']}").status_code == 200
    assert c.call(client, "get", "/api/v1/orders").status_code == 200
    assert c.call(client, "get", f"/api/v1/orders/{order_id}").status_code == 200
    assert c.call(client, "post", f"/api/v1/orders/{order_id}/transfer-proof",
                  data={"image": (io.BytesIO(image_bytes()), "bukti.jpg")},
                  content_type="multipart/form-data").status_code == 200
    assert c.call(seller_client, "get", f"/api/v1/stores/{store.slug}/orders?status=pending_payment",
                  headers={"X-CSRFToken": "unused"}).status_code == 200
    assert c.call(client, "post", f"/api/v1/orders/{order_id}/transitions",
                  json={"action": "accept"}).status_code == 403
    move = {"action": "confirm_transfer"}
    assert c.call(seller_client, "post", f"/api/v1/orders/{order_id}/transitions", json=move).status_code == 403
    clerk = app.test_client()
    assert c.call(clerk, "post", f"/api/v1/orders/{order_id}/transitions", json=move,
                  headers=finance).status_code == 200
    assert c.call(clerk, "post", f"/api/v1/orders/{order_id}/transitions", json=move,
                  headers=finance).status_code == 409
    assert c.call(seller_client, "post", f"/api/v1/orders/{order_id}/refunds",
                  json={"amount_idr": 5000, "reason": "ongkir lebih"}).status_code == 201
    for move in ({"action": "accept"}, {"action": "ship", "tracking_number": "JP0012345"}):
        assert c.call(seller_client, "post", f"/api/v1/orders/{order_id}/transitions", json=move).status_code == 200
    shipped = c.call(client, "get", f"/api/v1/orders/{order_id}").get_json()["shipping"]
    assert shipped["courier"] == "jnt" and shipped["tracking_url"].endswith("JP0012345")
    # delivered, the buyer complains (orders/complaints.py) and the seller answers
    assert c.call(seller_client, "post", f"/api/v1/orders/{order_id}/transitions",
                  json={"action": "deliver"}).status_code == 200
    assert c.call(client, "post", f"/api/v1/orders/{order_id}/complaints",
                  json={"reason": "broken", "description": "pecah"}).status_code == 422
    # API.md's two keys are enough; the refund account of a transfer order may follow
    complained = c.call(client, "post", f"/api/v1/orders/{order_id}/complaints",
                        json={"reason": "damaged", "description": "pecah"})
    assert complained.status_code == 201
    complaint_id = complained.get_json()["id"]
    assert complained.get_json()["refund_account"] is None
    account = {"bank_code": "014", "number": "1234567890", "holder": "Budi"}
    assert c.call(client, "put", f"/api/v1/complaints/{complaint_id}/refund-account",
                  json={**account, "number": "12"}).status_code == 422
    assert c.call(seller_client, "put", f"/api/v1/complaints/{complaint_id}/refund-account",
                  json=account).status_code == 403
    given = c.call(client, "put", f"/api/v1/complaints/{complaint_id}/refund-account", json=account)
    assert given.status_code == 200 and given.get_json()["refund_account"]["number"] == "1234567890"
    assert c.call(client, "get", f"/api/v1/orders/{order_id}/complaints").status_code == 200
    assert c.call(client, "get", f"/api/v1/complaints/{complaint_id}").status_code == 200
    # while it is open the order cannot complete: its money stays held
    assert c.call(client, "post", f"/api/v1/orders/{order_id}/receipt").status_code == 409
    assert c.call(client, "post", f"/api/v1/complaints/{complaint_id}/answer",
                  json={"decision": "refund"}).status_code == 403
    assert c.call(seller_client, "post", f"/api/v1/complaints/{complaint_id}/answer",
                  json={"decision": "partial", "amount_idr": 1000}).status_code == 200
    # the buyer confirms receipt: the money (less both refunds) is released to the store
    assert c.call(seller_client, "post", f"/api/v1/orders/{order_id}/receipt").status_code == 403
    received = c.call(client, "post", f"/api/v1/orders/{order_id}/receipt")
    assert received.status_code == 200 and received.get_json()["status"] == "completed"
    assert c.call(client, "post", f"/api/v1/orders/{order_id}/receipt").status_code == 409
    balance = c.call(seller_client, "get", f"/api/v1/stores/{store.slug}/balance").get_json()
    assert balance["available_idr"] == checkout["orders"][0]["total_idr"] - 5000 - 1000
    rows = c.call(seller_client, "get", f"/api/v1/stores/{store.slug}/ledger?per_page=10").get_json()["items"]
    assert [(r["kind"], r["account"]) for r in rows] == [
        ("release", "available"), ("release", "pending"), ("refund", "pending"), ("refund", "pending"),
        ("payment", "pending")]
    # finance pays the balance out to the store's verified account, and the bank confirms it
    from orders import payouts

    account = payouts.register_account(store, {"bank_code": "014", "number": "1234567890",
                                               "holder": "Siti Aminah"}, actor=store.owner)
    payouts.check_account(account.id, verified=True, note=None, actor=make_user(roles=("officer",)))
    db.session.commit()
    assert c.call(clerk, "post", "/api/v1/payout-batches", json={"min_amount_idr": "banyak"},
                  headers=finance).status_code == 422
    batch = c.call(clerk, "post", "/api/v1/payout-batches", json={"min_amount_idr": 1}, headers=finance)
    assert batch.status_code == 201
    line = batch.get_json()["lines"][0]
    assert c.call(clerk, "post", f"/api/v1/payout-lines/{line['id']}", headers=finance,
                  json={"status": "paid", "reference": "BCA 778812"}).status_code == 200
    assert c.call(clerk, "post", f"/api/v1/payout-lines/{line['id']}", headers=finance,
                  json={"status": "paid", "reference": "BCA 778812"}).status_code == 409
    batches = c.call(clerk, "get", "/api/v1/payout-batches", headers=finance).get_json()["items"]
    assert [b["id"] for b in batches] == [batch.get_json()["id"]]
    assert c.call(seller_client, "get", "/api/v1/payout-batches").status_code == 403
    paid = c.call(seller_client, "get", f"/api/v1/stores/{store.slug}/payouts").get_json()["items"]
    assert [(p["status"], p["amount_idr"]) for p in paid] == [("paid", balance["available_idr"])]

    exercised = {(path, method) for path, method, status in c.seen if status.startswith("2")}
    mine = {op for op in _documented_operations(c.document)
            if op[0].startswith(("/api/v1/search", "/api/v1/cart", "/api/v1/checkout",
                                 "/api/v1/orders", "/api/v1/payout")) or op[0].endswith("/orders")}
    assert mine - exercised == set()


def test_unknown_api_paths_and_methods_answer_in_the_error_shape(client, contract):
    for method, url, status in [("get", "/api/v1/nowhere", 404),
                                ("put", "/api/v1/products", 405)]:
        response = getattr(client, method)(url, json={})
        assert response.status_code == status
        errors = list(contract._validator(
            _pointer("components", "schemas", "Error")).iter_errors(response.get_json()))
        assert not errors
