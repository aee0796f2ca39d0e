"""Reference data: provinces, regencies/cities and the category tree.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from catalog.reference import CATEGORIES, PROVINCES, REGENCIES

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    provinces = sa.table("provinces", sa.column("code", sa.String), sa.column("name", sa.String))
    regencies = sa.table("regencies", sa.column("code", sa.String),
                         sa.column("province_code", sa.String), sa.column("name", sa.String))
    categories = sa.table("categories", sa.column("id", sa.Integer), sa.column("slug", sa.String),
                          sa.column("name", sa.String), sa.column("name_en", sa.String),
                          sa.column("parent_id", sa.Integer), sa.column("position", sa.Integer))
    op.bulk_insert(provinces, [{"code": c, "name": n} for c, n in PROVINCES])
    op.bulk_insert(regencies, [{"code": c, "province_code": p, "name": n} for c, p, n in REGENCIES])
    ids = {}
    rows = []
    for position, (slug, name, name_en, parent) in enumerate(CATEGORIES, start=1):
        ids[slug] = position
        rows.append({"id": position, "slug": slug, "name": name, "name_en": name_en,
                     "parent_id": ids[parent] if parent else None, "position": position})
    op.bulk_insert(categories, rows)
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids above; move the sequence past them so new categories get fresh ids.
        op.execute("SELECT setval(pg_get_serial_sequence('categories', 'id'), "
                   "(SELECT MAX(id) FROM categories))")


def downgrade():
    op.execute("DELETE FROM categories")
    op.execute("DELETE FROM regencies")
    op.execute("DELETE FROM provinces")
