"""flask orders ... : expire unpaid orders, reconcile with Stripe, send notification e-mail."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.extensions import db
from orders import services
from orders.payments import service as payments


@click.group("orders")
def orders_cli():
    """Orders housekeeping; every command is safe to run on a schedule."""


@orders_cli.command("expire")
@with_appcontext
def expire():
    """Expire unpaid checkouts past their time and return their stock."""
    count = payments.expire_unpaid()
    db.session.commit()
    click.echo(f"expired {count} orders")


@orders_cli.command("reconcile")
@with_appcontext
def reconcile():
    """Ask Stripe about card payments still pending (a lost webhook loses no payment)."""
    counts = payments.reconcile()
    db.session.commit()
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing pending")


@orders_cli.command("send-mail")
@with_appcontext
def send_mail():
    """E-mail the notifications not sent yet (needs SMTP_HOST)."""
    from marketplace.mailer import send_pending

    sent = send_pending()
    db.session.commit()
    click.echo(f"sent {sent} e-mails")


@orders_cli.command("move-private-uploads")
@with_appcontext
def move_private_uploads():
    """Move transfer proofs stored under UPLOAD_DIR/private/ to PRIVATE_UPLOAD_DIR (run once)."""
    count = services.move_legacy_transfer_proofs()
    db.session.commit()
    click.echo(f"moved {count} transfer proofs")


def init_app(app):
    app.cli.add_command(orders_cli)
