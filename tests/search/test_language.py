"""The buyer's language in search, on both backends: result cards and suggestions show the
catalog in the UI language, per field falling back to Indonesian, and a query in either
language finds the product; snippets stay short and safe."""
import re

import pytest

from catalog.models import Category, Product
from tests.search.pages import cards, filter_form


@pytest.fixture
def half_translated(fixed_catalog, make_store, make_product, backend_name):
    """Two more coffees: one with no English description, one with no English title."""
    store = make_store(name="Warung Kopi Gayo", regency_code="18.71")
    no_description = make_product(
        store=store, title="Kopi Arabika Gayo Sangrai", title_en="Roasted Gayo Arabica Coffee",
        description="Kopi arabika dari dataran tinggi Gayo, sangrai sedang.", description_en=None)
    no_title = make_product(
        store=store, title="Kopi Tubruk Khas Lampung", title_en=None,
        description="Kopi tubruk giling halus.",
        description_en="Traditional Lampung coffee, finely ground for tubruk brewing.")
    return {**fixed_catalog, "no_description": no_description.id, "no_title": no_title.id}


def english(client):
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    return client


def result_cards(client, **args):
    response = client.get("/cari", query_string=args)
    assert response.status_code == 200
    return cards(response.get_data(as_text=True))


def product_of(db, card) -> Product:
    return db.session.get(Product, int(card["url"].rsplit("/", 1)[1]))


def test_english_reader_sees_english_titles_and_snippets_per_field(
        client, db, half_translated, backend_name):
    # given the catalog, two coffees of it only half translated, and a reader in English
    english(client)

    # when they search for "coffee"
    found = result_cards(client, q="coffee")

    # then every card shows the English title and description where the product has them,
    # else the Indonesian one, field by field
    assert len(found) >= 5
    for card in found:
        product = product_of(db, card)
        assert card["title"] == product.display_title("en")
        shown = product.display_description("en")
        assert card["snippet"].strip("…") in shown
    by_id = {product_of(db, c).id: c for c in found}
    robusta = by_id[half_translated["robusta"]]
    assert robusta["title"] == "Lampung Robusta Coffee Red Cherry 250g"
    assert "<em>Coffee</em>" in robusta["title_html"]
    assert robusta["snippet"].startswith("Lampung Robusta Coffee Red Cherry 250g. Genuine")
    assert "Kopi" not in robusta["title"] + robusta["snippet"]
    no_description = by_id[half_translated["no_description"]]
    assert no_description["title"] == "Roasted Gayo Arabica Coffee"
    assert no_description["snippet"].startswith("Kopi arabika dari dataran tinggi Gayo")
    assert "<em>Kopi</em>" in no_description["snippet_html"]   # "coffee" finds "kopi"
    no_title = by_id[half_translated["no_title"]]
    assert no_title["title"] == "Kopi Tubruk Khas Lampung"
    assert "<em>Kopi</em>" in no_title["title_html"]
    assert "<em>coffee</em>" in no_title["snippet_html"]


def test_highlights_come_only_from_the_shown_field(client, db, fixed_catalog, backend_name):
    # given a reader in English, and words only the Indonesian title has
    english(client)

    # when they search for them
    found = result_cards(client, q="petik merah")

    # then the English title is shown, unmarked (its Indonesian twin matched, not it)
    assert [c["title"] for c in found] == ["Lampung Robusta Coffee Red Cherry 250g"]
    assert "<em>" not in found[0]["title_html"]


def test_a_query_in_either_language_finds_the_product_in_either_ui(
        client, db, fixed_catalog, backend_name):
    coffees = {fixed_catalog[k] for k in ("robusta", "bubuk", "luwak")}
    # given a reader in English who types the Indonesian word
    english(client)
    found = result_cards(client, q="kopi")
    # then the coffees are found and shown in English, the English word marked
    assert coffees <= {product_of(db, c).id for c in found}
    robusta = next(c for c in found if product_of(db, c).id == fixed_catalog["robusta"])
    assert robusta["title_html"] == "Lampung Robusta <em>Coffee</em> Red Cherry 250g"

    # and a reader in Indonesian who types the English word finds them in Indonesian
    client.post("/bahasa", data={"lang": "id", "next": "/"})
    found = result_cards(client, q="coffee")
    assert coffees <= {product_of(db, c).id for c in found}
    robusta = next(c for c in found if product_of(db, c).id == fixed_catalog["robusta"])
    assert robusta["title_html"] == "<em>Kopi</em> Robusta Lampung Petik Merah 250g"
    assert robusta["snippet"].startswith("Kopi Robusta Lampung Petik Merah 250g. Produk UMKM")


def test_suggestions_follow_the_language_asked_for(client, half_translated, backend_name):
    def suggested(text, lang):
        response = client.get("/api/v1/search/suggest", query_string={"q": text},
                              headers={"Accept-Language": lang})
        return [s["text"] for s in response.get_json()["suggestions"] if s["type"] == "product"]

    # given products with and without an English title: Indonesian asked, Indonesian titles
    assert "Kopi Robusta Lampung Petik Merah 250g" in suggested("kopi rob", "id")
    assert not any("Coffee" in text for text in suggested("kopi", "id"))
    # English asked: English titles, the Indonesian one where there is no English title
    in_english = suggested("kopi", "en")
    assert "Lampung Robusta Coffee Red Cherry 250g" in in_english
    assert "Kopi Tubruk Khas Lampung" in in_english
    assert not any(text.startswith("Kopi Robusta") for text in in_english)


def test_category_names_in_the_filter_fall_back_to_indonesian(client, db, fixed_catalog, backend_name):
    # given a category with no English name
    category = db.session.scalar(db.select(Category).filter_by(slug="madu"))
    saved = category.name_en
    category.name_en = ""
    db.session.commit()
    try:
        english(client)
        # when an English reader opens the search page
        page = client.get("/cari").get_data(as_text=True)
        # then its option reads in Indonesian, the other categories in English, in tree order
        form = filter_form(page)
        labels = dict(form.options["category"])
        assert labels["madu"] == "Madu (2)"
        assert labels["kopi-teh"] == "Coffee & Tea (4)" and labels["kopi"] == "— Coffee (3)"
        slugs = [value for value, _label in form.options["category"]]
        assert slugs.index("kopi-teh") + 1 in (slugs.index("kopi"), slugs.index("teh"))
    finally:
        category.name_en = saved
        db.session.commit()


HOSTILE = '<img src=x onerror="alert(1)"> & <script>alert("snippet")</script>'


def test_snippets_are_short_escaped_and_keep_the_match(client, make_store, make_product, backend_name):
    # given a product whose long description is hostile and mentions the word late
    store = make_store(name="Toko Uji Cuplikan")
    filler = " ".join(f"kalimat{n} panjang tentang produk lain" for n in range(40))
    product = make_product(store=store, title="Gula Semut Aren Organik", title_en="Organic Palm Sugar",
                           description=f"{HOSTILE} {filler} pemanis alami rendah indeks {HOSTILE} {filler}")

    # when a buyer searches for that word, and then for the title only
    for q in ("pemanis", "gula semut"):
        page = client.get("/cari", query_string={"q": q}).get_data(as_text=True)
        (card,) = cards(page)

        # then the snippet is at most ~140 characters, cut on a word, with no live markup
        assert card["url"] == f"/produk/{product.id}"
        assert len(card["snippet"].strip("…")) <= 140
        assert card["snippet"].endswith("…")
        words = " " + " ".join(product.description.split()) + " "
        assert " " + card["snippet"].strip("…") + " " in words      # whole words only
        listing = page.split('class="cards result-cards"')[1].split("</ul>")[0]
        assert "<script" not in listing and "<img src=x" not in listing
        assert set(re.findall(r"</?([a-z]+)", card["snippet_html"])) <= {"em"}
        if q == "pemanis":
            assert "<em>pemanis</em>" in card["snippet_html"]
            assert card["snippet"].startswith("…")
        else:
            assert "&lt;script&gt;" in card["snippet_html"]     # the start, escaped
    # and the API keeps its highlight shape, escaped as well
    body = client.get("/api/v1/search", query_string={"q": "pemanis"}).get_json()
    fragment = body["items"][0]["highlight"]["description"][0]
    assert "<em>pemanis</em>" in fragment and "<script" not in fragment


def test_the_api_keeps_its_shape_and_names_categories_in_the_language_asked(
        client, fixed_catalog, backend_name):
    def robusta(lang):
        body = client.get("/api/v1/search", query_string={"q": "kopi robusta petik"},
                          headers={"Accept-Language": lang}).get_json()
        return next(i for i in body["items"] if i["id"] == fixed_catalog["robusta"]), body

    # given the same search asked in Indonesian and in English
    in_indonesian, body_id = robusta("id")
    in_english, body_en = robusta("en")
    # then the product's own fields are the same, the category is named in the language asked
    for item in (in_indonesian, in_english):
        assert item["title"] == "Kopi Robusta Lampung Petik Merah 250g"
        assert item["title_en"] == "Lampung Robusta Coffee Red Cherry 250g"
        assert set(item["highlight"]) <= {"title", "title_en", "description", "description_en"}
    assert in_indonesian["category_name"] == "Kopi" and in_english["category_name"] == "Coffee"
    assert set(body_id) == set(body_en) >= {"items", "total", "page", "per_page", "facets", "backend"}
    assert dict((b["value"], b["label"]) for b in body_en["facets"]["category"])["kopi-teh"] == "Coffee & Tea"


def test_a_card_without_a_picture_shows_the_title_initial_not_a_broken_image(
        client, half_translated, backend_name):
    # given products without pictures (the fixed catalog has none)
    # when a buyer searches for them
    page = client.get("/cari", query_string={"q": "kopi"}).get_data(as_text=True)
    # then each card shows the title's initial in the placeholder, and no broken image
    assert 'class="noimg" aria-hidden="true">K</div>' in page
    assert "data:image" not in page
