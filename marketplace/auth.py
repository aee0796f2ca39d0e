"""Who is asking: Flask-Login session users and bearer-token users, and role guards for pages."""
from __future__ import annotations

import functools

from flask import abort, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.extensions import db, login_manager


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from marketplace.accounts.models import User

    @login_manager.user_loader
    def _load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_active else None

    @login_manager.request_loader
    def _load_from_token(req):
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        from marketplace.accounts.services import user_for_token

        user = user_for_token(header[7:].strip())
        if user is not None:
            g.auth_via_token = True
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():
        from marketplace.api import is_api_request
        from marketplace.errors import Unauthorized

        if is_api_request():
            raise Unauthorized()
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def role_required(check):
    """Page guard: log in first, then `check(user)` must hold, else 403."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


officer_required = role_required(lambda u: u.is_officer)
admin_required = role_required(lambda u: u.is_admin)
