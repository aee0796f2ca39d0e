"""E-mail for notifications: reads the notification outbox and sends through SMTP.

Configured by SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM and SMTP_STARTTLS. A
notification is marked e-mailed only after the server accepted it; failures are retried next
run (up to MAX_ATTEMPTS).
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

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
    message.set_content(f"{text}\n\n{base_url}{notification.url or ''}\n")
    return message


def send_pending(batch: int = 200) -> int:
    """Send up to `batch` notifications not yet e-mailed; returns how many were sent."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        return 0
    rows = db.session.execute(
        sa.select(Notification, User).join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.email_attempts < MAX_ATTEMPTS)
        .order_by(Notification.id).limit(batch)).all()
    if not rows:
        return 0
    sent = 0
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        base = (config["PUBLIC_URL"] or "").rstrip("/")
        for notification, user in rows:
            with force_locale(user.locale or "id"):
                message = compose(notification, user, base)
            try:
                smtp.send_message(message)
            except smtplib.SMTPException:
                notification.email_attempts += 1
                continue
            notification.emailed_at = utcnow()
            notification.email_attempts += 1
            sent += 1
    db.session.flush()
    return sent
