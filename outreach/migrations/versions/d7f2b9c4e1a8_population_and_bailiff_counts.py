"""population per district and the bailiff's quarterly counts (issue 15)

Revision ID: d7f2b9c4e1a8
Revises: c4e9a1f3b7d5
Create Date: 2026-12-06 16:30:00.000000

Two tables filled from files: inhabitants per district and year, with their
source (the shipped SSB figures are added by ``outreach db upgrade``, an import
replaces a year), and the bailiff's petitions and evictions per quarter,
district and plaintiff type (an import replaces a quarter).
"""

from alembic import op
import sqlalchemy as sa

import outreach.db


revision = 'd7f2b9c4e1a8'
down_revision = 'c4e9a1f3b7d5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('district_population',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('imported_at', outreach.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_population')),
    sa.UniqueConstraint(
        'district_code', 'year', name=op.f('uq_district_population_district_code_year')
    )
    )
    op.create_table('bailiff_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('plaintiff_type', sa.String(length=24), nullable=False),
    sa.Column('petitions', sa.Integer(), nullable=False),
    sa.Column('evictions', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('imported_by', sa.String(length=80), nullable=False),
    sa.Column('imported_at', outreach.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bailiff_counts')),
    sa.UniqueConstraint(
        'quarter', 'district_code', 'plaintiff_type',
        name=op.f('uq_bailiff_counts_quarter_district_code_plaintiff_type'),
    )
    )


def downgrade() -> None:
    op.drop_table('bailiff_counts')
    op.drop_table('district_population')
