"""persons: the name's folded tokens stored at write time; birth date + address index

Revision ID: a7d3e5b9c2f4
Revises: a7d3e5f1c9b2
Create Date: 2026-12-06 17:20:00.000000

Issue 14 ("Speed"): matching normalised every candidate's name again on every
look-up. ``name_tokens`` keeps each person's name parts, written and folded
(``outreach.intake.matching.stored_tokens``), filled here for existing persons;
a row the backfill missed or of an older ``TOKENS_VERSION`` is normalised on
read, so matching never depends on this having run. The (birth_date,
address_key) index makes "born the same day at the same door" one look-up.
"""

from alembic import op
import sqlalchemy as sa


revision = 'a7d3e5b9c2f4'
down_revision = 'a7d3e5f1c9b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_tokens', sa.JSON(), nullable=True))
        batch_op.create_index(
            'ix_persons_birth_date_address_key', ['birth_date', 'address_key'], unique=False
        )
    from outreach.intake.matching import stored_tokens

    bind = op.get_bind()
    persons = sa.table(
        'persons', sa.column('id', sa.Integer), sa.column('name', sa.String),
        sa.column('name_tokens', sa.JSON),
    )
    rows = bind.execute(sa.select(persons.c.id, persons.c.name)).all()
    for start in range(0, len(rows), 1000):
        bind.execute(
            persons.update().where(persons.c.id == sa.bindparam('pid')),
            [
                {'pid': row.id, 'name_tokens': stored_tokens(row.name)}
                for row in rows[start : start + 1000]
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index('ix_persons_birth_date_address_key')
        batch_op.drop_column('name_tokens')
