"""Who may do what through the API, route by route.

Someone else's product or draft answers 404 (we do not reveal that it exists); a public store
that is not yours answers 403 on writes; anonymous writes answer 401; a revoked token is no
credential; browser-session writes need the CSRF header, token writes do not.
"""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from catalog.models import Product, ProductImage, Store
from marketplace.accounts.models import ApiToken
from tests.catalog.conftest import image_bytes, product_data, store_data
from tests.conftest import csrf_from


@pytest.fixture
def world(make_store, make_product, make_user, token_for, db):
    """Two sellers, each with an active product, a draft and a picture; and a buyer."""
    from catalog.images import add_image

    owner_store, other_store = make_store(), make_store()
    product = make_product(store=owner_store)
    draft = make_product(store=owner_store, status="draft")
    image = add_image(product, image_bytes(), actor=owner_store.owner)
    other_product = make_product(store=other_store)
    db.session.commit()
    buyer = make_user()
    return {
        "store": owner_store.slug, "product": product.id, "draft": draft.id, "image": image.id,
        "other_store": other_store.slug, "other_product": other_product.id,
        "owner": token_for(owner_store.owner), "other": token_for(other_store.owner),
        "buyer": token_for(buyer),
    }


def _upload(client, product_id, headers):
    return client.post(f"/api/v1/products/{product_id}/images", headers=headers,
                       data={"image": (io.BytesIO(image_bytes("PNG")), "foto.png")},
                       content_type="multipart/form-data")


def _code(response) -> str:
    return response.get_json()["error"]["code"]


def _unchanged(db, product_id, title):
    db.session.expire_all()
    return db.session.get(Product, product_id).title == title


def test_another_seller_cannot_touch_my_product(client, world, db):
    title = db.session.get(Product, world["product"]).title
    url = f"/api/v1/products/{world['product']}"
    for headers in (world["other"], world["buyer"]):
        patch = client.patch(url, headers=headers, json={"title": "Dibajak", "price_idr": 1})
        assert patch.status_code == 404 and _code(patch) == "not_found"
        delete = client.delete(url, headers=headers)
        assert delete.status_code == 404
        upload = _upload(client, world["product"], headers)
        assert upload.status_code == 404
        remove_image = client.delete(f"{url}/images/{world['image']}", headers=headers)
        assert remove_image.status_code == 404
    assert _unchanged(db, world["product"], title)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 1
    # while the owner can
    assert client.patch(url, headers=world["owner"], json={"stock": 3}).status_code == 200


def test_an_image_id_of_another_product_is_404(client, world, db):
    # the owner of the other product cannot delete my picture through their own product
    response = client.delete(
        f"/api/v1/products/{world['other_product']}/images/{world['image']}",
        headers=world["other"])
    assert response.status_code == 404
    # nor can I through a product of mine that does not hold it
    response = client.delete(f"/api/v1/products/{world['draft']}/images/{world['image']}",
                             headers=world["owner"])
    assert response.status_code == 404
    assert db.session.get(ProductImage, world["image"]) is not None


def test_another_seller_cannot_change_my_store_or_add_to_it(client, world, db):
    url = f"/api/v1/stores/{world['store']}"
    # the store is public, so this is a 403, not a pretend 404
    patch = client.patch(url, headers=world["other"], json={"name": "Toko Dibajak"})
    assert patch.status_code == 403 and _code(patch) == "forbidden"
    add = client.post(f"{url}/products", headers=world["other"], json=product_data())
    assert add.status_code == 403
    assert client.patch(url, headers=world["buyer"], json={"name": "Toko Dibajak"}).status_code == 403
    db.session.expire_all()
    store = db.session.scalar(sa.select(Store).where(Store.slug == world["store"]))
    assert store.name != "Toko Dibajak"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)
                             .where(Product.store_id == store.id)) == 2
    # and a store that does not exist is still a 404
    assert client.patch("/api/v1/stores/tidak-ada", headers=world["other"],
                        json={"name": "X"}).status_code == 404


def test_another_seller_cannot_see_my_drafts(client, world):
    draft_url = f"/api/v1/products/{world['draft']}"
    assert client.get(draft_url, headers=world["other"]).status_code == 404
    assert client.get(draft_url).status_code == 404
    assert client.get(draft_url, headers=world["owner"]).status_code == 200
    listing = f"/api/v1/stores/{world['store']}/products"
    for headers in (world["other"], {}):
        drafts = client.get(listing + "?status=draft", headers=headers).get_json()
        assert drafts["items"] == [] and drafts["total"] == 0
        everything = client.get(listing, headers=headers).get_json()
        assert [p["id"] for p in everything["items"]] == [world["product"]]
    public = client.get("/api/v1/products", headers=world["other"]).get_json()
    assert world["draft"] not in {p["id"] for p in public["items"]}
    mine = client.get(listing + "?status=draft", headers=world["owner"]).get_json()
    assert [p["id"] for p in mine["items"]] == [world["draft"]]


def test_another_users_token_cannot_be_revoked(client, world, db):
    other_token_id = db.session.scalar(
        sa.select(ApiToken.id).order_by(ApiToken.id).offset(1).limit(1))
    response = client.delete(f"/api/v1/auth/tokens/{other_token_id}", headers=world["owner"])
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=world["other"]).status_code == 200


@pytest.mark.parametrize("method, path", [
    ("post", "/api/v1/stores"),
    ("patch", "/api/v1/stores/{store}"),
    ("post", "/api/v1/stores/{store}/products"),
    ("patch", "/api/v1/products/{product}"),
    ("delete", "/api/v1/products/{product}"),
    ("post", "/api/v1/products/{product}/images"),
    ("delete", "/api/v1/products/{product}/images/{image}"),
    ("delete", "/api/v1/auth/tokens/1"),
])
def test_anonymous_writes_are_401(client, world, db, method, path):
    url = path.format(**world)
    kwargs = ({"data": {"image": (io.BytesIO(image_bytes()), "a.jpg")},
               "content_type": "multipart/form-data"} if url.endswith("/images")
              else {"json": {"name": "X", "title": "X"}} if method != "delete" else {})
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 401, response.get_json()
    assert _code(response) == "unauthorized"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 1


def test_a_revoked_token_is_401_everywhere(client, world, db):
    db.session.execute(sa.update(ApiToken).values(revoked_at=sa.func.now()))
    db.session.commit()
    headers = world["owner"]
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    response = client.patch(f"/api/v1/products/{world['product']}", headers=headers,
                            json={"stock": 1})
    assert response.status_code == 401 and _code(response) == "unauthorized"
    assert _upload(client, world["product"], headers).status_code == 401
    # and it no longer shows the owner's drafts
    assert client.get(f"/api/v1/products/{world['draft']}", headers=headers).status_code == 404


def test_a_bearer_token_writes_without_a_session(client, world):
    response = client.patch(f"/api/v1/products/{world['product']}", headers=world["owner"],
                            json={"stock": 7})
    assert response.status_code == 200 and response.get_json()["stock"] == 7
    assert "Set-Cookie" not in response.headers


def test_a_bearer_token_wins_over_whatever_cookie_comes_with_it(client, world, make_user, login):
    # given a client that has a session cookie from a page view (which stores a CSRF token)
    client.get("/masuk")
    # when it calls the API with its token, the token names the caller
    me = client.get("/api/v1/me", headers=world["owner"])
    assert me.status_code == 200
    # and given a logged-in session, a bad token is still refused rather than ignored
    login(client, make_user())
    assert client.get("/api/v1/me").status_code == 200
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer pu_revoked-or-made-up"})
    assert bad.status_code == 401


def test_session_writes_need_the_csrf_header_but_token_writes_do_not(app, client, make_user,
                                                                     login, token_for):
    # given a logged-in browser session (logged in before CSRF is switched on for the API)
    user = make_user()
    login(client, user)
    token_headers = token_for(make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        # when the session writes without the X-CSRFToken header, it is refused
        refused = client.post("/api/v1/stores", json=store_data())
        assert refused.status_code == 400 and _code(refused) == "csrf_failed"
        wrong = client.post("/api/v1/stores", json=store_data(), headers={"X-CSRFToken": "palsu"})
        assert wrong.status_code == 400 and _code(wrong) == "csrf_failed"
        # reads need no token
        assert client.get("/api/v1/me").status_code == 200
        # with the token from one of our pages, it passes
        token = csrf_from(client.get("/masuk").get_data(as_text=True))
        created = client.post("/api/v1/stores", json=store_data(), headers={"X-CSRFToken": token})
        assert created.status_code == 201, created.get_json()
        # and a bearer-token client (no cookies, no CSRF token) writes freely
        fresh = app.test_client(use_cookies=False)
        by_token = fresh.post("/api/v1/stores", json=store_data(), headers=token_headers)
        assert by_token.status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
