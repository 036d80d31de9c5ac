"""triggers: reference dedupe per sender, Idempotency-Key per caller with body hash

Revision ID: 5a1c2e9d7b40
Revises: 83fb93ee4e65
Create Date: 2026-12-01 21:40:00.000000

Two senders using the same reference ("2024-1") must not collide: the old
unique index on kind + reference silently dropped the second landlord's
trigger and answered with the first one's case (issue 2). Existing rows get
their source key from the columns already stored (inner runs of spaces in an
old sender name are kept; new rows collapse them).
"""

from alembic import op
import sqlalchemy as sa


revision = '5a1c2e9d7b40'
down_revision = '83fb93ee4e65'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('triggers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_key', sa.String(length=240), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('idempotency_key', existing_type=sa.String(length=200), type_=sa.String(length=240), existing_nullable=True)
        batch_op.drop_index('uq_triggers_kind_reference', sqlite_where=sa.text('source_reference IS NOT NULL'), postgresql_where=sa.text('source_reference IS NOT NULL'))
    op.execute(
        "UPDATE triggers SET source_key = CASE WHEN source_org_number IS NOT NULL "
        "THEN source_type || ':' || source_org_number "
        "ELSE source_type || ':name:' || lower(trim(source_name)) END"
    )
    with op.batch_alter_table('triggers', schema=None) as batch_op:
        batch_op.alter_column('source_key', existing_type=sa.String(length=240), server_default=None, existing_nullable=False)
        batch_op.create_index('uq_triggers_source_reference', ['kind', 'source_key', 'source_reference'], unique=True, sqlite_where=sa.text('source_reference IS NOT NULL'), postgresql_where=sa.text('source_reference IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('triggers', schema=None) as batch_op:
        batch_op.drop_index('uq_triggers_source_reference', sqlite_where=sa.text('source_reference IS NOT NULL'), postgresql_where=sa.text('source_reference IS NOT NULL'))
        batch_op.create_index('uq_triggers_kind_reference', ['kind', 'source_reference'], unique=True, sqlite_where=sa.text('source_reference IS NOT NULL'), postgresql_where=sa.text('source_reference IS NOT NULL'))
        batch_op.alter_column('idempotency_key', existing_type=sa.String(length=240), type_=sa.String(length=200), existing_nullable=True)
        batch_op.drop_column('request_hash')
        batch_op.drop_column('source_key')
