"""Cookie flags derived from how the site is served: `Secure` whenever it is served over HTTPS.

`SESSION_COOKIE_SECURE` defaults to off so that `make run` on plain http://127.0.0.1 can log in;
a default of off must not mean off in production. So the session cookie and the Flask-Login
remember cookie are marked `Secure` when the configuration asks for it, when the request came
over HTTPS (`request.is_secure`), or when `PUBLIC_URL` is an https:// address (a TLS proxy in
front of the app, which may hand us plain HTTP).
"""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager as _FlaskLoginManager


def served_over_https(app) -> bool:
    """True when the current request is HTTPS or the site's public address is."""
    if has_request_context() and request.is_secure:
        return True
    return (app.config["PUBLIC_URL"] or "").strip().lower().startswith("https://")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with `Secure` derived (see the module docstring)."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or served_over_https(app)


class LoginManager(_FlaskLoginManager):
    """Flask-Login, with the remember cookie's `Secure` derived like the session cookie's."""

    def _set_cookie(self, response):
        super()._set_cookie(response)
        self._derive_secure(response)

    def _clear_cookie(self, response):
        super()._clear_cookie(response)
        self._derive_secure(response)

    @staticmethod
    def _derive_secure(response) -> None:
        app = current_app._get_current_object()
        if app.config["REMEMBER_COOKIE_SECURE"] or not served_over_https(app):
            return
        # Flask-Login wrote the cookie with the configured flag (off): add Secure to that one.
        name = app.config["REMEMBER_COOKIE_NAME"]
        cookies = response.headers.getlist("Set-Cookie")
        response.headers.remove("Set-Cookie")
        for cookie in cookies:
            if cookie.startswith(f"{name}=") and "; Secure" not in cookie:
                cookie += "; Secure"
            response.headers.add("Set-Cookie", cookie)
