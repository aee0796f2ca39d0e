"""couriers and shipments

Shipping rates belong to a courier service (orders.couriers) as well as a zone; a store
chooses its services and may set a free-shipping threshold (store_shipping); an order records
the service the buyer chose and its estimated days, and the courier that carried it as a code.

A store's rates from before (one per zone) become its rates for each service a store that has
chosen nothing offers (JNE REG, J&T EZ and Pos Kilat Khusus in Indonesia, Pos EMS abroad), so
its prices stay what they were. Couriers typed as text on shipped orders become codes where the
text names a known courier; other text is kept as it was.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
DOMESTIC_DEFAULTS = ('jne_reg', 'jnt_ez', 'pos_kilat')
# (lower-case text typed before, courier code)
TYPED_COURIERS = (
    ('jne', 'jne'), ('jne reg', 'jne'), ('jne yes', 'jne'), ('jne oke', 'jne'), ('jne express', 'jne'),
    ('j&t', 'jnt'), ('j&t express', 'jnt'), ('jnt', 'jnt'), ('jnt express', 'jnt'), ('j&t ez', 'jnt'),
    ('sicepat', 'sicepat'), ('si cepat', 'sicepat'), ('sicepat reg', 'sicepat'),
    ('anteraja', 'anteraja'), ('anter aja', 'anteraja'),
    ('pos', 'pos'), ('pos indonesia', 'pos'), ('pos kilat', 'pos'), ('pos kilat khusus', 'pos'),
    ('kurir toko', 'kurir_toko'), ('ambil sendiri', 'ambil_sendiri'),
)


def upgrade():
    with op.batch_alter_table('shipping_rates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service', sa.String(length=30), nullable=True))
        batch_op.drop_constraint('uq_shipping_rates_store_zone', type_='unique')
    conn = op.get_bind()
    rates = sa.table('shipping_rates', sa.column('store_id', sa.Integer), sa.column('service', sa.String),
                     sa.column('zone', sa.String), sa.column('first_kg_idr', BigInt),
                     sa.column('next_kg_idr', BigInt))
    old = conn.execute(sa.select(rates.c.store_id, rates.c.zone, rates.c.first_kg_idr,
                                 rates.c.next_kg_idr)).all()
    conn.execute(sa.delete(rates))
    copies = []
    for store_id, zone, first, nxt in old:
        services = ('pos_ems',) if zone == 'international' else DOMESTIC_DEFAULTS
        copies += [{'store_id': store_id, 'service': service, 'zone': zone, 'first_kg_idr': first,
                    'next_kg_idr': nxt} for service in services]
    if copies:
        conn.execute(sa.insert(rates), copies)
    with op.batch_alter_table('shipping_rates', schema=None) as batch_op:
        batch_op.alter_column('service', existing_type=sa.String(length=30), nullable=False)
        batch_op.create_unique_constraint('uq_shipping_rates_store_service_zone',
                                          ['store_id', 'service', 'zone'])

    op.create_table('store_shipping',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('free_shipping_min_idr', BigInt, nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('free_shipping_min_idr IS NULL OR free_shipping_min_idr > 0',
                       name=op.f('ck_store_shipping_free_shipping_min_positive')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_store_shipping_store_id_stores'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_store_shipping'))
    )

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_service', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('shipping_days_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shipping_days_max', sa.Integer(), nullable=True))
    orders = sa.table('orders', sa.column('courier', sa.String))
    for typed, code in TYPED_COURIERS:
        conn.execute(sa.update(orders).where(sa.func.lower(sa.func.trim(orders.c.courier)) == typed)
                     .values(courier=code))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('shipping_days_max')
        batch_op.drop_column('shipping_days_min')
        batch_op.drop_column('shipping_service')
    op.drop_table('store_shipping')
    conn = op.get_bind()
    rates = sa.table('shipping_rates', sa.column('service', sa.String))
    # one rate per store and zone again: the JNE REG one (Pos EMS abroad)
    with op.batch_alter_table('shipping_rates', schema=None) as batch_op:
        batch_op.drop_constraint('uq_shipping_rates_store_service_zone', type_='unique')
    conn.execute(sa.delete(rates).where(rates.c.service.notin_(('jne_reg', 'pos_ems'))))
    with op.batch_alter_table('shipping_rates', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_shipping_rates_store_zone', ['store_id', 'zone'])
        batch_op.drop_column('service')
