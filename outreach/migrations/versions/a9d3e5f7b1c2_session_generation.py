"""staff users and landlord accounts: a session generation that logging out bumps

Revision ID: a9d3e5f7b1c2
Revises: f3c9a7d1e2b8
Create Date: 2026-12-06 04:00:00.000000

Issue 13, item 6: sessions are signed cookies, so a cookie replayed after
logout still worked. Each login records the account's generation in the
session; logging out increases it, and a session of an older generation ends.
"""

from alembic import op
import sqlalchemy as sa


revision = 'a9d3e5f7b1c2'
down_revision = 'f3c9a7d1e2b8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('users', 'landlord_accounts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0')
            )


def downgrade() -> None:
    for table in ('users', 'landlord_accounts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('session_generation')
