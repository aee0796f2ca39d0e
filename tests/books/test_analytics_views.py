"""Product page views: counted per product and WIB day without anything about the viewer,
robots and the store's owner left out, flushed into the daily table by the job."""
from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import require_service
from tests.orders.conftest import make_product, make_store  # noqa: F401  (fixtures)

BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile"}


def _views(db):
    import sqlalchemy as sa

    from books.models import ProductViewsDaily

    return sorted(tuple(r) for r in db.session.execute(sa.select(
        ProductViewsDaily.product_id, ProductViewsDaily.day, ProductViewsDaily.store_id,
        ProductViewsDaily.views)).all())


def test_views_are_counted_without_robots_or_the_owner_and_flushed(app, client, make_product, make_user,
                                                                   login, db):
    from marketplace.jobs import run_now
    from marketplace.money.rates import today_wib

    product = make_product()
    other = make_product()
    # given three visits by people (one signed in), and one to another product
    for _ in range(2):
        assert client.get(f"/produk/{product.id}", headers=BROWSER).status_code == 200
    buyer_client = app.test_client()
    login(buyer_client, make_user())
    buyer_client.get(f"/produk/{product.id}", headers=BROWSER)
    client.get(f"/produk/{other.id}", headers=BROWSER)
    # and visits that do not count: robots, link previews, no user agent, the store's owner
    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "facebookexternalhit/1.1 Preview",
                  "Mozilla/5.0 (compatible; AhrefsSpider)", "SomeCrawler/1.0", ""):
        client.get(f"/produk/{product.id}", headers={"User-Agent": agent})
    owner_client = app.test_client()
    login(owner_client, product.store.owner)
    owner_client.get(f"/produk/{product.id}", headers=BROWSER)
    # when the job flushes the counters
    result = run_now("books.flush_views")
    # then the day's rows hold three views and one, and nothing about who looked
    assert result == {"rows": 2, "views": 4}
    day = today_wib()
    assert _views(db) == sorted([(product.id, day, product.store_id, 3), (other.id, day, other.store_id, 1)])
    # and later views add to the same rows
    client.get(f"/produk/{product.id}", headers=BROWSER)
    run_now("books.flush_views")
    assert _views(db)[0 if product.id < other.id else 1][3] == 4
    assert run_now("books.flush_views") == {"rows": 0, "views": 0}


def test_a_busy_process_flushes_its_own_counters_once_a_minute(app, client, make_product, db, monkeypatch):
    from books import views_counter

    product = make_product()
    client.get(f"/produk/{product.id}", headers=BROWSER)
    assert _views(db) == []  # (counted in memory, not yet written)
    # when a minute has passed since the last flush, the next page view writes them
    state = views_counter._state(app)["memory"]
    monkeypatch.setattr(state, "flushed_at", state.flushed_at - views_counter.FLUSH_SECONDS)
    client.get(f"/produk/{product.id}", headers=BROWSER)
    db.session.expire_all()
    assert [row[3] for row in _views(db)] == [2]


def test_views_of_a_product_deleted_since_are_dropped_and_the_page_still_works(app, client, make_product, db,
                                                                               monkeypatch):
    from books import views_counter
    from catalog.models import Product

    # given views counted in memory of a product that is then deleted
    gone = make_product()
    client.get(f"/produk/{gone.id}", headers=BROWSER)
    gone_id = gone.id
    db.session.delete(db.session.get(Product, gone_id))
    db.session.commit()
    # when another product's page is the one that flushes them
    product = make_product()
    state = views_counter._state(app)["memory"]
    monkeypatch.setattr(state, "flushed_at", state.flushed_at - views_counter.FLUSH_SECONDS)
    assert client.get(f"/produk/{product.id}", headers=BROWSER).status_code == 200
    # then the live product's view is written and the deleted one's dropped
    db.session.expire_all()
    assert [(row[0], row[3]) for row in _views(db)] == [(product.id, 1)]
    assert views_counter.flush()["rows"] == 0


def test_views_count_in_redis_when_the_task_queue_has_one(app, client, make_product, db):
    from marketplace.jobs import run_now

    url = os.environ.get("TASK_QUEUE_URL") or ""
    require_service("Redis (the task queue's broker)", url.startswith("redis://"), "TASK_QUEUE_URL is not set")
    saved = app.config["TASK_QUEUE_URL"], app.config["TASK_QUEUE_NAME"]
    app.config.update(TASK_QUEUE_URL=url, TASK_QUEUE_NAME=f"test-views-{uuid.uuid4().hex[:8]}")
    try:
        product = make_product()
        # given views counted by two "processes" (two clients of the same app share Redis only)
        for _ in range(3):
            client.get(f"/produk/{product.id}", headers=BROWSER)
        app.test_client().get(f"/produk/{product.id}", headers=BROWSER)
        from books.views_counter import _prefix, _redis

        with app.app_context():
            client_redis, prefix = _redis(app), _prefix(app)
        keys = list(client_redis.scan_iter(match=f"{prefix}*"))
        assert len(keys) == 1 and client_redis.hgetall(keys[0]) == {
            f"{product.id}:{product.store_id}".encode(): b"4"}
        # when the job flushes, the rows hold them and Redis is empty
        assert run_now("books.flush_views") == {"rows": 1, "views": 4}
        assert [row[3] for row in _views(db)] == [4]
        assert list(client_redis.scan_iter(match=f"{prefix}*")) == []
    finally:
        app.config.update(TASK_QUEUE_URL=saved[0], TASK_QUEUE_NAME=saved[1])


def test_a_redis_that_does_not_answer_never_fails_the_page(app, client, make_product, db):
    from marketplace.jobs import run_now

    saved = app.config["TASK_QUEUE_URL"]
    app.config.update(TASK_QUEUE_URL="redis://127.0.0.1:9/0")  # nothing listens there
    try:
        product = make_product()
        # given a Redis that does not answer, the pages still open and the views are kept here
        for _ in range(2):
            assert client.get(f"/produk/{product.id}", headers=BROWSER).status_code == 200
        # and the job writes them
        assert run_now("books.flush_views") == {"rows": 1, "views": 2}
        assert [row[3] for row in _views(db)] == [2]
    finally:
        app.config.update(TASK_QUEUE_URL=saved)
        app.extensions.get("books.views", {}).update(redis_down_until=0.0)


@pytest.mark.parametrize("agent, robot", [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1", False),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", False),
    ("Mozilla/5.0 (compatible; bingbot/2.0)", True),
    ("Slackbot-LinkExpanding 1.0", True),
    ("", True),
])
def test_robots_are_told_by_their_user_agent(agent, robot):
    from books.views_counter import is_robot

    assert is_robot(agent) is robot
