"""Migrations: one head, upgrade from empty, downgrade to base and back, in sync with the models.
Runs on SQLite, and on PostgreSQL when ASSESS_TEST_DATABASE_URL is set (see conftest)."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from assess import create_app
from assess.extensions import db

from .conftest import PG_SERVER, _pg_admin_engine, base_config


@pytest.fixture
def empty_app(tmp_path):
    """An app on a database with no tables at all."""
    if PG_SERVER is None:
        app = create_app(base_config(f"sqlite:///{tmp_path}/empty.sqlite", str(tmp_path)))
        with app.app_context():
            yield app
            db.engine.dispose()
        return
    import uuid

    from sqlalchemy.engine import make_url

    name = f"assess_mig_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_SERVER).set(database=name).render_as_string(False)
    app = create_app(base_config(url, str(tmp_path)))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def directory(app):
    return app.extensions["migrate"].directory


# The full-text index is a backend feature outside the ORM metadata (migration 0004_research_search):
# SQLite's FTS5 table and its shadow tables, PostgreSQL's GIN expression index.
SEARCH_INDEX_OBJECTS = ("search_fts", "search_entry_document")


def _not_search_index(name, _type=None, _parent=None) -> bool:
    return not (name or "").startswith(SEARCH_INDEX_OBJECTS)


def tables(app):
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if _not_search_index(name)}


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": lambda name, type_, parent: _not_search_index(name),
            },
        )
        return compare_metadata(context, db.metadata)


def test_there_is_a_single_head(empty_app):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", directory(empty_app))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_downgrade_and_upgrade_again(empty_app):
    upgrade(directory=directory(empty_app))
    created = tables(empty_app)
    assert set(db.metadata.tables) == created
    assert schema_differences() == []
    downgrade(directory=directory(empty_app), revision="base")
    assert tables(empty_app) == set()
    upgrade(directory=directory(empty_app))
    assert tables(empty_app) == created
    assert schema_differences() == []


def test_one_open_version_per_assessment_is_a_database_constraint(app, make_user):
    """The partial unique index refuses a second open version even if a service forgot to check."""
    from sqlalchemy.exc import IntegrityError

    from assess.models import Assessment, Country, Indicator, Version

    user = make_user("reviewer")
    country = db.session.scalar(db.select(Country).where(Country.iso2 == "KZ"))
    indicator = db.session.scalar(db.select(Indicator).limit(1))
    assessment = Assessment(country_id=country.id, indicator_id=indicator.id)
    db.session.add(assessment)
    db.session.flush()
    db.session.add(Version(assessment_id=assessment.id, state="draft", created_by_id=user.id))
    db.session.flush()
    db.session.add(Version(assessment_id=assessment.id, state="discarded", created_by_id=user.id))
    db.session.flush()  # closed versions are not limited
    db.session.add(Version(assessment_id=assessment.id, state="submitted", created_by_id=user.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("column", "value"),
    [("state", "approved"), ("status", "maybe"), ("analysis_source_year", 12)],
)
def test_check_constraints_refuse_invalid_values(app, make_user, column, value):
    from sqlalchemy.exc import IntegrityError

    from assess.models import Assessment, Country, Indicator, Version

    user = make_user("reviewer")
    country = db.session.scalar(db.select(Country).where(Country.iso2 == "KZ"))
    indicator = db.session.scalar(db.select(Indicator).limit(1))
    assessment = Assessment(country_id=country.id, indicator_id=indicator.id)
    db.session.add(assessment)
    db.session.flush()
    db.session.add(Version(assessment_id=assessment.id, created_by_id=user.id, **{column: value}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_upgrade_of_a_database_holding_data_keeps_it(empty_app):
    """Batch rebuilds on SQLite drop and re-create referenced tables: rows must survive."""
    upgrade(directory=directory(empty_app), revision="0001")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO country (iso2, iso3, numeric, name, region) "
                "VALUES ('KZ', 'KAZ', '398', 'Kazakhstan', 'Asia')"
            )
        )
        connection.execute(
            text(
                'INSERT INTO "user" (email, name, password_hash, active, session_token, created_at) '
                "VALUES ('a@example.org', 'A', 'x', true, 't', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text("INSERT INTO role_grant (user_id, role, country_id) VALUES (1, 'reviewer', 1)")
        )
    upgrade(directory=directory(empty_app))
    with db.engine.connect() as connection:
        users = connection.execute(text('SELECT email, email_notifications FROM "user"')).all()
        grants = connection.execute(text("SELECT user_id, role, country_id FROM role_grant")).all()
    assert [tuple(u) for u in users] == [("a@example.org", True)]
    assert [tuple(g) for g in grants] == [(1, "reviewer", 1)]
    assert schema_differences() == []
