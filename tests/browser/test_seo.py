"""The head's additions in a real browser (Debian's Chromium): JSON-LD data blocks are read as
data, never run, and break no Content-Security-Policy rule; the icons and the manifest load;
static text arrives compressed."""
import json

from tests.browser.csp import watch_csp
from tests.catalog.conftest import image_bytes, make_product, make_store  # noqa: F401  (fixtures)
from tests.promotions.conftest import make_event, officer  # noqa: F401  (fixtures)


def test_structured_data_breaks_no_csp_rule(live_server, new_page, db, make_product, make_event):
    from catalog.images import add_image

    # given a product whose title tries to close the JSON-LD script, with a picture, and an event
    product = make_product(title='Kopi </script><script>window.pwned=1</script>')
    add_image(product, image_bytes(color=(200, 40, 40)), actor=product.store.owner)
    event = make_event(status="published")
    db.session.commit()
    page = new_page()
    violations = watch_csp(page)
    styles = []
    page.on("response", lambda r: styles.append(r) if r.url.split("?")[0].endswith("/app.css") else None)
    for path, kind in ((f"/produk/{product.id}", "Product"), (f"/acara/{event.slug}", "Event"),
                       (f"/toko/{product.store.slug}", "Organization"), ("/", "WebSite")):
        page.goto(f"{live_server}{path}")
        blocks = page.locator('script[type="application/ld+json"]').evaluate_all(
            "els => els.map(e => e.textContent)")
        kinds = [json.loads(text)["@type"] for text in blocks]
        assert kind in kinds, (path, kinds)
        # the injected script never ran, and the page reported nothing
        assert page.evaluate("() => window.pwned === undefined"), path
    names = [json.loads(text).get("name") for text in page.context.pages[0].locator(
        'script[type="application/ld+json"]').evaluate_all("els => els.map(e => e.textContent)")]
    assert "Pasar UMKM" in names
    page.wait_for_timeout(200)
    assert violations == []
    # the stylesheet came compressed, with a year-long cache
    assert styles and styles[0].header_value("content-encoding") in ("zstd", "br", "gzip")
    assert styles[0].header_value("cache-control") == "public, max-age=31536000, immutable"


def test_icons_and_manifest_load(live_server, new_page, db):
    page = new_page()
    violations = watch_csp(page)
    page.goto(f"{live_server}/")
    for selector in ('link[rel="icon"]', 'link[rel="apple-touch-icon"]', 'link[rel="manifest"]'):
        for href in page.locator(selector).evaluate_all("els => els.map(e => e.href)"):
            status = page.evaluate("async url => (await fetch(url)).status", href)
            assert status == 200, href
    status = page.evaluate("async () => (await fetch('/favicon.ico')).status")
    assert status == 200
    manifest = page.evaluate("async () => (await (await fetch(document.querySelector('link[rel=manifest]').href)).json())")
    assert manifest["display"] == "standalone" and manifest["lang"] == "id"
    assert violations == []
