"""payout batches: finance pays stores' available balances out to their verified accounts
(payout_batches), one line per store (payout_lines) settled paid or failed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('payout_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('min_amount_idr', BigInt, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_payout_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batches'))
    )
    op.create_table('payout_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('payout_account_id', sa.Integer(), nullable=False),
    sa.Column('amount_idr', BigInt, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('bank_reference', sa.String(length=120), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_idr > 0', name=op.f('ck_payout_lines_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batches.id'], name=op.f('fk_payout_lines_batch_id_payout_batches')),
    sa.ForeignKeyConstraint(['payout_account_id'], ['store_payout_accounts.id'],
                            name=op.f('fk_payout_lines_payout_account_id_store_payout_accounts')),
    sa.ForeignKeyConstraint(['settled_by_id'], ['users.id'],
                            name=op.f('fk_payout_lines_settled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_payout_lines_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_lines'))
    )
    op.create_index(op.f('ix_payout_lines_batch_id'), 'payout_lines', ['batch_id'], unique=False)
    op.create_index(op.f('ix_payout_lines_store_id'), 'payout_lines', ['store_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_payout_lines_store_id'), table_name='payout_lines')
    op.drop_index(op.f('ix_payout_lines_batch_id'), table_name='payout_lines')
    op.drop_table('payout_lines')
    op.drop_table('payout_batches')
