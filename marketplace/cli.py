"""Top-level CLI commands: the first admin, roles, and purging ended login sessions."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.accounts import services
from marketplace.accounts.models import Role
from marketplace.errors import DomainError
from marketplace.extensions import db


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Administrator")
@click.password_option()
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first admin (or make an existing user admin)."""
    try:
        user = services.find_user_by_email(email)
        if user is None:
            user = services.register_user(email=email, password=password, name=name)
        services.grant_role(user, Role.ADMIN, actor=None)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from None
    click.echo(f"{user.email} is an admin.")


@click.command("grant-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def grant_role(email: str, role: str) -> None:
    """Give a user a role (officer, admin, ...)."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}")
    services.grant_role(user, role, actor=None)
    db.session.commit()
    click.echo(f"{user.email}: {', '.join(user.roles)}")


@click.command("purge-sessions")
@with_appcontext
def purge_sessions() -> None:
    """Delete expired login sessions (and those revoked a week ago)."""
    count = services.purge_expired_sessions()
    db.session.commit()
    click.echo(f"{count} ended sessions deleted.")


def init_app(app) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(grant_role)
    app.cli.add_command(purge_sessions)
