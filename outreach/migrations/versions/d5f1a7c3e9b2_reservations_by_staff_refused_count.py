"""reservations registered by NAV staff (who, for which person); refused warnings counted per landlord

Revision ID: d5f1a7c3e9b2
Revises: a7d3e5b9c2f1
Create Date: 2026-12-06 16:40:00.000000

Issue 14: staff register a tenant's § 9-11 reservation on the tenant's behalf,
and a refused warning keeps only a count per landlord.
"""

from alembic import op
import sqlalchemy as sa


revision = 'd5f1a7c3e9b2'
down_revision = 'a7d3e5b9c2f1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('landlords', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('refused_warnings', sa.Integer(), nullable=False, server_default='0')
        )
    with op.batch_alter_table('warning_reservations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_warning_reservations_registered_by_user_id_users'),
            'users', ['registered_by_user_id'], ['id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_warning_reservations_person_id_persons'), 'persons', ['person_id'], ['id']
        )
        batch_op.create_index(
            batch_op.f('ix_warning_reservations_person_id'), ['person_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('warning_reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_reservations_person_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_warning_reservations_person_id_persons'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_warning_reservations_registered_by_user_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('person_id')
        batch_op.drop_column('registered_by_user_id')
    with op.batch_alter_table('landlords', schema=None) as batch_op:
        batch_op.drop_column('refused_warnings')
