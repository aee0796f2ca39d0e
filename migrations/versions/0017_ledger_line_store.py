"""ledger lines carry their account's store and statement name

ledger_lines.store_id (the account's store) and ledger_lines.store_account (its name on the
store's statement: pending, available, in_transit), copied from the account, which never
changes, so a store's balances and statement read one index, ix_ledger_lines_store
(store_id, id, store_account, amount_idr), instead of joining its many per-order accounts.
Existing lines are filled from their accounts. Lines are append-only: on PostgreSQL the
ledger_lines_append_only trigger (migration 0014) refuses UPDATE, so it is disabled for the
backfill alone and enabled again, in this migration's transaction.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

#: the statement name of a store account's kind (orders.ledger.models.STORE_ACCOUNTS)
STORE_ACCOUNT = ("CASE a.kind WHEN 'held' THEN 'pending' WHEN 'available' THEN 'available' "
                 "WHEN 'in_transit' THEN 'in_transit' END")

POSTGRES_BACKFILL = f"""
UPDATE ledger_lines AS l SET store_id = a.store_id, store_account = {STORE_ACCOUNT}
  FROM ledger_accounts AS a
 WHERE a.id = l.account_id AND a.store_id IS NOT NULL
"""

SQLITE_BACKFILL = f"""
UPDATE ledger_lines SET
  store_id = (SELECT a.store_id FROM ledger_accounts AS a WHERE a.id = ledger_lines.account_id),
  store_account = (SELECT {STORE_ACCOUNT} FROM ledger_accounts AS a WHERE a.id = ledger_lines.account_id)
 WHERE account_id IN (SELECT id FROM ledger_accounts WHERE store_id IS NOT NULL)
"""


def upgrade():
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('store_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('store_account', sa.String(length=12), nullable=True))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE ledger_lines DISABLE TRIGGER ledger_lines_append_only')
        op.execute(POSTGRES_BACKFILL)
        op.execute('ALTER TABLE ledger_lines ENABLE TRIGGER ledger_lines_append_only')
    else:
        op.execute(SQLITE_BACKFILL)

    # the key and the index after the backfill: one build instead of upkeep on every row
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_ledger_lines_store_id_stores'), 'stores',
                                    ['store_id'], ['id'])
        batch_op.create_index('ix_ledger_lines_store', ['store_id', 'id', 'store_account', 'amount_idr'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_lines_store')
        batch_op.drop_constraint(batch_op.f('fk_ledger_lines_store_id_stores'), type_='foreignkey')
        batch_op.drop_column('store_account')
        batch_op.drop_column('store_id')
