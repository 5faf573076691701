"""bulk imports become reviewable batches; member organisations get contact details

Revision ID: 0005_import
Revises: 0004_rtl
Create Date: 2026-12-10 00:00:00

`import_batch` records one imported file; the versions and profile changes it proposed point at
it, so that a supervisor can review them together. Members gain an e-mail address, a telephone
number and a postal address (empty for the rows that exist).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_import"
down_revision = "0005_reviewday"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessment_count", sa.Integer(), nullable=False),
        sa.Column("profile_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_import_batch_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch") as batch:
        batch.create_index(batch.f("ix_import_batch_created_by_id"), ["created_by_id"])
    for table in ("version", "profile_change"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                batch.f(f"fk_{table}_import_batch_id_import_batch"),
                "import_batch",
                ["import_batch_id"],
                ["id"],
            )
            batch.create_index(batch.f(f"ix_{table}_import_batch_id"), ["import_batch_id"])
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=False, server_default=""))
        batch.add_column(sa.Column("phone", sa.String(50), nullable=False, server_default=""))
        batch.add_column(sa.Column("address", sa.String(500), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("address")
        batch.drop_column("phone")
        batch.drop_column("email")
    for table in ("profile_change", "version"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(batch.f(f"ix_{table}_import_batch_id"))
            batch.drop_constraint(
                batch.f(f"fk_{table}_import_batch_id_import_batch"), type_="foreignkey"
            )
            batch.drop_column("import_batch_id")
    with op.batch_alter_table("import_batch") as batch:
        batch.drop_index(batch.f("ix_import_batch_created_by_id"))
    op.drop_table("import_batch")
