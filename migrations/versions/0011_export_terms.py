"""export terms

An RFQ's Incoterm now drives its quote and the order made from it: a quote names its port (FOB
of loading, CFR/CIF of destination) and the seller's freight line, and may be made to order
(beyond today's stock, with a lead time). The order keeps those terms in order_trade_terms, and
a paid made-to-order order waits in the status "in_production" (a string column: no change).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-04 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('port', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('freight_idr', BigInt, nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('made_to_order', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        # the defaults were for the rows already there; the model sets them from now on
        batch_op.alter_column('freight_idr', server_default=None)
        batch_op.alter_column('made_to_order', server_default=None)

    op.create_table('order_trade_terms',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('incoterm', sa.String(length=3), nullable=False),
    sa.Column('port', sa.String(length=80), nullable=True),
    sa.Column('freight_idr', BigInt, nullable=False),
    sa.Column('made_to_order', sa.Boolean(), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('ready_by', sa.Date(), nullable=True),
    sa.CheckConstraint('freight_idr >= 0', name=op.f('ck_order_trade_terms_freight_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_trade_terms_order_id_orders'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_trade_terms'))
    )


def downgrade():
    op.drop_table('order_trade_terms')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_column('made_to_order')
        batch_op.drop_column('freight_idr')
        batch_op.drop_column('port')
