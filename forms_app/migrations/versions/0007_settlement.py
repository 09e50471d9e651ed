"""settlement slips attached to complaints: the resident's figures and the engine's differences

Revision ID: 0007_settlement
Revises: 0006_security
Create Date: 2026-12-06

One JSON column (forms_app/settlement.py): {"category", "slips": [...], "answer": run_check's
answer}. Plain ADD COLUMN on both SQLite and PostgreSQL, as 0005.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_settlement'
down_revision = '0006_security'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('settlement', sa.JSON(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('cases') as batch_op:
            batch_op.drop_column('settlement')
    else:
        op.drop_column('cases', 'settlement')
