"""flask orders ... : expire unpaid orders, reconcile with Stripe, send notification e-mail."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.extensions import db
from orders import services


@click.group("orders")
def orders_cli():
    """Orders housekeeping; every command is safe to run on a schedule."""


@orders_cli.command("expire")
@with_appcontext
def expire():
    """Expire unpaid checkouts past their time and return their stock."""
    count = services.expire_unpaid()
    db.session.commit()
    click.echo(f"expired {count} orders")


@orders_cli.command("reconcile")
@with_appcontext
def reconcile():
    """Ask Stripe about card payments still pending (a lost webhook loses no payment)."""
    counts = services.reconcile()
    db.session.commit()
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing pending")


@orders_cli.command("send-mail")
@with_appcontext
def send_mail():
    """E-mail the notifications not sent yet (needs SMTP_HOST)."""
    from orders.mailer import send_pending

    sent = send_pending()
    db.session.commit()
    click.echo(f"sent {sent} e-mails")


def init_app(app):
    app.cli.add_command(orders_cli)
