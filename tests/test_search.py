"""Search: published assessments, citations, sources, countries and indicators, kept current by
publication and retraction in the same transaction."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import SearchEntry
from assess.search import index as search_index
from assess.services import assessments

from .publishing import FULL, content, publish


@pytest.fixture
def people(make_user):
    return (
        make_user("reviewer", ["KZ", "CR"], name="Rita"),
        make_user("supervisor", ["KZ", "CR"], name="Sam"),
    )


def page(client, **args):
    response = client.get("/search", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_analysis_is_found_with_its_words_marked(client, people):
    publish(
        *people,
        "KZ",
        "age-of-consent",
        content("partial", "Consent is sixteen, with a **close-in-age** exception."),
    )
    html = page(client, q="close-in-age")
    assert "1 published assessment matches." in html
    assert 'href="/countries/kz/age-of-consent"' in html
    assert "<mark>close</mark>" in html
    assert "Partial" in html
    assert "**" not in html.split('id="found-assessments"')[1]  # text, not Markdown


def test_citations_and_sources_are_searched(client, people):
    publish(*people, "KZ", "age-of-consent", FULL)
    assert 'href="/countries/kz/age-of-consent"' in page(client, q="Article 122")
    assert 'href="/countries/kz/age-of-consent"' in page(client, q="ECPAT country report")
    assert "0 published assessments match." in page(client, q="Article 999")


def test_every_word_must_match_and_the_title_ranks_first(client, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Unrelated words about courts."))
    publish(
        *people, "CR", "csam-definition", content("no", "The age of consent is not defined here.")
    )
    html = page(client, q="consent")
    assert html.index("/countries/kz/age-of-consent") < html.index("/countries/cr/csam-definition")
    assert "/countries/kz/age-of-consent" not in page(client, q="consent defined")


def test_filters_by_indicator_finding_and_region(client, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Protection law applies."))
    publish(*people, "CR", "age-of-consent", content("no", "Protection law is missing."))
    both = page(client, q="protection law")
    assert "/countries/kz/age-of-consent" in both and "/countries/cr/age-of-consent" in both
    only_no = page(client, q="protection law", finding="no")
    assert "/countries/cr/age-of-consent" in only_no
    assert "/countries/kz/age-of-consent" not in only_no
    americas = page(client, q="protection law", region="Americas")
    assert "/countries/cr/age-of-consent" in americas
    assert "/countries/kz/age-of-consent" not in americas
    other = page(client, q="protection law", indicator="csam-definition")
    assert "0 published assessments match." in other


def test_a_new_version_replaces_the_old_text_and_a_retraction_removes_it(client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Zebra statute."))
    assert "1 published assessment matches." in page(client, q="zebra")
    version = publish(
        reviewer, supervisor, "KZ", "age-of-consent", content("no", "Giraffe statute.")
    )
    assert "0 published assessments match." in page(client, q="zebra")
    assert "1 published assessment matches." in page(client, q="giraffe")
    assessments.retract(supervisor, version.id, "Wrong law cited.")
    assert "0 published assessments match." in page(client, q="giraffe")
    assert db.session.scalars(select(SearchEntry)).all() == []


def test_drafts_and_submissions_are_never_found(client, people):
    from .publishing import submitted

    submitted(people[0], "KZ", "age-of-consent", content("yes", "Secret draft wording."))
    assert "0 published assessments match." in page(client, q="secret draft")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("kazakh", "Kazakhstan"),
        ("KZ", "Kazakhstan"),
        ("KAZ", "Kazakhstan"),
        ("Казахстан", "Kazakhstan"),
        ("Allemagne", "Germany"),
        ("cote d", "Côte d’Ivoire"),
        ("Costa", "Costa Rica"),
    ],
)
def test_countries_are_found_by_code_or_by_name_in_any_language(client, query, name):
    html = page(client, q=query)
    countries = html.split('id="found-countries"')[1].split("</section>")[0]
    assert name in countries or name.replace("’", "&#39;") in countries


def test_indicators_are_found_and_shown_in_the_readers_language(client):
    html = page(client, q="consent")
    assert 'href="/indicators/age-of-consent"' in html
    assert "<mark>Consent</mark>" in html


def test_query_syntax_is_only_words(client, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Plain text."))
    for hostile in ['"', "NEAR(", "a:* | b", "') OR 1=1 --", "*", "<script>alert(1)</script>"]:
        html = page(client, q=hostile)
        assert "<script>alert(1)</script>" not in html
    assert "Type a country" in page(client, q="")


def test_rebuild_indexes_what_is_published(app, people):
    publish(*people, "KZ", "age-of-consent", FULL)
    db.session.execute(db.delete(SearchEntry))
    assert search_index.rebuild(db.session) == 1
    db.session.commit()
    entry = db.session.scalars(select(SearchEntry)).one()
    assert "Article 122" in entry.body and "Kazakhstan" in entry.title


def test_the_header_has_a_search_box_and_countries_goes_to_the_list(client):
    html = client.get("/countries/kz").get_data(as_text=True)
    assert 'role="search"' in html and 'action="/search"' in html
    assert '<a href="/countries/">Countries</a>' in html
