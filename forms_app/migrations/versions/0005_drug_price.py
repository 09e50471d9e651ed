"""drug price complaints: the drug, the price charged and the price posted

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Plain ADD COLUMN on both SQLite and PostgreSQL (no batch copy: SQLite keeps the triggers of the
earlier migrations). Money in integer fen, as everywhere in the project.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('drug', sa.String(length=60), nullable=True))
    op.add_column('cases', sa.Column('drug_price_charged_fen', sa.Integer(), nullable=True))
    op.add_column('cases', sa.Column('drug_price_posted_fen', sa.Integer(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('cases') as batch_op:
            batch_op.drop_column('drug_price_posted_fen')
            batch_op.drop_column('drug_price_charged_fen')
            batch_op.drop_column('drug')
    else:
        op.drop_column('cases', 'drug_price_posted_fen')
        op.drop_column('cases', 'drug_price_charged_fen')
        op.drop_column('cases', 'drug')
