"""The key queries of the pages use their indexes.

Each key query is run through the code the pages use, its SQL captured as sent, and its plan
read back: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN with sequential scans priced out
(test tables are tiny, so the planner would rightly prefer them and hide a missing index). The plan
must name the index expected for each table, and scan none of the large tables outright.

Left out on purpose: the open-data dump and the home page's per-status counts read every public
row, so a full scan is their right plan."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlalchemy import UniqueConstraint, event, select, text

from assess.extensions import db
from assess.models import Country, Indicator, User, Version
from assess.queries import audit_log, coverage
from assess.queries import public as queries
from assess.queries import queues as queue_service
from assess.queries import staff as loading
from assess.services import comments, notifications

from .queue_data import country_id, submitted

LARGE_TABLES = ("version", "citation", "source", "audit_event", "assessment")
# Open work of an assessment: PostgreSQL prefers the partial unique index, which holds exactly the
# open versions; SQLite, without statistics, the composite.
OPEN_WORK = ("ix_version_assessment_id_state", "uq_version_one_open_per_assessment")


@dataclass(frozen=True)
class KeyQuery:
    name: str
    run: Callable[[SimpleNamespace], object]  # calls the app's code for a page
    marker: str  # a fragment of the SQL that picks the statements to check
    # table -> the index (or named unique constraint) its plan must use; a tuple: any one of them
    indexes: dict[str, str | tuple[str, ...]]


KEY_QUERIES = [
    KeyQuery(
        "public revision: latest publication and audited change",
        lambda w: queries.public_revision(),
        "max(assessment.public_updated_at)",
        # Only audited changes the public sees (a few object types) count: either index reads
        # just those events (PostgreSQL takes the partial one, SQLite searches by type).
        {
            "assessment": "ix_assessment_public_updated_at",
            "audit_event": ("ix_audit_event_public_at", "ix_audit_event_object_type_object_id"),
        },
    ),
    KeyQuery(
        "country profile: the country's assessments",
        lambda w: queries.profile(w.kz),
        "WHERE assessment.country_id =",
        {"assessment": "uq_assessment_country_id_indicator_id"},
    ),
    KeyQuery(
        "country profile: citations of the published versions",
        lambda w: queries.profile(w.kz),
        "FROM citation",
        {"citation": "ix_citation_version_id"},
    ),
    KeyQuery(
        "country profile: sources of the published versions",
        lambda w: queries.profile(w.kz),
        "FROM source",
        {"source": "ix_source_version_id"},
    ),
    KeyQuery(
        "indicator page: every country's assessment",
        lambda w: queries.indicator_statuses(w.indicator),
        "WHERE assessment.indicator_id =",
        {"assessment": "ix_assessment_indicator_id"},
    ),
    KeyQuery(
        "version page: review thread",
        lambda w: comments.thread(w.version.id),
        "audit_event.object_type =",
        {"audit_event": "ix_audit_event_object_type_object_id"},
    ),
    KeyQuery(
        "version page: last save",
        lambda w: loading.version_page(w.admin, w.version),
        "audit_event.object_type =",
        {"audit_event": "ix_audit_event_object_type_object_id"},
    ),
    KeyQuery(
        "staff country page: open work",
        lambda w: loading.country_rows(w.kz),
        "FROM version JOIN assessment",
        {"version": OPEN_WORK},
    ),
    KeyQuery(
        "coverage matrix: open work of each cell",
        lambda w: coverage.coverage(w.admin, coverage.CoverageFilters()),
        "AS needs_second_supervisor",
        {
            "assessment": "uq_assessment_country_id_indicator_id",
            "version": OPEN_WORK,
        },
    ),
    KeyQuery(
        "coverage matrix filtered to countries with open work",
        lambda w: coverage.coverage(w.admin, coverage.CoverageFilters(work="open")),
        "AS needs_second_supervisor",
        {"version": OPEN_WORK},
    ),
    KeyQuery(
        "coverage matrix filtered to overdue reviews, with their count",
        lambda w: coverage.coverage(w.admin, coverage.CoverageFilters(overdue=True)),
        "AS needs_second_supervisor",
        {"assessment": "uq_assessment_country_id_indicator_id"},
    ),
    KeyQuery(
        "queue: awaiting review",
        lambda w: queue_service.awaiting_review(w.supervisor, queue_service.QueueFilters()),
        "FROM version JOIN assessment",
        {"version": "ix_version_state_submitted_at"},
    ),
    KeyQuery(
        "notifications: unread count and list",
        lambda w: (notifications.unread_count(w.supervisor), notifications.for_user(w.supervisor)),
        "FROM notification",
        {"notification": "ix_notification_user_id_read"},
    ),
    KeyQuery(
        "audit log: newest first",
        lambda w: audit_log.events(w.admin, audit_log.AuditFilters()),
        "ORDER BY audit_event.at DESC",
        {"audit_event": "ix_audit_event_at"},
    ),
    KeyQuery(
        "audit log: one user's actions",
        lambda w: audit_log.events(w.admin, audit_log.AuditFilters(user_id=w.supervisor.id)),
        "FROM audit_event",
        {"audit_event": "ix_audit_event_actor_id_at"},
    ),
    KeyQuery(
        "audit log: one country",
        lambda w: audit_log.events(w.admin, audit_log.AuditFilters(country="KZ")),
        "FROM audit_event",
        {"audit_event": "ix_audit_event_country_id_at"},
    ),
    KeyQuery(
        "audit log: one action",
        lambda w: audit_log.events(w.admin, audit_log.AuditFilters(action="approve")),
        "FROM audit_event",
        {"audit_event": "ix_audit_event_action_at"},
    ),
]


@pytest.fixture
def world(app, demo_data):
    """The demo data (published Kazakh assessments, with their audit trail) and one submission,
    which notifies the Kazakh supervisor."""

    def user(email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    submitted(user("reviewer@example.org"), "KZ", position=5)
    version = db.session.scalar(select(Version).where(Version.state == "published").limit(1))
    return SimpleNamespace(
        admin=user("admin@example.org"),
        supervisor=user("supervisor@example.org"),
        kz=db.session.get(Country, country_id("KZ")),
        indicator=db.session.get(Indicator, version.assessment.indicator_id),
        version=version,
    )


@contextmanager
def sent() -> Iterator[list[tuple[str, object]]]:
    """Every SELECT sent while the block runs, with its parameters."""
    log: list[tuple[str, object]] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            log.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def plan(statement: str, parameters) -> str:
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            found = "\n".join(row[-1] for row in rows)
        else:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            found = "\n".join(row[0] for row in rows)
        connection.rollback()
    return found


def index_name(table: str, name: str) -> str:
    """The name the plan shows: SQLite names a unique constraint's index sqlite_autoindex_*."""
    unique = [
        [c.name for c in constraint.columns]
        for constraint in db.metadata.tables[table].constraints
        if isinstance(constraint, UniqueConstraint) and constraint.name == name
    ]
    if db.engine.dialect.name != "sqlite" or not unique:
        return name
    columns = unique[0]
    with db.engine.connect() as connection:
        for row in connection.exec_driver_sql(f"PRAGMA index_list('{table}')"):
            info = connection.exec_driver_sql(f"PRAGMA index_info('{row[1]}')")
            if [r[2] for r in info] == columns:
                return row[1]
    raise AssertionError(f"no index backs {name}")


def uses_index(found: str, table: str, index: str) -> bool:
    if db.engine.dialect.name == "sqlite":
        pattern = rf"^(SCAN|SEARCH) {table}(_\d+)? USING (COVERING )?INDEX {index}\b"
    else:  # "Index Scan using ix on t", "Index Only Scan Backward using ...", "Bitmap Index Scan on ix"
        pattern = rf"(using|Bitmap Index Scan on) {index}\b"
    return re.search(pattern, found, re.MULTILINE) is not None


def full_scans(found: str) -> list[str]:
    """Lines that read a large table whole, without any index."""
    tables = "|".join(LARGE_TABLES)
    if db.engine.dialect.name == "sqlite":
        pattern = rf"^SCAN ({tables})(_\d+)?$"
    else:
        pattern = rf"Seq Scan on ({tables})\b"
    return [line for line in found.splitlines() if re.search(pattern, line.strip())]


def problems(key: KeyQuery, world: SimpleNamespace) -> list[str]:
    """What is wrong with the plans of the statements `key` picks (empty: all is well)."""
    with sent() as log:
        key.run(world)
    chosen = [(s, p) for s, p in log if key.marker in " ".join(s.split())]
    assert chosen, f"{key.name}: no statement contains {key.marker!r}"
    found = []
    for statement, parameters in chosen:
        shown = plan(statement, parameters)
        for table, expected in key.indexes.items():
            names = (expected,) if isinstance(expected, str) else expected
            if not any(uses_index(shown, table, index_name(table, name)) for name in names):
                found.append(f"{table} without {expected}:\n{shown}\n-- for --\n{statement}")
        found += [f"full scan {line!r} in:\n{statement}" for line in full_scans(shown)]
    return found


@pytest.mark.parametrize("key", KEY_QUERIES, ids=[k.name for k in KEY_QUERIES])
def test_key_query_uses_its_index(world, key):
    found = problems(key, world)
    assert not found, "\n\n".join(found)


def test_a_users_history_page_uses_the_object_index(world, client, auth):
    """The admin's user page reads that user's audit history by (object_type, object_id)."""
    auth.login(world.admin, password="admin-demo-pass-1")
    with sent() as log:
        page = client.get(f"/admin/users/{world.supervisor.id}")
    assert page.status_code == 200
    assert world.supervisor.email in page.get_data(as_text=True)
    history = [(s, p) for s, p in log if "audit_event.object_type =" in " ".join(s.split())]
    assert len(history) == 1
    shown = plan(*history[0])
    assert uses_index(shown, "audit_event", "ix_audit_event_object_type_object_id"), shown
    assert full_scans(shown) == []


def test_the_check_fails_when_an_index_is_missing(world):
    """Dropping the freshness index (in this test's own database) makes its key query fail."""
    key = KEY_QUERIES[0]
    assert problems(key, world) == []
    db.session.close()  # its transaction would hold a lock the DROP waits for, on PostgreSQL
    with db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_assessment_public_updated_at"))
    # SQLite keeps prepared statements per connection, and an EXPLAIN never notices a schema
    # change: new connections plan afresh.
    db.engine.dispose()
    missing = problems(key, world)
    assert missing
    assert missing[0].startswith("assessment without ix_assessment_public_updated_at")
