"""Login sessions end on the server: logout, remember me, password change, Secure cookies.

Reproductions from issue 8: a session cookie replayed after `POST /keluar` still opened
`/pesanan`; the remember cookie was not cleared; "Ingat saya" logged in for one request and then
out; the remember token was the same on every login; cookies were not Secure over HTTPS.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import UserSession
from tests.conftest import PASSWORD

PRIVATE_PAGE = "/pesanan"  # the buyer's orders: login required


def _login(client, user, *, remember=False, **kwargs):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/masuk", data=data, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers of a response, by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def _is_logged_in(client) -> bool:
    response = client.get(PRIVATE_PAGE)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _browser_with(app, **cookies):
    """A new browser holding only these cookies (a replay, or a restart that kept them)."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


def test_a_session_cookie_replayed_after_logout_is_anonymous(app, client, make_user):
    # given a buyer logged in, and a copy of their session cookie
    _login(client, make_user())
    assert _is_logged_in(client)
    stolen = _cookie(client, "session")
    # when they log out
    assert client.post("/keluar").status_code == 302
    # then the copy no longer opens their orders, nor does this browser
    assert not _is_logged_in(_browser_with(app, session=stolen))
    assert not _is_logged_in(client)


def test_logout_clears_the_remember_cookie_and_ends_it_on_the_server(app, client, make_user, db):
    # given a buyer logged in with "Ingat saya", and a copy of their remember cookie
    _login(client, make_user(), remember=True)
    remember = _cookie(client, "remember_token")
    assert remember
    # when they log out
    response = client.post("/keluar")
    # then the response deletes the remember cookie, and the copy alone logs nobody in
    assert "remember_token=;" in _set_cookies(response)["remember_token"]
    assert _cookie(client, "remember_token") is None
    assert not _is_logged_in(_browser_with(app, remember_token=remember))
    # and the login is revoked in the database
    row = db.session.scalar(sa.select(UserSession))
    assert row.revoked_at is not None and row.remember is True


def test_remember_me_keeps_the_user_logged_in_after_the_browser_restarts(app, client, make_user):
    # given a buyer who logged in with "Ingat saya"
    _login(client, make_user(), remember=True)
    # when the browser restarts: the session cookie is gone, the remember cookie stays
    restarted = _browser_with(app, remember_token=_cookie(client, "remember_token"))
    # then they stay logged in, request after request (not one request and then out)
    for _ in range(3):
        response = restarted.get(PRIVATE_PAGE)
        assert response.status_code == 200
        assert "remember_token" not in _set_cookies(response)  # not cleared either


def test_remember_me_survives_a_change_of_address_or_browser_version(app, client, make_user):
    # given a buyer on a phone who logged in with "Ingat saya"
    _login(client, make_user(), remember=True, environ_base={"REMOTE_ADDR": "10.1.1.1"},
           headers={"User-Agent": "Phone/1"})
    # when the carrier hands the phone another address and the browser updates
    response = client.get(PRIVATE_PAGE, environ_base={"REMOTE_ADDR": "10.9.9.9"},
                          headers={"User-Agent": "Phone/2"})
    # then they are still logged in and keep their remember cookie
    assert response.status_code == 200
    assert "remember_token" not in _set_cookies(response)
    assert client.get(PRIVATE_PAGE, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_each_login_gets_its_own_token(app, make_user, db):
    # given one buyer logging in twice with "Ingat saya" (two browsers)
    user = make_user()
    first, second = app.test_client(), app.test_client()
    _login(first, user, remember=True, headers={"User-Agent": "Browser A"})
    _login(second, user, remember=True, headers={"User-Agent": "Browser B"})
    # then the remember tokens differ, and there are two login rows holding no secret in clear
    assert _cookie(first, "remember_token") != _cookie(second, "remember_token")
    rows = db.session.scalars(sa.select(UserSession).order_by(UserSession.id)).all()
    assert [r.user_agent for r in rows] == ["Browser A", "Browser B"]
    for row, browser in zip(rows, (first, second)):
        secret = _cookie(browser, "remember_token").split("|")[0].split(":", 1)[1]
        assert secret not in row.secret_hash and len(row.secret_hash) == 64
    # and logging out of one browser leaves the other logged in
    first.post("/keluar")
    assert not _is_logged_in(first)
    assert _is_logged_in(second)


def test_changing_the_password_ends_every_session(app, make_user, db):
    # given a buyer logged in on two browsers, one with "Ingat saya"
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, user)
    _login(phone, user, remember=True)
    remember = _cookie(phone, "remember_token")
    # when their password is changed
    from marketplace.accounts.services import set_password

    set_password(db.session.merge(user), "kata-sandi-baru-1")
    db.session.commit()
    # then both browsers, and the remember cookie alone, are logged out
    assert not _is_logged_in(laptop)
    assert not _is_logged_in(phone)
    assert not _is_logged_in(_browser_with(app, remember_token=remember))


def test_end_sessions_logs_a_user_out_everywhere(app, make_user, db):
    # given a buyer logged in on two browsers and another buyer logged in too
    user, other = make_user(), make_user()
    one, two, theirs = app.test_client(), app.test_client(), app.test_client()
    _login(one, user)
    _login(two, user, remember=True)
    _login(theirs, other)
    # when an admin ends the buyer's sessions
    from marketplace.accounts.services import end_sessions

    assert end_sessions(db.session.merge(user)) == 2
    db.session.commit()
    # then the buyer is logged out everywhere, the other buyer is not
    assert not _is_logged_in(one) and not _is_logged_in(two)
    assert _is_logged_in(theirs)


def test_a_deactivated_account_is_logged_out(app, client, make_user, db):
    user = make_user()
    _login(client, user, remember=True)
    db.session.merge(user).is_active_flag = False
    db.session.commit()
    assert not _is_logged_in(client)


def test_an_old_session_holding_a_bare_user_id_is_anonymous(app, client, make_user):
    # given a session cookie signed before server-side sessions: it names the user id alone
    user = make_user()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    # then it logs nobody in (and does not fail)
    assert not _is_logged_in(client)


def test_an_expired_session_is_anonymous(app, client, make_user, db):
    _login(client, make_user())
    row = db.session.scalar(sa.select(UserSession))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    assert not _is_logged_in(client)


def test_a_login_records_when_it_was_last_used(app, client, make_user, db):
    # given a login last used an hour ago
    _login(client, make_user())
    row = db.session.scalar(sa.select(UserSession))
    row.last_seen_at = row.created_at - timedelta(hours=1)
    db.session.commit()
    hour_ago = row.last_seen_at
    # when the browser opens a page (a GET: the request itself commits nothing)
    assert _is_logged_in(client)
    # then the login's last use is now
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).last_seen_at > hour_ago + timedelta(minutes=59)


def test_purge_expired_sessions_deletes_only_ended_ones(app, make_user, db, runner):
    # given a live login, one expired, one revoked yesterday and one revoked ten days ago
    from marketplace.accounts import services
    from marketplace.timeutil import utcnow

    user = make_user()
    now = utcnow()
    for label in ("live", "expired", "revoked-yesterday", "revoked-long-ago"):
        services.start_session(user, remember=False, lifetime=timedelta(days=1), user_agent=label)
    rows = {r.user_agent: r for r in db.session.scalars(sa.select(UserSession))}
    rows["expired"].expires_at = now - timedelta(minutes=1)
    rows["revoked-yesterday"].revoked_at = now - timedelta(days=1)
    rows["revoked-long-ago"].revoked_at = now - timedelta(days=10)
    db.session.commit()
    # when they are purged
    assert services.purge_expired_sessions() == 2
    db.session.commit()
    # then the live one and the recently revoked one are kept
    left = set(db.session.scalars(sa.select(UserSession.user_agent)))
    assert left == {"live", "revoked-yesterday"}
    # and the CLI command does the same (nothing left to purge now)
    result = runner.invoke(args=["purge-sessions"])
    assert result.exit_code == 0 and "0 ended sessions deleted." in result.output


# -- Secure cookies ------------------------------------------------------------------------------

def test_cookies_are_secure_when_served_over_https(app, client, make_user):
    # given SESSION_COOKIE_SECURE unset (the default), when a buyer logs in over HTTPS
    assert not app.config["SESSION_COOKIE_SECURE"]
    response = _login(client, make_user(), remember=True, base_url="https://localhost")
    # then the session and remember cookies are Secure (and still HttpOnly, SameSite=Lax)
    cookies = _set_cookies(response)
    for name in ("session", "remember_token"):
        assert "; Secure" in cookies[name], cookies[name]
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
    # and logging out over HTTPS deletes them with the same flag
    out = _set_cookies(client.post("/keluar", base_url="https://localhost"))
    assert "; Secure" in out["remember_token"]


def test_cookies_are_not_secure_on_plain_http_without_a_public_https_address(client, make_user):
    # so that `make run` on http://127.0.0.1 can log in
    cookies = _set_cookies(_login(client, make_user(), remember=True))
    assert "Secure" not in cookies["session"] and "Secure" not in cookies["remember_token"]


def test_cookies_are_secure_when_the_public_address_is_https(app, client, make_user):
    # given a TLS proxy in front of the app, which talks plain HTTP to it
    app.config["PUBLIC_URL"] = "https://pasar.example.id"
    try:
        cookies = _set_cookies(_login(client, make_user(), remember=True))
    finally:
        app.config["PUBLIC_URL"] = None
    assert "; Secure" in cookies["session"] and "; Secure" in cookies["remember_token"]


# -- Bearer tokens are untouched -----------------------------------------------------------------

def test_a_bearer_token_still_works_beside_a_logged_out_session(app, client, make_user, token_for):
    # given a buyer with an API token, whose browser session was ended
    user = make_user()
    headers = token_for(user)
    _login(client, user)
    stolen = _cookie(client, "session")
    client.post("/keluar")
    # then the token names them on the API, with or without the dead cookie
    for browser in (client, _browser_with(app, session=stolen)):
        response = browser.get("/api/v1/me", headers=headers)
        assert response.status_code == 200 and response.get_json()["email"] == user.email
    # and the dead cookie alone is anonymous on the API
    assert _browser_with(app, session=stolen).get("/api/v1/me").status_code == 401
