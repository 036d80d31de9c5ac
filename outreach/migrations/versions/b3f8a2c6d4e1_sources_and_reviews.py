"""contact data carry their source; notices from non-parties wait for staff; reservations by name

Revision ID: b3f8a2c6d4e1
Revises: a9d3e6f1c2b7
Create Date: 2026-12-06 06:00:00.000000

Issue 13, items 1-3. ``persons.contact_sources`` and ``cases.fact_sources``
record who gave each field (an empty map: written before, counted as
trusted); ``persons.reported`` keeps what a less trusted sender said for
staff to confirm; ``triggers.review`` holds a notice from someone not party
to the case; ``warning_reservations`` keep the name (encrypted) and a keyed
hash of the birth date so reservations match close names.
"""

from alembic import op
import sqlalchemy as sa


revision = 'b3f8a2c6d4e1'
down_revision = 'a9d3e6f1c2b7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('contact_sources', sa.JSON(), nullable=False, server_default='{}')
        )
        batch_op.add_column(sa.Column('reported', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('fact_sources', sa.JSON(), nullable=False, server_default='{}')
        )
    with op.batch_alter_table('triggers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.String(length=12), nullable=True))
    with op.batch_alter_table('warning_reservations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_enc', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('birth_hmac', sa.String(length=64), nullable=True))
        batch_op.create_index(
            'ix_warning_reservations_birth', ['landlord_id', 'birth_hmac'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('warning_reservations', schema=None) as batch_op:
        batch_op.drop_index('ix_warning_reservations_birth')
        batch_op.drop_column('birth_hmac')
        batch_op.drop_column('name_enc')
    with op.batch_alter_table('triggers', schema=None) as batch_op:
        batch_op.drop_column('review')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('fact_sources')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('reported')
        batch_op.drop_column('contact_sources')
