"""seller books: own entries, sales rollups, product views, scale confirmations, credit packs

The seller's own entries (book_entries; their journal entries live in ledger_entries on book
accounts), the analytics rollups per store/product and WIB day (sales_daily,
product_sales_daily, region_sales_daily, product_views_daily) filled from the orders already
paid, the confirmations of a store's scale (scale_confirmations) and the credit packs
(credit_packs) with their verification codes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:35:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('book_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('amount_idr', BigInt, nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('useful_life_months', sa.Integer(), nullable=True),
    sa.Column('receipt_path', sa.String(length=200), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('ledger_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_idr >= 0', name=op.f('ck_book_entries_book_amount_not_negative')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_book_entries_store_id_stores'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entries.id'], name=op.f('fk_book_entries_ledger_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['void_entry_id'], ['ledger_entries.id'], name=op.f('fk_book_entries_void_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_book_entries_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_book_entries')))
    op.create_index('ix_book_entries_store_date', 'book_entries', ['store_id', 'entry_date'])

    op.create_table('sales_daily',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('units', BigInt, nullable=False),
    sa.Column('revenue_idr', BigInt, nullable=False),
    sa.Column('shipping_idr', BigInt, nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_sales_daily_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', 'day', name=op.f('pk_sales_daily')))

    op.create_table('product_sales_daily',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('units', BigInt, nullable=False),
    sa.Column('revenue_idr', BigInt, nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_sales_daily_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_product_sales_daily_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'day', name=op.f('pk_product_sales_daily')))
    op.create_index('ix_product_sales_daily_store', 'product_sales_daily',
                    ['store_id', 'day', 'product_id', 'revenue_idr', 'units'])

    op.create_table('region_sales_daily',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('revenue_idr', BigInt, nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_region_sales_daily_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', 'day', 'country_code', 'province_code', name=op.f('pk_region_sales_daily')))

    op.create_table('product_views_daily',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('views', BigInt, nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_views_daily_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_product_views_daily_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'day', name=op.f('pk_product_views_daily')))
    op.create_index('ix_product_views_daily_store', 'product_views_daily', ['store_id', 'day', 'product_id', 'views'])

    op.create_table('scale_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.String(length=16), nullable=False),
    sa.Column('previous_scale', sa.String(length=16), nullable=True),
    sa.Column('annual_sales_idr', BigInt, nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_scale_confirmations_store_id_stores'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_scale_confirmations_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scale_confirmations')))
    op.create_index('ix_scale_confirmations_store', 'scale_confirmations', ['store_id', 'confirmed_at'])

    op.create_table('credit_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('contents', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_credit_packs_store_id_stores'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_credit_packs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_packs')),
    sa.UniqueConstraint('code', name=op.f('uq_credit_packs_code')))
    op.create_index(op.f('ix_credit_packs_store_id'), 'credit_packs', ['store_id'])

    fill_sales_rollups()


def fill_sales_rollups():
    """The analytics' sales rollups from the orders already paid: orders past payment with a
    "pay" event, on the WIB day of their checkout's payment (a frozen copy of
    books.analytics.rollup_statements, which `flask books rebuild-rollups` runs)."""
    dialect = op.get_bind().dialect.name
    paid_at = ("coalesce(c.paid_at, (SELECT min(e.at) FROM order_events e "
               "WHERE e.order_id = o.id AND e.action = 'pay'))")
    if dialect == 'postgresql':
        day = f"(({paid_at}) AT TIME ZONE 'Asia/Jakarta')::date"
        country = "upper(coalesce(nullif(c.shipping_address::json ->> 'country', ''), 'ID'))"
        province = "coalesce(c.shipping_address::json ->> 'province', '')"
    else:
        day = f"date({paid_at}, '+7 hours')"
        country = "upper(coalesce(nullif(json_extract(c.shipping_address, '$.country'), ''), 'ID'))"
        province = "coalesce(json_extract(c.shipping_address, '$.province'), '')"
    paid = (f"SELECT o.id AS order_id, o.store_id, {day} AS day, o.subtotal_idr - o.discount_idr AS revenue, "
            f"o.shipping_idr, substr({country}, 1, 2) AS country, {province} AS province "
            "FROM orders o JOIN checkouts c ON c.id = o.checkout_id "
            "WHERE o.status NOT IN ('pending_payment', 'expired') "
            "AND EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.action = 'pay')")
    op.execute(
        "INSERT INTO sales_daily (store_id, day, orders, units, revenue_idr, shipping_idr) "
        "SELECT p.store_id, p.day, count(*), coalesce(sum(u.units), 0), sum(p.revenue), sum(p.shipping_idr) "
        f"FROM ({paid}) p LEFT JOIN (SELECT order_id, sum(quantity) AS units FROM order_lines "
        "GROUP BY order_id) u ON u.order_id = p.order_id GROUP BY p.store_id, p.day")
    op.execute(
        "INSERT INTO product_sales_daily (product_id, day, store_id, orders, units, revenue_idr) "
        "SELECT l.product_id, p.day, p.store_id, count(DISTINCT p.order_id), sum(l.quantity), "
        f"sum(l.line_total_idr) FROM ({paid}) p JOIN order_lines l ON l.order_id = p.order_id "
        "WHERE l.product_id IS NOT NULL GROUP BY l.product_id, p.day, p.store_id")
    op.execute(
        "INSERT INTO region_sales_daily (store_id, day, country_code, province_code, orders, revenue_idr) "
        "SELECT r.store_id, r.day, r.country, r.province, count(*), sum(r.revenue) FROM ("
        "SELECT p.store_id, p.day, p.country, CASE WHEN p.country = 'ID' AND length(p.province) = 2 "
        f"THEN p.province ELSE '' END AS province, p.revenue FROM ({paid}) p) r "
        "GROUP BY r.store_id, r.day, r.country, r.province")


def downgrade():
    for table in ('credit_packs', 'scale_confirmations', 'product_views_daily', 'region_sales_daily',
                  'product_sales_daily', 'sales_daily', 'book_entries'):
        op.drop_table(table)
