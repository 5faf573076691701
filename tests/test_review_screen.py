"""The review screen shows, by default, what changed against the published version."""

import re

from .review_support import EXTRA, act, login, start_draft, text, version, visible_text


def test_the_review_screen_shows_the_differences_field_by_field(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", EXTRA)
    data = {
        "row_version": str(version(draft.id).row_version),
        "status": "no",
        "analysis": version(draft.id).analysis.replace(
            "but does not provide for passive", "and provides for passive"
        ),
        "analysis_language": "en",
        "analysis_source_title": "Analysis of extraterritorial jurisdiction",
        "analysis_source_year": "2024",
    }
    stored = version(draft.id)
    for index, citation in enumerate(stored.citations[1:]):  # the Constitution is dropped
        data[f"citations-{index}-instrument"] = str(citation.instrument_id)
        data[f"citations-{index}-status_as_of"] = "2023"
        data[f"citations-{index}-language"] = "ru"
    data["citations-0-provision"] = "Article 8"  # the Criminal Code now names its article
    data["sources-0-title"] = "Criminal Code of the Republic of Kazakhstan"
    assert client.post_form(f"/staff/versions/{draft.id}/submit", data).status_code == 302
    login(client, auth, "supervisor@example.org")
    response = client.get(f"/staff/versions/{draft.id}")
    page = text(response)
    shown = visible_text(response)
    assert "Changes against the published version" in shown
    assert "was ◐ Partial → now ✗ No" in shown
    removed = re.findall(
        r'<del><span class="visually-hidden"[^>]*>\[removed: </span>(.*?)<span', page
    )
    added = re.findall(r'<ins><span class="visually-hidden"[^>]*>\[added: </span>(.*?)<span', page)
    assert removed == ["but", "does not provide"]
    assert added == ["and", "provides"]
    assert "now: Analysis of extraterritorial jurisdiction, 2024" in shown
    rows = re.findall(
        r'<tr class="row-(\w+)">\s*<td[^>]*>.*?</td>\s*<td[^>]*>\s*([^<]+?)\s*<', page, re.S
    )
    assert ("changed", "Criminal Code") in rows
    assert ("same", "Code of Criminal Procedure") in rows
    assert ("removed", "Constitution") in rows
    assert ("added", "Criminal Code of the Republic of Kazakhstan") in rows
    assert "now: Article 8" in shown
    full = visible_text(client.get(f"/staff/versions/{draft.id}?view=review&show=full"))
    assert "This version" in full
    assert "Criminal Code (2014, status as of 2023), Article 8 [ru]" in full


def test_a_draft_compared_with_nothing_published_is_all_new(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", "csam-definition")
    page = visible_text(client.get(f"/staff/versions/{draft.id}?view=review"))
    assert "Nothing is published for this indicator yet: everything below is new." in page
    assert act(client, draft.id, "discard").status_code == 302


def test_staff_home_leads_to_the_country_pages(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    assert 'href="/staff/countries/kz"' in text(client.get("/staff/"))
    login(client, auth, "supervisor2@example.org")  # works on every country
    assert 'action="/staff/countries"' in text(client.get("/staff/"))
    response = client.get("/staff/countries?iso2=FR")
    assert response.headers["Location"] == "/staff/countries/fr"
    assert "France" in visible_text(client.get("/staff/countries/fr"))
    response = client.get("/staff/countries?iso2=xx", follow_redirects=True)
    assert "No country has the code or name “xx”." in visible_text(response)
    # by name, in any interface language; several matches are listed
    assert (
        client.get("/staff/countries?iso2=kazakhstan").headers["Location"] == "/staff/countries/kz"
    )
    assert (
        client.get("/staff/countries?iso2=Allemagne").headers["Location"] == "/staff/countries/de"
    )
    choices = visible_text(client.get("/staff/countries?iso2=new"))
    assert "Several countries match “new”" in choices
    assert "New Zealand" in choices and "Papua New Guinea" in choices


def test_the_staff_pages_cost_a_fixed_number_of_queries(client, auth, demo_data):
    """No query per citation, source, comment or indicator: more rows, same statements."""
    from sqlalchemy import event

    from assess.extensions import db

    def statements(url):
        client.get(url)  # warm up (session, user)
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    def fill(rows, comments):
        data = {"row_version": str(version(draft.id).row_version), "status": "no"}
        for index in range(rows):
            data[f"citations-{index}-instrument"] = "new"
            data[f"citations-{index}-instrument_title"] = f"Law {index}"
            data[f"sources-{index}-title"] = f"Source {index}"
        assert client.post_form(f"/staff/versions/{draft.id}/save", data).status_code == 302
        for index in range(comments):
            assert act(client, draft.id, "comment", body=f"Remark {index}").status_code == 302

    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", EXTRA)
    url = f"/staff/versions/{draft.id}"
    fill(rows=1, comments=1)
    small = (statements(url), statements(url + "?view=review"), statements("/staff/countries/kz"))
    fill(rows=12, comments=5)
    start_draft(client, "KZ", "csam-definition")
    big = (statements(url), statements(url + "?view=review"), statements("/staff/countries/kz"))
    assert big == small
    print("statements (editor, review, country page):", big)
