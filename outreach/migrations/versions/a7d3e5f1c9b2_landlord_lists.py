"""landlords' monthly arrears lists and their rows (issue 14)

Revision ID: a7d3e5f1c9b2
Revises: d5f1a7c3e9b2
Create Date: 2026-12-06 16:30:00.000000

An uploaded list is kept before the landlord gets an answer; its rows wait
(encrypted) until the background job has done them.
"""

from alembic import op
import sqlalchemy as sa

import outreach.db


revision = 'a7d3e5f1c9b2'
down_revision = 'd5f1a7c3e9b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'landlord_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('landlord_id', sa.Integer(), nullable=False),
        sa.Column('content_hmac', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('via', sa.String(length=8), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('token_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', outreach.db.UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('total_rows', sa.Integer(), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('finished_at', outreach.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['landlord_accounts.id']),
        sa.ForeignKeyConstraint(['landlord_id'], ['landlords.id']),
        sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('landlord_id', 'content_hmac', name='uq_landlord_lists_content'),
    )
    with op.batch_alter_table('landlord_lists', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_landlord_lists_landlord_id'), ['landlord_id'], unique=False
        )
    op.create_table(
        'landlord_list_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('row_number', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=80), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('payload_enc', sa.LargeBinary(), nullable=True),
        sa.Column('faults', sa.JSON(), nullable=True),
        sa.Column('warning_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['list_id'], ['landlord_lists.id']),
        sa.ForeignKeyConstraint(['warning_id'], ['landlord_warnings.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('list_id', 'row_number', name='uq_landlord_list_rows_number'),
    )
    with op.batch_alter_table('landlord_list_rows', schema=None) as batch_op:
        batch_op.create_index('ix_landlord_list_rows_status', ['list_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('landlord_list_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_landlord_list_rows_status')
    op.drop_table('landlord_list_rows')
    with op.batch_alter_table('landlord_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_landlord_lists_landlord_id'))
    op.drop_table('landlord_lists')
