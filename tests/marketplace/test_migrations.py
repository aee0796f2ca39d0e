"""The Alembic history builds exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_models_and_migrations_agree(app, db):
    # given the test database, built by `flask db upgrade` in the app fixture
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        # when the models are compared with it
        diff = compare_metadata(context, db.metadata)
    # then nothing is missing or different
    assert diff == []


def test_reference_data_is_seeded(db):
    import sqlalchemy as sa

    from catalog.models import Category, Province, Regency

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Province)) == 38
    lampung = db.session.scalars(sa.select(Regency.name).where(Regency.province_code == "18")).all()
    assert len(lampung) == 15 and "Kota Bandar Lampung" in lampung
    assert db.session.scalar(sa.select(Category).where(Category.slug == "tapis")).parent.slug == "kain-tenun"
