"""The results page's filter panel on both backends: a GET form over the same parameters the
search always read, so it round-trips them, applies changes, and old links keep working."""
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa

from catalog.models import Store
from tests.search.pages import cards, filter_form, submitted


def page_of(client, args):
    response = client.get("/cari", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def sent(pairs) -> dict:
    """What the search reads of a submitted form (empty fields mean 'any')."""
    return {k: v for k, v in pairs if v != ""}


def titles(page) -> list[str]:
    return [c["title"] for c in cards(page)]


def test_the_filter_form_round_trips_every_parameter(client, db, fixed_catalog, backend_name):
    # given a results page reached with every kind of filter, as a shared link would
    tanggamus = db.session.scalar(sa.select(Store).filter_by(name="Kopi Lereng Tanggamus"))
    args = {"q": "lampung", "category": "kopi-teh", "province": "18", "regency": "18.06",
            "scale": "mikro", "min_price": "20000", "max_price": "400000", "verified": "true",
            "in_stock": "true", "export_ready": "true", "sort": "price_asc",
            "store": tanggamus.slug}
    page = page_of(client, args)
    assert titles(page) == ["Kopi Luwak Liar Lampung Barat"]

    # when the buyer presses Apply without changing anything
    again = submitted(page)

    # then the form sends back exactly those parameters, and the same results come
    assert sent(again) == args
    assert len(again) == len(dict(again))   # one value each
    assert titles(page_of(client, again)) == titles(page)
    form = filter_form(page)
    assert form.kinds() == {"q": "hidden", "store": "hidden", "category": "select",
                            "province": "select", "regency": "select", "scale": "select",
                            "min_price": "number", "max_price": "number", "halal": "checkbox",
                            "export_ready": "checkbox", "verified": "checkbox",
                            "in_stock": "checkbox", "sort": "select"}
    assert '<summary>Filter (9 aktif)</summary>' in page


def test_applying_a_filter_and_removing_it_by_its_chip(client, fixed_catalog, backend_name):
    # given a search for chips, one of them out of stock
    page = page_of(client, {"q": "keripik"})
    assert len(cards(page)) == 3 and "<summary>Filter</summary>" in page
    assert "filter-chips" not in page

    # when the buyer ticks "in stock", picks the cheapest first and applies
    page = page_of(client, submitted(page, in_stock=True, sort="price_asc"))

    # then two remain, cheapest first, and the filter shows as a removable chip
    assert titles(page) == ["Keripik Singkong Balado Pedas", "Keripik Pisang Coklat"]
    assert "<summary>Filter (1 aktif)</summary>" in page
    chip = page.split('class="filter-chips"')[1].split("</ul>")[0]
    assert "Stok tersedia" in chip
    remove = chip.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert dict(parse_qsl(urlsplit(remove).query)) == {"q": "keripik", "sort": "price_asc"}
    assert len(cards(page_of(client, dict(parse_qsl(urlsplit(remove).query))))) == 3


def test_price_chip_removes_both_bounds_and_clear_all_keeps_the_words(client, fixed_catalog, backend_name):
    page = page_of(client, {"q": "kopi", "min_price": "50000", "max_price": "400000", "category": "kopi"})
    assert sorted(titles(page)) == ["Kopi Bubuk Robusta Tanggamus 500g", "Kopi Luwak Liar Lampung Barat"]
    chips = page.split('class="filter-chips"')[1].split("</ul>")[0]
    links = [h.replace("&amp;", "&") for h in chips.split('href="')[1:]]
    links = [dict(parse_qsl(urlsplit(h.split('"')[0]).query)) for h in links]
    # the chips (category, price, then clear all), each dropping only its own filter
    assert {"q": "kopi", "category": "kopi"} in links
    assert {"q": "kopi", "min_price": "50000", "max_price": "400000"} in links
    assert links[-1] == {"q": "kopi"}
    assert "Rp50.000 – Rp400.000" in chips


def test_an_old_no_link_stays_and_ticking_the_box_wins(client, fixed_catalog, backend_name):
    # given an older facet link for products that are not halal
    page = page_of(client, {"q": "madu", "halal": "false"})
    assert titles(page) == ["Madu Klanceng Asli"]
    assert "Halal: Tidak" in page

    # when the buyer applies the form unchanged, the filter stays
    assert titles(page_of(client, submitted(page))) == ["Madu Klanceng Asli"]
    # and when they tick "Halal", the halal one is shown
    assert titles(page_of(client, submitted(page, halal=True))) == ["Madu Hutan Murni 500ml"]


def test_a_bad_price_is_reported_and_the_other_filters_stay(client, fixed_catalog, backend_name):
    # given a maximum price under the minimum, with a category chosen
    page = page_of(client, {"category": "keripik", "min_price": "10000", "max_price": "5000"})

    # then the error is said in words, the category still applies, the typed prices stay
    assert "Harga maksimum: Harga maksimum harus di atas harga minimum." in page
    assert len(cards(page)) == 3
    assert 'name="max_price" min="0" step="1" inputmode="numeric" value="5000"' in page
    form = filter_form(page)
    assert sent(submitted(page, max_price="40000")) == {
        "category": "keripik", "min_price": "10000", "max_price": "40000", "sort": "relevance"}
    assert form.options["sort"][0] == ("relevance", "Paling relevan")


def test_the_panel_is_a_details_with_a_real_form(client, fixed_catalog, backend_name):
    page = page_of(client, {"q": "kopi"})
    assert '<details class="filter-panel" data-filter-panel>' in page     # folded on a phone
    form = filter_form(page)
    assert ("", "Semua provinsi") == form.options["province"][0]
    assert ("18", "Lampung (4)") in form.options["province"]
    assert '<button class="btn" type="submit">Terapkan</button>' in page
