"""escrow payments: the marketplace's accounts, unique codes, QRIS, statements

Every payment now reaches the marketplace's own accounts (rekening bersama): a bank transfer
carries a unique code (checkouts.unique_code, unique among pending checkouts by a partial
index) and is confirmed by finance (confirmed_by_id, payment_reference), one by one or from an
uploaded statement whose lines are kept once each (statement_lines.fingerprint); QRIS payments
are built from the marketplace's merchant QRIS (qris_merchants). Stores register the account
they are paid out to (store_payout_accounts), checked by an officer before use.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
OPEN_CODE = sa.text("payment_status = 'pending' AND unique_code > 0")


def upgrade():
    op.create_table('platform_bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_code', sa.String(length=3), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_platform_bank_accounts_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_bank_accounts')),
    sa.UniqueConstraint('bank_code', 'number', name='uq_platform_bank_account')
    )
    op.create_table('qris_merchants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('merchant_name', sa.String(length=25), nullable=False),
    sa.Column('merchant_city', sa.String(length=15), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_qris_merchants_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qris_merchants'))
    )
    op.create_table('statement_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_account_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('layout', sa.String(length=40), nullable=False),
    sa.Column('credits', sa.Integer(), nullable=False),
    sa.Column('new_lines', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_account_id'], ['platform_bank_accounts.id'],
                            name=op.f('fk_statement_uploads_bank_account_id_platform_bank_accounts')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                            name=op.f('fk_statement_uploads_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_uploads'))
    )
    op.create_table('statement_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('amount_idr', BigInt, nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('checkout_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checkout_id'], ['checkouts.id'], name=op.f('fk_statement_lines_checkout_id_checkouts')),
    sa.ForeignKeyConstraint(['upload_id'], ['statement_uploads.id'],
                            name=op.f('fk_statement_lines_upload_id_statement_uploads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_lines')),
    sa.UniqueConstraint('checkout_id', name=op.f('uq_statement_lines_checkout_id')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_statement_lines_fingerprint'))
    )
    op.create_index(op.f('ix_statement_lines_upload_id'), 'statement_lines', ['upload_id'], unique=False)

    op.create_table('store_payout_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('bank_code', sa.String(length=3), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'],
                            name=op.f('fk_store_payout_accounts_checked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                            name=op.f('fk_store_payout_accounts_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_payout_accounts'))
    )
    op.create_index(op.f('ix_store_payout_accounts_store_id'), 'store_payout_accounts', ['store_id'], unique=False)
    op.create_index('uq_store_payout_accounts_current', 'store_payout_accounts', ['store_id'], unique=True,
                    postgresql_where=sa.text('replaced_at IS NULL'), sqlite_where=sa.text('replaced_at IS NULL'))

    with op.batch_alter_table('checkouts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unique_code', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payment_reference', sa.String(length=120), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_checkouts_confirmed_by_id_users'), 'users',
                                    ['confirmed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_checkouts_unique_code_range'),
                                         'unique_code BETWEEN 0 AND 999')
        batch_op.create_index('uq_checkouts_open_unique_code', ['unique_code'], unique=True,
                              postgresql_where=OPEN_CODE, sqlite_where=OPEN_CODE)


def downgrade():
    with op.batch_alter_table('checkouts', schema=None) as batch_op:
        batch_op.drop_index('uq_checkouts_open_unique_code')
        batch_op.drop_constraint(batch_op.f('ck_checkouts_unique_code_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_checkouts_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('payment_reference')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('unique_code')
    op.drop_index('uq_store_payout_accounts_current', table_name='store_payout_accounts')
    op.drop_index(op.f('ix_store_payout_accounts_store_id'), table_name='store_payout_accounts')
    op.drop_table('store_payout_accounts')
    op.drop_index(op.f('ix_statement_lines_upload_id'), table_name='statement_lines')
    op.drop_table('statement_lines')
    op.drop_table('statement_uploads')
    op.drop_table('qris_merchants')
    op.drop_table('platform_bank_accounts')
