"""staff side: accounts managed on the web; a temporary password must be changed at the next login

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

A plain ADD COLUMN with a server default (no batch copy on SQLite).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('staff_users', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                           server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('staff_users') as batch_op:
        batch_op.drop_column('must_change_password')
