"""Accounts API: register, personal tokens (shown once, stored hashed, revocable) and /me."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import ApiToken, User
from tests.conftest import PASSWORD


def _register(client, **overrides):
    body = {"email": "siti@example.test", "password": "kopi-lampung-1", "name": "Siti Aminah"}
    body.update(overrides)
    return client.post("/api/v1/auth/register", json=body)


def _token(client, email="siti@example.test", password="kopi-lampung-1", label="kasir"):
    return client.post("/api/v1/auth/tokens",
                       json={"email": email, "password": password, "label": label})


def test_register_answers_201_with_the_account(client, db):
    # when a visitor registers through the API
    response = _register(client, email="  Siti@Example.TEST ")
    # then they get their account back, a buyer, with the e-mail normalised
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "email", "name", "roles"}
    assert body["email"] == "siti@example.test"
    assert body["name"] == "Siti Aminah"
    assert body["roles"] == ["buyer"]
    user = db.session.get(User, body["id"])
    assert user is not None and "kopi-lampung-1" not in user.password_hash


def test_register_twice_is_409_email_taken(client):
    assert _register(client).status_code == 201
    # when the same e-mail registers again, in another case
    response = _register(client, email="SITI@example.test")
    # then it is a conflict, on the e-mail field
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "email_taken"
    assert set(error["fields"]) == {"email"}


def test_register_invalid_fields_are_422_with_each_field(client):
    response = _register(client, email="bukan-email", password="123", name="")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_fields"
    assert set(error["fields"]) == {"email", "password", "name"}
    assert isinstance(error["message"], str) and error["message"]


def test_register_refuses_a_body_that_is_not_json(client):
    # a cross-site form cannot send JSON, so anonymous writes must be JSON
    response = client.post("/api/v1/auth/register",
                           data={"email": "a@example.test", "password": "x" * 10, "name": "A"})
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    bad_json = client.post("/api/v1/auth/register", data="[1, 2",
                           content_type="application/json")
    assert bad_json.status_code == 400
    assert bad_json.get_json()["error"]["code"] == "bad_json"


def test_token_is_shown_once_and_only_its_hash_is_stored(client, db):
    _register(client)
    # when the user asks for a token with their password
    response = _token(client)
    # then they get it, once
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "token", "label"}
    assert body["label"] == "kasir"
    token = body["token"]
    assert token.startswith("pu_") and len(token) > 30
    # and the database keeps only a hash of it and a short prefix to recognise it by
    row = db.session.get(ApiToken, body["id"])
    values = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
    assert all(token not in value for value in values)
    assert row.token_hash != token and len(row.token_hash) == 64
    assert token.startswith(row.prefix) and len(row.prefix) < len(token)
    # and the token works
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["email"] == "siti@example.test"


def test_token_with_wrong_password_is_401(client):
    _register(client)
    response = _token(client, password="salah-sekali")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "bad_credentials"
    unknown = _token(client, email="siapa@example.test")
    assert unknown.status_code == 401
    assert unknown.get_json()["error"]["code"] == "bad_credentials"


def test_token_needs_a_label(client):
    _register(client)
    response = _token(client, label="  ")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"label"}


def test_revoked_token_no_longer_works(client, db):
    _register(client)
    created = _token(client).get_json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    # when the user revokes the token, using that same token
    response = client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=headers)
    # then it is gone: 204, and it opens nothing any more
    assert response.status_code == 204
    assert response.data == b""
    again = client.get("/api/v1/me", headers=headers)
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "unauthorized"
    assert db.session.get(ApiToken, created["id"]).revoked_at is not None


def test_me_needs_a_login(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    bogus = client.get("/api/v1/me", headers={"Authorization": "Bearer pu_not-a-real-token"})
    assert bogus.status_code == 401


def test_me_shows_the_store_after_opening_one(client, make_user, token_for):
    from tests.catalog.conftest import store_data

    user = make_user(name="Budi Santoso")
    headers = token_for(user)
    # given a buyer without a store
    before = client.get("/api/v1/me", headers=headers).get_json()
    assert before == {"id": user.id, "email": user.email, "name": "Budi Santoso",
                      "roles": ["buyer"], "store": None}
    # when they open one
    created = client.post("/api/v1/stores", json=store_data(name="Keripik Pisang Bu Budi"),
                          headers=headers)
    assert created.status_code == 201
    # then /me shows them as a seller with that store
    after = client.get("/api/v1/me", headers=headers).get_json()
    assert after["roles"] == ["buyer", "seller"]
    assert after["store"]["slug"] == created.get_json()["slug"] == "keripik-pisang-bu-budi"
    assert after["store"]["name"] == "Keripik Pisang Bu Budi"
    assert after["store"]["url"] == "/toko/keripik-pisang-bu-budi"


def test_me_through_the_browser_session(client, make_user, login):
    user = make_user()
    login(client, user, PASSWORD)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id


@pytest.mark.parametrize("language", ["id", "en", "en-US,en;q=0.9", "fr"])
def test_error_codes_do_not_depend_on_the_language(client, language):
    # the message follows Accept-Language; the code and field names never do
    _register(client)
    dup = client.post(
        "/api/v1/auth/register",
        json={"email": "siti@example.test", "password": "kopi-lampung-1", "name": "Siti"},
        headers={"Accept-Language": language})
    assert dup.status_code == 409
    error = dup.get_json()["error"]
    assert error["code"] == "email_taken" and set(error["fields"]) == {"email"}
    assert error["message"]
    missing = client.get("/api/v1/me", headers={"Accept-Language": language})
    assert missing.status_code == 401
    assert missing.get_json()["error"]["code"] == "unauthorized"
    nowhere = client.get("/api/v1/tidak-ada", headers={"Accept-Language": language})
    assert nowhere.status_code == 404
    assert nowhere.get_json()["error"]["code"] == "not_found"


def test_another_users_token_cannot_be_revoked(client, make_user, token_for, db):
    owner, other = make_user(), make_user()
    token_for(owner)
    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == owner.id))
    response = client.delete(f"/api/v1/auth/tokens/{token_id}", headers=token_for(other))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is None
