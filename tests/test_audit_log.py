"""The audit log page for admins: filters, pages, and the same events as CSV."""

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import AuditEvent
from assess.services import assessments

from .queue_data import bulk_audit, count_queries, country_id, draft, submitted


@pytest.fixture
def history(make_user):
    """Work in Kazakhstan and France by two reviewers, one decision with a hostile comment."""
    kz = make_user("reviewer", ["KZ"], name="Aigerim", email="aigerim@example.org")
    fr = make_user("reviewer", ["FR"], name="Jean", email="jean@example.org")
    boss = make_user("supervisor", name="Marc", email="marc@example.org")
    admin = make_user("admin", name="Ada", email="ada@example.org")
    kz_version = submitted(kz, "KZ", position=2)
    draft(fr, "FR", position=3)
    assessments.request_changes(boss, kz_version.id, '=HYPERLINK("https://evil.example","x")')
    return {"kz": kz, "fr": fr, "boss": boss, "admin": admin, "version": kz_version}


def table_rows(page: str) -> list[list[str]]:
    """Each event row as its cells' text: when, who, action, object, country, state, comment."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [
        [
            html.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in body.split("</tr>")
        if "<td" in row
    ]


def test_admin_reads_every_event_newest_first(client, auth, history):
    auth.login(history["admin"])
    page = client.get("/staff/audit").get_data(as_text=True)
    rows = table_rows(page)
    assert rows[0][1:4] == ["Ada", "Signed in", f"user {history['admin'].id}"]
    decision = next(r for r in rows if r[2] == "Changes requested")
    assert decision[1:6] == [
        "Marc",
        "Changes requested",
        f"version {history['version'].id}",
        "Kazakhstan",
        "Awaiting review → to Changes requested",
    ]
    assert decision[6] == '=HYPERLINK("https://evil.example","x")'  # escaped HTML, shown as text
    assert f'href="/staff/versions/{history["version"].id}"' in page
    total = db.session.scalar(select(func.count(AuditEvent.id)))
    assert f"{total} events" in page


@pytest.mark.parametrize(
    ("query", "actions", "countries"),
    [
        ("?action=start", {"Draft started"}, {"Kazakhstan", "France"}),
        ("?country=FR", {"Draft started", "Saved"}, {"France"}),
        ("?country=kz&action=submit", {"Submitted for review"}, {"Kazakhstan"}),
    ],
)
def test_filters_narrow_the_events(client, auth, history, query, actions, countries):
    auth.login(history["admin"])
    rows = table_rows(client.get("/staff/audit" + query).get_data(as_text=True))
    assert {r[2] for r in rows} == actions
    assert {r[4] for r in rows} == countries


def test_filter_by_user(client, auth, history):
    auth.login(history["admin"])
    page = client.get(f"/staff/audit?user={history['fr'].id}").get_data(as_text=True)
    assert [r[1:3] for r in table_rows(page)] == [["Jean", "Saved"], ["Jean", "Draft started"]]
    assert (
        f'<option value="{history["fr"].id}" selected>Jean &lt;jean@example.org&gt;</option>'
        in page
    )


def test_csv_export_has_the_filtered_events_and_defuses_formulas(client, auth, history):
    auth.login(history["admin"])
    response = client.get("/staff/audit.csv?country=KZ")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    kz_events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.country_id == country_id("KZ"))
    )
    assert len(rows) == 1 + kz_events
    assert {r[6] for r in rows[1:]} == {"KZ"}
    decision = next(r for r in rows if r[3] == "request_changes")
    assert decision[2] == "marc@example.org"
    assert decision[9] == '\'=HYPERLINK("https://evil.example","x")'


def test_csv_export_holds_every_match_not_one_page(client, auth, history):
    bulk_audit(120, history["kz"].id, country_id("KZ"), action="bulk_action")
    auth.login(history["admin"])
    body = client.get("/staff/audit.csv?action=bulk_action").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(body)))) == 121
    page = client.get("/staff/audit?action=bulk_action").get_data(as_text=True)
    assert 'href="/staff/audit.csv?action=bulk_action"' in page


def test_the_audit_page_costs_the_same_statements_for_few_and_many(client, auth, history):
    auth.login(history["admin"])
    with count_queries() as few:
        client.get("/staff/audit?country=KZ")
    bulk_audit(3000, history["kz"].id, country_id("KZ"))
    with count_queries() as many:
        page = client.get("/staff/audit?country=KZ&page=100").get_data(as_text=True)
    assert len(table_rows(page)) == 25
    assert "Page 100 of" in page
    assert many.count == few.count


@pytest.mark.parametrize(
    "query", ["?user=abc", "?user=999999", "?country=%22", "?action=" + "x" * 500, "?page=-2"]
)
def test_odd_arguments_are_not_errors(client, auth, history, query):
    auth.login(history["admin"])
    assert client.get("/staff/audit" + query).status_code == 200
    assert client.get("/staff/audit.csv" + query).status_code == 200


def test_only_admins_read_the_log(client, auth, history):
    auth.login(history["boss"])
    response = client.get("/staff/audit.csv")
    assert response.status_code == 403
    assert "id,at,actor" not in response.get_data(as_text=True)
