"""sms opt-outs and unusable numbers, per number (keyed hash)

Revision ID: c4d8e2f1a6b9
Revises: b3e1c7a9d2f4
Create Date: 2026-12-01 21:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import outreach.db


revision = 'c4d8e2f1a6b9'
down_revision = 'b3e1c7a9d2f4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sms_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number_hmac', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('at', outreach.db.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', outreach.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_opt_outs')),
    sa.UniqueConstraint('number_hmac', 'kind', name=op.f('uq_sms_opt_outs_number_hmac_kind'))
    )
    with op.batch_alter_table('sms_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_opt_outs_number_hmac'), ['number_hmac'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sms_opt_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_opt_outs_number_hmac'))

    op.drop_table('sms_opt_outs')
