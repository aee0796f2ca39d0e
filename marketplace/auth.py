"""Who is asking: Flask-Login session users and bearer-token users, and role guards for pages.

A page login is a `UserSession` row (see `accounts.services.start_session`): Flask-Login keeps
`"<session id>:<secret>"` in the signed session cookie and, with "Ingat saya", in the remember
cookie, and the user loader accepts it only while the row is live. Logging out revokes the row,
so a copy of either cookie replayed afterwards is anonymous.

Session protection is "basic", not "strong". "Strong" binds a session to a hash of the client's
IP address and User-Agent and, when they differ, deletes the login and the remember cookie. That
broke remember-me outright: a login restored from the remember cookie is stored without that
hash, so the next request failed the check and logged the user out (in for one request, then
out). It would also log out, remember cookie and all, every phone whose carrier changes its
address, which is most of our users. What "strong" was for, a stolen cookie that cannot be
taken back, is now covered by the server-side row: logout, a password change or an admin ends
it. "Basic" only marks such a session not fresh.
"""
from __future__ import annotations

import functools
import logging

from flask import abort, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.cookies import SessionInterface
from marketplace.extensions import db, login_manager

log = logging.getLogger(__name__)


def init_app(app):
    app.session_interface = SessionInterface()  # Secure cookies whenever served over HTTPS
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"  # why not "strong": the module docstring

    @login_manager.user_loader
    def _load_user(token: str):
        from marketplace.accounts.services import live_session, session_needs_touch

        row = live_session(token)
        if row is None:
            return None
        if session_needs_touch(row):
            g.touch_session_id = row.id
        return row.user

    @app.teardown_request
    def _touch_session(exc):
        """Record when a session was last used, at most every few minutes, after the request.

        Here and not in the loader, so the write never joins (or waits on) the request's own
        transaction: whatever the request left uncommitted is discarded at teardown anyway.
        """
        session_id = g.pop("touch_session_id", None)
        if session_id is None or exc is not None:
            return
        from marketplace.accounts.services import touch_session

        try:
            db.session.rollback()
            touch_session(session_id)
            db.session.commit()
        except Exception:  # a missed timestamp must not turn a served page into an error
            db.session.rollback()
            log.warning("could not record the use of session %s", session_id, exc_info=True)

    @app.before_request
    def _bearer():
        authenticate_bearer()

    @login_manager.unauthorized_handler
    def _unauthorized():
        from marketplace.api import is_api_request
        from marketplace.errors import Unauthorized

        if is_api_request():
            raise Unauthorized()
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def authenticate_bearer() -> None:
    """On an API request, an `Authorization: Bearer <token>` header alone names the caller.

    The one place a token is read. The header is the explicit credential, so it wins over any
    session cookie the client also keeps, and a bad or revoked token leaves the caller anonymous
    even with a logged-in session. Pages never read it: they are for browsers, with sessions
    and CSRF-protected forms. Runs before the API's CSRF check, which skips token calls.
    """
    from marketplace.api import is_api_request

    if not is_api_request():
        return
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return
    from marketplace.accounts.services import user_for_token

    user = user_for_token(header[7:].strip())
    g.auth_via_token = user is not None
    # What flask_login.login_user does for the request, without writing the session.
    login_manager._update_request_context_with_user(user)


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
