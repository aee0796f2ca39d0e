"""The header is put together from what the domains register (marketplace.navigation), and
hooks keep their entries per app, once each (marketplace.hooks)."""
from __future__ import annotations

import re

from flask import Flask

from marketplace.hooks import Hook


def _header(client, path="/produk") -> str:
    page = client.get(path).get_data(as_text=True)
    return page[page.index("<header"):page.index("</header>")]


def _links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', html)


def _bar(header: str) -> str:
    """The header's bar: the icon links and the login link, before the account menu."""
    return header[header.index('class="header-bar"'):header.index('<details class="account-menu"')]


def _menu(header: str) -> str:
    """The header's account menu (a <details>, so it works without JavaScript)."""
    return header[header.index('<details class="account-menu"'):header.index("</details>")]


def _bottom(client, path="/produk") -> str:
    page = client.get(path).get_data(as_text=True)
    return page[page.index('<nav class="bottom-nav"'):page.index("</nav>", page.index('<nav class="bottom-nav"'))]


def _bottom_items(client, path="/produk") -> list[tuple[str, str]]:
    """(href, label) of the bottom navigation's items, in order."""
    return re.findall(r'<a href="([^"]+)"[^>]*>.*?<span class="bottom-label">(.*?)</span>',
                      _bottom(client, path), re.S)


def test_anonymous_header_shows_cart_login_and_a_menu_with_events(client):
    header = _header(client)
    assert _links(_bar(header))[0] == "/keranjang"
    assert re.search(r'<a href="/masuk\?next=[^"]*" class="header-login">Masuk</a>', _bar(header))
    menu = _links(_menu(header))
    assert menu[0] == "/acara"
    assert any(link.startswith("/masuk?next=") for link in menu) and "/daftar" in menu
    assert 'action="/cari"' in header  # the search box search registers
    # the language and currency switches are in the menu
    assert 'action="/bahasa"' in _menu(header) and "Mata uang tampilan" in _menu(header)
    links = _links(header)
    assert "/notifikasi" not in links and "/jual" not in links and "/admin/pengguna" not in links


def test_each_role_sees_its_links_in_order(client, make_user, login):
    buyer = make_user()
    login(client, buyer)
    header = _header(client)
    assert _links(_bar(header)) == ["/keranjang", "/notifikasi"]
    links = _links(_menu(header))
    assert links.index("/acara") < links.index("/pesanan") < links.index("/jual/toko/baru")
    assert "/jual" not in links and "/admin/toko" not in links
    assert "Keluar" in _menu(header) and "class=\"header-login\"" not in header

    client.post("/keluar")
    admin = make_user(roles=("buyer", "seller", "officer", "admin"))
    login(client, admin)
    links = _links(_menu(_header(client)))
    for path in ("/jual/pesanan", "/jual", "/admin/toko", "/petugas/acara", "/admin/pengguna",
                 "/admin/kurs"):
        assert path in links, path
    assert "/jual/toko/baru" not in links


def test_counters_show_beside_their_links(client, make_user, login, db):
    from marketplace.notifications import Notification

    user = make_user()
    db.session.add(Notification(user_id=user.id, kind="order_placed", params={}))
    db.session.commit()
    login(client, user)
    header = _header(client)
    # the bell's name says how many are unread; the number shows on it
    assert re.search(r'class="nav-icon nav-bell" aria-label="Notifikasi, 1 belum dibaca"[^>]*>.*?'
                     r'<span class="nav-count" aria-hidden="true">1</span>', header, re.S)
    # an empty cart shows no count
    assert re.search(r'class="nav-icon nav-cart" aria-label="Keranjang"', header)
    assert "Keranjang, 0 produk" not in header


def test_bottom_navigation_shows_each_roles_main_places(client, make_user, login):
    # a visitor: home, categories, cart, orders, account; the home page is the current one
    assert [label for _href, label in _bottom_items(client, "/")] == [
        "Beranda", "Kategori", "Keranjang", "Pesanan", "Akun"]
    assert [href for href, _label in _bottom_items(client)] == [
        "/", "/kategori", "/keranjang", "/pesanan", "/akun"]
    assert re.search(r'<a href="/" aria-current="page">', _bottom(client, "/"))
    assert 'aria-current' not in _bottom(client, "/produk")

    # a seller: dashboard, new product, store orders, the store's events, account
    seller = make_user(roles=("buyer", "seller"))
    login(client, seller)
    assert _bottom_items(client) == [("/jual", "Dasbor"), ("/jual/produk/baru", "Produk baru"),
                                     ("/jual/pesanan", "Pesanan"), ("/jual/acara", "Pameran"),
                                     ("/akun", "Akun")]


def test_account_page_holds_the_menu_for_visitors_and_members(client, make_user, login):
    # a visitor gets the login and registration links and the switches
    html = client.get("/akun").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert "/daftar" in _links(main) and 'action="/bahasa"' in main and "Mata uang tampilan" in main
    assert re.search(r'<a href="/akun" aria-current="page">', html)

    # a member sees their name, their links and the logout button
    user = make_user(name="Rina <b>Wulandari</b>")
    login(client, user)
    html = client.get("/akun").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert "Rina &lt;b&gt;Wulandari&lt;/b&gt;" in main
    assert "/pesanan" in _links(main) and "/akun/token" in _links(main) and "Keluar" in main
    # the two copies of the switches (menu and page) do not share ids
    assert html.count('id="menu-currency"') == 1 and html.count('id="page-currency"') == 1


def test_a_hook_keeps_entries_per_app_and_once():
    hook = Hook("example")
    first, second = Flask("first"), Flask("second")
    hook.register(first, "a")
    hook.register(first, "a")
    hook.register(first, "b")
    hook.register(second, "c")
    assert hook.entries(first) == ["a", "b"]
    assert hook.entries(second) == ["c"]
    with first.app_context():
        assert hook.call.__doc__ and hook.entries() == ["a", "b"]
