"""Open redirects and header injection through `next` (issue 8).

Reproduction: a login with `next=%2F%0D%0ASet-Cookie%3A%20x%3D1` answered 500
(`ValueError: Header values must not contain newline`). Every `next` lands on a local path.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from marketplace.web import safe_next
from tests.conftest import PASSWORD

HOSTILE_NEXT = [
    "//evil.test",
    "/\\evil.test",
    "\\\\evil.test",
    "https://evil.test",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: x=1",
    "/\t/evil.test",
    "/\n/evil.test",
    "evil.test/path",
]


def _assert_local(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "\r" not in location and "\n" not in location, location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_with_a_hostile_next_lands_on_a_local_path(client, make_user, target):
    user = make_user()
    # as a form field (what the login page posts) ...
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    _assert_local(response.headers["Location"])
    assert "x=1" not in response.headers.get("Set-Cookie", "").replace("HttpOnly", "")


def test_login_next_with_a_newline_in_the_query_string_is_not_a_500(client, make_user):
    # given the reproduction: the login page opened with a CR/LF `next`
    user = make_user()
    url = "/masuk?next=%2F%0D%0ASet-Cookie%3A%20x%3D1"
    assert client.get(url).status_code == 200
    # when the form is posted there
    response = client.post(url, data={"email": user.email, "password": PASSWORD})
    # then the user is logged in and sent home, with no injected header
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert all(not h.startswith("x=") for h in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("target", ["//evil.test", "/\\evil.test", "https://evil.test",
                                    "/%0D%0ASet-Cookie:%20x=1"])
def test_register_and_language_switch_refuse_hostile_next(client, target):
    response = client.post("/daftar?next=" + quote(target, safe=""),
                           data={"name": "Siti", "email": "siti@example.test",
                                 "password": "kopi-lampung-1", "confirm": "kopi-lampung-1"})
    assert response.status_code == 302
    _assert_local(response.headers["Location"])
    response = client.post("/bahasa", data={"lang": "en", "next": target})
    assert response.status_code == 302
    _assert_local(response.headers["Location"])


def test_safe_next_keeps_local_paths_and_encodes_non_ascii():
    assert safe_next("/pesanan?status=dibayar#atas") == "/pesanan?status=dibayar#atas"
    assert safe_next("/cari?q=kopi ü") == "/cari?q=kopi%20%C3%BC"
    assert safe_next("/a%0D%0Ab") == "/a%0D%0Ab"  # percent-encoded stays encoded: a path, not a header
    assert safe_next(None, "/fallback") == "/fallback"
    for target in HOSTILE_NEXT + ["/x\ud800", "/\x85//evil.test", "/\x00"]:
        assert safe_next(target, "/fallback") == "/fallback", repr(target)
