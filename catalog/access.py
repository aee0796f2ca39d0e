"""Page guards of the catalog that other domains' seller pages use too."""
from __future__ import annotations

import functools

from flask import flash, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from catalog import services
from marketplace.web import acting_user

OPEN_STORE_FIRST = _l("Buka toko terlebih dahulu untuk mulai berjualan.")


def store_required(view=None, *, message=OPEN_STORE_FIRST):
    """Seller pages: log in first, then the signed-in user's store is passed as `store=`;
    without a store, flash `message` (None: say nothing) and go to "open a store".

        @bp.get("/jual/acara")
        @store_required(message=_l("Buka toko terlebih dahulu untuk ikut pameran."))
        def my_applications(store): ...
    """
    if view is None:
        return functools.partial(store_required, message=message)

    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        store = services.store_of(acting_user())
        if store is None:
            if message is not None:
                flash(message, "info")
            return redirect(url_for("catalog.store_new"))
        return view(*args, store=store, **kwargs)

    return wrapper
