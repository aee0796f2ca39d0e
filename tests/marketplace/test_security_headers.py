"""Security headers on every kind of response: a strict Content-Security-Policy on pages (no
inline script or style; Stripe.js allowed), a run-nothing policy on everything else, and the
usual companions. HSTS only over HTTPS. All set by one hook, marketplace.web._security_headers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.catalog.conftest import image_bytes, make_product, make_store  # noqa: F401  (fixtures)
from tests.promotions.conftest import make_event, officer  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
#: A <script> the browser never runs: a JSON data block (JSON-LD included).
DATA_BLOCK = re.compile(r'type="application/(ld\+)?json"')
TEMPLATE_DIRS = sorted(d for package in ("marketplace", "catalog", "orders", "search", "promotions")
                       for d in (ROOT / package).rglob("templates") if d.is_dir())


def csp(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {response.request.path}"
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in policy, f"{name} twice"
        policy[name] = sources
    return policy


def assert_common(response) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions
    assert 'payment=(self "https://js.stripe.com")' in permissions
    assert "Strict-Transport-Security" not in headers  # plain HTTP: never HSTS


def assert_page_policy(response) -> None:
    assert response.mimetype == "text/html"
    assert_common(response)
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and "https://js.stripe.com" in policy["script-src"]
    assert set(policy["frame-src"]) >= {"https://js.stripe.com", "https://hooks.stripe.com"}
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # nothing that would let an injected inline script or handler run
    flat = " ".join(" ".join(v) for v in policy.values())
    assert "'unsafe-inline'" not in flat and "'unsafe-eval'" not in flat
    assert "*" not in policy["script-src"] and "https:" not in policy["script-src"]


def assert_resource_policy(response) -> None:
    assert_common(response)
    assert csp(response) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}


def assert_no_inline_code(html: str) -> None:
    """What the page CSP would block: inline <script> (JSON and JSON-LD data blocks are fine), <style>,
    on*= handlers, style= attributes, javascript: URLs."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or DATA_BLOCK.search(tag), tag
    assert "<style" not in html
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)
    assert not re.search(r"<[^>]+\sstyle\s*=", html)
    assert "javascript:" not in html


def test_public_pages_send_the_page_policy(client, db, make_product, make_event):
    product = make_product()
    event = make_event(status="published")
    for path in ("/", f"/produk/{product.id}", f"/toko/{product.store.slug}", f"/acara/{event.slug}",
                 "/produk", "/masuk"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_policy(response)
        assert_no_inline_code(response.get_data(as_text=True))


def test_logged_in_pages_send_the_page_policy(client, db, make_product, login):
    product = make_product()
    login(client, product.store.owner)
    for path in ("/jual", "/jual/toko", f"/jual/produk/{product.id}/ubah", "/jual/produk/impor",
                 "/akun/token", "/pesanan"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_policy(response)
        assert_no_inline_code(response.get_data(as_text=True))


def test_error_pages_send_the_page_policy(client, db, make_user, login):
    missing = client.get("/produk/999999")
    assert missing.status_code == 404
    assert_page_policy(missing)
    nowhere = client.get("/tidak-ada-halaman-ini")
    assert nowhere.status_code == 404
    assert_page_policy(nowhere)
    assert_no_inline_code(nowhere.get_data(as_text=True))
    login(client, make_user())
    forbidden = client.get("/admin/toko")
    assert forbidden.status_code in (403, 404)
    assert_page_policy(forbidden)


def test_redirects_carry_the_headers(client, db):
    response = client.get("/jual")
    assert response.status_code == 302
    assert_common(response)
    assert "Content-Security-Policy" in response.headers


def test_api_responses_send_the_run_nothing_policy(client, db, make_product):
    product = make_product()
    for path, status in ((f"/api/v1/products/{product.id}", 200), ("/api/v1/openapi.json", 200),
                         ("/api/v1/products/999999", 404), ("/api/v1/tidak-ada", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        assert response.mimetype == "application/json", path
        assert_resource_policy(response)


def test_static_files_send_the_headers(client):
    for path, mimetype in (("/static/core/css/app.css", "text/css"),
                           ("/static/core/js/card.js", "text/javascript")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == mimetype
        assert_resource_policy(response)
        response.close()


def test_uploaded_media_sends_the_headers(client, db, make_product):
    from catalog.images import add_image

    product = make_product()
    image = add_image(product, image_bytes(), actor=product.store.owner)
    db.session.commit()
    response = client.get(f"/media/{image.path}")
    assert response.status_code == 200 and response.mimetype.startswith("image/")
    assert_resource_policy(response)
    assert "immutable" in response.headers["Cache-Control"]
    response.close()
    assert_page_policy(client.get("/media/private/x.jpg"))  # the 404 page


def test_hsts_only_over_https(client, db):
    plain = client.get("/")
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    api = client.get("/api/v1/openapi.json", environ_overrides={"wsgi.url_scheme": "https"})
    assert api.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    static = client.get("/static/core/css/app.css", base_url="https://localhost")
    assert "Strict-Transport-Security" in static.headers
    static.close()


@pytest.mark.parametrize("folder", TEMPLATE_DIRS, ids=lambda d: str(d.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_style(folder):
    """The page CSP blocks inline code: keep it out of every template."""
    for path in folder.rglob("*.html"):
        source = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", source):
            assert "src=" in tag or DATA_BLOCK.search(tag), f"{path}: {tag}"
        assert "<style" not in source, path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", source), path
        assert not re.search(r"<[^>]+\sstyle\s*=", source), path
