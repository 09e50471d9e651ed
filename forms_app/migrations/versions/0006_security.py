"""security: session generations, the audit hash chain, rate-limit counters without Redis

Revision ID: 0006_security
Revises: 0005
Create Date: 2026-12-06

- `staff_users.session_generation`: a session made under an older generation is refused.
- `audit_log.seq`, `prev_hash`, `entry_hash` and the one-row table `audit_chain` (length, head):
  the existing entries are chained here, in id order, so `audit verify` holds from the start.
  Writing their hashes is an UPDATE, which the append-only triggers refuse: they are switched off
  for that statement only, inside this migration's transaction (run as the tables' owner).
- `rate_limits`: the limiter's counters in the database when no Redis is configured.

Plain ADD COLUMN on SQLite (no batch copy), so the triggers of 0001/0002 stay.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_security'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('staff_users', sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    op.add_column('audit_log', sa.Column('seq', sa.Integer(), nullable=True))
    op.add_column('audit_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_log', sa.Column('entry_hash', sa.String(length=64), nullable=True))
    op.create_index('ix_audit_log_seq', 'audit_log', ['seq'], unique=True)
    op.create_table('audit_chain',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('length', sa.Integer(), nullable=False),
                    sa.Column('head', sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain')))
    op.create_table('rate_limits',
                    sa.Column('key', sa.String(length=250), nullable=False),
                    sa.Column('hits', sa.Integer(), nullable=False),
                    sa.Column('expires_at', sa.Float(), nullable=False),
                    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits')))
    _chain_existing_entries()


def _chain_existing_entries() -> None:
    from forms_app.audit_chain import FIELDS, GENESIS, digest

    bind = op.get_bind()
    log = sa.table('audit_log', sa.column('id', sa.Integer), sa.column('at', sa.DateTime),
                   sa.column('jurisdiction', sa.String), sa.column('actor_id', sa.Integer),
                   sa.column('action', sa.String), sa.column('case_id', sa.Integer), sa.column('before', sa.JSON),
                   sa.column('after', sa.JSON), sa.column('address', sa.String), sa.column('seq', sa.Integer),
                   sa.column('prev_hash', sa.String), sa.column('entry_hash', sa.String))
    rows = [dict(r._mapping) for r in bind.execute(sa.select(log).order_by(log.c.id))]
    if not rows:
        return
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    prev = GENESIS
    for n, row in enumerate(rows, start=1):
        row["seq"] = n
        entry_hash = digest({k: row.get(k) for k in FIELDS}, prev)
        bind.execute(log.update().where(log.c.id == row["id"]).values(seq=n, prev_hash=prev, entry_hash=entry_hash))
        prev = entry_hash
    if postgres:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    else:
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log: append-only table'); END")
    chain = sa.table('audit_chain', sa.column('id', sa.Integer), sa.column('length', sa.Integer),
                     sa.column('head', sa.String))
    bind.execute(chain.insert().values(id=1, length=len(rows), head=prev))


def downgrade() -> None:
    op.drop_table('rate_limits')
    op.drop_table('audit_chain')
    op.drop_index('ix_audit_log_seq', table_name='audit_log')
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('audit_log') as batch_op:
            batch_op.drop_column('entry_hash')
            batch_op.drop_column('prev_hash')
            batch_op.drop_column('seq')
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'audit_log: append-only table'); END")
        with op.batch_alter_table('staff_users') as batch_op:
            batch_op.drop_column('session_generation')
    else:
        for column in ('entry_hash', 'prev_hash', 'seq'):
            op.drop_column('audit_log', column)
        op.drop_column('staff_users', 'session_generation')
