"""staff users: an optional email address for home-visit invitations

Revision ID: b7e4d21c9a53
Revises: c4d8e2f1a6b9
Create Date: 2026-12-01 22:00:00.000000

Issue 4: staff receive an iCalendar invitation for each home visit. With an
address the invitation goes by email (their own calendar); without one it
stays in the team's outbox, as before.
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7e4d21c9a53'
down_revision = 'c4d8e2f1a6b9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
