"""The index follows the database without losing anything, through outages and reindexes."""
import sqlalchemy as sa

from catalog.models import Product
from search.models import OutboxEntry
from tests.search.conftest import build_catalog


def search(client, **args):
    response = client.get("/api/v1/search", query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_changes_made_while_elasticsearch_is_down_are_not_lost(app, client, db, make_user, es_only,
                                                               runner):
    from catalog.services import create_product, update_product
    from search.engine import forget_backends
    from tests.catalog.conftest import product_data

    ids = build_catalog(make_user)
    assert search(client, q="madu")["backend"] == "elasticsearch"

    # given Elasticsearch goes down (nothing listens on its address any more)
    app.config["ELASTICSEARCH_URL"] = "http://127.0.0.1:9"
    app.config["SEARCH_TIMEOUT_SECONDS"] = 1
    forget_backends(app)
    # when a seller keeps working: a price change, a new product
    madu = db.session.get(Product, ids["madu"])
    update_product(madu, {"price_idr": 111000}, actor=madu.store.owner)
    db.session.commit()
    new = create_product(madu.store, product_data(title="Madu Kelulut Kalimantan", category="madu"),
                         actor=madu.store.owner)
    db.session.commit()
    # then saving worked, buyers get a clearly degraded but current answer from the embedded index
    body = search(client, q="madu")
    assert body["backend"] == "embedded" and body["degraded"] is True
    assert {ids["madu"], new.id} <= {i["id"] for i in body["items"]}
    assert "mode sederhana" in client.get("/cari?q=madu").get_data(as_text=True)
    # and the changes wait in the outbox for Elasticsearch
    waiting = db.session.scalars(sa.select(OutboxEntry).where(OutboxEntry.backend == "elasticsearch")).all()
    assert {(w.entity, w.entity_id) for w in waiting} >= {("product", ids["madu"]), ("product", new.id)}
    assert all(w.attempts >= 1 and w.last_error for w in waiting if w.entity_id == ids["madu"])
    # sync while still down reports what waits and fails
    assert runner.invoke(args=["search", "sync"]).exit_code == 1

    # when Elasticsearch is back and `flask search sync` runs
    app.config["ELASTICSEARCH_URL"] = es_only
    forget_backends(app)
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    # then Elasticsearch has caught up with every change, and the outbox is empty
    body = search(client, q="madu")
    assert body["backend"] == "elasticsearch" and not body.get("degraded")
    prices = {i["id"]: i["price_idr"] for i in body["items"]}
    assert prices[ids["madu"]] == 111000 and new.id in prices
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 0


def test_a_rolled_back_change_leaves_no_outbox_row(app, db, make_product):
    from catalog.services import update_product

    product = make_product()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry))
    update_product(product, {"price_idr": 1234}, actor=product.store.owner)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == before == 0


def test_reindex_swaps_the_alias_and_applies_new_synonyms(app, client, db, make_user, es_only,
                                                          runner, tmp_path):
    from search.engine import elasticsearch_backend

    ids = build_catalog(make_user)
    es = elasticsearch_backend()
    first = set(es.client.indices.get_alias(name=es.alias))
    # "toffee" means nothing yet
    assert search(client, q="toffee")["total"] == 0

    # given an admin extends the synonyms file
    synonyms = tmp_path / "synonyms.txt"
    from pathlib import Path

    original = Path(app.root_path).parent / "search" / "synonyms.txt"
    synonyms.write_text(original.read_text(encoding="utf-8") + "\ndodol, toffee\n", encoding="utf-8")
    app.config["SEARCH_SYNONYMS_FILE"] = str(synonyms)
    try:
        # when the index is rebuilt
        result = runner.invoke(args=["search", "reindex", "--backend", "elasticsearch"])
        assert result.exit_code == 0, result.output
        assert "indexed 24 products" in result.output
        # then the alias points at a new index, the old one is gone, and the synonym works
        second = set(es.client.indices.get_alias(name=es.alias))
        assert len(second) == 1 and second != first
        assert not es.client.indices.exists(index=list(first)[0])
        assert [i["id"] for i in search(client, q="toffee")["items"]] == [ids["dodol"]]
        assert search(client)["total"] == 24
        # and the embedded backend reads the same file at query time
        app.config["ELASTICSEARCH_URL"], saved = None, app.config["ELASTICSEARCH_URL"]
        try:
            from search.engine import forget_backends

            forget_backends(app)
            assert [i["id"] for i in search(client, q="toffee")["items"]] == [ids["dodol"]]
        finally:
            app.config["ELASTICSEARCH_URL"] = saved
            forget_backends(app)
    finally:
        app.config["SEARCH_SYNONYMS_FILE"] = None


def test_live_changes_during_a_reindex_reach_the_new_index(app, client, db, make_user, es_only):
    from catalog.services import update_product
    from search import documents
    from search.engine import elasticsearch_backend

    ids = build_catalog(make_user)
    es = elasticsearch_backend()
    product = db.session.get(Product, ids["teh"])

    def stream_with_a_change_midway():
        for n, doc in enumerate(documents.stream_documents(batch_size=5)):
            if n == 10:
                # a seller saves while the new index is being built
                update_product(product, {"title": "Teh Hijau Way Tenong"}, actor=product.store.owner)
                db.session.commit()
            yield doc

    es.reindex(stream_with_a_change_midway(), 24, catch_up=documents.changed_since)
    titles = [i["title"] for i in search(client, q="tenong")["items"]]
    assert titles == ["Teh Hijau Way Tenong"]


def test_bulk_stream_and_live_documents_are_the_same(app, db, make_user, backend_name):
    """The reindex reads plain rows, the dispatcher ORM objects: both must build one document."""
    from search.documents import documents_for, stream_documents

    ids = build_catalog(make_user)
    streamed = {d["id"]: d for d in stream_documents(batch_size=7)}
    live, gone = documents_for(ids.values())
    assert gone == [] and len(streamed) == len(live) == len(ids)
    assert all(streamed[d["id"]] == d for d in live)


def test_an_index_file_of_an_older_format_is_emptied_and_rebuilt_at_start(app, client, db, make_user,
                                                                         runner, tmp_path):
    """A file built by older code (another INDEX_VERSION: another stemmer or schema) is never
    searched as it is: opening it drops its tables, and the start-up `reindex --if-empty` (what
    `make run` does) fills it again from the database."""
    import sqlite3

    from search.embedded import INDEX_VERSION
    from search.engine import forget_backends

    ids = build_catalog(make_user)
    old = tmp_path / "old-index.db"
    with sqlite3.connect(old) as conn:  # what version 1 left: a docs table with a stale row
        conn.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO docs VALUES (999999, 'meja kemeja')")
        conn.execute("PRAGMA user_version = 1")
    saved = app.config["SEARCH_INDEX_PATH"]
    app.config["SEARCH_INDEX_PATH"] = str(old)
    forget_backends(app)
    try:
        result = runner.invoke(args=["search", "reindex", "--backend", "embedded", "--if-empty"])
        assert result.exit_code == 0, result.output
        assert "already indexed" not in result.output
        with sqlite3.connect(old) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == INDEX_VERSION
        body = search(client, q="kemeja")
        assert body["backend"] == "embedded"
        assert [item["id"] for item in body["items"]] == [ids["kemeja"]]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(
            Product.status == "active")) == search(client, per_page=1)["total"]
    finally:
        forget_backends(app)
        app.config["SEARCH_INDEX_PATH"] = saved
        forget_backends(app)
