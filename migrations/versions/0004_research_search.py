"""the search index (one row per published assessment, and the database's full-text index on
it) and dated data releases

Revision ID: 0004_research_search
Revises: 0004_public_revision
Create Date: 2026-12-01 23:30:00

SQLite: an FTS5 table over search_entry (external content), kept in step by triggers, so that any
writer of search_entry (publication, a backup import) updates it. PostgreSQL: a GIN index on the
same expression the search query uses. Neither is part of the ORM metadata: they are backend
features, not tables the app writes (`assess/search/backends.py` reads them).

Existing publications are indexed by `assess search-index` after the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_research_search"
down_revision = "0004_public_revision"
branch_labels = None
depends_on = None

FTS_TRIGGERS = {
    "search_entry_ai": "AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "search_entry_ad": "AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "search_entry_au": "AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
}
PG_DOCUMENT = "to_tsvector('simple', title || ' ' || body)"


def upgrade():
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_search_entry_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["country.id"], name=op.f("fk_search_entry_country_id_country")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_search_entry_indicator_id_indicator")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["version.id"], name=op.f("fk_search_entry_version_id_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_search_entry_assessment_id")),
    )
    op.create_table(
        "data_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_release")),
        sa.UniqueConstraint("name", name=op.f("uq_data_release_name")),
    )
    op.create_table(
        "data_release_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=80), nullable=False),
        sa.Column("media_type", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["data_release.id"],
            name=op.f("fk_data_release_file_release_id_data_release"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_release_file")),
        sa.UniqueConstraint(
            "release_id", "filename", name=op.f("uq_data_release_file_release_id_filename")
        ),
    )
    op.create_index(
        "ix_data_release_file_release_id", "data_release_file", ["release_id"], unique=False
    )
    op.create_index("ix_search_entry_country_id", "search_entry", ["country_id"], unique=False)
    op.create_index("ix_search_entry_indicator_id", "search_entry", ["indicator_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_entry', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        for name, body in FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        op.execute(f"CREATE INDEX search_entry_document ON search_entry USING gin ({PG_DOCUMENT})")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS search_entry_document")
    op.drop_index("ix_search_entry_indicator_id", table_name="search_entry")
    op.drop_index("ix_search_entry_country_id", table_name="search_entry")
    op.drop_table("search_entry")
    op.drop_index("ix_data_release_file_release_id", table_name="data_release_file")
    op.drop_table("data_release_file")
    op.drop_table("data_release")
