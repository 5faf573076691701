"""readers talk back: suggested corrections and organisations' replies

Revision ID: 0006_talkback
Revises: 0006_cycles
Create Date: 2026-12-02 00:00:00

`suggestion` holds the corrections readers send through the public form (a moderation queue,
never public); `reply` a named organisation's response to an assessment, reviewed like any other
change, with `reply_contributor` naming whom four-eyes excludes from approving it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_talkback"
down_revision = "0006_cycles"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("what_is_wrong", sa.Text(), nullable=False),
        sa.Column("evidence_links", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=False),
        sa.Column("file_original_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("dismiss_reason", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('new', 'in_progress', 'done', 'dismissed')",
            name=op.f("ck_suggestion_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_suggestion_country_id_country")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_suggestion_indicator_id_indicator")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["user.id"], name=op.f("fk_suggestion_handled_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["version.id"], name=op.f("fk_suggestion_version_id_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.UniqueConstraint("reference", name=op.f("uq_suggestion_reference")),
    )
    with op.batch_alter_table("suggestion") as batch:
        batch.create_index("ix_suggestion_country_id_state", ["country_id", "state"])
        batch.create_index(batch.f("ix_suggestion_version_id"), ["version_id"])

    op.create_table(
        "reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("submitted_at", WHEN, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decision_comment", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "role IN ('government', 'member', 'other')", name=op.f("ck_reply_role_valid")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_reply_assessment_id_assessment")
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_reply_country_id_country")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_reply_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_reply_decided_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply")),
    )
    with op.batch_alter_table("reply") as batch:
        batch.create_index(batch.f("ix_reply_assessment_id"), ["assessment_id"])
        batch.create_index(batch.f("ix_reply_country_id"), ["country_id"])
        batch.create_index(batch.f("ix_reply_state"), ["state"])

    op.create_table(
        "reply_contributor",
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply.id"], name=op.f("fk_reply_contributor_reply_id_reply")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_reply_contributor_user_id_user")
        ),
        sa.PrimaryKeyConstraint("reply_id", "user_id", name=op.f("pk_reply_contributor")),
    )
    with op.batch_alter_table("reply_contributor") as batch:
        batch.create_index(batch.f("ix_reply_contributor_user_id"), ["user_id"])


def downgrade() -> None:
    op.drop_table("reply_contributor")
    op.drop_table("reply")
    op.drop_table("suggestion")
