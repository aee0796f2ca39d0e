"""E-mail for notifications: reads the notification outbox and sends through SMTP.

Configured by SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM and SMTP_STARTTLS. Run
by the worker's `mail.send` job (every minute) or `flask orders send-mail`.

One notification at a time: its row is taken with `FOR UPDATE SKIP LOCKED` (two workers never
send the same one), sent, marked e-mailed and committed. A worker killed between the send and
the commit sends that one again on the next run: at least once, never lost, and the stable
Message-ID (`<notification-ID@...>`) lets mail systems drop the repeat. Failures are retried next
run (up to MAX_ATTEMPTS).
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.notifications import Notification, render
from marketplace.timeutil import utcnow

MAX_ATTEMPTS = 5


def compose(notification: Notification, user: User, base_url: str) -> EmailMessage:
    """The e-mail for one notification, in the current locale.

    Plain text only (no HTML part), so names and titles users typed are shown as typed and never
    interpreted; the subject is one line, whatever line breaks the parameters hold.
    """
    text = render(notification)
    message = EmailMessage()
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = user.email
    message["Subject"] = " ".join(text.split())[:120]
    message["Message-ID"] = make_msgid(f"notification-{notification.id}", domain=_mail_domain())
    message.set_content(f"{text}\n\n{base_url}{notification.url or ''}\n")
    return message


def _mail_domain() -> str:
    sender = current_app.config["SMTP_FROM"]
    return sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "pasar-umkm.test"


def _next_unsent():
    return db.session.execute(
        sa.select(Notification, User).join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.email_attempts < MAX_ATTEMPTS)
        .order_by(Notification.id).limit(1)
        .with_for_update(skip_locked=True, of=Notification)).first()


def send_pending(batch: int = 200) -> int:
    """Send up to `batch` notifications not yet e-mailed, committing each; returns how many were
    sent. Does nothing without SMTP_HOST."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        return 0
    sent, tried = 0, 0
    smtp = None
    try:
        while tried < batch:
            row = _next_unsent()
            if row is None:
                break
            notification, user = row
            tried += 1
            if smtp is None:
                smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10)
                if config["SMTP_STARTTLS"]:
                    smtp.starttls()
                if config["SMTP_USER"]:
                    smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
            with force_locale(user.locale or "id"):
                message = compose(notification, user, (config["PUBLIC_URL"] or "").rstrip("/"))
            notification.email_attempts += 1
            try:
                smtp.send_message(message)
            except smtplib.SMTPException:
                db.session.commit()
                continue
            notification.emailed_at = utcnow()
            db.session.commit()
            sent += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except smtplib.SMTPException:
                pass
    return sent
