"""Account pages: register, log in and out, personal API tokens, user roles for admins."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import bp, services
from marketplace.accounts.forms import LoginForm, RegisterForm, RoleForm, TokenForm
from marketplace.accounts.models import Role, User
from marketplace.auth import admin_required
from marketplace.errors import NotFound
from marketplace.extensions import db, limiter
from marketplace.hooks import Hook
from marketplace.web import acting_user, safe_next, service_call

#: Where a login, registration or logout lands when no `next` is given: the home page.
HOME = "/"


def _login_limit():
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


#: Session keys that survive login (the rest is dropped: no session fixation). The core keeps the
#: language and the display currency; other domains add theirs (orders keeps the guest cart,
#: which it merges into the account on `user_logged_in`).
kept_on_login = Hook("kept_on_login", "Session keys that survive the session reset at login.")


def _start_session(user: User, remember: bool = False) -> None:
    """Log `user` in: a fresh session cookie naming a new server-side login (a `UserSession`).

    With `remember`, the login lasts REMEMBER_COOKIE_DURATION and Flask-Login also writes the
    remember cookie; otherwise it lasts the session lifetime. The caller commits.
    """
    kept = {k: session[k] for k in kept_on_login.entries() if k in session}
    session.clear()
    session.update(kept)
    if remember:
        lifetime = current_app.config["REMEMBER_COOKIE_DURATION"]
        lifetime = lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)
    else:
        lifetime = current_app.permanent_session_lifetime
    services.start_session(user, remember=remember, lifetime=lifetime,
                           user_agent=request.headers.get("User-Agent"))
    login_user(user, remember=remember)


@bp.route("/daftar", methods=["GET", "POST"])
def register():
    form = RegisterForm(next=request.args.get("next"))
    if form.validate_on_submit():
        with service_call(form) as call:
            user = services.register_user(email=form.email.data, password=form.password.data,
                                          name=form.name.data)
        if call.ok:
            if session.get("lang") in ("id", "en"):
                user.locale = session["lang"]
            _start_session(user)
            flash(_("Selamat datang di Pasar UMKM, %(name)s!", name=user.name), "success")
            return redirect(safe_next(form.next.data, HOME))
    return render_template("accounts/register.html", form=form)


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("E-mail atau kata sandi salah."))
        else:
            _start_session(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, HOME))
    return render_template("accounts/login.html", form=form)


@bp.post("/keluar")
def logout():
    """End the login on the server (its cookies, replayed, are anonymous) and in this browser."""
    if current_user.is_authenticated and current_user.session_token:
        services.end_session(current_user.session_token)
    lang = session.get("lang")
    session.clear()  # the cart belonged to the account; a logged-out browser starts empty
    logout_user()  # after the clear: it leaves the note that deletes the remember cookie
    if lang:
        session["lang"] = lang
    flash(_("Anda sudah keluar."), "info")
    return redirect(HOME)


@bp.get("/akun")
def account():
    """The account page, the bottom navigation's "Akun": every link of the header's account
    menu, the language and currency switches, and logging in or out. Open to visitors too (they
    get the login and registration links and the switches)."""
    return render_template("accounts/account.html")


@bp.route("/akun/token", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        with service_call(form) as call:
            _row, new_token = services.create_token(acting_user(), form.label.data)
        if call.ok:
            form = TokenForm(formdata=None)
    return render_template("accounts/tokens.html", form=form, new_token=new_token,
                           tokens=services.list_tokens(current_user))


@bp.post("/akun/token/<int:token_id>/cabut")
@login_required
def revoke_token(token_id: int):
    try:
        services.revoke_token(token_id, actor=acting_user())
    except NotFound:
        db.session.rollback()
        flash(_("Token tidak ditemukan."), "error")
    else:
        flash(_("Token sudah dicabut."), "success")
    return redirect(url_for("accounts.tokens"))


@bp.get("/admin/pengguna")
@admin_required
def admin_users():
    q = (request.args.get("q") or "").strip().lower()
    stmt = sa.select(User).order_by(User.created_at.desc()).limit(100)
    if q:
        # autoescape: a typed % or _ is that character, not a LIKE wildcard
        stmt = stmt.where(sa.or_(User.email.contains(q, autoescape=True),
                                 sa.func.lower(User.name).contains(q, autoescape=True)))
    return render_template("accounts/admin_users.html", users=db.session.scalars(stmt).all(),
                           q=q, form=RoleForm(), roles=list(Role))


@bp.post("/admin/pengguna/<int:user_id>/peran")
@admin_required
def admin_set_role(user_id: int):
    form = RoleForm()
    user = db.session.get(User, user_id)
    if user is None:
        return redirect(url_for("accounts.admin_users"))
    if form.validate_on_submit():
        with service_call() as call:
            if form.action.data == "revoke":
                services.revoke_role(user, form.role.data, actor=acting_user())
            else:
                services.grant_role(user, form.role.data, actor=acting_user())
        if call.ok:
            flash(_("Peran %(email)s diperbarui.", email=user.email), "success")
    return redirect(url_for("accounts.admin_users", q=request.args.get("q", "")))
