"""landlord accounts NAV can trust: application, approval status, audit log

Revision ID: a7d3e5b9c2f1
Revises: e5b2d8f4a1c9
Create Date: 2026-12-06 16:45:00.000000

Issue 14. A landlord applies and can send nothing until NAV approves it: the
``active`` flag becomes a status (active -> approved, inactive -> suspended).
A private person has no org number, so it becomes nullable (still unique among
companies). Every landlord action goes to ``landlord_audit``.
"""

from alembic import op
import sqlalchemy as sa

import outreach.db


revision = "a7d3e5b9c2f1"
down_revision = "e5b2d8f4a1c9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("landlords", schema=None) as batch_op:
        batch_op.alter_column("org_number", existing_type=sa.String(length=9), nullable=True)
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), nullable=False, server_default="company")
        )
        batch_op.add_column(sa.Column("street", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("postal_code", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("city", sa.String(length=80), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=12), nullable=False, server_default="pending")
        )
        batch_op.add_column(sa.Column("status_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("status_changed_at", outreach.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("terms_version", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("terms_accepted_at", outreach.db.UTCDateTime(), nullable=True)
        )
    # Landlords made before applications existed were set up by NAV (the CLI): approved,
    # unless their access had been withdrawn.
    op.execute(
        "UPDATE landlords SET status = CASE WHEN active THEN 'approved' ELSE 'suspended' END"
    )
    with op.batch_alter_table("landlords", schema=None) as batch_op:
        batch_op.drop_column("active")

    op.create_table(
        "landlord_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("landlord_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("at", outreach.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["landlord_accounts.id"],
            name=op.f("fk_landlord_audit_account_id_landlord_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_tokens.id"], name=op.f("fk_landlord_audit_key_id_api_tokens")
        ),
        sa.ForeignKeyConstraint(
            ["landlord_id"], ["landlords.id"], name=op.f("fk_landlord_audit_landlord_id_landlords")
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["users.id"], name=op.f("fk_landlord_audit_staff_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_landlord_audit")),
    )
    with op.batch_alter_table("landlord_audit", schema=None) as batch_op:
        batch_op.create_index("ix_landlord_audit_landlord_at", ["landlord_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("landlord_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_landlord_audit_landlord_at")
    op.drop_table("landlord_audit")
    with op.batch_alter_table("landlords", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute("UPDATE landlords SET active = (status = 'approved')")
    # A private landlord has no org number: it cannot survive the old schema.
    op.execute("DELETE FROM landlords WHERE org_number IS NULL")
    with op.batch_alter_table("landlords", schema=None) as batch_op:
        for column in (
            "terms_accepted_at",
            "terms_version",
            "status_changed_at",
            "status_reason",
            "status",
            "city",
            "postal_code",
            "street",
            "kind",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column("org_number", existing_type=sa.String(length=9), nullable=False)
