"""order auto-complete notice

A delivered order the buyer does not confirm is completed by the worker after AUTO_COMPLETE_DAYS;
the buyer is told once beforehand, and this column remembers that they were.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_complete_notice_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('auto_complete_notice_at')
