"""What changed, for a changed link: the checks keep the visible text of each content new for a
link, and the evidence health page leads to the words removed and added since the link was last
accepted, so that "Mark as checked" is decided on what changed. Against the tests' own small web
(tests/web_stub.py)."""

import gzip

import lxml.html
import pytest
from sqlalchemy import select

from assess import diffing
from assess.extensions import db
from assess.fingerprint import content_fingerprint
from assess.models import LinkCheck
from assess.services import archiving, link_texts, links
from assess.storage import current as current_storage

from .publishing import publish
from .test_links import citing
from .web_stub import serving

LAW = "The Criminal Code. Article 12. The age of consent is {age} years. " + "Other words. " * 40
FOOTER = "<html><body><h1>Code</h1><p>{law}</p><footer>Printed on {day}</footer></body></html>"


def page(age: int = 16, day: str = "1 December") -> bytes:
    return FOOTER.format(law=LAW.format(age=age), day=day).encode()


@pytest.fixture
def web(app, tmp_path):
    app.config.update(
        LINK_CHECK_TIMEOUT=0.5, LINK_CHECK_HOST_DELAY=0, UPLOAD_DIR=str(tmp_path / "files")
    )
    with serving() as served:
        served.changing = page()
        yield served


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


@pytest.fixture
def published(web, people):
    version = publish(*people, "KZ", "age-of-consent", citing(web.url("/changing")))
    links.check_version(version.id)
    return version


def _check(web) -> LinkCheck:
    db.session.commit()
    return db.session.scalar(select(LinkCheck).where(LinkCheck.url == web.url("/changing")))


def _changes_url(check: LinkCheck) -> str:
    return f"/staff/countries/kz/evidence/{check.id}/changes"


def _passages(html: str) -> list[str]:
    document = lxml.html.fromstring(html)
    return [
        " ".join(li.text_content().split())
        for li in document.xpath("//ol[@class='link-changes']/li")
    ]


# --- the passages ------------------------------------------------------------------------------


def test_a_change_is_shown_with_the_words_around_it():
    before = "one two three four five six seven eight nine ten"
    after = "one two three four FIVE six seven eight nine ten"
    comparison = diffing.passages(before, after, context=2)
    (passage,) = comparison.passages
    assert [(c.op, c.text) for c in passage.chunks] == [
        ("equal", "three four"),
        ("equal", " "),
        ("delete", "five"),
        ("equal", " "),
        ("insert", "FIVE"),
        ("equal", " "),
        ("equal", "six seven"),
    ]
    assert (passage.starts_text, passage.ends_text) == (False, False)
    assert (comparison.words_removed, comparison.words_added) == (1, 1)


def test_changes_far_apart_are_two_passages_and_close_ones_one():
    words = [f"w{n}" for n in range(100)]
    far = words.copy()
    far[10], far[90] = "X", "Y"
    assert len(diffing.passages(" ".join(words), " ".join(far), context=5).passages) == 2
    close = words.copy()
    close[10], close[18] = "X", "Y"
    (one,) = diffing.passages(" ".join(words), " ".join(close), context=5).passages
    assert [c.text for c in one.chunks if c.op == "insert"] == ["X", "Y"]


def test_changes_at_the_ends_say_the_text_starts_or_ends_there():
    (passage,) = diffing.passages("a b c", "z b c", context=5).passages
    assert passage.starts_text and passage.ends_text
    (end,) = diffing.passages(" ".join("abcdefghij") + " k", " ".join("abcdefghij"), 3).passages
    assert [(c.op, c.text) for c in end.chunks if c.op != "equal"] == [("delete", "k")]
    assert end.ends_text and not end.starts_text


def test_the_same_text_and_a_text_too_different_to_compare():
    assert diffing.passages("a b c", "a  b\tc").same
    many = " ".join(str(n) for n in range(diffing.MAX_COMPARED_WORDS + 1))
    comparison = diffing.passages(many, "other")
    assert comparison.too_long and not comparison.passages and not comparison.same


def test_past_the_limit_the_passages_are_counted_not_shown():
    words = [f"w{n}" for n in range(2000)]
    changed = [w.upper() if n % 30 == 0 else w for n, w in enumerate(words)]
    comparison = diffing.passages(" ".join(words), " ".join(changed), context=3)
    assert len(comparison.passages) == diffing.MAX_PASSAGES
    assert comparison.more_passages == len(range(0, 2000, 30)) - diffing.MAX_PASSAGES


# --- the texts kept ----------------------------------------------------------------------------


def test_a_check_keeps_the_text_of_the_baseline_and_of_new_content_once(web, published):
    check = _check(web)
    kept = link_texts.text_of(check.baseline_sha256)
    assert kept is not None and "The age of consent is 16 years." in kept
    assert "<footer>" not in kept and "Printed on 1 December" in kept
    web.changing = page(age=18)
    links.check_version(published.id)
    check = _check(web)
    assert check.state == "changed"
    assert "The age of consent is 18 years." in link_texts.text_of(check.sha256)
    stored = sorted(n for n in current_storage().names() if n.startswith("linktext-"))
    assert stored == sorted(
        [link_texts.name_for(check.baseline_sha256), link_texts.name_for(check.sha256)]
    )
    with current_storage().open(stored[0]) as file:
        assert gzip.decompress(file.read()).decode()  # compressed
    links.check_version(published.id)  # the same again: nothing more written
    assert len([n for n in current_storage().names() if n.startswith("linktext-")]) == 2


def test_a_pdf_or_a_broken_link_keeps_no_text(web, people):
    version = publish(
        *people, "KZ", "age-of-consent", citing(web.url("/report.pdf"), web.url("/gone"))
    )
    links.check_version(version.id)
    assert not [n for n in current_storage().names() if n.startswith("linktext-")]


# --- the page ----------------------------------------------------------------------------------


def test_the_evidence_page_leads_to_the_words_that_changed(client, auth, web, people, published):
    web.changing = page(age=18, day="2 December")
    links.check_version(published.id)
    check = _check(web)
    auth.login(people[0])
    health = client.get("/staff/countries/kz/evidence?state=changed").get_data(as_text=True)
    assert f'href="{_changes_url(check)}"' in health and "See what changed" in health
    response = client.get(_changes_url(check))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>2 words removed</strong>, <strong>2 words added</strong>." in html
    passages = _passages(html)
    assert len(passages) == 2
    assert "The age of consent is [removed: 16] [added: 18] years." in passages[0]
    assert passages[1].endswith("Printed on [removed: 1] [added: 2] December")
    assert "<del>" in html and "<ins>" in html
    assert 'name="seen" value="' + check.sha256 + '"' in html  # Mark as checked, from here too


def test_only_the_countrys_staff_see_what_changed(client, auth, web, people, published, make_user):
    web.changing = page(age=18)
    links.check_version(published.id)
    check = _check(web)
    assert client.get(_changes_url(check)).status_code in (302, 401)  # signed out
    auth.login(make_user("reviewer", ["CR"], name="Carla"))
    assert client.get(_changes_url(check)).status_code == 404
    assert client.get(f"/staff/countries/cr/evidence/{check.id}/changes").status_code == 404


def test_a_link_not_changed_has_no_such_page(client, auth, web, people, published):
    auth.login(people[0])
    assert client.get(_changes_url(_check(web))).status_code == 404
    assert client.get("/staff/countries/kz/evidence/999999/changes").status_code == 404


def test_an_archived_copy_stands_in_for_a_baseline_kept_before_texts_were(
    app, client, auth, web, people, published
):
    (copy,) = archiving.capture(published.id)
    check = _check(web)
    current_storage().delete(link_texts.name_for(check.baseline_sha256))  # as before this feature
    with current_storage().open(copy.stored_name) as file:
        assert content_fingerprint(file.read(), copy.content_type) == check.baseline_sha256
    web.changing = page(age=18)
    links.check_version(published.id)
    auth.login(people[0])
    html = client.get(_changes_url(_check(web))).get_data(as_text=True)
    assert "[removed: 16] [added: 18]" in " ".join(_passages(html)[0].split())


def test_without_the_earlier_text_the_page_says_so(client, auth, web, people, published):
    check = _check(web)
    current_storage().delete(link_texts.name_for(check.baseline_sha256))
    web.changing = page(age=18)
    links.check_version(published.id)
    auth.login(people[0])
    html = client.get(_changes_url(_check(web))).get_data(as_text=True)
    assert "The text this page showed before was not kept" in html and not _passages(html)


def test_a_change_only_readers_never_see_is_said_to_be_none(client, auth, web, people, published):
    """A baseline made from raw bytes (an old one) against a page whose markup alone changed."""
    check = _check(web)
    before = check.baseline_sha256
    text = link_texts.text_of(before)
    check.state, check.sha256 = "changed", "0" * 64
    db.session.commit()
    current_storage().put(link_texts.name_for("0" * 64), gzip.compress(text.encode()))
    auth.login(people[0])
    html = client.get(_changes_url(check)).get_data(as_text=True)
    assert "Its text is the same as before" in html
