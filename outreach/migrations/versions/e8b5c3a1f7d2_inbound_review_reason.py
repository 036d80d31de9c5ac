"""inbound messages: why staff dismissed a reply from an unknown number

Revision ID: e8b5c3a1f7d2
Revises: d2a7f4c19e60
Create Date: 2026-12-01 22:30:00.000000

Issue 5: the staff queue "Ukjente SMS-svar" attaches a reply to a case or
dismisses it with a reason (outreach.inbound_review); the reason is kept on
the message, since an unknown number has no case timeline to carry it.
"""

from alembic import op
import sqlalchemy as sa


revision = 'e8b5c3a1f7d2'
down_revision = 'd2a7f4c19e60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('review_reason')
