"""the framework under review: indicator revisions, versions pinned to one, translations

Revision ID: 0005_framework
Revises: 0004_rtl
Create Date: 2026-12-05 09:00:00

Every indicator's text is kept as revisions that go through review (`indicator_revision`, with
its contributors); the indicator points at the one in force and keeps its approved translations.
A published version points at the revision it was assessed under. Profile content keeps its
approved translations; a profile change may propose one ("translate", with its language). A
translator is a new role.

Upgrading records each indicator's present text as its revision 1, in force since the earliest
publication under it (or now), and pins every public version to it: the texts those versions
were first assessed under, if an administrator edited them before, were not kept.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005_framework"
down_revision = "0004_rtl"
branch_labels = None
depends_on = None

CONTENT_TABLES = ("member", "fact", "resource", "news_item")
OPEN = "state IN ('changes_requested', 'draft', 'submitted')"
PUBLIC = "('published', 'retracted', 'superseded')"
STATES = (
    "'changes_requested', 'discarded', 'draft', 'published', 'rejected', 'retracted', "
    "'submitted', 'superseded'"
)


def _empty_json():
    return sa.text("'{}'")


def upgrade() -> None:
    op.create_table(
        "indicator_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("rubric_yes", sa.Text(), nullable=False),
        sa.Column("rubric_partial", sa.Text(), nullable=False),
        sa.Column("rubric_no", sa.Text(), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("base_revision_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("framework_revision", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_indicator_revision_state_valid")),
        sa.CheckConstraint(
            f"(number IS NULL) = (state NOT IN {PUBLIC})",
            name=op.f("ck_indicator_revision_number_iff_public"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_revision_indicator_id_indicator"),
        ),
        sa.ForeignKeyConstraint(
            ["base_revision_id"],
            ["indicator_revision.id"],
            name=op.f("fk_indicator_revision_base_revision_id_indicator_revision"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_indicator_revision_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_indicator_revision_decided_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_revision")),
        sa.UniqueConstraint(
            "indicator_id", "number", name=op.f("uq_indicator_revision_indicator_id_number")
        ),
    )
    op.create_index(
        op.f("ix_indicator_revision_indicator_id"), "indicator_revision", ["indicator_id"]
    )
    op.create_index(op.f("ix_indicator_revision_state"), "indicator_revision", ["state"])
    op.create_index(
        "uq_indicator_revision_one_open",
        "indicator_revision",
        ["indicator_id", "scope"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_table(
        "indicator_revision_contributor",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["indicator_revision.id"],
            name=op.f("fk_indicator_revision_contributor_revision_id_indicator_revision"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_indicator_revision_contributor_user_id_user")
        ),
        sa.PrimaryKeyConstraint(
            "revision_id", "user_id", name=op.f("pk_indicator_revision_contributor")
        ),
    )
    op.create_index(
        op.f("ix_indicator_revision_contributor_user_id"),
        "indicator_revision_contributor",
        ["user_id"],
    )
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default=_empty_json())
        )
        batch.add_column(sa.Column("current_revision_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_indicator_current_revision_id_indicator_revision"),
            "indicator_revision",
            ["current_revision_id"],
            ["id"],
            use_alter=True,
        )
    with op.batch_alter_table("version") as batch:
        batch.add_column(sa.Column("indicator_revision_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_version_indicator_revision_id_indicator_revision"),
            "indicator_revision",
            ["indicator_revision_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_version_indicator_revision_id"), ["indicator_revision_id"])
    for table in CONTENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("translations", sa.JSON(), nullable=False, server_default=_empty_json())
            )
    with op.batch_alter_table("profile_change") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
        batch.drop_constraint(op.f("ck_profile_change_operation_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_profile_change_operation_valid"),
            "operation IN ('add', 'edit', 'remove', 'translate')",
        )
    with op.batch_alter_table("role_grant") as batch:
        batch.drop_constraint(op.f("ck_role_grant_role_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_role_grant_role_valid"),
            "role IN ('reviewer', 'supervisor', 'admin', 'translator')",
        )
    _record_revision_one()


def _record_revision_one() -> None:
    """Each indicator's text as its revision 1, and every public version pinned to it."""
    connection = op.get_bind()
    now = datetime.now(UTC)
    indicators = connection.execute(
        sa.text(
            "SELECT id, title, definition, rubric_yes, rubric_partial, rubric_no FROM indicator"
        )
    ).all()
    for row in indicators:
        earliest = connection.execute(
            sa.text(
                "SELECT min(v.published_at) FROM version v JOIN assessment a "
                "ON a.id = v.assessment_id WHERE a.indicator_id = :id"
            ),
            {"id": row.id},
        ).scalar()
        if isinstance(earliest, str):  # SQLite returns min() of a datetime as text
            earliest = datetime.fromisoformat(earliest)
        if earliest is not None and earliest.tzinfo is None:
            earliest = earliest.replace(tzinfo=UTC)
        revision_id = connection.execute(
            sa.text(
                "INSERT INTO indicator_revision (indicator_id, number, scope, state, title, "
                "definition, rubric_yes, rubric_partial, rubric_no, translations, created_at, "
                "updated_at, decided_at, row_version) VALUES (:indicator, 1, 'source', "
                "'published', :title, :definition, :yes, :partial, :no, '{}', :now, :now, "
                ":since, 1) RETURNING id"
            ).bindparams(  # typed, so each database gets its own datetime format
                sa.bindparam("now", type_=sa.DateTime(timezone=True)),
                sa.bindparam("since", type_=sa.DateTime(timezone=True)),
            ),
            {
                "indicator": row.id,
                "title": row.title,
                "definition": row.definition or "",
                "yes": row.rubric_yes or "",
                "partial": row.rubric_partial or "",
                "no": row.rubric_no or "",
                "now": now,
                "since": earliest or now,
            },
        ).scalar()
        connection.execute(
            sa.text("UPDATE indicator SET current_revision_id = :revision WHERE id = :id"),
            {"revision": revision_id, "id": row.id},
        )
        connection.execute(
            sa.text(
                "UPDATE version SET indicator_revision_id = :revision WHERE number IS NOT NULL "
                "AND assessment_id IN (SELECT id FROM assessment WHERE indicator_id = :id)"
            ),
            {"revision": revision_id, "id": row.id},
        )


def downgrade() -> None:
    op.execute("DELETE FROM role_grant WHERE role = 'translator'")
    op.execute("DELETE FROM profile_change WHERE operation = 'translate'")
    with op.batch_alter_table("role_grant") as batch:
        batch.drop_constraint(op.f("ck_role_grant_role_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_role_grant_role_valid"), "role IN ('reviewer', 'supervisor', 'admin')"
        )
    with op.batch_alter_table("profile_change") as batch:
        batch.drop_constraint(op.f("ck_profile_change_operation_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_profile_change_operation_valid"), "operation IN ('add', 'edit', 'remove')"
        )
        batch.drop_column("language")
    for table in CONTENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
    with op.batch_alter_table("version") as batch:
        batch.drop_index(op.f("ix_version_indicator_revision_id"))
        batch.drop_constraint(
            op.f("fk_version_indicator_revision_id_indicator_revision"), type_="foreignkey"
        )
        batch.drop_column("indicator_revision_id")
    with op.batch_alter_table("indicator") as batch:
        batch.drop_constraint(
            op.f("fk_indicator_current_revision_id_indicator_revision"), type_="foreignkey"
        )
        batch.drop_column("current_revision_id")
        batch.drop_column("translations")
    op.drop_index(
        op.f("ix_indicator_revision_contributor_user_id"),
        table_name="indicator_revision_contributor",
    )
    op.drop_table("indicator_revision_contributor")
    op.drop_index("uq_indicator_revision_one_open", table_name="indicator_revision")
    op.drop_index(op.f("ix_indicator_revision_state"), table_name="indicator_revision")
    op.drop_index(op.f("ix_indicator_revision_indicator_id"), table_name="indicator_revision")
    op.drop_table("indicator_revision")
