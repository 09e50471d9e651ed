"""staff flow (issue 27): keyed hashes (blind indexes) of a filer's phone and ID number

Revision ID: 0008_staff_flow
Revises: 0006_security (0005 when written; re-chained at the merge of main)
Create Date: 2026-12-06

The same person's earlier cases are found by an HMAC of the phone / ID number under the server's
lookup pepper (protect.Protector.blind_index), never by the numbers in clear. Existing cases get
theirs from `flask staff reindex-filers`, which decrypts with the app's keys (a migration has no
keys). Plain ADD COLUMN on both databases, as 0005.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_staff_flow'
down_revision = '0007_settlement'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('phone_index', sa.String(length=64), nullable=True))
    op.add_column('cases', sa.Column('id_number_index', sa.String(length=64), nullable=True))
    op.create_index('ix_cases_phone_index', 'cases', ['phone_index'])
    op.create_index('ix_cases_id_number_index', 'cases', ['id_number_index'])


def downgrade() -> None:
    op.drop_index('ix_cases_id_number_index', 'cases')
    op.drop_index('ix_cases_phone_index', 'cases')
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('cases') as batch_op:
            batch_op.drop_column('id_number_index')
            batch_op.drop_column('phone_index')
    else:
        op.drop_column('cases', 'id_number_index')
        op.drop_column('cases', 'phone_index')
