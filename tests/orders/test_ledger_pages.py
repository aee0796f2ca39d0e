"""The seller's "Saldo" page and CSV, and the admin's commission page, without JavaScript."""
import csv
import io

from tests.conftest import confirm_transfer_of
from tests.orders.ledger_checks import buy


def _text(response) -> str:
    import re

    body = response.get_data(as_text=True).replace("\xa0", "")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.split("<main", 1)[-1]))


def _seller_with_money(app, db, make_user, make_product, login, entries_count=1):
    """A logged-in seller whose store has one confirmed order held and `entries_count` - 1
    adjustments of Rp1.000 to its available balance."""
    from orders.ledger.posting import available, post, revenue

    product = make_product(price_idr=125000)
    order = buy(make_user(), {product: 1}).orders[0]
    confirm_transfer_of(order.id)
    for n in range(entries_count - 1):
        post("adjustment", ("test", n), [(revenue("goodwill"), 1000), (available(product.store_id), -1000)],
             f"goodwill:{n}")
    db.session.commit()
    client = app.test_client()
    login(client, product.store.owner)
    return client, product.store, order


def test_the_balance_page_shows_three_balances_and_a_paginated_statement(app, db, make_user, make_product,
                                                                        login):
    # given a store with one order held and 34 small adjustments to its available balance
    client, store, order = _seller_with_money(app, db, make_user, make_product, login, entries_count=35)
    # when its owner opens Saldo
    page = client.get("/jual/saldo")
    text = _text(page)
    # then the balances and the newest rows show, 30 to a page, with running balances
    assert page.status_code == 200
    assert f"Tertahan {f'Rp{order.total_idr:,}'.replace(',', '.')}" in text
    assert "Tersedia Rp34.000" in text
    assert text.count("Penyesuaian") == 30 and "Pembayaran diterima" not in text
    assert 'href="/jual/saldo?page=2"' in page.get_data(as_text=True)
    second = client.get("/jual/saldo?page=2")
    assert _text(second).count("Penyesuaian") == 4 and "Pembayaran diterima" in _text(second)
    assert f'href="/pesanan/{order.id}"' in second.get_data(as_text=True)
    # and in English
    assert "Available" in _text(client.get("/jual/saldo?lang=en"))


def test_the_statement_downloads_as_csv_oldest_first(app, db, make_user, make_product, login):
    client, store, order = _seller_with_money(app, db, make_user, make_product, login, entries_count=3)
    response = client.get("/jual/saldo.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"saldo-{store.slug}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:5] == ["Waktu", "Jenis", "Saldo", "Jumlah (Rp)", "Saldo setelahnya (Rp)"]
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("Pembayaran diterima", "Tertahan", str(order.total_idr), str(order.total_idr)),
        ("Penyesuaian", "Tersedia", "1000", "1000"),
        ("Penyesuaian", "Tersedia", "1000", "2000")]


def test_the_balance_page_is_for_sellers(app, client, make_user, login):
    # a buyer without a store is sent to open one; a visitor to log in
    assert client.get("/jual/saldo").status_code == 302
    buyer_client = app.test_client()
    login(buyer_client, make_user())
    assert buyer_client.get("/jual/saldo").headers["Location"].endswith("/jual/toko/baru")


def test_an_admin_sets_and_removes_commission_rates(app, db, make_user, make_store, login):
    from orders.ledger.models import CommissionRate

    store = make_store(name="Keripik Bu Sri")
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    # when the admin sets 2,5% on a category and 1% on a store
    assert admin.post("/admin/komisi", data={"target": "category", "category": "kopi", "rate": "2,5"}
                      ).status_code == 302
    assert admin.post("/admin/komisi", data={"target": "store", "store": store.slug, "rate": "1"}
                      ).status_code == 302
    # then both are listed
    page = _text(admin.get("/admin/komisi"))
    assert "Kopi" in page and "2,50%" in page and "Keripik Bu Sri" in page and "1,00%" in page
    # a wrong rate or an unknown store is shown at its field, and nothing is saved
    refused = _text(admin.post("/admin/komisi", data={"target": "store", "store": "tidak-ada", "rate": "101"}))
    assert "Isi persentase 0 sampai 100" in refused and "Toko tidak ditemukan" in refused
    assert db.session.query(CommissionRate).count() == 2
    # and a rate can be removed
    rate = db.session.query(CommissionRate).filter_by(store_id=store.id).one()
    assert admin.post(f"/admin/komisi/{rate.id}/hapus").status_code == 302
    db.session.expire_all()
    assert db.session.query(CommissionRate).count() == 1
    # others may not
    seller = app.test_client()
    login(seller, store.owner)
    assert seller.get("/admin/komisi").status_code in (302, 403)
    assert seller.post("/admin/komisi", data={"target": "category", "category": "kopi", "rate": "50"}
                       ).status_code in (302, 403)
    assert db.session.query(CommissionRate).count() == 1


def test_every_statement_page_carries_the_running_balances_of_the_whole_statement(app, db, make_user,
                                                                                 make_product, login):
    from orders.ledger.service import statement_all, statement_page

    # given a store with 23 rows on its statement (a payment held, 22 adjustments available)
    _client, store, _order = _seller_with_money(app, db, make_user, make_product, login, entries_count=23)
    whole = list(statement_all(store))
    # when it is read 5 rows a page, newest first
    pages = [statement_page(store, n, 5) for n in range(1, 7)]
    # then the pages are the whole statement backwards, balances included, and count it all
    assert [row for rows, _total in pages for row in rows] == whole[::-1]
    assert {total for _rows, total in pages} == {23} and pages[-1][0] == []
    assert whole[-1].balance_idr == 22000 and whole[0].account == "pending"
