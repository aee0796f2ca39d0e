"""Credit packs, "paket pengajuan KUR" (books/credit.py): the code, the frozen contents (profile,
12 months of paid orders with their invoices, statements), the pages, the PDF, the public check
that shows only totals, revocation, the rate limit, and who may see what. Given / when / then."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from books import credit
from books.models import CreditPack
from marketplace import pdf
from marketplace.extensions import db as _db
from marketplace.money.rates import today_wib
from marketplace.pdf import pdf_unavailable
from tests.books.naik_kelas import cash_sale, paid_order, wib
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import require_service
from tests.orders.test_pages import text


def months_back(day: date, n: int) -> date:
    """The 15th of the month `n` months before `day`'s."""
    m = day.year * 12 + day.month - 1 - n
    return date(m // 12, m % 12 + 1, 15)


def test_a_code_is_twelve_unambiguous_characters_in_three_groups():
    # given fresh codes / then each is XXXX-XXXX-XXXX from the alphabet without look-alikes
    codes = {credit.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)
    # and a typed code is read loosely, a wrong one refused
    assert credit.normalise_code(" abcd efgh-jk23 ") == "ABCD-EFGH-JK23"
    assert credit.normalise_code("ABCD-EFGH-JK2") is None
    assert credit.normalise_code("ABCD-EFGH-JK10") is None  # 1 and 0 are not in the alphabet
    assert credit.normalise_code(None) is None


def test_the_period_is_the_twelve_months_ending_today():
    # given a day / then the pack covers from the 1st of the month 11 months back to that day
    assert credit.pack_period(date(2026, 12, 3)) == (date(2026, 1, 1), date(2026, 12, 3))
    assert credit.pack_period(date(2026, 3, 31)) == (date(2025, 4, 1), date(2026, 3, 31))


@pytest.fixture
def shop(app, make_store, make_user, login):
    """A verified store in Tanggamus with paid orders over the year, and its owner logged in.

    Paid: Rp100,000 and Rp50,000 this month, Rp70,000 two months ago; left out: one unpaid, one
    refunded in full, one paid 13 months ago, and another store's."""
    store = make_store(name="Kopi <Lereng> & Co", nib="9120001234567", verified=True,
                       province_code="18", regency_code="18.06")
    other = make_store()
    buyer = make_user(name="Budi Pembeli Rahasia", email="budi.rahasia@example.test")
    today = today_wib()
    this_month = wib(today)
    orders = {
        "a": paid_order(store, buyer, 100_000, this_month),
        "b": paid_order(store, buyer, 50_000, this_month),
        "c": paid_order(store, buyer, 70_000, wib(months_back(today, 2))),
        "unpaid": paid_order(store, buyer, 999_000, this_month, paid=False),
        "refunded": paid_order(store, buyer, 888_000, this_month, refunded_idr=900_000),
        "old": paid_order(store, buyer, 777_000, wib(months_back(today, 13))),
        "other": paid_order(other, buyer, 666_000, this_month),
    }
    client = app.test_client()
    login(client, store.owner)
    return {"store": store, "other": other, "buyer": buyer, "orders": orders, "client": client}


def test_a_pack_freezes_the_profile_and_twelve_months_of_paid_orders_with_their_invoices(shop, db):
    # given the shop's orders / when its owner issues a pack with the profile and sales
    store, orders = shop["store"], shop["orders"]
    pack = credit.issue_pack(store, ["sales", "profile"], actor=store.owner)
    db.session.commit()
    c = pack.contents
    # then the sections keep their order and the code its shape
    assert pack.sections == ["profile", "sales"] and credit.normalise_code(pack.code) == pack.code
    # the profile: name, NIB, address from the regions, verified, scale, years active
    p = c["profile"]
    assert (p["name"], p["nib"], p["verified"], p["scale"], p["years_active"]) == (
        "Kopi <Lereng> & Co", "9120001234567", True, "mikro", 0)
    assert p["address"]["regency"] == "Kabupaten Tanggamus" and p["address"]["province"] == "Lampung"
    # 12 months, the current last; only paid orders of this store in the period count
    months = c["sales"]["months"]
    today = today_wib()
    assert len(months) == 12 and months[-1]["month"] == f"{today.year:04d}-{today.month:02d}"
    assert months[-1]["total_idr"] == 150_000 and months[-1]["orders"] == 2
    assert months[-3]["total_idr"] == 70_000
    assert c["sales"]["total_idr"] == 220_000 and c["sales"]["orders"] == 3
    # each figure traceable: the month's invoices add up to it
    numbers = {inv["number"] for m in months for inv in m["invoices"]}
    year = today.year
    assert f"INV-{year}-{orders['a'].id:06d}" in numbers and f"INV-{year}-{orders['b'].id:06d}" in numbers
    assert all(sum(i["amount_idr"] for i in m["invoices"]) == m["total_idr"] for m in months)
    assert not any(f"{orders[k].id:06d}" in n for k in ("unpaid", "refunded", "old", "other") for n in numbers)
    assert "statements" not in c


def test_a_pack_with_the_statements_freezes_their_totals_and_lines(shop, db):
    # given the shop also recorded a cash sale today
    store = shop["store"]
    cash_sale(store, 400_000, today_wib())
    # when it issues a pack with the statements only
    pack = credit.issue_pack(store, ["statements"], actor=store.owner)
    # then the income statement and the position of the period are frozen, labels in both languages
    st = pack.contents["statements"]
    assert st["income"]["revenue_idr"] >= 400_000 and st["position"]["balanced"] is True
    line = next(line for line in st["income"]["lines"] if line["code"] == "penjualan_tunai")
    assert line["amount_idr"] == 400_000 and set(line["label"]) == {"id", "en"}
    assert line["label"]["id"] == "Penjualan di luar marketplace"
    assert "profile" not in pack.contents and "sales" not in pack.contents
    # and recording more later does not change the pack
    cash_sale(store, 1_000, today_wib())
    db.session.expire_all()
    assert db.session.get(CreditPack, pack.id).contents["statements"]["income"]["revenue_idr"] == \
        st["income"]["revenue_idr"]


def issue(client, *sections):
    # the button's own name/value, as a browser sends it (with nothing ticked, the form has data)
    return client.post("/jual/kur", data={"sections": list(sections), "issue": "1"})


def only_pack(db) -> CreditPack:
    db.session.expire_all()
    return db.session.scalars(sa.select(CreditPack)).one()


def test_the_seller_issues_a_pack_from_the_page_and_sees_it_listed(shop, db):
    # given the shop's owner on the packs page, every section offered and ticked
    client = shop["client"]
    page = text(client.get("/jual/kur"))
    assert page.count('type="checkbox"') == 3 and page.count("checked") >= 3
    # when it issues a pack with all three sections
    response = issue(client, "profile", "sales", "statements")
    # then the pack exists, the page shows its code as valid with download and revoke buttons
    assert response.status_code == 302
    pack = only_pack(db)
    assert pack.sections == ["profile", "sales", "statements"] and pack.created_by_id == shop["store"].owner_id
    listed = text(client.get("/jual/kur"))
    assert pack.code in listed and "Berlaku" in listed and f"/jual/kur/{pack.id}.pdf" in listed
    assert f"/jual/kur/{pack.id}/cabut" in listed


def test_a_pack_needs_at_least_one_section(shop, db):
    # when the owner issues a pack with nothing ticked / then no pack, and the form says why
    response = issue(shop["client"])
    assert response.status_code == 200 and "Pilih paling sedikit satu bagian." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditPack)) == 0


def test_the_pack_page_shows_the_figures_escaped_with_the_code_and_the_public_url(shop, db):
    # given an issued pack
    client = shop["client"]
    issue(client, "profile", "sales")
    pack = only_pack(db)
    # when the owner opens it
    page = text(client.get(f"/jual/kur/{pack.id}"))
    # then it carries the code, the public URL, the store (escaped), the totals and the invoices
    assert pack.code in page and f"http://localhost/verifikasi/{pack.code}" in page
    assert "Kopi &lt;Lereng&gt; &amp; Co" in page and "<Lereng>" not in page
    assert "9120001234567" in page and "Rp220.000" in page and "Rp150.000" in page
    assert f"INV-{today_wib().year}-{shop['orders']['a'].id:06d}" in page
    assert '<meta name="robots" content="noindex">' in page


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", raw.replace("\xa0", " ").replace("\u202f", " "))


def test_the_pdf_holds_the_code_the_url_the_profile_the_months_and_the_invoices(shop, db):
    require_service("WeasyPrint's libraries (Pango)", pdf_unavailable() is None,
                    f"{pdf_unavailable()}; scripts/pdf.sh installs them")
    # given a pack with every section, after a cash sale
    cash_sale(shop["store"], 400_000, today_wib())
    client = shop["client"]
    issue(client, "profile", "sales", "statements")
    pack = only_pack(db)
    # when the owner downloads its PDF
    response = client.get(f"/jual/kur/{pack.id}.pdf")
    # then it is a private PDF whose text has everything the bank needs
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="paket-kur-{pack.code}.pdf"' in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    shown = pdf_text(response.data)
    assert pack.code in shown and f"/verifikasi/{pack.code}" in shown
    assert "Kopi <Lereng> & Co" in shown and "9120001234567" in shown and "Kabupaten Tanggamus" in shown
    assert "Terverifikasi petugas" in shown and "Usaha mikro" in shown
    assert "Rp220.000" in shown and "Total 12 bulan" in shown
    assert f"INV-{today_wib().year}-{shop['orders']['c'].id:06d}" in shown and "Rp70.000" in shown
    assert "Laporan laba rugi" in shown and "Laba (rugi) bersih" in shown
    assert "Rp400.000" in shown


def test_without_the_pdf_libraries_the_pdf_answers_503(shop, db, monkeypatch):
    # given a pack, on a machine without Pango
    issue(shop["client"], "sales")
    pack = only_pack(db)
    monkeypatch.setattr(pdf, "pdf_unavailable", lambda: "OSError: cannot load library 'libpango-1.0-0'")
    # when the owner asks for the PDF / then 503, and the page still works
    assert shop["client"].get(f"/jual/kur/{pack.id}.pdf").status_code == 503
    assert shop["client"].get(f"/jual/kur/{pack.id}").status_code == 200


def test_the_public_check_shows_the_totals_and_nothing_else(shop, client, db):
    # given a pack with every section
    cash_sale(shop["store"], 400_000, today_wib())
    issue(shop["client"], "profile", "sales", "statements")
    pack = only_pack(db)
    # when a bank officer (not logged in) opens its public page, the code typed in lower case
    response = client.get(f"/verifikasi/{pack.code.lower()}")
    # then it shows the store, the issue date, the status and the totals
    page = text(response)
    assert response.status_code == 200
    assert "Kopi &lt;Lereng&gt; &amp; Co" in page and "Berlaku" in page
    assert "Rp220.000" in page and "Rp150.000" in page and "Rp70.000" in page
    revenue = pack.contents["statements"]["income"]["revenue_idr"]
    assert f"Rp{revenue:,}".replace(",", ".") in page and "Jumlah aset" in page
    # and nothing that names an order or a buyer, nor the profile's details
    for secret in ("INV-", "TEST-0", "Budi Pembeli Rahasia", "budi.rahasia", "081299990000",
                   "9120001234567", "Tanggamus", str(shop["orders"]["a"].id).zfill(6)):
        assert secret not in page, secret
    # never indexed
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Disallow: /verifikasi" in text(client.get("/robots.txt"))


def test_a_pack_without_sales_shows_no_sales_on_its_check(shop, client, db):
    # given a pack of the profile only
    issue(shop["client"], "profile")
    pack = only_pack(db)
    # when it is checked / then the store and status show, and no figures at all
    page = text(client.get(f"/verifikasi/{pack.code}"))
    assert "Berlaku" in page and "Rp" not in page.split("<main", 1)[-1]


def test_the_form_takes_a_typed_code_and_refuses_a_malformed_one(shop, client, db):
    # given a pack
    issue(shop["client"], "sales")
    pack = only_pack(db)
    # when the form is opened and used
    empty = client.get("/verifikasi")
    typed = client.get("/verifikasi", query_string={"kode": pack.code.replace("-", " ").lower()})
    bad = client.get("/verifikasi", query_string={"kode": "<b>1234</b>"})
    # then a good code goes to its page, a malformed one is explained (escaped) on the form
    assert empty.status_code == 200 and 'name="kode"' in text(empty)
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/verifikasi/{pack.code}")
    assert bad.status_code == 200 and "12 huruf dan angka" in text(bad) and "<b>1234" not in text(bad)


def test_an_unknown_code_is_not_found(client, db):
    # when someone checks a well-formed code no pack has, or nonsense / then 404
    assert client.get("/verifikasi/ABCD-EFGH-JK23").status_code == 404
    assert client.get("/verifikasi/nonsense").status_code == 404


def test_a_revoked_code_says_so_and_shows_no_figures(shop, client, db):
    # given a pack the owner revokes from its page
    issue(shop["client"], "profile", "sales", "statements")
    pack = only_pack(db)
    response = shop["client"].post(f"/jual/kur/{pack.id}/cabut")
    assert response.status_code == 302
    # when it is checked
    page = text(client.get(f"/verifikasi/{pack.code}"))
    # then it says revoked, with the store and dates, but no figure
    assert "Dicabut" in page and "Kopi &lt;Lereng&gt; &amp; Co" in page
    main = page.split("<main", 1)[-1]
    assert "Rp" not in main and "Total 12 bulan" not in main
    # and the owner's list shows it revoked without a revoke button
    listed = text(shop["client"].get("/jual/kur"))
    assert "Dicabut" in listed and f"/jual/kur/{pack.id}/cabut" not in listed
    assert only_pack(db).revoked_at is not None


def test_lookups_are_rate_limited(shop, client, app, db):
    # given a pack and a tight limit
    issue(shop["client"], "sales")
    pack = only_pack(db)
    app.config["BOOKS_VERIFY_RATE_LIMIT"] = "3 per minute"
    try:
        # when one address checks codes again and again
        statuses = [client.get(f"/verifikasi/{pack.code}").status_code for _ in range(4)]
    finally:
        app.config["BOOKS_VERIFY_RATE_LIMIT"] = "20 per minute"
    # then it is refused after the limit
    assert statuses == [200, 200, 200, 429]


def test_only_the_owner_sees_revokes_or_downloads_a_pack(shop, make_store, app, client, login, db):
    # given a pack of the shop and another seller
    issue(shop["client"], "sales")
    pack = only_pack(db)
    intruder = app.test_client()
    login(intruder, make_store().owner)
    # when the other seller tries its pages / then "not found", and the pack stays valid
    for path in (f"/jual/kur/{pack.id}", f"/jual/kur/{pack.id}.pdf"):
        assert intruder.get(path).status_code == 404
    assert intruder.post(f"/jual/kur/{pack.id}/cabut").status_code == 404
    assert pack.code not in text(intruder.get("/jual/kur"))
    assert only_pack(db).revoked_at is None
    # and a visitor is sent to log in
    for path in ("/jual/kur", f"/jual/kur/{pack.id}", f"/jual/kur/{pack.id}.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert client.post("/jual/kur", data={"sections": ["sales"]}).status_code == 302
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(CreditPack)) == 1


def test_orders_paid_on_the_edges_of_the_period_fall_in_the_right_wib_month(make_store, make_user, db):
    # given a store with orders paid at 23:30 WIB on the last day before the period and at
    # 00:30 WIB on its first day
    store, buyer = make_store(), make_user()
    start, end = credit.pack_period(date(2026, 12, 3))
    before = paid_order(store, buyer, 11_000, wib(start - timedelta(days=1), 23) + timedelta(minutes=30))
    first = paid_order(store, buyer, 22_000, wib(start, 0) + timedelta(minutes=30))
    # when the months are counted
    sales = credit.monthly_sales(store, start, end)
    # then only the second is in, in January
    assert sales["total_idr"] == 22_000 and sales["months"][0]["month"] == "2026-01"
    assert [i["number"].endswith(f"{first.id:06d}") for i in sales["months"][0]["invoices"]] == [True]
    assert before.id != first.id


def test_the_pack_page_draws_the_books_statements_only_while_they_match_the_frozen_figures(shop, db):
    # given a pack with the statements after a cash sale of Rp400,000
    store, client = shop["store"], shop["client"]
    cash_sale(store, 400_000, today_wib())
    issue(client, "statements")
    pack = only_pack(db)
    # when the owner opens it / then the statements are books.exports' own, with the sale
    first = text(client.get(f"/jual/kur/{pack.id}"))
    assert "Rp400.000" in first and "statement-table" in first and 'class="notes' in first
    # and after another sale recorded in the same period, the pack keeps its frozen figures
    cash_sale(store, 5_000, today_wib())
    later = text(client.get(f"/jual/kur/{pack.id}"))
    assert "Rp405.000" not in later and "Rp400.000" in later and "statement-table" not in later
    assert "Laporan laba rugi" in later
