"""the publishing organisation's settings, set at /admin/organisation

Revision ID: 0006_orgsite
Revises: 0005_import
Create Date: 2026-12-02 00:00:00

One row (id 1) whose empty columns fall back to the configuration (`ORGANISATION`, …).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_orgsite"
down_revision = "0005_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("site_name", sa.String(length=120), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("logo_file", sa.String(length=80), nullable=True),
        sa.Column("colour_brand", sa.String(length=7), nullable=True),
        sa.Column("colour_brand_dark", sa.String(length=7), nullable=True),
        sa.Column("about", sa.Text(), nullable=True),
        sa.Column("methodology", sa.Text(), nullable=True),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_organisation_settings_updated_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_settings")),
    )


def downgrade() -> None:
    op.drop_table("organisation_settings")
