"""review cycles: countries and indicators to review by a date, and who is assigned

Revision ID: 0006_cycles
Revises: 0006_orgsite
Create Date: 2026-12-12 00:00:00

`review_cycle` is one round of work an admin opens; `review_cycle_country` and
`review_cycle_indicator` say what it covers, `review_assignment` which reviewer does each country.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_cycles"
down_revision = "0006_orgsite"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_review_cycle_name_not_empty")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_review_cycle_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cycle")),
    )
    op.create_table(
        "review_cycle_country",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_review_cycle_country_cycle_id_review_cycle"),
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_review_cycle_country_country_id_country")
        ),
        sa.PrimaryKeyConstraint("cycle_id", "country_id", name=op.f("pk_review_cycle_country")),
    )
    op.create_table(
        "review_cycle_indicator",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_review_cycle_indicator_cycle_id_review_cycle"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_review_cycle_indicator_indicator_id_indicator"),
        ),
        sa.PrimaryKeyConstraint("cycle_id", "indicator_id", name=op.f("pk_review_cycle_indicator")),
    )
    op.create_table(
        "review_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_review_assignment_cycle_id_review_cycle"),
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_review_assignment_country_id_country")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user.id"], name=op.f("fk_review_assignment_reviewer_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignment")),
        sa.UniqueConstraint(
            "cycle_id",
            "country_id",
            "reviewer_id",
            name=op.f("uq_review_assignment_cycle_id_country_id_reviewer_id"),
        ),
    )
    op.create_index(
        "ix_review_assignment_reviewer_id", "review_assignment", ["reviewer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_review_assignment_reviewer_id", table_name="review_assignment")
    op.drop_table("review_assignment")
    op.drop_table("review_cycle_indicator")
    op.drop_table("review_cycle_country")
    op.drop_table("review_cycle")
