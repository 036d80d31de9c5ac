"""follow-up items: when the tick noted that the item fell due

Revision ID: d2a7f4c19e60
Revises: b7e4d21c9a53
Create Date: 2026-12-01 22:10:00.000000

Issue 5: a follow-up measure has a date and an owner; on the date the tick
records one ``followup_due`` timeline event. The column makes "once" hold
across ticks (a conditional update claims the item).
"""

from alembic import op
import sqlalchemy as sa

import outreach.db


revision = 'd2a7f4c19e60'
down_revision = 'b7e4d21c9a53'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('followup_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_noted_at', outreach.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('followup_items', schema=None) as batch_op:
        batch_op.drop_column('due_noted_at')
