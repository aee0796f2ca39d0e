"""Extension points: how a domain lets the domains above it add to what it does.

A lower package (the core, catalog, search, orders) declares a `Hook` where others may plug in;
a higher package registers an entry from its `init_app(app)`. Entries live on the app
(`app.extensions["marketplace.hooks"]`), so two apps in one process (tests) never see each
other's entries, and registering the same entry twice for an app keeps one.

The hooks of the house (who declares them, who registers):

- `marketplace.accounts.api.me_fields`: functions `(user) -> dict` merged into `GET /api/v1/me`
  (catalog adds `store`).
- `marketplace.accounts.views.kept_on_login`: session keys that survive the session reset at login
  (the language, the display currency, the guest's cart).
- `marketplace.notifications.messages`: `{kind: lazy message}` dicts, the texts of notifications.
- `marketplace.navigation.nav_links` / `header_parts`: the header's links, counters and boxes.
- `marketplace.navigation.bottom_nav`: the main places of each role in the phone's bottom
  navigation (catalog: home, categories, dashboard; orders: cart, orders; promotions: the
  store's events; the core: the account page).
- `catalog.home.home_sections`: functions `() -> HomeSection | None` adding a section to the home
  page (promotions adds the live and upcoming events).
- `catalog.demo.demo_extras`: functions `(stores, rng)` adding a domain's demo data for the
  stores the demo seeder made (orders gives them couriers).
- `search.documents.document_fields`: functions `(product_ids, session) -> {id: fields}` adding
  fields to search documents (promotions adds the events a product is curated in).
- `orders.ledger.service.release_blockers`: functions `(order) -> reason | None`; a reason keeps
  a completed order's money held (complaints, when they come).
- `orders.cart.price_offers`: functions `(product_ids) -> {id: (unit_price_idr, source)}`,
  better prices than the tier price (promotions offers event prices).
- `marketplace.ops.readiness_checks`: functions `() -> {"ok": bool, ...}` behind `/readyz`
  (the core's database, search, the task queue).
- `marketplace.ops.metric_gauges`: functions `() -> {metric_name: number}` read at each
  `/metrics` scrape (search's outbox lag, the queue's depth).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app

_KEY = "marketplace.hooks"


class Hook:
    """A named list of entries per app. The declaring module reads `entries()`; others `register`."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"

    def _list(self, app: Flask) -> list:
        return app.extensions.setdefault(_KEY, {}).setdefault(self.name, [])

    def register(self, app: Flask, entry: Any) -> Any:
        """Add `entry` for `app` (once: a second registration of an equal entry is ignored)."""
        entries = self._list(app)
        if entry not in entries:
            entries.append(entry)
        return entry

    def entries(self, app: Flask | None = None) -> list:
        """The entries registered for `app` (the current app by default), in registration order."""
        return list(self._list(app or current_app._get_current_object()))

    def call(self, *args, **kwargs) -> list:
        """Call every entry (they are functions) with the arguments; their results in order."""
        return [entry(*args, **kwargs) for entry in self.entries()]
