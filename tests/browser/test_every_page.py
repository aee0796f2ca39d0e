"""Every page type at 360x800 (a small phone), as the user who sees it: no sideways scrolling,
and axe-core (npm, WCAG 2.x A/AA and best practices, every impact) finds no violation.

One seeded marketplace serves the whole module (`world`, emptied at the end): the demo seeder's
stores and products with pictures, the demo accounts (buyer, seller, officer, admin), an event
with exhibitors and event prices, an event open for applications, a placed order, a cart, an
RFQ with a made-to-order quote, an order in production from an accepted quote, a rate, a token.
Each browser role logs in once through the login form.

To cover a new page, add a `Page` line to PAGES: its name, the role that opens it, its path
(formatted with the `world` keys) and a CSS selector that only the right page shows, so a
redirect to the login page or an error page can never pass for it.

PASAR_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from tests.browser.checkers import AXE_JS, axe_problems, overflow_problems
from tests.browser.conftest import chromium, require_chromium, require_node_module
from tests.browser.world import _clean_db, site, world  # noqa: F401  (fixtures)

# Under pytest-xdist the module stays on one worker: its pages share one seeded `world`
# (seeding it again on another worker would cost more than spreading the tests gains).
pytestmark = pytest.mark.xdist_group("every-page")

WIDTH, HEIGHT = 360, 800


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None          # None: a guest; else a demo account's role
    path: str                 # str.format(**world)
    shows: str                # a CSS selector only the right page has
    status: int = 200


PAGES = [
    # public
    Page("home", None, "/", "main a[href^='/produk/']"),
    Page("category", None, "/kategori/{category}", "main h1"),
    Page("all products", None, "/produk", "main h1"),
    Page("search with results", None, "/cari?q=kopi", "main a[href^='/produk/']"),
    Page("search without results", None, "/cari?q=zzqxv", "main h1"),
    Page("product", None, "/produk/{product}", "main h1"),
    Page("store", None, "/toko/{store}", "main h1"),
    Page("events", None, "/acara", "main a[href^='/acara/']"),
    Page("event", None, "/acara/{event}", "main h1"),
    Page("login", None, "/masuk", "input[type=password]"),
    Page("register", None, "/daftar", "input[type=password]"),
    Page("not found", None, "/halaman-yang-tidak-ada", "main", status=404),
    # buyer
    Page("cart", "buyer", "/keranjang", "main a[href='/checkout']"),
    Page("checkout", "buyer", "/checkout", "main form"),
    Page("checkout placed", "buyer", "/checkout/{checkout}", "main h1"),
    Page("order (buyer)", "buyer", "/pesanan/{order}", "main h1"),
    Page("my orders", "buyer", "/pesanan", "main a[href='/pesanan/{order}']"),
    Page("trade order (buyer)", "buyer", "/pesanan/{trade_order}", "main .trade-terms"),
    Page("rfq list", "buyer", "/rfq", "main a[href='/rfq/{rfq}']"),
    Page("rfq new", "buyer", "/rfq/baru?product={product}", "main form"),
    Page("rfq detail", "buyer", "/rfq/{rfq}", "main h1"),
    Page("notifications", "buyer", "/notifikasi", "main h1"),
    Page("api tokens", "buyer", "/akun/token", "main form"),
    Page("store new", "buyer", "/jual/toko/baru", "main form"),
    # seller
    Page("seller dashboard", "seller", "/jual", "main h1"),
    Page("product new", "seller", "/jual/produk/baru", "main form"),
    Page("product edit", "seller", "/jual/produk/{product}/ubah", "main form"),
    Page("product import", "seller", "/jual/produk/impor", "main form"),
    Page("store edit", "seller", "/jual/toko", "main form"),
    Page("store orders", "seller", "/jual/pesanan", "main a[href='/pesanan/{order}']"),
    Page("order (seller)", "seller", "/pesanan/{order}", "main h1"),
    Page("rfq detail (seller)", "seller", "/rfq/{rfq}", "main form[action$='/penawaran']"),
    Page("trade order (seller)", "seller", "/pesanan/{trade_order}", "main .production-hint"),
    Page("shipping rates", "seller", "/jual/ongkir", "main form"),
    Page("balance", "seller", "/jual/saldo", "main .balance-tiles"),
    Page("analytics", "seller", "/jual/analitik?periode=365d", "main .analytics-chart svg"),
    Page("payout account", "seller", "/jual/rekening", "main form"),
    Page("books", "seller", "/jual/buku", "main .books-tiles"),
    Page("books entry", "seller", "/jual/buku/catat?jenis=expense&kategori=materials", "main form[enctype]"),
    Page("stock count", "seller", "/jual/buku/stok", "main form"),
    Page("financial statements", "seller", "/jual/laporan", "main #posisi-keuangan"),
    Page("event applications", "seller", "/jual/acara", "main h1"),
    Page("business scale", "seller", "/jual/skala", "main .scale-tiles"),
    Page("credit packs", "seller", "/jual/kur", "main form"),
    Page("credit pack check", None, "/verifikasi", "main form input[name=kode]"),
    Page("naik kelas figures", "officer", "/petugas/naik-kelas", "main .officer-tiles"),
    Page("event apply", "seller", "/acara/{open_event}/daftar-peserta", "main h1"),
    # officer
    Page("manage events", "officer", "/petugas/acara", "main a[href^='/petugas/acara/']"),
    Page("event new", "officer", "/petugas/acara/baru", "main form"),
    Page("event edit", "officer", "/petugas/acara/{event}/ubah", "main form"),
    Page("event applications (officer)", "officer", "/petugas/acara/{open_event}", "main h1"),
    Page("event curation", "officer", "/petugas/acara/{event}", "main h1"),
    Page("event report", "officer", "/petugas/acara/{event}/laporan", "main h1"),
    # admin
    Page("admin users", "admin", "/admin/pengguna", "main h1"),
    Page("admin stores", "admin", "/admin/toko", "main h1"),
    Page("exchange rates", "admin", "/admin/kurs", "main form"),
    Page("commission rates", "admin", "/admin/komisi", "main form"),
    Page("platform accounts", "admin", "/admin/rekening", "main form"),
    Page("payout accounts to check", "admin", "/admin/rekening-penjual", "main h1"),
    # finance (the admin may act as finance)
    Page("payments to confirm", "admin", "/keuangan/pembayaran", "main h1"),
    Page("statement upload", "admin", "/keuangan/mutasi", "main form[enctype]"),
    Page("payout batches", "admin", "/keuangan/pencairan", "main form"),
    Page("complaints (finance)", "admin", "/keuangan/komplain", "main h1"),
]


@pytest.fixture(scope="module")
def axe_installed():
    """Checked before the world is seeded: skipped at once locally without npm's axe-core."""
    require_chromium()
    require_node_module(AXE_JS)


@pytest.fixture(scope="module")
def as_role(site, world):
    """as_role(role) -> a 360x800 page logged in as that demo account (None: a guest)."""
    from catalog.demo import PASSWORD

    with chromium() as browser:
        pages = {}

        def get(role):
            if role not in pages:
                context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT},
                                              locale="id-ID")
                context.set_default_timeout(15_000)
                page = context.new_page()
                if role is not None:
                    page.goto(f"{site}/masuk")
                    page.locator("input[name=email]").fill(world["emails"][role])
                    page.locator("input[name=password]").fill(PASSWORD)
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_url(lambda url: "/masuk" not in url)
                pages[role] = page
            return pages[role]

        yield get
        for page in pages.values():
            page.context.close()


def open_page(as_role, site, world, spec: Page):
    page = as_role(spec.role)
    path = spec.path.format(**world)
    response = page.goto(site + path, wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    assert response is not None and response.status == spec.status, (
        f"{path} as {spec.role or 'guest'}: HTTP {response and response.status}, landed on {page.url}")
    assert page.locator(spec.shows.format(**world)).count() > 0, (
        f"{path} as {spec.role or 'guest'} shows no {spec.shows!r}: landed on {page.url}")
    folder = os.environ.get("PASAR_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{spec.name.replace(' ', '_')}.png"), full_page=True)
    return page


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
def test_page_fits_a_phone_and_passes_axe(axe_installed, as_role, site, world, spec):
    # given the seeded marketplace, when the page's user opens it on a 360 px wide phone
    page = open_page(as_role, site, world, spec)
    # then nothing sticks out sideways, and axe-core finds no violation of any impact
    problems = overflow_problems(page, WIDTH) + axe_problems(page)
    assert not problems, f"{spec.name} ({page.url}):\n" + "\n".join(problems)
