"""staff side: the audit log names its jurisdiction

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

A plain ADD COLUMN (no batch copy) so SQLite keeps the append-only triggers on audit_log.
On PostgreSQL the migration also revokes UPDATE, DELETE and TRUNCATE on audit_log from PUBLIC,
beside the trigger that refuses them for every role, the owner included.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_log', sa.Column('jurisdiction', sa.String(length=40), nullable=True))
    op.create_index('ix_audit_log_jurisdiction', 'audit_log', ['jurisdiction'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC")
        # TRUNCATE bypasses row triggers: refuse it with a statement trigger.
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION forms_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.drop_index('ix_audit_log_jurisdiction', table_name='audit_log')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's DROP COLUMN would need the batch copy, which would lose the triggers.
        with op.batch_alter_table('audit_log') as batch_op:
            batch_op.drop_column('jurisdiction')
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'audit_log: append-only table'); END")
    else:
        op.drop_column('audit_log', 'jurisdiction')
