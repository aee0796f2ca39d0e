"""An order's invoice (orders/invoices.py): the page for a cart order and for orders made from
quotes (FOB, CIF, made-to-order DAP: proforma until paid, commercial after), who may see it,
and the PDF. Given / when / then, asserting on what the reader sees."""
from __future__ import annotations

import io
import re
import socket
from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace import pdf
from marketplace.extensions import db
from marketplace.money.rates import ExchangeRate, today_wib
from marketplace.pdf import pdf_unavailable
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import confirm_transfer_of, require_service
from tests.orders.conftest import buyer_client  # noqa: F401  (fixtures)
from tests.orders.test_pages import place_order, text
from tests.promotions.test_export_terms import accept, quote, trade  # noqa: F401  (fixtures)


def plain(response) -> str:
    """The page's text: tags dropped, spaces (non-breaking ones too) squeezed."""
    without_tags = re.sub(r"<[^>]+>", " ", text(response))
    return re.sub(r"\s+", " ", without_tags.replace("\xa0", " ").replace("\u202f", " "))


def usd_rate(idr_per_unit: str, days_ago: int = 1) -> ExchangeRate:
    row = ExchangeRate(currency="USD", idr_per_unit=Decimal(idr_per_unit),
                       valid_on=today_wib() - timedelta(days=days_ago))
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def cart_order(buyer_client, make_store, make_product, app, login):
    """A buyer's bank-transfer order of 2 packs to Jakarta (Gambir) from a store in Tanggamus;
    the seller logged in on another client."""
    client, buyer = buyer_client()
    store = make_store(name="Kopi <Lereng> & Co", nib="9120001234567", whatsapp="0812-1111-2222")
    product = make_product(store=store, title="Kopi Robusta <b>Petik Merah</b>", sku="KRP-250",
                           price_idr=30000, stock=10, weight_g=400)
    order = place_order(client, product).orders[0]
    seller = app.test_client()
    login(seller, store.owner)
    return {"buyer": client, "buyer_user": buyer, "seller": seller, "order": order}


def test_a_cart_orders_invoice_shows_both_parties_the_lines_and_the_money(cart_order):
    # given a buyer's unpaid bank-transfer order
    order, buyer = cart_order["order"], cart_order["buyer"]
    # when the buyer opens its invoice
    response = buyer.get(f"/pesanan/{order.id}/faktur")
    # then it is a plain invoice (no export terms) with its number and dates
    assert response.status_code == 200
    page = plain(response)
    assert "<h1>Faktur</h1>" in text(response)
    assert f"INV-{today_wib().year}-{order.id:06d}" in page
    assert f"#{order.id} · {order.checkout.reference}" in page
    assert "Bayar sebelum" in page and "Syarat perdagangan" not in page
    # the seller's store: name (escaped), place by name, NIB and WhatsApp
    assert "Kopi &lt;Lereng&gt; &amp; Co" in text(response)
    assert "Kabupaten Tanggamus, Lampung, Indonesia" in page
    assert "NIB 9120001234567" in page and "WhatsApp +6281211112222" in page
    # the buyer and the shipping address, its region codes as names
    assert order.buyer.name in page
    assert "Budi Santoso · 081234567890" in page
    assert "Gambir, Kota Administrasi Jakarta Pusat, Daerah Khusus Ibukota Jakarta 10110 Indonesia" in page
    # the line (user text escaped, never markup), the sums with the courier service, the payment
    assert "Kopi Robusta &lt;b&gt;Petik Merah&lt;/b&gt;" in text(response)
    assert "<b>Petik" not in text(response)
    assert "SKU KRP-250" in page and "2 Rp30.000 Rp60.000" in page
    shipping = order.shipping_idr
    assert re.search(r"Ongkos kirim \([^)]+\) Rp[\d.]+", page)
    assert f"Total Rp{order.total_idr:,}".replace(",", ".") in page
    assert order.total_idr == 60000 + shipping
    assert "Pembayaran Transfer bank · menunggu pembayaran" in page
    # and no estimate in another currency: the buyer chose none
    assert "≈" not in page


def test_the_invoice_follows_payment_and_refunds_and_the_readers_language(cart_order):
    order, seller, buyer = cart_order["order"], cart_order["seller"], cart_order["buyer"]
    # given finance confirmed the transfer and the seller refunded Rp10.000
    confirm_transfer_of(order.id)
    assert seller.post(f"/pesanan/{order.id}/pengembalian-dana",
                       data={"amount_idr": "10.000", "reason": "Satu bungkus penyok"}).status_code == 302
    # when the seller opens the invoice
    page = plain(seller.get(f"/pesanan/{order.id}/faktur"))
    # then it says when it was paid, and lists the refund with what is left
    assert "Dibayar" in page and "Bayar sebelum" not in page
    assert "Transfer bank · lunas" in page
    assert "Satu bungkus penyok · Rp10.000" in page
    left = f"Rp{order.total_idr - 10000:,}".replace(",", ".")
    assert f"Dana dikembalikan − Rp10.000 Total setelah pengembalian dana {left}" in page
    # and in English for a reader who chose it
    english = plain(buyer.get(f"/pesanan/{order.id}/faktur?lang=en"))
    assert "Invoice" in english and "Seller" in english and "Buyer" in english
    assert "Bank transfer · paid" in english and "Refunded" in english


def test_a_cart_orders_invoice_shows_the_readers_display_currency(cart_order):
    # given a buyer who chose US dollars, with a rate set yesterday
    usd_rate("16000")
    order, buyer = cart_order["order"], cart_order["buyer"]
    buyer.post("/mata-uang", data={"currency": "USD", "next": "/"})
    # when the buyer opens the invoice
    page = plain(buyer.get(f"/pesanan/{order.id}/faktur"))
    # then the amounts carry their estimate and the rate is stated
    assert "Total Rp100.000 ≈ US$6,25" in page
    assert "Jumlah dalam USD hanya perkiraan, dengan kurs 1 USD = Rp16.000" in page


def test_both_order_pages_link_to_the_invoice_and_its_pdf(cart_order):
    order = cart_order["order"]
    for client in (cart_order["buyer"], cart_order["seller"]):
        page = text(client.get(f"/pesanan/{order.id}"))
        assert f'href="/pesanan/{order.id}/faktur"' in page
        assert f'href="/pesanan/{order.id}/faktur.pdf"' in page


def test_only_the_buyer_the_seller_and_admins_get_the_invoice(cart_order, app, make_user, login):
    order = cart_order["order"]
    # given another buyer, an admin and a visitor
    stranger = login(app.test_client(), make_user())
    admin = login(app.test_client(), make_user(roles=("buyer", "admin")))
    for path in (f"/pesanan/{order.id}/faktur", f"/pesanan/{order.id}/faktur.pdf"):
        # then the other buyer finds nothing there, as on the order page
        assert stranger.get(path).status_code == 404
        # and the visitor is sent to log in
        visitor = app.test_client().get(path)
        assert visitor.status_code == 302 and "/masuk" in visitor.headers["Location"]
    # while the admin reads it
    assert admin.get(f"/pesanan/{order.id}/faktur").status_code == 200


# --- orders from quotes -----------------------------------------------------------------------

@pytest.fixture
def pages(app, login, trade):
    """pages("buyer"|"seller") -> a client logged in as that party of the trade (pages use sessions)."""
    return lambda who: login(app.test_client(), trade[f"{who}_user"])


def quote_order(client, trade, incoterm, quantity=200, **terms) -> dict:
    """The buyer's order from the seller's accepted quote (72.000 a pack), by bank transfer to Tokyo."""
    made = quote(client, trade, trade["rfq"](incoterm, quantity=quantity), **terms)
    assert made.status_code == 201, made.get_json()
    accepted = accept(client, trade, made.get_json()["id"])
    assert accepted.status_code == 201, accepted.get_json()
    return accepted.get_json()["orders"][0]


def test_an_fob_order_is_a_proforma_until_paid_then_a_commercial_invoice_with_usd(client, db, trade, pages):
    # given a USD rate set yesterday, and an FOB Panjang order of 200 packs
    usd_rate("16000")
    order = quote_order(client, trade, "FOB", port="Panjang")
    # when the buyer reads the invoice before paying
    page = plain(pages("buyer").get(f"/pesanan/{order['id']}/faktur"))
    # then it is a proforma invoice naming the term, the destination and no freight
    assert "Proforma Invoice" in page
    assert "Incoterm FOB Panjang (Incoterms® 2020)" in page
    assert "Negara tujuan Jepang" in page
    assert "Ongkos angkut (FOB Panjang) tidak ada: pengangkutan ditanggung pembeli" in page
    # the amounts also in US dollars, at the stated rate of its day
    assert "Total Rp14.400.000 ≈ US$900,00" in page
    day = (today_wib() - timedelta(days=1))
    assert re.search(r"dengan kurs 1 USD = Rp16\.000 \(\d+ \w+ %d\)\. Pembayaran dalam rupiah\." % day.year, page)
    # when finance confirms the transfer
    confirm_transfer_of(order["id"])
    # then the same invoice is a commercial invoice, paid
    page = plain(pages("seller").get(f"/pesanan/{order['id']}/faktur"))
    assert "Commercial Invoice" in page and "Proforma" not in page
    assert "Transfer bank · lunas" in page


def test_a_cif_invoice_charges_the_freight_line(client, db, trade, pages):
    # given a CIF Rotterdam order of 100 packs with a Rp4.500.000 freight line, no USD rate yet
    order = quote_order(client, trade, "CIF", quantity=100, port="Rotterdam", freight_idr=4_500_000)
    # when the seller reads its invoice
    page = plain(pages("seller").get(f"/pesanan/{order['id']}/faktur"))
    # then the freight line is charged under its term, and the total adds it
    assert "Incoterm CIF Rotterdam" in page
    assert "Subtotal produk Rp7.200.000 Ongkos angkut (CIF Rotterdam) Rp4.500.000 Total Rp11.700.000" in page
    # and it says the USD estimate is missing rather than inventing one
    assert "Kurs USD belum tersedia; harga ditampilkan dalam rupiah." in page and "≈" not in page


def test_a_made_to_order_dap_invoice_shows_production_and_the_ready_day(client, db, trade, pages):
    # given 2,000 packs (500 in stock) quoted DAP Yokohama made to order, ready in 45 days
    usd_rate("15875.5")
    order = quote_order(client, trade, "DAP", quantity=2000, port="Yokohama", freight_idr=5_200_000,
                        made_to_order=True, lead_time_days=45)
    # when the buyer reads its invoice in English
    page = plain(pages("buyer").get(f"/pesanan/{order['id']}/faktur?lang=en"))
    # then the term, production with its ready-by day and the destination are there
    ready = today_wib() + timedelta(days=45)
    assert "Proforma Invoice" in page and "Incoterm DAP Yokohama" in page
    assert re.search(r"Production made to order, expected ready %d \w+ %d" % (ready.day, ready.year), page)
    assert "Destination country Japan" in page
    # and the freight line with its USD estimate
    assert "Freight (DAP Yokohama) Rp5.200.000 ≈ US$327.55" in page


# --- the PDF ----------------------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_without_the_pdf_libraries_the_pdf_answers_503_and_the_page_still_works(cart_order, monkeypatch):
    # given a machine where WeasyPrint cannot load Pango
    monkeypatch.setattr(pdf, "pdf_unavailable", lambda: "OSError: cannot load library 'libpango-1.0-0'")
    order, buyer = cart_order["order"], cart_order["buyer"]
    # then the PDF is unavailable, and the printable page is still there
    assert buyer.get(f"/pesanan/{order.id}/faktur.pdf").status_code == 503
    assert buyer.get(f"/pesanan/{order.id}/faktur").status_code == 200


def test_the_pdf_is_a_real_pdf_with_the_term_and_the_total_made_offline(client, db, trade, pages, monkeypatch):
    require_service("WeasyPrint's libraries (Pango)", pdf_unavailable() is None,
                    f"{pdf_unavailable()}; scripts/pdf.sh installs them")
    # given a paid FOB Panjang order of 200 packs
    order = quote_order(client, trade, "FOB", port="Panjang")
    confirm_transfer_of(order["id"])

    buyer = pages("buyer")
    # and no network while it renders (the test database on this machine still answers)
    connect = socket.socket.connect

    def local_only(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1"):
            raise AssertionError(f"the PDF tried the network: {address}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)
    # when the buyer downloads the PDF
    response = buyer.get(f"/pesanan/{order['id']}/faktur.pdf")
    # then it is a PDF, not to be kept by caches
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f'filename="INV-{today_wib().year}-{order["id"]:06d}.pdf"' in response.headers["Content-Disposition"]
    # whose text holds the title, the term and the total
    shown = pdf_text(response.data)
    assert "Commercial Invoice" in shown and "FOB Panjang" in shown and "Rp14.400.000" in shown
    # drawn with the app's print stylesheet (served from the static files): the page's tools are hidden
    assert "Unduh PDF" not in shown
