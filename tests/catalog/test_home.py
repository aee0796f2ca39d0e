"""The home page's sections (catalog/home.py): the newest products mixed across stores,
export-ready and koperasi picks, products before the featured stores, and a fixed number of
queries however many products and stores there are."""
from __future__ import annotations

import re

import sqlalchemy as sa


def section(html: str, heading_id: str) -> str:
    """The HTML of the home section whose heading has `heading_id` ("" when there is none)."""
    start = html.find(f'id="{heading_id}"')
    if start < 0:
        return ""
    return html[start:html.index("</section>", start)]


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="title">(.*?)</h3>', html)


def test_newest_products_are_mixed_across_stores(client, make_store, make_product):
    # given two quieter stores, then a busy store that just added six products
    quiet = [make_store(name=f"Toko Tenang {n}") for n in range(2)]
    for n, store in enumerate(quiet):
        make_product(store=store, title=f"Madu Hutan {n}")
    busy = make_store(name="Keripik Bu Sri")
    for n in range(6):
        make_product(store=busy, title=f"Keripik Pisang {n}")

    # when a visitor opens the home page
    newest = titles(section(client.get("/").get_data(as_text=True), "produk-terbaru"))

    # then the busy store fills two cards, its newest, and the other stores' products follow
    assert newest == ["Keripik Pisang 5", "Keripik Pisang 4", "Madu Hutan 1", "Madu Hutan 0"]


def test_export_ready_picks_come_from_export_ready_products_and_stores(client, make_store,
                                                                       make_product):
    # given an export-ready product of an ordinary store, a product of an export-ready store,
    # an ordinary product and an export-ready draft
    make_product(title="Kopi Ekspor", export_ready=True)
    make_product(store=make_store(export_ready=True), title="Lada dari Toko Ekspor")
    make_product(title="Keripik Biasa")
    make_product(title="Kopi Draft Ekspor", export_ready=True, status="draft")

    html = client.get("/").get_data(as_text=True)

    # then the export section shows the first two only
    assert sorted(titles(section(html, "siap-ekspor"))) == ["Kopi Ekspor", "Lada dari Toko Ekspor"]
    assert "Siap ekspor" in section(html, "siap-ekspor")


def test_koperasi_picks_come_from_stores_in_a_cooperative(client, make_store, make_product):
    member = make_store(name="Kopi Tani", cooperative="Koperasi Tani Makmur Tanggamus")
    make_product(store=member, title="Kopi Koperasi")
    make_product(store=make_store(cooperative=""), title="Kopi Tanpa Koperasi")
    make_product(title="Keripik Biasa")

    html = client.get("/").get_data(as_text=True)

    assert titles(section(html, "pilihan-koperasi")) == ["Kopi Koperasi"]


def test_sections_without_products_are_left_out(client, make_product):
    make_product(title="Keripik Biasa")
    html = client.get("/").get_data(as_text=True)
    assert section(html, "siap-ekspor") == "" and section(html, "pilihan-koperasi") == ""
    assert titles(section(html, "produk-terbaru")) == ["Keripik Biasa"]


def test_products_come_before_the_featured_stores(client, make_store, make_product):
    # given eight stores (on a phone, eight stacked store cards used to come before any product)
    # when a visitor opens the home page
    for n in range(8):
        make_product(store=make_store(name=f"Toko {n}", verified=True), title=f"Produk {n}")
    html = client.get("/").get_data(as_text=True)
    # then the products come right after the categories, the stores after them
    assert html.index('id="kategori"') < html.index('id="produk-terbaru"') < html.index('id="toko-unggulan"')


def test_home_queries_do_not_grow_with_products_and_stores(app, client, db, make_store, make_product):
    def queries() -> int:
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    def stock(n_stores: int) -> None:
        for _ in range(n_stores):
            store = make_store(export_ready=True, cooperative="Koperasi Serba Usaha")
            for _ in range(2):
                make_product(store=store, wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 40000}])

    # given a few products in every section
    stock(1)
    db.session.expunge_all()
    few = queries()
    # when there are many more, from more stores
    stock(6)
    db.session.expunge_all()
    # then the page needs no more queries than before
    assert queries() == few
