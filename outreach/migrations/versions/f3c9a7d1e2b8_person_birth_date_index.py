"""persons: index on birth_date, the blocking key for close-name matching

Revision ID: f3c9a7d1e2b8
Revises: e8b5c3a1f7d2
Create Date: 2026-12-01 23:30:00.000000

Issue 2: a petition for "Amina Hassan" must find the open case of "Amina
Demo Hassan" born the same day at the same address. Exact names are found
through ix_persons_name_key; close names are fetched by birth date (with the
same address or phone) and scored in Python (outreach.intake.matching).
Birth dates are stored in clear, so the index covers every existing row and
nothing needs the data key or a backfill.
"""

from alembic import op


revision = 'f3c9a7d1e2b8'
down_revision = 'e8b5c3a1f7d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_birth_date'), ['birth_date'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_birth_date'))
