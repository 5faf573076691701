"""The coverage matrix: every country x indicator with its published status and open work, its
filters and pages, and at most five statements for every country x 50 indicators."""

import re

import pytest

from assess.services import assessments

from .publishing import content, publish
from .queue_data import add_indicators, bulk_work, count_queries, draft, submitted
from .test_staleness import published_days_ago

NOT_ASSESSED = "\u2013 Not Yet Assessed"  # the icon is an en dash


def cells_of(page: str, country: str) -> list[str]:
    """The text of each cell in a country's row, tags stripped."""
    row = re.search(
        rf'<th scope="row" class="country-col">\s*<a [^>]+>{country}</a>.*?</tr>', page, re.S
    )
    assert row, f"no row for {country}"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    ]


def countries_listed(page: str) -> list[str]:
    return re.findall(r'<th scope="row" class="country-col">\s*<a [^>]+>([^<]+)</a>', page)


@pytest.fixture
def kz_staff(make_user, demo_data):
    """The demo data (Kazakhstan: two published assessments), with open work on three more."""
    # Explicit addresses: the generated ones would collide with the demo's users.
    reviewer = make_user("reviewer", ["KZ"], name="Rita", email="rita@example.org")
    supervisor = make_user("supervisor", ["KZ"], name="Sam", email="sam@example.org")
    in_draft = draft(reviewer, position=2, status="yes")
    waiting = submitted(reviewer, position=3, status="no")
    returned = submitted(reviewer, position=4, status="partial")
    assessments.request_changes(supervisor, returned.id, "More, please.")
    return {
        "reviewer": reviewer,
        "supervisor": supervisor,
        "draft": in_draft,
        "waiting": waiting,
        "returned": returned,
    }


def test_cells_show_published_status_and_open_work_with_icon_and_text(client, auth, kz_staff):
    auth.login(kz_staff["reviewer"])
    page = client.get("/staff/matrix?region=Asia").get_data(as_text=True)
    assert cells_of(page, "Kazakhstan") == [
        "◐ Partial",
        "◐ Partial",
        NOT_ASSESSED + " ✎ Draft",
        NOT_ASSESSED + " ◷ In review",
        NOT_ASSESSED + " ↩ Changes requested",
        NOT_ASSESSED,
        NOT_ASSESSED,
        NOT_ASSESSED,
        NOT_ASSESSED,
    ]
    assert f'href="/staff/versions/{kz_staff["draft"].id}"' in page
    assert f'href="/staff/versions/{kz_staff["waiting"].id}"' in page
    assert '<span aria-hidden="true" class="status-icon">◐</span> Partial' in page
    assert cells_of(page, "Japan") == [NOT_ASSESSED] * 9


def test_open_work_shows_only_where_the_user_may_read_it(client, auth, kz_staff, make_user):
    outsider = make_user("reviewer", ["FR"], email="jean@example.org")
    auth.login(outsider)
    page = client.get("/staff/matrix?region=Asia").get_data(as_text=True)
    kazakhstan = cells_of(page, "Kazakhstan")
    assert kazakhstan[:3] == ["◐ Partial", "◐ Partial", NOT_ASSESSED]  # public status only
    assert "/staff/versions/" not in page
    filtered = client.get("/staff/matrix?work=open").get_data(as_text=True)
    assert "Kazakhstan" not in countries_listed(filtered)
    auth.logout()
    admin = make_user("admin", email="ada@example.org")
    chief = make_user("supervisor", email="marc@example.org")
    for user in (admin, chief):  # global roles see it all
        auth.login(user)
        page = client.get("/staff/matrix?region=Asia").get_data(as_text=True)
        assert "✎ Draft" in cells_of(page, "Kazakhstan")[2]
        auth.logout()


def test_filters_by_region_indicator_status_and_work(client, auth, kz_staff):
    auth.login(kz_staff["reviewer"])
    europe = client.get("/staff/matrix?region=Europe&per_page=250").get_data(as_text=True)
    assert "France" in countries_listed(europe)
    assert "Kazakhstan" not in countries_listed(europe)

    one = client.get("/staff/matrix?indicator=csam-definition&region=Asia").get_data(as_text=True)
    assert cells_of(one, "Kazakhstan") == [NOT_ASSESSED + " ✎ Draft"]
    assert one.count('<th scope="col">') == 1  # the one indicator

    partial = client.get("/staff/matrix?status=partial").get_data(as_text=True)
    assert countries_listed(partial) == ["Kazakhstan"]
    assert "1 country (filtered)" in partial

    for work, mark in [
        ("draft", "✎ Draft"),
        ("submitted", "◷ In review"),
        ("changes_requested", "↩ Changes requested"),
        ("open", "✎ Draft"),
    ]:
        page = client.get(f"/staff/matrix?work={work}").get_data(as_text=True)
        assert countries_listed(page) == ["Kazakhstan"], work
        assert mark in " ".join(cells_of(page, "Kazakhstan")), work
    page = client.get("/staff/matrix?work=submitted").get_data(as_text=True)
    kazakhstan = re.search(r"Kazakhstan</a>.*?</tr>", page, re.S).group(0)
    assert kazakhstan.count('class="cell-match"') == 1
    assert kazakhstan.count('class="cell-dim"') == 8

    none = client.get("/staff/matrix?status=partial&work=draft").get_data(as_text=True)
    assert countries_listed(none) == []
    assert "No country matches these filters." in none
    blank = client.get("/staff/matrix?status=not_assessed&work=none&region=Asia&per_page=250")
    assert "Kazakhstan" in countries_listed(blank.get_data(as_text=True))
    assert "Japan" in countries_listed(blank.get_data(as_text=True))


def test_needs_a_second_supervisor_in_the_matrix(client, auth, make_user):
    supervisor = make_user("supervisor", ["KZ"], name="Sole")
    version = draft(supervisor, position=1)
    assessments.submit(supervisor, version.id)
    auth.login(supervisor)
    page = client.get("/staff/matrix?work=needs_supervisor").get_data(as_text=True)
    assert countries_listed(page) == ["Kazakhstan"]
    assert "⚠ Needs a second supervisor" in cells_of(page, "Kazakhstan")[1]
    make_user("supervisor", ["KZ"], name="Second")
    page = client.get("/staff/matrix?work=needs_supervisor").get_data(as_text=True)
    assert countries_listed(page) == []


def test_countries_are_paged_fifty_at_a_time(client, auth, make_user):
    auth.login(make_user("reviewer", ["KZ"]))
    first = client.get("/staff/matrix").get_data(as_text=True)
    assert len(countries_listed(first)) == 50
    assert "249 countries, showing 1–50" in first
    assert "Page 1 of 5" in first
    last = client.get("/staff/matrix?page=5").get_data(as_text=True)
    assert len(countries_listed(last)) == 49
    assert set(countries_listed(first)).isdisjoint(countries_listed(last))
    everything = client.get("/staff/matrix?per_page=250").get_data(as_text=True)
    assert len(countries_listed(everything)) == 249
    past = client.get("/staff/matrix?page=7").get_data(as_text=True)
    assert "This page is past the end of the list." in past


def test_every_country_by_50_indicators_renders_in_at_most_six_statements(client, auth, make_user):
    author = make_user("reviewer", name="Bulk")
    supervisor = make_user("supervisor", name="Marc")
    auth.login(supervisor)
    with count_queries() as empty:
        client.get("/staff/matrix?per_page=250")
    indicators = add_indicators(50)
    bulk_work(
        author_id=author.id,
        states=["draft", "submitted", "changes_requested", ""],
        indicators=indicators,
    )
    with count_queries() as full:
        page = client.get("/staff/matrix?per_page=250").get_data(as_text=True)
    assert len(countries_listed(page)) == 249
    assert page.count('<th scope="col">') == 50  # indicators; the country column has a class
    assert len(cells_of(page, "Kazakhstan")) == 50
    # The user, their grants, the indicators, the page of cells, the organisation's settings for
    # the header, the unread count.
    assert full.count <= 6, full
    assert full.count == empty.count
    with count_queries() as filtered:
        client.get("/staff/matrix?per_page=250&work=needs_supervisor&status=yes&region=Asia")
    assert filtered.count <= 6
    with count_queries() as overdue:
        page = client.get("/staff/matrix?per_page=250&overdue=1").get_data(as_text=True)
    assert len(countries_listed(page)) == 249  # bulk work is published 400 days ago
    assert "12,450 assessments overdue for review" in page
    assert overdue.count == full.count
    paged = client.get("/staff/matrix?overdue=1").get_data(as_text=True)
    assert "249 countries, showing 1–50 (filtered)" in paged
    assert re.search(r'href="/staff/matrix\?[^"]*overdue=1[^"]*" rel="next"', paged)
    with count_queries() as combined:
        client.get("/staff/matrix?per_page=250&overdue=1&work=draft&status=yes&region=Asia")
    assert combined.count == full.count


@pytest.fixture
def one_overdue(make_user):
    """Kazakhstan's age of consent published 400 days ago; its CSAM definition and France's
    published today."""
    reviewer = make_user("reviewer", ["KZ", "FR"], name="Rita")
    supervisor = make_user("supervisor", ["KZ", "FR"], name="Sam")
    old = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Old."))
    published_days_ago(old, 400)
    publish(reviewer, supervisor, "KZ", "csam-definition", content("no", "Recent."))
    publish(reviewer, supervisor, "FR", "csam-definition", content("no", "Recent."))
    return supervisor


def test_overdue_only_lists_the_countries_with_an_overdue_review(client, auth, one_overdue):
    auth.login(one_overdue)
    everything = client.get("/staff/matrix?per_page=250").get_data(as_text=True)
    assert {"France", "Kazakhstan"} <= set(countries_listed(everything))
    assert 'name="overdue" value="1">' in everything  # unchecked

    page = client.get("/staff/matrix?overdue=1").get_data(as_text=True)
    assert countries_listed(page) == ["Kazakhstan"]
    assert "1 country (filtered)" in page
    assert "1 assessment overdue for review" in page
    assert 'id="filter-overdue" name="overdue" value="1" checked>' in page
    kazakhstan = re.search(r">Kazakhstan</a>.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", kazakhstan, re.S)
    overdue = [attrs for attrs, body in cells if "Review overdue" in body]
    assert overdue == [' class="cell-match"']  # the old one, highlighted
    assert kazakhstan.count('class="cell-dim"') == len(cells) - 1  # the fresh one among them
    assert "Clear filters" in page


def test_overdue_only_combines_with_the_other_filters(client, auth, one_overdue):
    auth.login(one_overdue)
    yes = client.get("/staff/matrix?overdue=1&status=yes&region=Asia").get_data(as_text=True)
    assert countries_listed(yes) == ["Kazakhstan"]
    assert 'value="Asia" selected' in yes and 'value="yes" selected' in yes
    assert 'name="overdue" value="1" checked' in yes
    for query in ("overdue=1&status=no", "overdue=1&region=Europe", "overdue=1&work=open"):
        page = client.get("/staff/matrix?" + query).get_data(as_text=True)
        assert countries_listed(page) == [], query
        assert "No review is overdue." in page, query
        assert "overdue for review" not in page, query


@pytest.mark.parametrize(
    "query",
    [
        "?page=x",
        "?page=-1",
        "?per_page=7",
        "?per_page=100000",
        "?region=Atlantis",
        "?indicator=nope",
        "?work=%3Cb%3E",
        "?status=maybe",
        "?overdue=yes",
        "?page=99999999999",
    ],
)
def test_odd_arguments_are_ignored_not_errors(client, auth, make_user, query):
    auth.login(make_user("reviewer", ["KZ"]))
    response = client.get("/staff/matrix" + query)
    assert response.status_code == 200
    assert "<b>" not in response.get_data(as_text=True)


def test_unknown_indicator_says_so(client, auth, make_user):
    auth.login(make_user("reviewer", ["KZ"]))
    page = client.get("/staff/matrix?indicator=nope").get_data(as_text=True)
    assert "No active indicator matches this filter." in page


def test_matrix_markup_is_accessible(client, auth, make_user):
    auth.login(make_user("reviewer", ["KZ"]))
    page = client.get("/staff/matrix").get_data(as_text=True)
    assert '<caption id="matrix-caption">' in page
    assert 'role="region" aria-labelledby="matrix-caption" tabindex="0"' in page
    assert '<th scope="col" class="country-col">Country</th>' in page
    for name in ("region", "indicator", "status", "work", "overdue", "per_page"):
        assert f'<label for="filter-{name}">' in page
    assert "Key to the symbols" in page
    assert 'href="/static/css/matrix.css"' in page


def test_country_and_region_names_are_in_the_readers_language(client, auth, one_overdue):
    auth.login(one_overdue)
    page = client.get("/ru/staff/matrix?overdue=1").get_data(as_text=True)
    assert countries_listed(page) == ["Казахстан"]
    assert '<span class="region">Азия</span>' in page
    assert "Kazakhstan" not in page
