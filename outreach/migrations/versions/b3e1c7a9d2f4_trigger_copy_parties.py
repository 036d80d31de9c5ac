"""triggers: the sender's postal address and the landlord or plaintiff, for the copy letters

Revision ID: b3e1c7a9d2f4
Revises: 5a1c2e9d7b40
Create Date: 2026-12-02 09:00:00.000000

A copy letter needs a name and a postal address (issue 3): the copy to the
plaintiff goes to the plaintiff, not to the court that sent the notice.
All nullable: older triggers have none and their copies are skipped.
"""

from alembic import op
import sqlalchemy as sa


revision = "b3e1c7a9d2f4"
down_revision = "5a1c2e9d7b40"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("triggers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_street", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("source_postal_code", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("source_city", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("counterpart_role", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("counterpart_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("counterpart_org_number", sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column("counterpart_street", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("counterpart_postal_code", sa.String(length=4), nullable=True)
        )
        batch_op.add_column(sa.Column("counterpart_city", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("triggers", schema=None) as batch_op:
        for column in (
            "counterpart_city",
            "counterpart_postal_code",
            "counterpart_street",
            "counterpart_org_number",
            "counterpart_name",
            "counterpart_role",
            "source_city",
            "source_postal_code",
            "source_street",
        ):
            batch_op.drop_column(column)
