"""a reviewer's and a supervisor's day: kept forms, review rounds, daily digests

Revision ID: 0005_reviewday
Revises: 0004_rtl
Create Date: 2026-12-10 00:00:00

- `kept_form`: a form posted by a session that had just expired, kept for its owner until they
  sign in again (`assess/session_expiry.py`);
- `review_round`: each decision on a submitted version with the content it was taken on, so the
  review screen can show the changes since the last round;
- `user.email_digest` and `notification.digest_pending`: one daily e-mail instead of one per event.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_reviewday"
down_revision = "0005_framework"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_kept_form_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_form")),
        sa.UniqueConstraint("token", name=op.f("uq_kept_form_token")),
    )
    op.create_index("ix_kept_form_user_id", "kept_form", ["user_id"], unique=False)
    op.create_index("ix_kept_form_created_at", "kept_form", ["created_at"], unique=False)
    op.create_table(
        "review_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["version.id"], name=op.f("fk_review_round_version_id_version")
        ),
        sa.ForeignKeyConstraint(
            ["base_version_id"],
            ["version.id"],
            name=op.f("fk_review_round_base_version_id_version"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_review_round_decided_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_round")),
        sa.UniqueConstraint("version_id", "number", name=op.f("uq_review_round_version_id_number")),
    )
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("email_digest", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("notification") as batch:
        batch.add_column(
            sa.Column("digest_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_notification_digest_pending",
        "notification",
        ["user_id"],
        unique=False,
        sqlite_where=sa.text("digest_pending"),
        postgresql_where=sa.text("digest_pending"),
    )


def downgrade() -> None:
    op.drop_index("ix_notification_digest_pending", table_name="notification")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("digest_pending")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("email_digest")
    op.drop_table("review_round")
    op.drop_index("ix_kept_form_created_at", table_name="kept_form")
    op.drop_index("ix_kept_form_user_id", table_name="kept_form")
    op.drop_table("kept_form")
