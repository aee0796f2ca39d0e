"""Helpers of the analytics tests: orders paid at a chosen moment, and the rollups' rows."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tests.orders.conftest import JAKARTA


def pay_at(monkeypatch, moment: datetime, buyer, quantities: dict, address=None):
    """A checkout of `quantities` ({product: quantity}) by `buyer` shipping to `address`
    (Jakarta by default), paid at `moment` (UTC) as finance confirming its transfer would;
    committed. Returns the checkout."""
    from catalog.addresses import clean_address
    from marketplace.extensions import db
    from orders.checkout import place_checkout
    from orders.payments import service as payments

    checkout = place_checkout(buyer, {p.id: q for p, q in quantities.items()},
                              clean_address(address or JAKARTA), payment_method="bank_transfer")
    db.session.commit()
    with monkeypatch.context() as patch:
        patch.setattr(payments, "utcnow", lambda: moment)
        payments.mark_paid(checkout)
    db.session.commit()
    return checkout


def rows(model) -> list[tuple]:
    """The rollup table's rows as tuples of its columns (in the table's order), sorted."""
    from marketplace.extensions import db

    return sorted(tuple(r) for r in db.session.execute(sa.select(*model.__table__.columns)).all())
