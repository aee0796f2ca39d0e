"""The audit log (marketplace/audit): officers' and admins' actions, append-only, read by admins."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa


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
