"""event history note

An officer may start an event before its planned start (after confirming) or close it before
its planned end; the event's dates then move to that moment, and the history row keeps the
planned time it replaced in this note.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('event_history', schema=None) as batch_op:
        batch_op.drop_column('note')
