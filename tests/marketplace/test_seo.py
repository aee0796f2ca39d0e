"""Crawlers, link previews and slow phones: the language in the URL with canonical and hreflang
links, robots.txt, the sitemaps (valid XML, paged by id ranges), the favicon and the web app
manifest, compression and cache headers."""
from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.head import parse_head
from tests.promotions.conftest import make_event, officer  # noqa: F401  (fixtures)

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


# --- language in the URL, canonical and hreflang --------------------------------------------

def test_every_page_type_has_description_canonical_and_hreflang(client, make_product, make_event):
    product = make_product()
    event = make_event(status="published")
    for path in ("/", "/produk", "/kategori/kopi", f"/produk/{product.id}", f"/toko/{product.store.slug}",
                 "/acara", f"/acara/{event.slug}", "/cari?q=kopi", "/masuk"):
        head = parse_head(client.get(path).get_data(as_text=True))
        assert len(head.one("description")) > 40, path
        plain = "http://localhost" + path.split("?")[0] + ("?q=kopi" if "q=" in path else "")
        joiner = "&" if "?" in plain else "?"
        # the Indonesian version is the plain URL (what a visitor without a choice gets)
        assert [link["href"] for link in head.link("canonical")] == [plain], path
        assert {link["hreflang"]: link["href"] for link in head.link("alternate")} == {
            "id": plain, "en": f"{plain}{joiner}lang=en", "x-default": plain}, path


def test_lang_in_the_url_chooses_the_language_for_that_request_only(client, make_product):
    product = make_product(title="Keripik Pisang", title_en="Banana Chips")
    # when a visitor opens the English address
    html = client.get(f"/produk/{product.id}?lang=en").get_data(as_text=True)
    # then the page is English, its canonical is the English address, and its links keep lang=en
    assert '<html lang="en">' in html and "Banana Chips" in html
    assert parse_head(html).link("canonical")[0]["href"] == f"http://localhost/produk/{product.id}?lang=en"
    assert f'href="/toko/{product.store.slug}?lang=en"' in html
    assert 'action="/keranjang/tambah?lang=en"' in html
    assert '<input type="hidden" name="lang" value="en">' in html  # the search form keeps it
    # static files, media and the API do not get it
    assert "/static/core/css/app.css?v=" in html and "app.css?v=" in html and "lang=en&v=" not in html
    assert 'data-suggest-url="/api/v1/search/suggest"' in html
    # and the session did not change: the plain address is still Indonesian
    html = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert '<html lang="id">' in html and "Keripik Pisang" in html
    assert f'href="/toko/{product.store.slug}"' in html


def test_an_unknown_lang_is_ignored(client, db):
    html = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="id">' in html
    assert parse_head(html).link("canonical")[0]["href"] == "http://localhost/"


def test_switching_language_drops_the_lang_of_the_page(client, db):
    # given a visitor on the English address of a page, when they switch to Indonesian
    response = client.post("/bahasa", data={"lang": "id", "next": "/kategori/kopi?sort=newest&lang=en"})
    # then they are sent back to the page without the old lang, in Indonesian
    assert response.status_code == 302
    assert response.headers["Location"] == "/kategori/kopi?sort=newest"
    assert '<html lang="id">' in client.get(response.headers["Location"]).get_data(as_text=True)


def test_plain_url_in_the_chosen_language_names_that_version_as_canonical(client, db):
    # given a visitor who chose English with the switch
    client.post("/bahasa", data={"lang": "en", "next": "/kategori/kopi"})
    # when they open the plain address, it is English, and its canonical is the English address
    html = client.get("/kategori/kopi").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert parse_head(html).link("canonical")[0]["href"] == "http://localhost/kategori/kopi?lang=en"


def test_page_number_is_part_of_the_canonical_but_sorting_is_not(client, db):
    head = parse_head(client.get("/produk?page=2&sort=price_asc").get_data(as_text=True))
    assert head.link("canonical")[0]["href"] == "http://localhost/produk?page=2"
    head = parse_head(client.get("/produk?page=1&lang=en").get_data(as_text=True))
    assert head.link("canonical")[0]["href"] == "http://localhost/produk?lang=en"


def test_error_pages_are_not_indexed(client, db):
    response = client.get("/produk/999999")
    assert response.status_code == 404
    head = parse_head(response.get_data(as_text=True))
    assert head.one("robots") == "noindex"


# --- robots.txt and sitemaps -----------------------------------------------------------------

def test_robots_txt_opens_public_pages_and_closes_private_ones(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow:")}
    for private in ("/api/", "/akun", "/masuk", "/jual", "/petugas", "/admin", "/keranjang",
                    "/checkout", "/pesanan", "/rfq", "/notifikasi"):
        assert private in disallowed, private
    for public in ("/produk/1", "/kategori/kopi", "/toko/x", "/acara/x", "/cari", "/media/x.webp", "/"):
        assert not any(public.startswith(path) for path in disallowed), public
    assert "Sitemap: http://localhost/sitemap.xml" in lines


def _xml(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/xml"
    return ET.fromstring(response.get_data())


def test_sitemap_index_and_files_list_every_public_page_per_language(app, client, make_product, make_event,
                                                                   make_store):
    # given 5 active products, a draft, an archived one, 2 events (one a draft) and a page size of 2
    app.config["SITEMAP_PAGE_SIZE"] = 2
    try:
        store = make_store()
        active = [make_product(store=store) for _ in range(3)]
        draft = make_product(store=store, status="draft")
        active += [make_product(store=store) for _ in range(2)]
        archived = make_product(store=store, status="archived")
        event = make_event(status="published")
        make_event(status="draft", title="Draf Pameran Kopi Nusantara")

        index = _xml(client, "/sitemap.xml")
        assert index.tag == f"{SM}sitemapindex"
        locs = [s.find(f"{SM}loc").text for s in index.findall(f"{SM}sitemap")]
        # products have ids 1..7 in files of 2 ids: 1-2, 3-4, 5-6 (5 and 6: one active), 7 (archived: none)
        product_files = sorted(loc for loc in locs if "sitemap-products-" in loc)
        assert product_files == [f"http://localhost/sitemap-products-{n}.xml" for n in (1, 2, 3)]
        assert {"http://localhost/sitemap-pages-1.xml", "http://localhost/sitemap-categories-1.xml",
                "http://localhost/sitemap-stores-1.xml", "http://localhost/sitemap-events-1.xml",
                "http://localhost/sitemap-eventlist-1.xml"} <= set(locs)
        assert all(s.find(f"{SM}lastmod") is not None for s in index.findall(f"{SM}sitemap")
                   if "products" in s.find(f"{SM}loc").text)

        listed = set()
        for loc in product_files:
            urlset = _xml(client, loc.removeprefix("http://localhost"))
            assert urlset.tag == f"{SM}urlset"
            urls = urlset.findall(f"{SM}url")
            assert len(urls) <= 2 * 2  # page size, once per language
            for url in urls:
                alternates = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
                assert set(alternates) == {"id", "en", "x-default"}
                assert alternates["id"] == alternates["x-default"]
                assert alternates["en"] == alternates["id"] + "?lang=en"
                assert url.find(f"{SM}loc").text in (alternates["id"], alternates["en"])
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", url.find(f"{SM}lastmod").text)
                listed.add(alternates["x-default"])
        assert listed == {f"http://localhost/produk/{p.id}" for p in active}
        assert f"http://localhost/produk/{draft.id}" not in listed
        assert f"http://localhost/produk/{archived.id}" not in listed

        events = _xml(client, "/sitemap-events-1.xml")
        assert [u.find(f"{SM}loc").text for u in events.findall(f"{SM}url")] == [
            f"http://localhost/acara/{event.slug}", f"http://localhost/acara/{event.slug}?lang=en"]
        categories = _xml(client, "/sitemap-categories-1.xml")
        assert "http://localhost/kategori/kopi?lang=en" in {u.find(f"{SM}loc").text
                                                            for u in categories.findall(f"{SM}url")}
        # a file past the end, or of no section, is not found
        assert client.get("/sitemap-products-4.xml").status_code == 404
        assert client.get("/sitemap-nothing-1.xml").status_code == 404
    finally:
        app.config["SITEMAP_PAGE_SIZE"] = 10_000


# --- favicon, icons, manifest ----------------------------------------------------------------

def test_favicon_and_icons_answer(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/x-icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    with client.get("/apple-touch-icon.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
    html = client.get("/masuk").get_data(as_text=True)
    head = parse_head(html)
    for rel in ("icon", "apple-touch-icon"):
        for link in head.link(rel):
            with client.get(link["href"]) as response:
                assert response.status_code == 200, link
                assert response.mimetype == link.get("type", response.mimetype)
    assert head.one("theme-color") == "#b5361b"


def test_manifest_makes_the_site_installable(client):
    head = parse_head(client.get("/?lang=en").get_data(as_text=True))
    href = head.link("manifest")[0]["href"]
    assert href == "/manifest.webmanifest?lang=en"
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    assert manifest["name"] == "Pasar UMKM" and manifest["short_name"] == "Pasar UMKM"
    assert manifest["display"] == "standalone" and manifest["lang"] == "en"
    assert manifest["start_url"] == "/?lang=en"
    assert manifest["theme_color"] == "#b5361b" and manifest["background_color"]
    assert "Indonesian micro, small and medium" in manifest["description"]
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    from PIL import Image

    for icon in manifest["icons"]:
        with client.get(icon["src"]) as answer:
            assert answer.status_code == 200 and answer.mimetype == icon["type"], icon
            if icon["type"] == "image/png":
                import io

                width, height = Image.open(io.BytesIO(answer.data)).size
                assert f"{width}x{height}" == icon["sizes"], icon


# --- compression and cache headers -----------------------------------------------------------

@pytest.mark.parametrize("path, mimetype", [("/static/core/css/app.css", "text/css"),
                                            ("/static/core/js/page.js", "text/javascript"),
                                            ("/static/core/icons/favicon.svg", "image/svg+xml")])
def test_static_text_is_compressed(client, path, mimetype):
    with client.get(path) as plain:
        original = plain.data
    with client.get(path, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert gzip.decompress(response.data) == original
    with client.get(path, headers={"Accept-Encoding": "br, gzip"}) as response:
        assert response.headers["Content-Encoding"] == "br"


def test_pages_json_and_xml_are_compressed_for_visitors(client, make_product):
    make_product()
    for path in ("/", "/sitemap.xml", "/sitemap-products-1.xml", "/api/v1/openapi.json", "/manifest.webmanifest"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path
        assert response.headers.get("Content-Encoding") == "gzip", path
        gzip.decompress(response.data)


def test_signed_in_pages_are_not_compressed(client, make_product, login):
    # a signed-in page carries the session's CSRF token beside text others control (BREACH)
    product = make_product()
    login(client, product.store.owner)
    response = client.get("/jual", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == "no-cache, private"


def test_versioned_static_files_are_cached_for_a_year(client):
    html = client.get("/masuk").get_data(as_text=True)
    assert client.get("/masuk").headers["Cache-Control"] == "no-cache, private"
    href = re.search(r'href="(/static/core/css/app.css\?v=[0-9a-f]{12})"', html).group(1)
    with client.get(href) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # an old or missing version is not cached as if it were this file
    for stale in ("/static/core/css/app.css?v=000000000000", "/static/core/css/app.css"):
        with client.get(stale) as response:
            assert response.status_code == 200
            assert "immutable" not in response.headers.get("Cache-Control", ""), stale
