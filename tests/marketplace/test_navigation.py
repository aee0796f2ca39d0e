"""The header is put together from what the domains register (marketplace.navigation), and
hooks keep their entries per app, once each (marketplace.hooks)."""
from __future__ import annotations

import re

from flask import Flask

from marketplace.hooks import Hook


def _header(client) -> str:
    page = client.get("/produk").get_data(as_text=True)
    return page[page.index("<header"):page.index("</header>")]


def _links(header: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', header)


def test_anonymous_header_shows_events_cart_and_login(client):
    header = _header(client)
    links = _links(header)
    assert links[:2] == ["/acara", "/keranjang"]
    assert 'action="/cari"' in header  # the search box search registers
    assert "/notifikasi" not in links and "/jual" not in links and "/admin/pengguna" not in links


def test_each_role_sees_its_links_in_order(client, make_user, login):
    buyer = make_user()
    login(client, buyer)
    links = _links(_header(client))
    assert links.index("/acara") < links.index("/keranjang") < links.index("/notifikasi") \
        < links.index("/pesanan") < links.index("/jual/toko/baru")
    assert "/jual" not in links and "/admin/toko" not in links

    client.post("/keluar")
    admin = make_user(roles=("buyer", "seller", "officer", "admin"))
    login(client, admin)
    links = _links(_header(client))
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
    assert re.search(r'class="nav-bell"[^>]*>.*?<span class="nav-count" aria-label="1 belum dibaca">1</span>',
                     header, re.S)
    assert "nav-cart" in header and 'aria-label="0 produk"' not in header  # an empty cart shows no count


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
