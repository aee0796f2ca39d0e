"""The audit log (marketplace/audit): officers' and admins' actions, append-only, read by admins."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def test_an_admin_granting_a_role_is_recorded_and_read_on_the_log(app, make_user, login, db):
    from marketplace.audit.models import AuditEntry

    # given an admin and a user
    admin = make_user(roles=("admin",), email="boss@example.test")
    user = make_user(email="rina@example.test")
    client = app.test_client()
    login(client, admin)
    # when the admin makes the user an officer through the page
    client.post(f"/admin/pengguna/{user.id}/peran", data={"role": "officer", "action": "grant"})
    # then one entry says who, what, on whom, before and after, and from where
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (admin.id, "user.role_grant",
                                                                                  "users", user.id)
    assert entry.before == {"roles": ["buyer"]} and "officer" in entry.after["roles"]
    assert entry.actor_roles and "admin" in entry.actor_roles and entry.ip == "127.0.0.1"
    # and the log page shows it, filtered by the actor and the action prefix
    page = client.get("/admin/audit?actor=boss&action=user.").get_data(as_text=True)
    assert "user.role_grant" in page and "boss@example.test" in page
    assert "user.role_grant" not in client.get("/admin/audit?action=store.").get_data(as_text=True)
    assert "Tanggal tidak valid" in client.get("/admin/audit?from=kemarin").get_data(as_text=True)
    # and the CSV has it, with cells that cannot run as formulas
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").get_data(as_text=True))))
    assert rows[1][1] == "boss@example.test" and rows[1][3] == "user.role_grant"


def test_only_admins_read_the_log(app, make_user, login):
    for roles in (("buyer",), ("officer",), ("finance",)):
        client = app.test_client()
        login(client, make_user(roles=roles))
        assert client.get("/admin/audit").status_code in (403, 404)
        assert client.get("/admin/audit.csv").status_code in (403, 404)
    assert app.test_client().get("/admin/audit").status_code == 302


def test_entries_cannot_be_changed_or_deleted(app, make_user, db):
    from marketplace.audit import record
    from marketplace.audit.models import AuditAppendOnly, AuditEntry

    admin = make_user(roles=("admin",))
    entry = record("setting.change", ("settings", 1), before={"x": 1}, after={"x": 2}, actor=admin)
    db.session.commit()
    entry.note = "rewritten"
    with pytest.raises(AuditAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditAppendOnly):
        db.session.delete(db.session.get(AuditEntry, entry.id))
        db.session.flush()
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE audit_entries SET note = 'x'"))
    assert db.session.get(AuditEntry, entry.id).note is None


def test_store_verification_commission_and_exchange_rates_are_recorded(make_user, make_store, db):
    from datetime import date

    from catalog.services import set_store_verified
    from marketplace.audit.models import AuditEntry
    from marketplace.money.rates import set_rate
    from orders.ledger.commission import remove_commission_rate, set_commission_rate

    officer, admin = make_user(roles=("officer",)), make_user(roles=("admin",))
    store = make_store()
    # when an officer verifies a store and an admin sets a commission and a rate, then changes them
    set_store_verified(store, True, actor=officer)
    rate = set_commission_rate(rate_bp=250, store_slug=store.slug, actor=admin)
    set_commission_rate(rate_bp=300, store_slug=store.slug, actor=admin)
    remove_commission_rate(rate.id, actor=admin)
    set_rate("USD", "15875", date(2026, 11, 28), actor=admin)
    set_rate("USD", "15900", date(2026, 11, 28), actor=admin)
    db.session.commit()
    # then each is one entry with who and what changed
    rows = [(e.actor_id, e.action, e.before, e.after) for e in db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.id))]
    assert rows[0] == (officer.id, "store.verify", {"verified": False}, {"verified": True})
    assert [r[1] for r in rows[1:]] == ["commission.set", "commission.set", "commission.remove",
                                        "exchange_rate.set", "exchange_rate.set"]
    assert rows[2][2] == {"rate_bp": 250} and rows[2][3]["rate_bp"] == 300
    assert rows[5][2] == {"idr_per_unit": "15875.0000"} and rows[5][3]["idr_per_unit"] == "15900.0000"
    assert all(r[0] == admin.id for r in rows[1:])
