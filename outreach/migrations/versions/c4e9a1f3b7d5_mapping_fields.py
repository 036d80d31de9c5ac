"""the mapping of every incoming case: plaintiff type, reason, petition outcome, first-timer, system failure

Revision ID: c4e9a1f3b7d5
Revises: b3f8a2c6d4e1
Create Date: 2026-12-06 16:20:00.000000

Issue 15. Existing data gets what can be known from it: the plaintiff type from
the sender (a municipal landlord's warning, a landlord's, a forced sale's
lender), the reason from the notice's kind (an early warning is about arrears,
a forced sale is a forced sale); everything else stays unknown (NULL) rather
than guessed. ``first_timer`` is true when the person has no earlier case.
"""

from alembic import op
import sqlalchemy as sa

import outreach.db


revision = 'c4e9a1f3b7d5'
down_revision = 'b3f8a2c6d4e1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('first_timer', sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column('system_failure', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('system_failure_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('system_failure_at', outreach.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_cases_opened_at', ['opened_at'])
    with op.batch_alter_table('triggers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plaintiff_type', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('petition_outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column('petition_outcome_source', sa.String(length=8), nullable=True)
        )
        batch_op.add_column(sa.Column('petition_outcome_at', outreach.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_triggers_received_at', ['received_at'])

    op.execute(
        "UPDATE cases SET first_timer = NOT EXISTS ("
        " SELECT 1 FROM cases AS earlier WHERE earlier.person_id = cases.person_id"
        " AND earlier.opened_at < cases.opened_at)"
    )
    op.execute(
        "UPDATE triggers SET plaintiff_type = CASE"
        " WHEN source_type = 'municipal_landlord' THEN 'municipal_landlord'"
        " WHEN source_type = 'landlord' THEN 'private_landlord'"
        " WHEN kind = 'forced_sale_notice' THEN 'bank'"
        " ELSE NULL END"
    )
    op.execute(
        "UPDATE triggers SET reason = CASE"
        " WHEN kind = 'unpaid_rent_warning' THEN 'arrears'"
        " WHEN kind = 'forced_sale_notice' THEN 'forced_sale'"
        " ELSE NULL END"
    )


def downgrade() -> None:
    with op.batch_alter_table('triggers', schema=None) as batch_op:
        batch_op.drop_index('ix_triggers_received_at')
        for column in (
            'petition_outcome_at', 'petition_outcome_source', 'petition_outcome', 'reason',
            'plaintiff_type',
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_opened_at')
        for column in ('system_failure_at', 'system_failure_reason', 'system_failure', 'first_timer'):
            batch_op.drop_column(column)
