"""What a crawler or a WhatsApp link preview reads from the catalog's pages: the product's
schema.org Product/Offer JSON-LD (schema.org's and Google's merchant-listing required fields),
Open Graph and Twitter tags with an absolute picture URL, the store's Organization, the
category's BreadcrumbList, meta descriptions, and JSON-LD that user text cannot break out of."""
from __future__ import annotations

import io

import pytest

from catalog.images import add_image
from tests.catalog.conftest import image_bytes, make_product, make_store  # noqa: F401  (fixtures)
from tests.head import parse_head

SCHEMA = "https://schema.org/"


@pytest.fixture
def pictured(make_product, db):
    """An active product with two pictures and a wholesale tier."""
    product = make_product(title="Kopi Robusta Tanggamus", title_en="Tanggamus Robusta Coffee",
                           description="Biji kopi robusta petik merah,\n\n sangrai medium. 250 gram.",
                           price_idr=45000, stock=20, wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 40000}])
    for color in ((200, 60, 30), (30, 60, 200)):
        add_image(product, image_bytes("JPEG", size=(800, 600), color=color), actor=product.store.owner)
    db.session.commit()
    return product


def test_product_json_ld_has_the_required_product_and_offer_fields(client, pictured):
    # given an active product with pictures, when a crawler opens its page
    response = client.get(f"/produk/{pictured.id}")
    assert response.status_code == 200
    head = parse_head(response.get_data(as_text=True))
    product = head.of_type("Product")

    # then schema.org Product: name, image, description, offers (Google: merchant listing)
    assert product["@context"] == "https://schema.org"
    assert product["name"] == "Kopi Robusta Tanggamus"
    assert product["description"] == "Biji kopi robusta petik merah, sangrai medium. 250 gram."
    assert len(product["image"]) == 2
    assert all(url.startswith("http://localhost/media/") for url in product["image"])
    assert product["sku"] == pictured.sku
    assert product["brand"] == {"@type": "Brand", "name": pictured.store.name}
    offer = product["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == 45000 and offer["priceCurrency"] == "IDR"
    assert offer["availability"] == SCHEMA + "InStock"
    assert offer["itemCondition"] == SCHEMA + "NewCondition"
    assert offer["url"] == f"http://localhost/produk/{pictured.id}"
    assert offer["seller"] == {"@type": "Organization", "name": pictured.store.name,
                               "url": f"http://localhost/toko/{pictured.store.slug}"}
    assert offer["priceSpecification"][0]["price"] == 40000
    assert offer["priceSpecification"][0]["eligibleQuantity"]["minValue"] == 10
    # no reviews exist yet: no rating is claimed
    assert "aggregateRating" not in product and "review" not in product

    # and the breadcrumbs: home, the category, the product
    crumbs = head.of_type("BreadcrumbList")["itemListElement"]
    assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
    assert crumbs[0]["item"] == "http://localhost/"
    assert crumbs[-2]["item"] == "http://localhost/kategori/kopi"
    assert crumbs[-1]["name"] == "Kopi Robusta Tanggamus" and "item" not in crumbs[-1]


def test_english_page_describes_the_product_in_english(client, pictured):
    head = parse_head(client.get(f"/produk/{pictured.id}?lang=en").get_data(as_text=True))
    product = head.of_type("Product")
    assert product["name"] == "Tanggamus Robusta Coffee"
    assert product["offers"]["url"] == f"http://localhost/produk/{pictured.id}?lang=en"
    assert head.one("og:title") == "Tanggamus Robusta Coffee"
    assert head.one("og:locale") == "en_US"


def test_out_of_stock_product_says_so(client, make_product):
    product = make_product(stock=0)
    head = parse_head(client.get(f"/produk/{product.id}").get_data(as_text=True))
    assert head.of_type("Product")["offers"]["availability"] == SCHEMA + "OutOfStock"
    assert head.one("product:availability") == "out of stock"


def test_a_rating_adds_aggregate_rating(app, client, pictured):
    # given the reviews domain (issue 15) reports a rating through the hook
    from catalog.seo import Rating, product_ratings

    entries = product_ratings._list(app)
    entry = lambda product: Rating(4.567, 12) if product.id == pictured.id else None  # noqa: E731
    entries.append(entry)
    try:
        head = parse_head(client.get(f"/produk/{pictured.id}").get_data(as_text=True))
    finally:
        entries.remove(entry)
    # then the Product carries it
    assert head.of_type("Product")["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": 4.57, "reviewCount": 12, "bestRating": 5,
        "worstRating": 1}


def test_share_preview_tags_have_picture_price_and_title(client, pictured):
    # when WhatsApp reads the product link
    head = parse_head(client.get(f"/produk/{pictured.id}").get_data(as_text=True))
    # then it finds the title, description, the main picture's absolute URL and the price
    assert head.one("og:type") == "product"
    assert head.one("og:title") == "Kopi Robusta Tanggamus"
    assert head.one("og:description").startswith("Biji kopi robusta petik merah")
    assert head.one("og:site_name") == "Pasar UMKM"
    assert head.one("og:url") == f"http://localhost/produk/{pictured.id}"
    main = pictured.images[0]
    # a JPEG (stored pictures are WebP, which WhatsApp's preview is widely reported not to show)
    assert head.one("og:image") == f"http://localhost/produk/{pictured.id}/gambar-bagikan.jpg?v={main.id}"
    assert head.one("og:image:type") == "image/jpeg"
    assert (head.one("og:image:width"), head.one("og:image:height")) == (str(main.width), str(main.height))
    assert head.one("product:price:amount") == "45000"
    assert head.one("product:price:currency") == "IDR"
    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("twitter:image") == head.one("og:image")
    assert head.one("description") == head.one("og:description")
    # the picture URL answers
    with client.get(head.one("og:image").removeprefix("http://localhost")) as picture:
        assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
        assert picture.headers["Cache-Control"] == "public, max-age=86400"
        from PIL import Image

        shown = Image.open(io.BytesIO(picture.data))
        assert shown.format == "JPEG" and shown.size == (main.width, main.height)


def test_share_picture_is_made_smaller_and_follows_the_product(client, make_product, db):
    # given a product with a large picture
    product = make_product()
    add_image(product, image_bytes("PNG", size=(1600, 1000)), actor=product.store.owner)
    db.session.commit()
    with client.get(f"/produk/{product.id}/gambar-bagikan.jpg") as picture:
        from PIL import Image

        assert Image.open(io.BytesIO(picture.data)).size == (1200, 750)
    head = parse_head(client.get(f"/produk/{product.id}?lang=en").get_data(as_text=True))
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "750")
    assert "lang=" not in head.one("og:image")
    # a product without pictures has none, and a draft's is not shown to others
    bare = make_product()
    assert client.get(f"/produk/{bare.id}/gambar-bagikan.jpg").status_code == 404
    draft = make_product(status="draft")
    add_image(draft, image_bytes("JPEG"), actor=draft.store.owner)
    db.session.commit()
    assert client.get(f"/produk/{draft.id}/gambar-bagikan.jpg").status_code == 404


def test_absolute_urls_follow_the_public_url_or_the_proxy(app, client, pictured):
    # behind a proxy that sends its host and scheme, with PUBLIC_URL unset
    app.config["PUBLIC_URL"] = None
    from werkzeug.middleware.proxy_fix import ProxyFix

    wsgi = app.wsgi_app
    app.wsgi_app = ProxyFix(wsgi, x_for=1, x_proto=1, x_host=1)
    try:
        html = client.get(f"/produk/{pictured.id}", headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "pasar.example.id"}).get_data(as_text=True)
    finally:
        app.wsgi_app = wsgi
    assert parse_head(html).one("og:image").startswith("https://pasar.example.id/produk/")
    # with PUBLIC_URL set, it wins over whatever the request says
    app.config["PUBLIC_URL"] = "https://umkm.example.id/"
    try:
        head = parse_head(client.get(f"/produk/{pictured.id}").get_data(as_text=True))
    finally:
        app.config["PUBLIC_URL"] = None
    assert head.one("og:image").startswith("https://umkm.example.id/produk/")
    assert head.of_type("Product")["image"][0].startswith("https://umkm.example.id/media/")
    assert head.link("canonical")[0]["href"] == f"https://umkm.example.id/produk/{pictured.id}"


def test_json_ld_cannot_be_closed_by_a_product_title(client, make_product):
    # given a seller who names a product to break out of the script element
    evil = '</script><script>alert(1)</script> & "kutip"'
    product = make_product(title=evil, description="<b>tebal</b>")
    html = client.get(f"/produk/{product.id}").get_data(as_text=True)
    # then the JSON-LD is one script element whose text has no <, > or &
    head = parse_head(html)
    assert head.of_type("Product")["name"] == evil
    raw = next(r for r in head.raw_json_ld if '"Product"' in r)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\\u003c/script\\u003e" in raw
    assert "<script>alert(1)" not in html
    # and the meta tags carry it as text
    assert head.one("og:title") == evil


def test_draft_product_is_not_indexed(client, make_product, login):
    product = make_product(status="draft")
    login(client, product.store.owner)
    head = parse_head(client.get(f"/produk/{product.id}").get_data(as_text=True))
    assert head.one("robots") == "noindex"


def test_store_page_has_the_store_as_organization(client, make_store):
    store = make_store(description="Kopi robusta petik merah dari lereng Tanggamus.",
                       cooperative="Koperasi Kopi Tanggamus")
    head = parse_head(client.get(f"/toko/{store.slug}").get_data(as_text=True))
    org = head.of_type("Organization")
    assert org["name"] == store.name
    assert org["url"] == f"http://localhost/toko/{store.slug}"
    assert org["address"]["addressCountry"] == "ID"
    assert org["address"]["addressRegion"] == store.province.name
    assert org["memberOf"]["name"] == "Koperasi Kopi Tanggamus"
    assert head.one("description") == "Kopi robusta petik merah dari lereng Tanggamus."


def test_home_has_the_marketplace_organization(client, db):
    head = parse_head(client.get("/").get_data(as_text=True))
    org = head.of_type("Organization")
    assert org["name"] == "Pasar UMKM" and org["url"] == "http://localhost/"
    assert org["logo"].startswith("http://localhost/static/core/icons/icon-512.png")
    assert head.of_type("WebSite")["name"] == "Pasar UMKM"
    assert head.one("description").startswith("Kopi, tapis, keripik, madu")


def test_category_page_has_breadcrumbs_and_a_description(client, db):
    head = parse_head(client.get("/kategori/kopi?lang=en&sort=price_asc").get_data(as_text=True))
    crumbs = head.of_type("BreadcrumbList")["itemListElement"]
    assert crumbs[0] == {"@type": "ListItem", "position": 1, "name": "Home", "item": "http://localhost/?lang=en"}
    assert crumbs[-1]["item"].startswith("http://localhost/kategori/kopi?lang=en")
    assert "Coffee" in head.one("description")
    # sorting is not another page
    assert head.link("canonical")[0]["href"] == "http://localhost/kategori/kopi?lang=en"


def test_search_pages_describe_the_search(client, db):
    for path in ("/cari?q=kopi", "/produk?q=kopi"):
        head = parse_head(client.get(path).get_data(as_text=True))
        assert "“kopi”" in head.one("description"), path
        assert head.link("canonical")[0]["href"].endswith("?q=kopi"), path
