"""residents side: resubmission ids (idempotent retries of a submission)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

A new table, so SQLite needs no batch copy of `cases`. The unique constraint on `key_hash` is what
makes two concurrent retries of one submission store one case (forms_app/store.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resubmissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_resubmissions_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resubmissions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_resubmissions_key_hash'))
    )
    op.create_index(op.f('ix_resubmissions_case_id'), 'resubmissions', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_resubmissions_case_id'), table_name='resubmissions')
    op.drop_table('resubmissions')
