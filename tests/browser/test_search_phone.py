"""Search on a phone (360x800, Debian's Chromium, both backends): short result cards, a filter
panel that opens, applies and shows its filters as chips, no sideways scrolling; the panel is a
sidebar on a wide screen; suggestions come in the page's language, whatever the browser's."""
import pytest

from tests.browser.csp import watch_csp
from tests.browser.test_buying import snap
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.search.conftest import backend_name  # noqa: F401  (fixture: both backends)

LONG = ("Biji kopi robusta pilihan dari kebun rakyat di lereng gunung, dipetik merah, dijemur "
        "di para-para bambu, disangrai sedang oleh koperasi petani setempat dan dikemas rapat "
        "dalam kantong beralu foil dengan katup satu arah agar aromanya terjaga sampai di "
        "cangkir Anda. Cocok untuk tubruk, V60, espresso maupun kopi susu gula aren. ") * 3


@pytest.fixture
def coffees(app, make_store, make_product, backend_name):  # noqa: F811
    """24 coffees with long titles and descriptions (one results page), half of them halal."""
    stores = [make_store(name=f"Kopi Lereng Gunung {n}", verified=n % 2 == 0) for n in range(4)]
    return [make_product(store=stores[n % 4],
                         title=f"Kopi Robusta Petik Merah Lereng Gunung Tanggamus Sangrai Sedang {n}",
                         title_en=None if n % 3 == 0 else f"Lampung Robusta Coffee Red Cherry Medium Roast {n}",
                         description=f"{LONG} Varian {n}.", halal=n % 2 == 0, price_idr=40000 + n * 1000)
            for n in range(24)]


def _measure(page) -> dict:
    return page.evaluate("""() => ({
        height: document.documentElement.scrollHeight,
        width: document.documentElement.scrollWidth,
        cards: document.querySelectorAll('.result-cards .card').length})""")


def test_search_on_a_phone_is_short_and_its_filters_work(live_server, new_page, coffees, backend_name):  # noqa: F811
    # given 24 coffees with long descriptions, and a buyer on a 360 px phone
    page = new_page(360, 800)
    violations = watch_csp(page)

    # when they search for coffee
    page.goto(f"{live_server}/cari?q=kopi")

    # then one page of 24 short cards, no sideways scrolling
    figures = _measure(page)
    snap(page, "search-phone")
    print("search page at 360 px:", figures)
    assert figures["cards"] == 24
    assert figures["height"] < 5000, figures
    assert figures["width"] <= 360, figures
    snippet = page.locator(".result-cards .snippet").first
    line = float(snippet.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert snippet.bounding_box()["height"] <= 2 * line + 1          # two lines at most
    title = page.locator(".result-cards .title").first
    assert title.bounding_box()["height"] <= 2 * float(
        title.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")) + 1

    # and the filters are one folded panel, not a wall of links
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is None
    assert not page.get_by_label("Kategori").is_visible()

    # when they open it, tick "Halal" and apply
    page.get_by_text("Filter", exact=True).click()
    assert page.get_by_label("Kategori").is_visible()
    for control in [page.get_by_label("Kategori"), page.get_by_label("Harga minimum"),
                    page.locator("label.filter-check").first,
                    page.get_by_role("button", name="Terapkan"), page.locator("details.filter-panel > summary")]:
        assert control.bounding_box()["height"] >= 44               # thumb-sized targets
    snap(page, "search-phone-panel")
    page.get_by_label("Halal").check()
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url("**/cari?*halal=true*")

    # then the address carries only what was chosen, half the coffees remain, and the filter
    # shows on the folded panel and as a removable chip
    assert page.url.endswith("/cari?q=kopi&halal=true&sort=relevance")
    assert _measure(page)["cards"] == 12
    assert page.locator("details.filter-panel > summary").inner_text().startswith("Filter (1 aktif)")
    snap(page, "search-phone-filtered")
    chip = page.get_by_role("link", name="Hapus filter Halal")
    assert chip.bounding_box()["height"] >= 44
    assert _measure(page)["width"] <= 360

    # when they remove it by its chip, all 24 are back
    chip.click()
    page.wait_for_load_state()
    assert _measure(page)["cards"] == 24
    assert violations == []


def test_on_a_wide_screen_the_filters_are_an_open_sidebar(live_server, new_page, coffees, backend_name):  # noqa: F811
    page = new_page(1280, 800)
    page.goto(f"{live_server}/cari?q=kopi")
    assert page.locator("details.filter-panel").get_attribute("open") is not None
    snap(page, "search-wide")
    category = page.get_by_label("Kategori")
    assert category.is_visible()
    results = page.locator(".result-cards").bounding_box()
    assert category.bounding_box()["x"] + category.bounding_box()["width"] < results["x"]   # beside


def test_suggestions_come_in_the_page_language_not_the_browsers(live_server, browser, coffees):
    # given a buyer whose browser asks for English, on the Indonesian site
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/")
        assert page.locator("html").get_attribute("lang") == "id"

        # when they type in the search box
        page.get_by_role("searchbox").first.fill("kopi rob")

        # then the product suggestions are the Indonesian titles
        first = page.locator(".suggest-list a").first
        first.wait_for()
        texts = page.locator(".suggest-list a").all_inner_texts()
        assert texts and all("Coffee" not in t for t in texts), texts
        assert any(t.startswith("Kopi Robusta Petik Merah") for t in texts), texts
    finally:
        context.close()
