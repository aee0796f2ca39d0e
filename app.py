"""The composition root: the one module that knows every domain and puts them in one app.

`marketplace.build_app` makes the core (configuration, extensions, accounts, auth, API
plumbing, notifications, display currencies, the base layout); each domain then plugs in through
its own `init_app(app)`: blueprints, CLI commands and the hooks it registers (header links,
`/me` fields, document fields, price offers, notification texts...). The order matters only
for hooks read at start-up: a domain comes after the domains it builds on.
"""
from __future__ import annotations

from flask import Flask

from marketplace import build_app


def domains() -> tuple:
    """The domain packages, lower ones first (catalog, then those that build on it)."""
    import books
    import catalog
    import orders
    import promotions
    import search

    return (catalog, search, orders, promotions, books)


def create_app(overrides: dict | None = None) -> Flask:
    """The marketplace: the core with every domain plugged in; `overrides` for tests."""
    return build_app(overrides, domains=domains())
