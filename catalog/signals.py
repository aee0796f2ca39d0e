"""Catalog change signals. Sent inside the transaction that made the change, after flush, so a
listener (the search outbox) can write its own rows in that same transaction. The catalog never
imports its listeners."""
from blinker import Namespace

_signals = Namespace()

#: sender: the Product (or a list of product ids via `product_ids=`) that changed or was deleted.
products_changed = _signals.signal("catalog.products-changed")
#: sender: the Store whose details (name, region, verification...) changed.
store_changed = _signals.signal("catalog.store-changed")
