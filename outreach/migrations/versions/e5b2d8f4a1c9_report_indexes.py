"""indexes for the figures: cases closed, letter steps, events by kind, flags raised

Revision ID: e5b2d8f4a1c9
Revises: d7f2b9c4e1a8
Create Date: 2026-12-06 17:00:00.000000

Issue 15: every figure is a GROUP BY over a range of one period column; these
are the columns the figures range over or pick rows by that had no index.
"""

from alembic import op


revision = 'e5b2d8f4a1c9'
down_revision = 'd7f2b9c4e1a8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_closed_at', 'cases', ['closed_at'])
    op.create_index('ix_steps_rule_status', 'steps', ['rule', 'status'])
    op.create_index('ix_events_kind_case', 'events', ['kind', 'case_id'])
    op.create_index('ix_flags_raised_at', 'flags', ['raised_at'])


def downgrade() -> None:
    op.drop_index('ix_flags_raised_at', table_name='flags')
    op.drop_index('ix_events_kind_case', table_name='events')
    op.drop_index('ix_steps_rule_status', table_name='steps')
    op.drop_index('ix_cases_closed_at', table_name='cases')
