"""`flask books rebuild-rollups`: recompute the sales rollups from the orders (repair)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("rebuild-rollups")
@with_appcontext
def rebuild_rollups_command():
    """Recompute the analytics' sales rollups from the paid orders (product views stay)."""
    from books.analytics import rebuild_rollups
    from marketplace.extensions import db

    counts = rebuild_rollups()
    db.session.commit()
    click.echo(", ".join(f"{table}: {n} rows" for table, n in counts.items()))


def init_app(app) -> None:
    """Put the command in the `flask books` group (made here if the domain has none yet)."""
    group = app.cli.commands.get("books")
    if group is None:
        group = click.Group("books", help="Seller books: analytics rollups, bookkeeping.")
        app.cli.add_command(group)
    group.add_command(rebuild_rollups_command)
