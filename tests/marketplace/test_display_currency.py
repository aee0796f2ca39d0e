"""The display currency on every page with prices (marketplace/money/: the `price` template global
and the currency notice under the header).

A buyer who chose USD while an admin has set a USD rate sees, next to every rupiah price, an
approximate dollar amount, and on every page the rate with its date; with no rate the page says
so and stays in rupiah; rupiah buyers see nothing new; what is charged never changes."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from orders.models import Checkout
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.test_pages import add, place, text
from tests.promotions.conftest import make_event, officer  # noqa: F401  (fixtures)

RATE = 15875          # rupiah per US dollar
PRICE = 31750         # exactly US$2,00 at RATE
RATE_DAY = date.today() - timedelta(days=1)   # valid today in WIB too (WIB is ahead of UTC)


def usd(amount_idr: int) -> str:
    """The approximate dollar amount as the Indonesian UI writes it: "US$1.234,56"."""
    cents = (Decimal(amount_idr) / RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return "US$" + f"{cents:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def rupiah_text(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def rate_notice(day: date = RATE_DAY) -> str:
    return (f"Harga dalam USD hanya perkiraan, dengan kurs 1 USD = Rp15.875 "
            f"({format_date(day, 'd MMM yyyy', locale='id')}). Pembayaran tetap dalam rupiah.")


NO_RATE = "Kurs USD belum tersedia; harga ditampilkan dalam rupiah."


def flashes(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'<div class="flash flash-\w+" role="status">(.*?)</div>', html, re.S)]


def notice(html: str) -> str | None:
    match = re.search(r'<p class="fx-notice">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None


@pytest.fixture
def usd_rate(db, make_user):
    """An admin has set 1 USD = Rp15.875 from yesterday."""
    from marketplace.money.rates import set_rate

    set_rate("USD", "15875", RATE_DAY, actor=make_user(roles=("admin",)))
    db.session.commit()


def choose(client, currency: str, next_url: str = "/") -> str:
    """Pick a display currency in the header; returns the page the switch leads back to."""
    response = client.post("/mata-uang", data={"currency": currency, "next": next_url})
    assert response.status_code == 302 and response.headers["Location"] == next_url
    return text(client.get(next_url))


@pytest.fixture
def market(app, db, officer, make_event, make_store, make_product, make_user, login):  # noqa: F811
    """A kopi product at Rp31.750 (wholesale Rp28.575 from 10 pcs), shown in a published event,
    and a logged-in buyer; returns a namespace of them."""
    from promotions.services import invite, transition_event

    store = make_store(name="Kopi Lereng Tanggamus")
    product = make_product(store=store, title="Kopi Robusta Tanggamus", price_idr=PRICE, stock=500,
                           wholesale_tiers=[{"min_qty": 10, "unit_price_idr": 28575}])
    event = make_event("curation")
    invite(event, store, product_ids=[product.id], actor=officer)
    transition_event(event, "publish", actor=officer)
    db.session.commit()
    buyer_user = make_user(name="Yamada")
    buyer = login(app.test_client(), buyer_user)

    class Market:
        pass

    m = Market()
    m.store, m.product, m.event, m.buyer, m.buyer_user = store, product, event, buyer, buyer_user
    return m


def test_a_usd_buyer_sees_dollar_estimates_and_the_rate_date_on_every_page_with_prices(
        app, db, usd_rate, market):
    buyer, product = market.buyer, market.product
    # given the buyer chose USD in the header: the flash says estimates are on
    page = choose(buyer, "USD")
    assert "Harga kini disertai perkiraan dalam USD. Pembayaran tetap dalam rupiah." in flashes(page)

    # then the catalog pages show the rupiah price, the estimate beside it and the rate with its day
    pages = {
        "home": "/",
        "category": "/kategori/kopi",
        "search": "/cari?q=robusta",
        "event": f"/acara/{market.event.slug}",
        "store": f"/toko/{market.store.slug}",
        "product": f"/produk/{product.id}",
    }
    for name, url in pages.items():
        html = text(buyer.get(url))
        assert notice(html) == rate_notice(), name
        assert re.search(r"Rp31\.750(/pcs)? <span class=\"fx\" title=\"Perkiraan · Kurs 1 USD = Rp15\.875 "
                         r"\([^)]+\)\">≈ US\$2,00", html), name
    product_page = text(buyer.get(f"/produk/{product.id}"))
    assert "Rp31.750/pcs <span" in product_page and "≈ US$2,00/pcs</span>" in product_page
    assert "Rp28.575/pcs" in product_page and "≈ US$1,80/pcs" in product_page     # the wholesale tier

    # the cart: unit price, line total, store subtotal and total, each with its estimate
    add(buyer, product, 2)
    cart = text(buyer.get("/keranjang"))
    assert notice(cart) == rate_notice()
    assert "≈ US$2,00/pcs" in cart
    assert cart.count("Rp63.500 <span class=\"fx\"") == 3       # line total, subtotal, total
    assert "≈ US$4,00" in cart
    assert "harga Rp28.575 <span" in cart and "≈ US$1,80</span>/pcs." in cart  # "buy 8 more for"

    # the checkout, once shipping is known: lines, shipping and the total with estimates; the
    # pay button and the total the form carries back stay rupiah
    preview = text(buyer.post("/checkout", data={
        "name": "Budi", "phone": "081234567890", "line1": "Jl. Merdeka 10", "country": "ID",
        "province": "31", "regency": "31.71", "postal_code": "10110",
        "payment_method": "bank_transfer", "calculate": "1"}))
    assert notice(preview) == rate_notice()
    shown_total = int(re.search(r'name="shown_total" type="hidden" value="(\d+)"', preview).group(1))
    shipping = shown_total - 63500
    assert shipping > 0
    assert "Rp63.500 <span class=\"fx\"" in preview and "≈ US$4,00" in preview
    assert f"≈ {usd(shipping)}" in preview and f"≈ {usd(shown_total)}" in preview
    assert re.search(r">Bayar Rp[\d.]+</button>", preview)

    # placing it charges the same rupiah total an IDR buyer is charged
    placed = place(buyer)
    assert placed.status_code == 302
    checkout = db.session.scalar(sa.select(Checkout))
    order = checkout.orders[0]
    assert checkout.total_idr == order.total_idr == shown_total == 63500 + order.shipping_idr
    assert order.lines[0].unit_price_idr == PRICE and order.lines[0].line_total_idr == 63500
    done = text(buyer.get(placed.headers["Location"]))
    assert notice(done) == rate_notice()
    assert f"≈ {usd(shown_total)}" in done and "≈ US$4,00" in done
    # what to pay stays rupiah: the total plus the transfer's unique code, with no estimate beside it
    due = rupiah_text(checkout.amount_due_idr)
    assert checkout.amount_due_idr == shown_total + checkout.unique_code
    assert f'Transfer tepat <strong class="price price-big">{due}</strong></p>' in done

    # the order page and the buyer's order list
    order_page = text(buyer.get(f"/pesanan/{order.id}"))
    assert notice(order_page) == rate_notice()
    assert "2 × Rp31.750 <span class=\"fx\"" in order_page and "≈ US$4,00" in order_page
    assert f"≈ {usd(shipping)}" in order_page and f"≈ {usd(shown_total)}" in order_page
    assert f"≈ {usd(shown_total)}" in text(buyer.get("/pesanan"))

    # the RFQ pages: the catalog price, the target price and a quote with its estimate
    form = text(buyer.get(f"/rfq/baru?product={product.id}"))
    assert notice(form) == rate_notice() and "Rp31.750/pcs <span" in form and "≈ US$2,00/pcs" in form
    sent = buyer.post("/rfq/baru", data={
        "product_id": product.id, "quantity": "200", "target_price_idr": "28.575",
        "destination_country": "JP", "incoterm": "FOB",
        "needed_by": (date.today() + timedelta(days=60)).isoformat()})
    assert sent.status_code == 302
    from promotions.models import Rfq
    from promotions.trade import make_quote

    rfq = db.session.scalar(sa.select(Rfq))
    make_quote(rfq, {"unit_price_idr": 31750, "min_qty": 100, "lead_time_days": 21,
                     "valid_until": (date.today() + timedelta(days=14)).isoformat()}, actor=market.store.owner)
    db.session.commit()
    thread = text(buyer.get(f"/rfq/{rfq.id}"))
    assert notice(thread) == rate_notice()
    assert "harga katalog Rp31.750 <span" in thread                       # the catalog price
    assert "Rp28.575/pcs <span" in thread and "≈ US$1,80/pcs" in thread    # the target price
    assert "Rp31.750/pcs <span" in thread and "≈ US$2,00/pcs" in thread    # the quote
    assert "Rp6.350.000 <span" in thread and f"≈ {usd(6350000)}" in thread  # 200 pcs at the quote


def test_with_usd_chosen_and_no_rate_every_page_says_so_in_rupiah(app, db, market):
    buyer, product = market.buyer, market.product
    # when the buyer picks USD and no admin has set a USD rate
    page = choose(buyer, "USD", f"/produk/{product.id}")
    # then the flash says the choice was kept but there is no rate, and the page is in rupiah
    assert ("Mata uang USD dipilih, tetapi kursnya belum tersedia; harga ditampilkan dalam rupiah."
            in flashes(page))
    assert '<option value="USD" selected>' in page               # the choice is recorded
    add(buyer, product, 2)
    for url in ("/", "/kategori/kopi", "/cari?q=robusta", f"/acara/{market.event.slug}",
                f"/produk/{product.id}", "/keranjang", f"/rfq/baru?product={product.id}"):
        html = text(buyer.get(url))
        assert notice(html) == NO_RATE, url
        assert "Rp31.750" in html and "≈" not in html and 'class="fx"' not in html, url
    # and in English too
    buyer.post("/bahasa", data={"lang": "en", "next": "/"})
    english = text(buyer.get("/"))
    assert notice(english) == "No USD exchange rate yet; prices are shown in rupiah."
    assert "Rp31.750" in english and "≈" not in english


def test_rupiah_buyers_see_no_estimates_and_no_notice_and_cost_no_rate_lookup(
        app, db, usd_rate, market):
    back, product = market.buyer, market.product
    add(back, product, 2)
    # given a guest who never chose, and a buyer who went back to rupiah (the flash says so)
    choose(back, "USD")
    page = choose(back, "IDR")
    assert "Harga ditampilkan dalam rupiah." in flashes(page)
    for client in (app.test_client(), back):
        with count_rate_queries(db) as rate_queries:
            for url in ("/", "/kategori/kopi", "/cari?q=robusta", f"/acara/{market.event.slug}",
                        f"/produk/{product.id}"):
                html = text(client.get(url))
                assert notice(html) is None and "≈" not in html and "Rp31.750" in html, url
        assert rate_queries == []                     # rupiah pages never look a rate up
    cart = text(back.get("/keranjang"))
    assert "≈" not in cart and notice(cart) is None and "Rp63.500" in cart


class count_rate_queries:
    """Collects the SQL statements that read exchange_rates while the block runs."""

    def __init__(self, db):
        self.engine = db.engine
        self.seen: list[str] = []

    def _listen(self, conn, cursor, statement, parameters, context, executemany):
        if "exchange_rates" in statement:
            self.seen.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        return self.seen

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._listen)


def test_a_category_page_of_24_cards_looks_the_rate_up_once(app, db, usd_rate, make_store, make_product):
    store = make_store()
    for n in range(24):
        make_product(store=store, price_idr=PRICE + (n + 1) * RATE, wholesale_tiers=[{"min_qty": 10, "unit_price_idr": PRICE}])
    client = app.test_client()
    choose(client, "USD")
    with count_rate_queries(db) as rate_queries:
        html = text(client.get("/kategori/kopi"))
    assert html.count('<li class="card">') == 24
    assert html.count('class="fx"') == 48                     # each card's price and tier price
    assert "Rp412.750 <span" in html and "≈ US$26,00" in html  # the dearest card
    assert notice(html) == rate_notice()
    assert len(rate_queries) == 1


def test_the_notice_leaves_an_anonymous_visitors_session_alone(app, db):
    """Pages for anonymous visitors stay as cacheable as before: showing the notice writes
    nothing to the session (no new cookie on a plain page view)."""
    client = app.test_client()
    choose(client, "USD")
    client.get("/")                       # the session and its CSRF token exist
    response = client.get("/")
    assert notice(text(response)) == NO_RATE
    assert "Set-Cookie" not in response.headers


def test_in_the_english_ui_the_estimate_and_the_notice_are_english(app, db, usd_rate, market):
    buyer, product = market.buyer, market.product
    choose(buyer, "USD")
    buyer.post("/bahasa", data={"lang": "en", "next": "/"})
    html = text(buyer.get(f"/produk/{product.id}"))
    assert notice(html) == (f"Prices in USD are estimates, at 1 USD = Rp15.875 "
                            f"({format_date(RATE_DAY, 'd MMM yyyy', locale='en')}). You always pay in rupiah.")
    assert "Rp31.750/pcs <span" in html and "≈ US$2.00/pcs" in html      # rupiah stays Indonesian
    assert 'title="Estimate · Rate 1 USD = Rp15.875' in html
