"""evidence that stays true: link checks, archived copies, the life of instruments

Revision ID: 0006_evidence
Revises: 0006_talkback
Create Date: 2026-12-02 07:00:00

`link_check` holds the last check of every cited URL; `archived_copy` the documents captured when
a version was approved; `instrument_event` the adoption, amendments and repeal of an instrument.
The public revision's partial index now also covers the "evidence" and "instrument" audit events.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_evidence"
down_revision = "0006_talkback"
branch_labels = None
depends_on = None

# As in assess/models/audit.py when this was written (a migration keeps its own copy).
OLD_PUBLIC_TYPES_SQL = "object_type IN ('indicator', 'member', 'fact', 'resource', 'newsitem')"
PUBLIC_TYPES_SQL = (
    "object_type IN ('indicator', 'member', 'fact', 'resource', 'newsitem', 'evidence', "
    "'instrument')"
)


def _public_index(where: str) -> None:
    op.create_index(
        "ix_audit_event_public_at",
        "audit_event",
        ["at"],
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.create_table(
        "link_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.String(length=2000), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("baseline_sha256", sa.String(length=64), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('ok', 'changed', 'broken', 'blocked')",
            name=op.f("ck_link_check_state_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_check")),
        sa.UniqueConstraint("url", name=op.f("uq_link_check_url")),
    )
    with op.batch_alter_table("link_check") as batch:
        batch.create_index(batch.f("ix_link_check_host"), ["host"])
    op.create_table(
        "archived_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["version.id"], name=op.f("fk_archived_copy_version_id_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archived_copy")),
        sa.UniqueConstraint("version_id", "url", name=op.f("uq_archived_copy_version_id_url")),
    )
    with op.batch_alter_table("archived_copy") as batch:
        batch.create_index(batch.f("ix_archived_copy_version_id"), ["version_id"])
    op.create_table(
        "instrument_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('adopted', 'amended', 'repealed')",
            name=op.f("ck_instrument_event_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_instrument_event_instrument_id_instrument"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_instrument_event_recorded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_event")),
    )
    with op.batch_alter_table("instrument_event") as batch:
        batch.create_index(batch.f("ix_instrument_event_instrument_id"), ["instrument_id"])
    op.drop_index("ix_audit_event_public_at", table_name="audit_event")
    _public_index(PUBLIC_TYPES_SQL)


def downgrade() -> None:
    op.drop_index("ix_audit_event_public_at", table_name="audit_event")
    _public_index(OLD_PUBLIC_TYPES_SQL)
    op.drop_table("instrument_event")
    op.drop_table("archived_copy")
    op.drop_table("link_check")
