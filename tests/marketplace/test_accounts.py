"""Accounts: registration, login, logout, roles, language switch, CSRF and rate limits."""
import re

import sqlalchemy as sa

from marketplace.accounts.models import User


def test_register_normalises_email_and_logs_in(client, db):
    # given a visitor, when they register with a mixed-case e-mail
    response = client.post("/daftar", data={"name": "Siti Aminah", "email": "  Siti@Example.TEST ",
                                            "password": "kopi-lampung-1", "confirm": "kopi-lampung-1"})
    # then they are logged in as a buyer with the normalised e-mail and a hashed password
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert user.email == "siti@example.test"
    assert user.roles == ["buyer"]
    assert "kopi-lampung-1" not in user.password_hash
    page = client.get("/akun/token")
    assert page.status_code == 200 and "Siti Aminah" in page.get_data(as_text=True)


def test_register_refuses_duplicate_email_and_short_password(client, make_user):
    make_user(email="ada@example.test")
    dup = client.post("/daftar", data={"name": "A", "email": "ADA@example.test",
                                       "password": "12345678", "confirm": "12345678"})
    assert dup.status_code == 200
    assert "E-mail ini sudah terdaftar." in dup.get_data(as_text=True)
    short = client.post("/daftar", data={"name": "B", "email": "b@example.test",
                                         "password": "123", "confirm": "123"})
    assert "Kata sandi minimal 8 karakter." in short.get_data(as_text=True)


def test_login_wrong_password_then_right(client, make_user, login):
    user = make_user()
    bad = client.post("/masuk", data={"email": user.email, "password": "salah-sekali"})
    assert bad.status_code == 200
    assert "E-mail atau kata sandi salah." in bad.get_data(as_text=True)
    login(client, user)
    assert client.get("/akun/token").status_code == 200


def test_logout_ends_session(client, make_user, login):
    login(client, make_user())
    assert client.post("/keluar").status_code == 302
    assert client.get("/akun/token").status_code == 302  # back to the login page


def test_login_redirect_refuses_other_sites(client, make_user):
    user = make_user()
    from tests.conftest import PASSWORD

    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD,
                                           "next": "https://evil.example/steal"})
    assert response.headers["Location"] == "/"


def test_language_switch_to_english_and_back(client):
    assert "Masuk" in client.get("/masuk").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "en", "next": "/masuk"})
    page = client.get("/masuk").get_data(as_text=True)
    assert "Log in" in page and 'lang="en"' in page
    client.post("/bahasa", data={"lang": "id"})
    assert 'lang="id"' in client.get("/masuk").get_data(as_text=True)


def test_login_attempts_are_rate_limited(app, client, make_user):
    user = make_user()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.post("/masuk", data={"email": user.email, "password": "x" * 9}).status_code
                 for _ in range(4)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert codes == [200, 200, 200, 429]


def test_admin_grants_officer_role_but_seller_cannot(client, make_user, login, db):
    admin = make_user(roles=("buyer", "admin"))
    target = make_user()
    seller = make_user(roles=("buyer", "seller"))
    login(client, seller)
    assert client.post(f"/admin/pengguna/{target.id}/peran", data={"role": "officer"}).status_code == 403
    client.post("/keluar")
    login(client, admin)
    assert client.post(f"/admin/pengguna/{target.id}/peran",
                       data={"role": "officer", "action": "grant"}).status_code == 302
    db.session.expire_all()
    assert "officer" in db.session.get(User, target.id).roles


def test_create_admin_cli(runner, db):
    result = runner.invoke(args=["create-admin", "--email", "Root@Example.test", "--name", "Root",
                                 "--password", "admin-pass-1"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.test"))
    assert user.roles == ["buyer", "admin"]


def _sample_value(match: re.Match) -> str:
    """A value a URL converter accepts: 1 for numbers, the first choice for any(...), x otherwise."""
    converter, arguments = match.group(1), match.group(2)
    if converter == "int":
        return "1"
    if converter == "any":
        return arguments.split(",")[0].strip()
    return "x"


def test_every_form_rejects_a_post_without_csrf_token(app, client, make_user, login):
    # given a logged-in user and CSRF protection on (as in production)
    login(client, make_user(roles=("buyer", "seller", "admin")))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        # when any page route that accepts POST is called without a token
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.rule.startswith("/api/") or rule.rule.startswith("/webhooks/"):
                continue
            url = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", _sample_value, rule.rule)
            response = client.post(url, data={})
            # then it is refused before it does anything
            assert response.status_code == 400, (rule.rule, response.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_session_cookie_is_httponly_and_samesite(client, make_user, login):
    user = make_user()
    from tests.conftest import PASSWORD

    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
