"""Searches that match typed text literally: `%` and `_` are not LIKE wildcards (issue 8)."""
from __future__ import annotations

from tests.catalog.conftest import make_store  # noqa: F401  (fixture)


def test_admin_user_search_treats_percent_and_underscore_literally(client, make_user, login):
    # given an admin and users with and without a literal % or _ in their e-mail or name
    admin = make_user(roles=("buyer", "admin"), email="admin@example.test", name="Admin")
    make_user(email="diskon%50@example.test", name="Pemburu Diskon")
    make_user(email="biasa@example.test", name="Nama_Bergaris")
    make_user(email="polos@example.test", name="Polos Sekali")
    login(client, admin)

    def found(q: str) -> set[str]:
        page = client.get("/admin/pengguna", query_string={"q": q}).get_data(as_text=True)
        page = page[page.index("<main"):page.index("</main>")]  # the header's menu names the admin
        return {e for e in ("admin@", "diskon%50@", "biasa@", "polos@") if e in page}

    # when the admin searches for "%" then "_", then plain text
    # then only the users with that very character are listed
    assert found("%") == {"diskon%50@"}
    assert found("_") == {"biasa@"}
    assert found("n%5") == {"diskon%50@"} and found("a%") == set()
    assert found("polos") == {"polos@"}


def test_store_suggestions_match_percent_literally(client, make_store):
    # given a store with "0%" in its name and one whose name only has a 0 and more text after
    make_store(name="Kopi 100% Arabika")
    make_store(name="Kopi 1000 Rasa")
    # when a buyer types "0%"
    body = client.get("/api/v1/search/suggest", query_string={"q": "0%"}).get_json()
    # then only the first store is suggested (no category has "0%" in its name)
    assert [s["text"] for s in body["suggestions"] if s["type"] == "store"] == ["Kopi 100% Arabika"]
    assert [s for s in body["suggestions"] if s["type"] == "category"] == []
