"""A checkout keeps its orders' shipping address as a JSON document, so a region data upgrade that
renumbers codes (catalog.regions) reaches them through the `region_recoded` hook, not a foreign
key: this moves the address's `province`, `regency` or `district` to the new code."""
from __future__ import annotations

import sqlalchemy as sa

_checkouts = sa.table("checkouts", sa.column("id", sa.Integer), sa.column("shipping_address", sa.JSON))


def recode_addresses(conn: sa.Connection, level: str, moved: dict[str, str]) -> None:
    if level not in ("province", "regency", "district"):
        return
    for order_id, address in conn.execute(sa.select(_checkouts.c.id, _checkouts.c.shipping_address)).all():
        if isinstance(address, dict) and address.get(level) in moved:
            address = dict(address, **{level: moved[address[level]]})
            conn.execute(_checkouts.update().where(_checkouts.c.id == order_id).values(shipping_address=address))
