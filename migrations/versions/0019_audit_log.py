"""audit log

Every officer's and admin's action (audit_entries): who, their roles, when, the action, its
target, the values before and after, a note, the client address and request id. Append-only:
on PostgreSQL a statement trigger refuses UPDATE and DELETE (TRUNCATE is left to the test suite).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_roles', sa.String(length=80), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')))
    op.create_index(op.f('ix_audit_entries_at'), 'audit_entries', ['at'])
    op.create_index(op.f('ix_audit_entries_action'), 'audit_entries', ['action'])
    op.create_index('ix_audit_entries_target', 'audit_entries', ['target_type', 'target_id'])
    op.create_index('ix_audit_entries_actor_at', 'audit_entries', ['actor_id', 'at'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
        CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP;
        END $$;
        CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
          FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries; "
                   "DROP FUNCTION IF EXISTS audit_append_only();")
    op.drop_table('audit_entries')
