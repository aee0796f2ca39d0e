"""Account operations: register, authenticate, login sessions, roles and personal API tokens.

Services take the acting user as an argument and never touch the request; they add and flush,
and the request (or CLI command) boundary commits.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace import audit
from marketplace.accounts.models import ApiToken, Role, User, UserRole, UserSession
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.timeutil import as_utc, utcnow

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "pu_"


def normalise_email(raw: str | None) -> str:
    """Lower-case, trimmed, syntactically valid e-mail, or ValidationError."""
    raw = (raw or "").strip()
    if not raw:
        raise ValidationError(fields={"email": _l("E-mail wajib diisi.")})
    try:
        info = validate_email(raw, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise ValidationError(fields={"email": _l("Alamat e-mail tidak valid.")}) from None
    return info.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    try:
        email = normalise_email(email)
    except ValidationError:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def register_user(*, email: str, password: str, name: str, roles=(Role.BUYER,)) -> User:
    """Create an account; new accounts are buyers. Raises ValidationError or Conflict."""
    errors: dict = {}
    try:
        email = normalise_email(email)
    except ValidationError as exc:
        errors.update(exc.fields)
    name = (name or "").strip()
    if not name:
        errors["name"] = _l("Nama wajib diisi.")
    elif len(name) > 120:
        errors["name"] = _l("Nama paling panjang 120 karakter.")
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH)
    elif len(password) > 200:
        errors["password"] = _l("Kata sandi terlalu panjang.")
    if errors:
        raise ValidationError(fields=errors)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            _l("E-mail ini sudah terdaftar."),
            code="email_taken",
            fields={"email": _l("E-mail ini sudah terdaftar.")},
        )
    user = User(email=email, name=name, password_hash=generate_password_hash(password))
    for role in roles:
        user.role_rows.append(UserRole(role=str(role)))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        # Same work either way, so timing does not tell which e-mails exist.
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def grant_role(user: User, role: Role | str, *, actor: User | None) -> None:
    """Give `user` a role. Officer, finance and admin roles only by an admin (actor None: the CLI)."""
    role = Role(role)
    if role in (Role.OFFICER, Role.FINANCE, Role.ADMIN) and actor is not None and not actor.is_admin:
        raise Forbidden()
    if not user.has_role(role):
        before = sorted(user.roles)
        user.role_rows.append(
            UserRole(role=str(role), granted_by_id=actor.id if actor else None)
        )
        db.session.flush()
        if actor is not None and actor.id != user.id:
            audit.record("user.role_grant", user, before={"roles": before}, after={"roles": sorted(user.roles)},
                         actor=actor)
        log.info("role granted", extra={"user_id": user.id, "role": str(role),
                                         "actor_id": actor.id if actor else None})


def revoke_role(user: User, role: Role | str, *, actor: User) -> None:
    """Take a role away (admins only); an admin cannot drop their own admin role."""
    role = Role(role)
    if not actor.is_admin:
        raise Forbidden()
    if role == Role.ADMIN and user.id == actor.id:
        raise Conflict(_l("Anda tidak dapat mencabut peran admin Anda sendiri."))
    held = [row for row in user.role_rows if row.role == str(role)]
    before = sorted(user.roles)
    for row in held:
        user.role_rows.remove(row)
    db.session.flush()
    if held:
        audit.record("user.role_revoke", user, before={"roles": before}, after={"roles": sorted(user.roles)},
                     actor=actor)
        log.info("role revoked", extra={"user_id": user.id, "role": str(role), "actor_id": actor.id})


def user_ids_with_role(role: Role | str) -> list[int]:
    """The ids of every user holding `role` (to tell, say, all of finance)."""
    return list(db.session.scalars(sa.select(UserRole.user_id).where(UserRole.role == Role(role))
                                   .order_by(UserRole.user_id)))


def set_password(user: User, password: str) -> None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            fields={"password": _l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH)}
        )
    user.password_hash = generate_password_hash(password)
    end_sessions(user)  # whoever knew the old password is logged out everywhere
    db.session.flush()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str) -> tuple[ApiToken, str]:
    """Make a personal API token; returns the row and the token, which is never stored."""
    label = (label or "").strip()
    if not label:
        raise ValidationError(fields={"label": _l("Label wajib diisi.")})
    if len(label) > 80:
        raise ValidationError(fields={"label": _l("Label paling panjang 80 karakter.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, label=label, token_hash=_hash_token(token), prefix=token[:10])
    db.session.add(row)
    db.session.flush()
    return row, token


def user_for_token(token: str) -> User | None:
    """The active owner of an unrevoked token, or None. Records when the token was last used."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.is_active:
        return None
    row.last_used_at = utcnow()
    return row.user


def list_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(token_id: int, *, actor: User) -> None:
    """Revoke one of the actor's own tokens; someone else's looks like it does not exist."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.id or row.revoked_at is not None:
        raise NotFound()
    row.revoked_at = utcnow()
    db.session.flush()


# -- Login sessions -------------------------------------------------------------------------------

#: A session's `last_seen_at` is written at most this often (not on every request).
SESSION_TOUCH_INTERVAL = timedelta(minutes=5)
#: Revoked sessions are kept this long (who was logged in where), then purged.
REVOKED_SESSION_RETENTION = timedelta(days=7)
_MAX_ROW_ID = 2**31 - 1  # PostgreSQL integer


def _printable(text: str | None, limit: int) -> str | None:
    """Header text fit for a column: control characters dropped (NUL breaks PostgreSQL), cut."""
    text = "".join(ch for ch in (text or "") if ch.isprintable())[:limit].strip()
    return text or None


def start_session(user: User, *, remember: bool, lifetime: timedelta,
                  user_agent: str | None = None) -> str:
    """Record a new login of `user` lasting `lifetime`; return its token `"<id>:<secret>"`.

    The token is what Flask-Login stores in the session and the remember cookie (it is attached
    to `user.session_token`, which `User.get_id()` returns). A new secret per login, so no two
    logins share a cookie value; only the secret's SHA-256 is stored.
    """
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(user_id=user.id, secret_hash=_hash_token(secret), remember=remember,
                      user_agent=_printable(user_agent, 200), created_at=now, last_seen_at=now,
                      expires_at=now + lifetime)
    db.session.add(row)
    db.session.flush()
    user.session_token = f"{row.id}:{secret}"
    return user.session_token


def _session_row(token: str | None) -> UserSession | None:
    """The unrevoked, unexpired session named by `token` whose secret matches, or None."""
    session_id, _sep, secret = (token or "").partition(":")
    if not secret or not session_id.isdigit() or len(session_id) > 10 or int(session_id) > _MAX_ROW_ID:
        return None  # also a cookie from before server-side sessions, which held the bare user id
    row = db.session.scalar(
        sa.select(UserSession).options(so.joinedload(UserSession.user)).where(
            UserSession.id == int(session_id),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
    )
    if row is None or not hmac.compare_digest(row.secret_hash, _hash_token(secret)):
        return None
    return row


def live_session(token: str | None) -> UserSession | None:
    """The live session for a token from a cookie, its active user attached, or None.

    On success `row.user.session_token` is set to `token`, so the loaded user keeps naming the
    same login.
    """
    row = _session_row(token)
    if row is None or not row.user.is_active:
        return None
    row.user.session_token = token
    return row


def session_needs_touch(row: UserSession) -> bool:
    """Whether `last_seen_at` is older than SESSION_TOUCH_INTERVAL."""
    return as_utc(row.last_seen_at) < utcnow() - SESSION_TOUCH_INTERVAL


def touch_session(session_id: int) -> None:
    """Record that the session was just used."""
    db.session.execute(
        sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=utcnow())
    )


def end_session(token: str | None) -> None:
    """Revoke the login named by `token` (logout): its cookies, replayed, are anonymous."""
    row = _session_row(token)
    if row is not None:
        row.revoked_at = utcnow()
        db.session.flush()


def end_sessions(user: User) -> int:
    """Revoke every live login of `user` (password changed, account disabled); return how many."""
    result = db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def purge_expired_sessions(now=None) -> int:
    """Delete sessions past their expiry, and those revoked over REVOKED_SESSION_RETENTION ago.

    Returns how many rows went. Run by `flask purge-sessions`.
    """
    now = now or utcnow()
    result = db.session.execute(
        sa.delete(UserSession)
        .where(sa.or_(UserSession.expires_at <= now,
                      UserSession.revoked_at <= now - REVOKED_SESSION_RETENTION))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
