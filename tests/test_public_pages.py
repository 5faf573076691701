"""The public pages show what is published, as a reader sees it."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assess.services import assessments

from .publishing import FULL, content, draft, publish

NOT_ASSESSED = "\u2013 Not Yet Assessed"  # with its icon, an en dash
SEED = Path(__file__).resolve().parent / "fixtures" / "kazakhstan-country-profile.txt"


INLINE = {"a", "span", "strong", "em", "time", "code", "del", "ins", "abbr", "label"}


class _Text(HTMLParser):
    """The text a reader sees: inline elements run on, every other element breaks the line."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style", "svg")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style", "svg")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def headings(html: str, level: int) -> list[str]:
    return [text_of(h) for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, flags=re.S)]


@pytest.fixture
def people(make_user):
    return {
        "reviewer": make_user("reviewer", ["KZ", "FR"], name="Rita Reviewer"),
        "supervisor": make_user("supervisor", ["KZ", "FR"], name="Sam Supervisor"),
        "anonymous_supervisor": make_user("supervisor", [], email="quiet@example.org"),
    }


def test_kazakhstan_profile_shows_every_line_of_the_seed_page(client, demo_data):
    html = client.get("/countries/kz").get_data(as_text=True)
    page = text_of(html)
    lines = [line.strip() for line in SEED.read_text().splitlines() if line.strip()]
    banner, legal = lines[0], next(line for line in lines if line.startswith("Constitution,"))
    for line in lines:
        if line in (banner, legal, "Download"):
            continue
        assert " ".join(line.split()) in page, line
    assert headings(html, 1) == ["Kazakhstan"]
    assert headings(html, 2) == [
        "At a glance", "Members", "Facts", "Resources", "News from Kazakhstan", "Indicators",
        "Cite this profile",
    ]  # fmt: skip
    assert headings(html, 3)[-9:] == [
        "Age of Consent", "Extraterritoriality & Extradition", "CSAM Definition",
        "Background Check Required", "National Commitments", "Child Advocacy Centers",
        "SEC Police Unit", "Protection Standards Travel and Tourism", "Public SEC Case Data",
    ]  # fmt: skip
    # The seed's run-together legal sources, stored as three instruments and rendered readably.
    assert (
        "Legal sources: Constitution (1995, status as of 2023); Criminal Code (2014, status as of "
        "2023); Code of Criminal Procedure (2014, status as of 2023)" in page
    )
    indicators = text_of(html.split('<h2 id="indicators">')[1])
    assert indicators.count("Not Yet Assessed") == 7
    glance = text_of(html.split('<h2 id="glance">')[1].split("</section>")[0])
    assert "7 Not Yet Assessed" in glance and glance.count("Not Yet Assessed") == 8
    assert "2 of 9 indicators assessed" in page


def test_profile_indicator_has_status_analysis_sources_date_and_link(client, people):
    publish(people["reviewer"], people["supervisor"], "KZ", "age-of-consent", FULL)
    html = client.get("/countries/kz").get_data(as_text=True)
    section = html.split('id="ind-age-of-consent"')[1].split('class="indicator"')[0]
    text = text_of(section)
    assert "◐ Partial" in text
    assert "Age of consent is 16." in text
    assert "<strong>16</strong>" in section
    assert "Analysis of country legislation on age of sexual consent, 2024" in text
    assert (
        "Criminal Code (2014, status as of 2023), Article 122; Constitution (1995, status as of "
        "2023)" in text
    )
    assert '<a href="https://adilet.zan.kz/cc" hreflang="ru">' in section
    assert "Last updated" in text
    assert "version 1" in text
    assert 'href="/countries/kz/age-of-consent"' in section


def test_a_country_with_nothing_published_is_not_yet_assessed_throughout(client):
    page = text_of(client.get("/countries/fr").get_data(as_text=True))
    assert page.count(NOT_ASSESSED) == 9
    assert "0 of 9 indicators assessed" in page
    assert "Last updated" not in page


@pytest.mark.parametrize(
    "url",
    ["/countries/xx", "/countries/k", "/countries/kzz", "/countries/%C3%A9%C3%A9",
     "/countries/kz/no-such-indicator", "/countries/xx/age-of-consent",
     "/countries/kz/age-of-consent/v/1", "/countries/kz/age-of-consent/v/99999999999999999999",
     "/indicators/no-such-thing"],
)  # fmt: skip
def test_unknown_things_answer_404(client, url):
    assert client.get(url).status_code == 404


def test_country_codes_redirect_to_lower_case(client):
    response = client.get("/countries/KZ")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/countries/kz")


def test_country_list_filters_by_region_and_summarises_statuses(client, demo_data):
    page = text_of(client.get("/countries/?region=Asia").get_data(as_text=True))
    assert "Kazakhstan" in page
    assert "Japan" in page
    assert "France" not in page
    assert "◐ 2 Partial \u2013 7 Not Yet Assessed" in page
    everything = text_of(client.get("/countries/?region=Nowhere").get_data(as_text=True))
    assert "France" in everything
    assert "Kazakhstan" in everything


def test_home_page_map_is_coloured_by_the_chosen_indicator(client, people):
    publish(people["reviewer"], people["supervisor"], "FR", "csam-definition", content("no"))
    home = client.get("/").get_data(as_text=True)
    assert "Child-protection law, country by country" in text_of(home)
    assert 'aria-label="France: Not Yet Assessed"' in home
    chosen = client.get("/?indicator=csam-definition").get_data(as_text=True)
    assert 'aria-label="France: No"' in chosen
    assert '<option value="csam-definition" selected>' in chosen
    # Every shape links to its country; the legend names each status in words.
    assert chosen.count('<a href="/countries/') >= 170
    assert "✗ No" in text_of(chosen)
    assert "Not Yet Assessed" in text_of(chosen)
    assert client.get("/?indicator=<script>").status_code == 200


def _table_countries(html: str) -> list[str]:
    body = html.split('<table class="indicator-table">')[1].split("</tbody>")[0]
    return [text_of(c) for c in re.findall(r'<th scope="row">(.*?)</th>', body, flags=re.S)]


def test_indicator_table_sorts_with_query_parameters(client, people):
    publish(people["reviewer"], people["supervisor"], "FR", "csam-definition", content("no"))
    publish(people["reviewer"], people["supervisor"], "KZ", "csam-definition", content("yes"))
    html = client.get("/indicators/csam-definition").get_data(as_text=True)
    assert _table_countries(html) == ["France", "Kazakhstan"]  # the unassessed are folded
    assert "247 more countries not yet assessed" in html
    html = client.get("/indicators/csam-definition?sort=status").get_data(as_text=True)
    assert _table_countries(html)[:2] == ["Kazakhstan", "France"]
    assert 'aria-sort="ascending"' in html
    html = client.get("/indicators/csam-definition?sort=country&order=desc").get_data(as_text=True)
    assert _table_countries(html) == ["Kazakhstan", "France"]
    assert 'aria-sort="descending"' in html
    everything = client.get("/indicators/csam-definition?finding=not_assessed&order=desc")
    by_name = _table_countries(everything.get_data(as_text=True))
    assert len(by_name) == 247 and by_name[0] in ("Zimbabwe", "Åland Islands")
    odd = client.get("/indicators/csam-definition?sort=%27;drop&order=sideways&finding=maybe")
    assert odd.status_code == 200
    assert _table_countries(odd.get_data(as_text=True)) == ["France", "Kazakhstan"]


def test_indicator_table_filters_by_finding(client, people):
    publish(people["reviewer"], people["supervisor"], "FR", "csam-definition", content("no"))
    publish(people["reviewer"], people["supervisor"], "KZ", "csam-definition", content("yes"))
    html = client.get("/indicators/csam-definition?finding=no").get_data(as_text=True)
    assert _table_countries(html) == ["France"]
    assert "more countries not yet assessed" not in html
    assert "1 country shown in the table." in html


def test_indicator_list_counts_findings(client, demo_data):
    page = text_of(client.get("/indicators/").get_data(as_text=True))
    assert "Age of Consent" in page
    assert "◐ 1 Partial" in page


def test_history_shows_every_version_with_approver_and_word_diff(client, people):
    reviewer, supervisor = people["reviewer"], people["supervisor"]
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("partial", "The age is 16."))
    quiet = people["anonymous_supervisor"]
    publish(reviewer, quiet, "KZ", "age-of-consent", content("yes", "The age is 18."))
    html = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    page = text_of(html)
    assert "Version 2 current" in page
    assert "Version 1 superseded" in page
    assert "approved by Sam Supervisor" in page
    assert "approved by a supervisor" in page
    assert "quiet@example.org" not in html
    assert "<del>" in html
    assert "16." in html.split("<del>")[1].split("</del>")[0]
    assert "18." in html.split("<ins>")[1].split("</ins>")[0]
    assert "Changes from version 1:" in page


def test_permalink_has_a_citation_and_stays_on_its_version(client, people):
    reviewer, supervisor = people["reviewer"], people["supervisor"]
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("partial", "First words."))
    quiet = people["anonymous_supervisor"]
    publish(reviewer, quiet, "KZ", "age-of-consent", content("yes", "Second words."))
    html = client.get("/countries/kz/age-of-consent/v/1").get_data(as_text=True)
    page = text_of(html)
    assert "First words." in page
    assert "Second words." not in page
    assert "This version has been replaced." in page
    cite = re.search(r'<textarea id="cite-text" readonly[^>]*>(.*?)</textarea>', html, re.S)
    assert cite is not None
    assert "assess (20" in cite.group(1)
    assert "“Age of Consent: Kazakhstan”. Version 1, published " in cite.group(1)
    assert "http://localhost/countries/kz/age-of-consent/v/1 (accessed " in cite.group(1)
    assert '<label for="cite-text">Cite this version</label>' in html
    assert "This is the current version." in text_of(
        client.get("/countries/kz/age-of-consent/v/2").get_data(as_text=True)
    )


def test_retracted_version_says_when_and_why(client, people):
    reviewer, supervisor = people["reviewer"], people["supervisor"]
    version = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Too hasty."))
    assessments.retract(people["anonymous_supervisor"], version.id, "The code was amended.")
    for url in (
        "/countries/kz/age-of-consent/v/1",
        "/countries/kz/age-of-consent",
        "/countries/kz",
    ):
        page = text_of(client.get(url).get_data(as_text=True))
        assert "Withdrawn on" in page, url
        assert ": The code was amended." in page, url
    profile = client.get("/countries/kz").get_data(as_text=True)
    section = profile.split('id="ind-age-of-consent"')[1].split('class="indicator"')[0]
    assert "Not Yet Assessed" in text_of(section)
    assert "Too hasty." not in section


def test_drafts_and_submissions_never_appear_on_public_pages(client, people):
    reviewer, supervisor = people["reviewer"], people["supervisor"]
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("partial", "Published words."))
    draft(reviewer, "KZ", "age-of-consent", content("yes", "Draftword secret."))
    open_version = draft(reviewer, "FR", "csam-definition", content("no", "Submitword secret."))
    assessments.submit(reviewer, open_version.id)
    urls = [
        "/", "/?indicator=csam-definition", "/countries/", "/countries/kz", "/countries/fr",
        "/countries/kz/age-of-consent", "/countries/kz/age-of-consent/v/1",
        "/countries/fr/csam-definition", "/indicators/", "/indicators/csam-definition",
        "/indicators/age-of-consent",
    ]  # fmt: skip
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        assert "Draftword" not in html, url
        assert "Submitword" not in html, url
    assert "Published words." in client.get("/countries/kz").get_data(as_text=True)
    home = client.get("/?indicator=csam-definition").get_data(as_text=True)
    assert 'aria-label="France: Not Yet Assessed"' in home
    assert client.get("/countries/kz/age-of-consent/v/2").status_code == 404


def test_public_pages_set_no_cookie_and_need_no_login(client, demo_data):
    for url in ("/", "/countries/", "/countries/kz", "/indicators/age-of-consent", "/data/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url


def test_every_page_has_one_h1_and_a_skip_link(client, demo_data):
    for url in (
        "/", "/countries/", "/countries/kz", "/countries/kz/age-of-consent",
        "/countries/kz/age-of-consent/v/1", "/indicators/", "/indicators/age-of-consent", "/data/",
    ):  # fmt: skip
        html = client.get(url).get_data(as_text=True)
        assert len(headings(html, 1)) == 1, url
        assert 'class="skip-link" href="#main"' in html


def test_indicator_table_filters_by_region_and_keeps_the_whole_map(client, people):
    publish(people["reviewer"], people["supervisor"], "KZ", "csam-definition", content("yes"))
    html = client.get("/indicators/csam-definition?region=Europe&sort=status").get_data(
        as_text=True
    )
    countries = _table_countries(html)
    assert "Kazakhstan" not in countries
    assert "France" in html.split('class="folded"')[1]
    assert 'aria-label="Kazakhstan: Yes"' in html
    assert "region=Europe" in html.split('aria-sort="ascending"')[1].split("</th>")[0]


def test_history_shows_changed_sources_and_language_names(client, people):
    reviewer, supervisor = people["reviewer"], people["supervisor"]
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("partial", "Same words."))
    publish(reviewer, supervisor, "KZ", "age-of-consent", FULL)
    html = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    changes = html.split("Changes from version 1:")[1].split("</dl>")[0]
    assert "<dt>Sources</dt>" in changes
    sources = changes.split("<dt>Sources</dt>")[1]
    assert "Country report" in sources.split("<ins>")[1].split("</ins>")[0]
    assert "<dt>Legal sources</dt>" in changes
    assert "(Russian)" in text_of(html)


def test_uploaded_resources_are_linked_from_the_profile_and_download(app, client, tmp_path):
    from assess.database import write_transaction
    from assess.models import Resource
    from assess.services import uploads

    from .publishing import ids

    app.config["UPLOAD_DIR"] = str(tmp_path)
    stored = uploads.store("report.pdf", b"%PDF-1.4 report")
    with write_transaction() as session:
        resource = Resource(
            country_id=ids("KZ", "age-of-consent")[0], title="Report", file_name=stored.stored_name
        )
        session.add(resource)
    html = client.get("/countries/kz").get_data(as_text=True)
    link = f"/files/{resource.id}/Report.pdf"
    assert f'href="{link}"' in html
    assert "Download Report" in text_of(html)
    response = client.get(link)
    assert response.data == b"%PDF-1.4 report"
    response.close()
    assert client.get(f"/files/{resource.id + 1}/Report.pdf").status_code == 404


def test_only_web_addresses_become_links(client):
    from assess.database import write_transaction
    from assess.models import Member

    from .publishing import ids

    with write_transaction() as session:
        session.add(
            Member(
                country_id=ids("KZ", "age-of-consent")[0], name="Evil", url="javascript:alert(1)"
            )
        )
    html = client.get("/countries/kz").get_data(as_text=True)
    assert "javascript:" not in html
    assert "Evil" in text_of(html)


@pytest.mark.parametrize(
    "url",
    ["/countries/kz", "/", "/indicators/age-of-consent", "/countries/kz/age-of-consent",
     "/countries/", "/data/assessments.json", "/api/v1/countries/kz"],
)  # fmt: skip
def test_a_page_costs_the_same_queries_whatever_the_data(app, client, people, url):
    from sqlalchemy import event

    from assess.extensions import db

    from .publishing import FULL

    def statements() -> int:
        """Of a render from scratch: what each worker keeps between requests is emptied first."""
        app.extensions["assess_public_responses"].store.clear()
        app.extensions["assess_fragments"].clear()
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    publish(people["reviewer"], people["supervisor"], "KZ", "age-of-consent", FULL)
    small = statements()
    for slug in ("csam-definition", "sec-police-unit", "national-commitments", "age-of-consent"):
        publish(people["reviewer"], people["supervisor"], "KZ", slug, FULL)
        publish(people["reviewer"], people["supervisor"], "FR", slug, FULL)
    assert statements() == small
