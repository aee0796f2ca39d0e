"""flask search ... : reindex, sync, status."""
from __future__ import annotations

import sys
import time

import click
from flask.cli import with_appcontext

from search import documents, engine, outbox
from search.backend import BackendUnavailable


@click.group("search")
def search_cli():
    """Search indexes: rebuild, catch up, inspect."""


@search_cli.command("reindex")
@click.option("--backend", "which", type=click.Choice(["all", "elasticsearch", "embedded"]),
              default="all", show_default=True)
@click.option("--if-empty", is_flag=True, help="only backends whose index holds nothing yet")
@with_appcontext
def reindex(which: str, if_empty: bool):
    """Build fresh indexes from the database and switch to them with no downtime."""
    targets = [b for b in engine.configured_backends() if which in ("all", b.name)]
    if not targets:
        raise click.ClickException(f"backend {which} is not configured")
    for backend in targets:
        total = documents.count_active()
        try:
            if if_empty and backend.document_count() > 0:
                click.echo(f"{backend.name}: already indexed, skipped")
                continue
        except BackendUnavailable as exc:
            raise click.ClickException(f"{backend.name} unavailable: {exc}") from None
        started = time.perf_counter()
        with click.progressbar(length=total, label=f"{backend.name}: {total} products",
                               file=sys.stderr) as bar:
            kwargs = {}
            if backend.name == "elasticsearch":
                kwargs["catch_up"] = documents.changed_since
            try:
                stats = backend.reindex(documents.stream_documents(), total, bar.update, **kwargs)
            except BackendUnavailable as exc:
                raise click.ClickException(f"{backend.name} unavailable: {exc}") from None
        seconds = time.perf_counter() - started
        rate = stats["indexed"] / seconds if seconds else 0
        click.echo(f"{backend.name}: indexed {stats['indexed']} products in {seconds:.1f}s "
                   f"({rate:,.0f}/s)" + (f" into {stats['index']}" if "index" in stats else ""))


@search_cli.command("sync")
@with_appcontext
def sync():
    """Apply the changes still waiting in the outbox (after an outage); safe on a schedule."""
    done = outbox.dispatch_all(force=True)
    pending = outbox.pending_counts()
    for name, count in done.items():
        click.echo(f"{name}: applied {count} changes, {pending.get(name, 0)} still waiting")
    if any(pending.values()):
        raise SystemExit(1)


@search_cli.command("status")
@with_appcontext
def status():
    """Which backends are configured, whether they answer, and what waits in the outbox."""
    pending = outbox.pending_counts()
    for backend in engine.configured_backends():
        state = "up" if backend.healthy() else "DOWN"
        click.echo(f"{backend.name}: {state}, {pending.get(backend.name, 0)} changes waiting")


def init_app(app):
    app.cli.add_command(search_cli)
