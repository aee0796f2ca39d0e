"""The admins' audit log page and its CSV."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.audit.models import entries_select
from marketplace.auth import admin_required
from marketplace.extensions import db
from marketplace.i18n import local_datetime
from marketplace.spreadsheet import safe_cell
from marketplace.web import paginate

bp = Blueprint("audit", __name__, template_folder="templates")
PER_PAGE = 50
CSV_LIMIT = 100_000


def _day(name: str, errors: list) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("Tanggal tidak valid (TTTT-BB-HH)."))
        return None


def _filters() -> tuple[dict, list]:
    errors: list = []
    target_id = (request.args.get("target_id") or "").strip()
    filters = {"actor_email": (request.args.get("actor") or "").strip()[:120] or None,
               "action": (request.args.get("action") or "").strip()[:60] or None,
               "target_type": (request.args.get("target_type") or "").strip()[:40] or None,
               "target_id": int(target_id) if target_id.isdigit() and len(target_id) < 12 else None,
               "start": _day("from", errors), "end": _day("to", errors)}
    return filters, errors


@bp.get("/admin/audit")
@admin_required
def audit_log():
    filters, errors = _filters()
    return render_template("audit/audit_log.html", page=paginate(entries_select(**filters), PER_PAGE),
                           args=request.args, errors=errors)


def _cell(value) -> str:
    return safe_cell("" if value is None else str(value))


@bp.get("/admin/audit.csv")
@admin_required
def audit_csv():
    filters, _errors = _filters()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Waktu"), _("Pelaku"), _("Peran"), _("Tindakan"), _("Sasaran"), _("Nomor sasaran"),
                     _("Sebelum"), _("Sesudah"), _("Catatan"), _("Alamat IP")])
    for entry in db.session.scalars(entries_select(**filters).limit(CSV_LIMIT)):
        writer.writerow([_cell(local_datetime(entry.at)), _cell(entry.actor.email if entry.actor else ""),
                         _cell(entry.actor_roles), _cell(entry.action), _cell(entry.target_type),
                         entry.target_id if entry.target_id is not None else "",
                         _cell(json.dumps(entry.before, ensure_ascii=False) if entry.before is not None else ""),
                         _cell(json.dumps(entry.after, ensure_ascii=False) if entry.after is not None else ""),
                         _cell(entry.note), _cell(entry.ip)])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app) -> None:
    from marketplace.navigation import NavLink, nav_links

    app.register_blueprint(bp)
    nav_links.register(app, NavLink("audit.audit_log", _l("Log audit"), audience="admin", order=88))
