"""The editor works without JavaScript: rows are added, removed and moved by posting the form back,
the preview is rendered by the server, and a refused save keeps every character typed."""

import re

from sqlalchemy import select

from assess.extensions import db
from assess.models import Instrument

from .review_support import (
    EXTRA,
    act,
    country,
    form_fields,
    login,
    snapshot,
    start_draft,
    text,
    version,
    visible_text,
)


def instrument_rows(page: str) -> list[str]:
    """The instrument chosen in each citation row, in order, as its option's text."""
    rows = re.findall(
        r'<select[^>]*name="citations-(\d+)-instrument"[^>]*>(.*?)</select>', page, re.S
    )
    chosen = []
    for _index, options in rows:
        selected = re.search(r"<option selected[^>]*>([^<]*)</option>", options)
        chosen.append(selected.group(1) if selected else None)
    return chosen


def editing(client, auth):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", EXTRA)  # three citations: Constitution, Criminal Code, CCP
    return draft, form_fields(version(draft.id), analysis="Words typed but not saved.")


def edit(client, draft, data, op):
    return client.post_form(f"/staff/versions/{draft.id}/edit", dict(data, op=op))


def test_add_a_citation_row_keeps_what_was_typed(client, auth, demo_data):
    draft, data = editing(client, auth)
    before = snapshot()
    response = edit(client, draft, data, "add:citations")
    assert response.status_code == 200
    page = text(response)
    assert instrument_rows(page) == [
        "Constitution (1995)",
        "Criminal Code (2014)",
        "Code of Criminal Procedure (2014)",
        "New instrument (fill in below)",
    ]
    assert "Words typed but not saved.</textarea>" in page
    assert re.search(r'<select[^>]*autofocus[^>]*name="citations-3-instrument"', page)
    assert snapshot() == before  # nothing stored


def test_remove_and_move_rows_then_save_in_that_order(client, auth, demo_data):
    draft, data = editing(client, auth)
    page = text(edit(client, draft, data, "remove:citations:0"))
    assert instrument_rows(page) == ["Criminal Code (2014)", "Code of Criminal Procedure (2014)"]
    assert "Words typed but not saved." in page
    # The re-rendered form is posted again, as a browser would.
    data = {key: value for key, value in data.items() if not key.startswith("citations-")}
    for index, title in enumerate(["Criminal Code", "Code of Criminal Procedure"]):
        instrument = db.session.scalar(select(Instrument).where(Instrument.title == title))
        data.update(
            {
                f"citations-{index}-instrument": str(instrument.id),
                f"citations-{index}-provision": f"Art. {index + 1}",
                f"citations-{index}-status_as_of": "2023",
            }
        )
    page = text(edit(client, draft, data, "up:citations:1"))
    assert instrument_rows(page) == ["Code of Criminal Procedure (2014)", "Criminal Code (2014)"]
    assert re.search(r'id="citations-0-down" autofocus', page), "focus follows the moved row"
    moved = page.index('value="Art. 2"') < page.index('value="Art. 1"')
    assert moved, "the provision moved with its row"
    data.update(
        {
            "citations-0-instrument": data["citations-1-instrument"],
            "citations-1-instrument": data["citations-0-instrument"],
            "citations-0-provision": "Art. 2",
            "citations-1-provision": "Art. 1",
        }
    )
    assert client.post_form(f"/staff/versions/{draft.id}/save", data).status_code == 302
    stored = version(draft.id)
    assert [(c.instrument.title, c.provision) for c in stored.citations] == [
        ("Code of Criminal Procedure", "Art. 2"),
        ("Criminal Code", "Art. 1"),
    ]
    assert stored.analysis == "Words typed but not saved."


def test_sources_rows_are_added_and_saved(client, auth, demo_data):
    draft, data = editing(client, auth)
    page = text(edit(client, draft, data, "add:sources"))
    assert 'name="sources-0-title"' in page
    data.update(
        {
            "sources-0-title": "Criminal Code of Kazakhstan",
            "sources-0-publisher": "Adilet",
            "sources-0-year": "2014",
            "sources-0-url": "https://adilet.zan.kz/",
            "sources-1-title": "",  # an empty row added by mistake is dropped on save
        }
    )
    assert client.post_form(f"/staff/versions/{draft.id}/save", data).status_code == 302
    stored = version(draft.id)
    assert [(s.title, s.publisher, s.year, s.url) for s in stored.sources] == [
        ("Criminal Code of Kazakhstan", "Adilet", 2014, "https://adilet.zan.kz/")
    ]


def test_a_new_instrument_is_created_in_place_and_offered_next_time(client, auth, demo_data):
    draft, data = editing(client, auth)
    data.update(
        {
            "citations-3-instrument": "new",
            "citations-3-instrument_title": "Family Code",
            "citations-3-year_adopted": "2011",
            "citations-3-provision": "Article 7",
            "citations-3-url": "https://adilet.zan.kz/eng/docs/K1100000518",
            "citations-3-language": "ru",
        }
    )
    assert client.post_form(f"/staff/versions/{draft.id}/save", data).status_code == 302
    instrument = db.session.scalar(select(Instrument).where(Instrument.title == "Family Code"))
    assert (instrument.country_id, instrument.year_adopted) == (country("KZ").id, 2011)
    page = text(client.get(f"/staff/versions/{draft.id}"))
    assert instrument_rows(page)[-1] == "Family Code (2011)"


def test_an_instrument_of_another_country_is_refused(client, auth, demo_data):
    draft, data = editing(client, auth)
    with db.session.begin_nested():
        foreign = Instrument(country_id=country("KG").id, title="Kyrgyz Code", year_adopted=2000)
        db.session.add(foreign)
    db.session.commit()
    data["citations-0-instrument"] = str(foreign.id)
    before = snapshot()
    response = client.post_form(f"/staff/versions/{draft.id}/save", data)
    assert response.status_code == 422
    assert "Choose one of this country&#39;s instruments." in text(response)
    assert snapshot() == before


def test_preview_renders_markdown_safely_and_stores_nothing(client, auth, demo_data):
    draft, data = editing(client, auth)
    data["analysis"] = "Some **bold** words.\n\n<script>alert(1)</script> [x](javascript:alert(2))"
    before = snapshot()
    response = edit(client, draft, data, "preview")
    page = text(response)
    preview = page[page.index('id="analysis-preview"') :]
    assert "<strong>bold</strong>" in preview
    assert "<script>alert" not in page
    assert 'href="javascript' not in page
    assert "Some **bold** words." in page  # the source stays in the textarea
    assert snapshot() == before


def test_a_failed_validation_shows_each_error_beside_its_field_and_keeps_the_input(
    client, auth, demo_data
):
    draft, data = editing(client, auth)
    data.update(
        {
            "analysis_source_year": "24",
            "citations-0-url": "ftp://example.org/law",
            "citations-1-status_as_of": "twenty",
            "citations-3-instrument": "new",
            "citations-3-instrument_title": "",
            "citations-3-provision": "Article 9",
            "sources-0-title": "",
            "sources-0-publisher": "Orphan publisher",
        }
    )
    before = snapshot()
    response = client.post_form(f"/staff/versions/{draft.id}/save", data)
    assert response.status_code == 422
    page = text(response)

    def error_of(field_id):
        found = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
        return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else None

    assert error_of("analysis_source_year") == "Error: Enter a four-digit year."
    assert error_of("citations-0-url") == "Error: Enter a web address starting with https://."
    assert error_of("citations-1-status_as_of") == "Error: Enter a four-digit year."
    assert error_of("citations-3-instrument_title") == "Error: Name the legal instrument."
    assert error_of("sources-0-title") == "Error: Give the source a title."
    for typed in (
        'value="24"',
        'value="ftp://example.org/law"',
        'value="twenty"',
        'value="Article 9"',
        'value="Orphan publisher"',
        "Words typed but not saved.",
    ):
        assert typed in page, typed
    assert "There are 5 problems" in page
    assert "Citation 2, Status as of (year): Enter a four-digit year." in visible_text(response)
    assert 'aria-describedby="citations-0-url-error"' in page
    assert snapshot() == before


def test_too_long_input_is_refused_with_a_message_not_an_error_page(client, auth, demo_data):
    draft, data = editing(client, auth)
    data["citations-0-provision"] = "A" * 201
    response = client.post_form(f"/staff/versions/{draft.id}/save", data)
    assert response.status_code == 422
    assert "Use at most 200 characters." in text(response)


def test_submit_of_an_incomplete_version_shows_what_is_missing(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", "csam-definition")
    response = client.post_form(
        f"/staff/versions/{draft.id}/submit", form_fields(version(draft.id))
    )
    assert response.status_code == 422
    assert "Choose a finding before submitting." in text(response)
    assert version(draft.id).state == "draft"


def test_garbage_posts_get_an_answer_not_a_crash(client, auth, demo_data):
    draft, data = editing(client, auth)
    for op in ("remove:citations:99999", "up:citations:0", "down:sources:5", "explode", ""):
        assert edit(client, draft, data, op).status_code == 200, op
    stale = dict(data, row_version="not a number")
    assert client.post_form(f"/staff/versions/{draft.id}/save", stale).status_code == 409
    assert act(client, draft.id, "save").status_code == 409  # nothing at all: a stale, empty form
    assert client.get("/staff/versions/99999").status_code == 404
    assert client.post_form("/staff/countries/kz/no-such-indicator/start").status_code == 404
    assert client.post_form("/staff/countries/zz/age-of-consent/start").status_code == 404


def test_the_editor_labels_every_control(client, auth, demo_data):
    draft, _data = editing(client, auth)
    page = text(client.get(f"/staff/versions/{draft.id}"))
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
    assert ids
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    unlabelled = [i for i in ids if i not in labelled and not i.startswith("status-")]
    assert unlabelled == []
    assert visible_text(client.get(f"/staff/versions/{draft.id}")).count("Move up") == 2


def test_reshaping_the_form_of_a_submitted_version_keeps_the_text_and_says_why(
    client, auth, demo_data
):
    draft, data = editing(client, auth)
    assert act(client, draft.id, "submit").status_code == 302
    response = edit(client, draft, data, "add:sources")
    assert "This version can no longer be edited (it is awaiting review)" in visible_text(response)
    assert "Words typed but not saved.</textarea>" in text(response)
