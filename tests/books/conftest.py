"""Books fixtures: a seller's store and its owner, and a helper recording entries."""
from __future__ import annotations

import pytest

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


@pytest.fixture
def roaster(make_store):
    """A coffee roaster's store (Lampung), committed."""
    return make_store(name="Kopi Way Kanan")


def record(store, **data):
    """record_entry as the seller, committed: record(store, date=..., kind=..., ...) -> BookEntry."""
    from books.services import record_entry
    from marketplace.extensions import db

    entry = record_entry(store, data, actor=store.owner)
    db.session.commit()
    return entry
