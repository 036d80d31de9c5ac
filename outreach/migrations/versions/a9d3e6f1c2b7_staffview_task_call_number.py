"""tasks: call_number, the number a phone task is to call when the tenant gave one

Revision ID: a9d3e6f1c2b7
Revises: a9d3e5f7b1c2
Create Date: 2026-12-06 05:30:00.000000

Issue 12, item 13: a tenant who asks to be called on the booking page may type
a number. It is not written to the person (a code holder must not change where
NAV calls), so it goes on the task: the call sheet shows it as the number to
call. Existing tasks call the person's number (NULL).
"""

import sqlalchemy as sa
from alembic import op


revision = 'a9d3e6f1c2b7'
down_revision = 'a9d3e5f7b1c2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_number', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('call_number')
