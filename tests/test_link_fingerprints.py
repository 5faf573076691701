"""Content fingerprints: a cited HTML page is "changed" when its visible text changed, not when
only its noise did (scripts, CSRF tokens, session ids, whitespace); a PDF when its bytes did. An
archived copy keeps the raw SHA-256 of its bytes (its name, its integrity) while the link's
baseline is its content fingerprint. Migration 0008_fingerprints clears the raw-byte baselines
of HTML links only. Against the tests' own small web (tests/web_stub.py)."""

import hashlib
import time
import unicodedata

import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select, text

from assess import linkcheck
from assess.extensions import db
from assess.fingerprint import content_fingerprint, encoding_label, visible_text
from assess.models import ArchivedCopy, LinkCheck
from assess.services import archiving, links
from assess.storage import current as current_storage

from .publishing import publish
from .test_links import FAST, citing
from .test_migrations import directory, empty_app  # noqa: F401 - a fixture
from .web_stub import PDF, noisy_page, serving

HTML = "text/html; charset=utf-8"


@pytest.fixture
def web():
    with serving() as served:
        yield served


@pytest.fixture
def quick(app, tmp_path):
    app.config.update(
        LINK_CHECK_TIMEOUT=0.5, LINK_CHECK_HOST_DELAY=0, UPLOAD_DIR=str(tmp_path / "files")
    )
    return app


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


# The fingerprint itself


def test_the_stub_noisy_page_differs_in_bytes_but_not_in_visible_text():
    first, second = noisy_page("The law.", 1), noisy_page("The law.", 2)
    assert first != second
    assert (
        visible_text(first)
        == visible_text(second)
        == "Criminal Code Criminal Code The law. Next article"
    )


def test_what_a_reader_never_sees_is_left_out():
    page = b"""<html><head><title>Code &amp; Rules</title><meta name="x" content="secret-meta">
    <script>var token = "secret-script";</script><style>p { color: red } /* secret-style */</style>
    <link rel="stylesheet" href="/secret-href.css"></head>
    <body><!-- secret-comment --><p class="secret-class">Article\t1<br>applies.</p>
    <noscript>secret-noscript</noscript><template><b>secret-template</b></template>
    <input type="hidden" name="csrf" value="secret-input"><a href="/law?sid=secret-sid">Next</a>
    </body></html>"""
    assert visible_text(page) == "Code & Rules Article 1 applies. Next"


def test_numbers_and_dates_in_the_text_still_count():
    page = "<html><body><p>In force since {}.</p><footer>Updated {}</footer></body></html>"
    first = content_fingerprint(page.format("1 May 2014", "3 Dec").encode(), HTML)
    assert first != content_fingerprint(page.format("1 May 2015", "3 Dec").encode(), HTML)
    assert first != content_fingerprint(page.format("1 May 2014", "4 Dec").encode(), HTML)


def test_the_same_text_in_another_encoding_or_normal_form_is_the_same():
    text_ = "Уголовный кодекс, café"
    utf8 = f"<p>{text_}</p>".encode()
    decomposed = f"<p>{unicodedata.normalize('NFD', text_)}</p>".encode()
    declared = f'<meta charset="windows-1251"><p>{text_[:16]}</p>'.encode("cp1251")
    in_header = f"<p>{text_[:16]}</p>".encode("koi8-r")
    assert content_fingerprint(utf8, HTML) == content_fingerprint(decomposed, HTML)
    assert content_fingerprint(declared, "text/html") == content_fingerprint(
        in_header, "text/html; charset=KOI8-R"
    )
    assert visible_text(declared) == "Уголовный кодекс"
    xhtml = b"<?xml version='1.0' encoding='iso-8859-1'?><html><body>caf\xe9</body></html>"
    assert visible_text(xhtml, "application/xhtml+xml") == "café"


def test_the_encoding_is_named_as_a_browser_would_find_it():
    meta = b'<meta charset="Windows-1251"><p>x</p>'
    assert encoding_label(meta, "text/html") == "windows-1251"
    assert encoding_label(meta, "text/html; charset=KOI8-R") == "koi8-r"  # the header first
    assert encoding_label(b"\xef\xbb\xbf" + meta, "text/html; charset=koi8-r") == "utf-8"  # a BOM
    assert encoding_label(b"\xff\xfe<\x00p\x00", "text/html") == "utf-16le"
    assert encoding_label(b"<p>x</p>", "text/html; charset=no-such-thing") == "utf-8"
    assert encoding_label(b'<meta charset="utf-16"><p>x</p>', "text/html") == "utf-8"  # no BOM
    assert visible_text(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>") == "café"  # the BOM is not text


def test_a_pdf_or_any_other_type_is_fingerprinted_by_its_bytes():
    assert content_fingerprint(PDF, "application/pdf") == hashlib.sha256(PDF).hexdigest()
    body = b"<p>a</p>   "
    assert content_fingerprint(body, "text/plain") == hashlib.sha256(body).hexdigest()
    assert content_fingerprint(body, "Application/XHTML+XML") != hashlib.sha256(body).hexdigest()


def test_malformed_markup_is_fingerprinted_quickly():
    """Python 3.12.1's html.parser takes minutes on this; any cited URL is fetched."""
    started = time.monotonic()
    for body in (b"<!--" * 250_000, b"</" * 500_000, b"<div>" * 200_000):
        assert len(content_fingerprint(body, HTML)) == 64
    assert time.monotonic() - started < 5


WORD = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8)
PARAGRAPHS = st.lists(st.lists(WORD, min_size=1, max_size=6), min_size=1, max_size=5)
NOISE = st.sampled_from(
    [
        " ",
        "\n\t  \r\n",
        "\u00a0",
        "<!-- rendered at 12:00 -->",
        '<script>var csrf = "abc<p>not text</p>";</script>',
        "<style>p { margin: 0 }</style>",
        '<input type="hidden" name="csrf_token" value="f00d">',
        "<noscript>Please enable JavaScript</noscript>",
        "<template><p>An ad</p></template>",
        '<span class="x"></span>',
    ]
)


def _pieces(paragraphs: list[list[str]]) -> list[str]:
    """The page as pieces between which noise may go (never inside a word)."""
    pieces = ["<html>", "<head>", "<title>", "Code", "</title>", "</head>", "<body>"]
    for words in paragraphs:
        pieces.append("<p>")
        for n, word in enumerate(words):
            pieces.extend([" "] * bool(n) + [word])
        pieces.append("</p>")
    return [*pieces, "</body>", "</html>"]


def _page(pieces: list[str], noise: list[tuple[int, str]] = ()) -> bytes:
    """With each `(at, inserted)` of `noise` after a piece, but never inside the `<title>`: what
    is there, markup included, is the title a reader sees."""
    slots = [n for n in range(-1, len(pieces)) if n not in (2, 3)]
    after: dict[int, list[str]] = {}
    for at, inserted in noise:
        after.setdefault(slots[at % len(slots)], []).append(inserted)
    return "".join(
        "".join(after.get(n, [])) + (pieces[n + 1] if n + 1 < len(pieces) else "")
        for n in range(-1, len(pieces))
    ).encode()


@given(PARAGRAPHS, st.lists(st.tuples(st.integers(0, 10_000), NOISE), max_size=6))
def test_noise_inserted_anywhere_between_words_and_tags_never_changes_it(paragraphs, noise):
    pieces = _pieces(paragraphs)
    assert content_fingerprint(_page(pieces, noise), HTML) == content_fingerprint(
        _page(pieces), HTML
    )


@given(PARAGRAPHS, st.integers(0, 10_000), WORD)
def test_another_word_always_changes_it(paragraphs, at, other):
    pieces = _pieces(paragraphs)
    words = [n for n, piece in enumerate(pieces) if not piece.startswith("<") and piece != " "]
    where = words[at % len(words)]
    nfc = unicodedata.normalize
    assume(nfc("NFC", other) != nfc("NFC", pieces[where]))
    changed = [*pieces[:where], other, *pieces[where + 1 :]]
    assert content_fingerprint(_page(changed), HTML) != content_fingerprint(_page(pieces), HTML)


# Link checks


def _check(url: str) -> LinkCheck:
    (row,) = links.check_urls([url])
    return row


def test_a_page_whose_noise_changes_on_every_request_stays_ok(quick, web):
    url = web.url("/noisy")
    raw = {linkcheck.fetch(url, FAST).raw_sha256 for _ in range(3)}
    assert len(raw) == 3  # its bytes differ every time
    first = _check(url)
    assert first.state == "ok" and first.sha256 == first.baseline_sha256
    for _ in range(3):
        again = _check(url)
        assert (again.state, again.sha256) == ("ok", first.baseline_sha256)


def test_a_page_whose_visible_text_changes_is_changed(quick, web):
    url = web.url("/noisy")
    before = _check(url).sha256
    web.noisy_text = "Article 1. The age of consent is eighteen."
    after = _check(url)
    assert after.state == "changed" and after.baseline_sha256 == before != after.sha256
    assert _check(web.url("/ticking")).state == "ok"
    assert _check(web.url("/ticking")).state == "changed"  # "Seen 2 times": a number in the text


def test_a_pdf_whose_bytes_change_is_changed(quick, web):
    url = web.url("/law.pdf")
    first = _check(url)
    assert first.state == "ok" and first.sha256 == hashlib.sha256(PDF).hexdigest()
    web.pdf = PDF.replace(b"%%EOF\n", b"%%EOF\n\n")  # only whitespace, but in a PDF: changed
    assert _check(url).state == "changed"


def test_an_archived_noisy_page_keeps_its_raw_digest_and_the_next_check_is_ok(quick, web, people):
    url = web.url("/noisy")
    version = publish(*people, "KZ", "age-of-consent", citing(url))
    (copy,) = archiving.capture(version.id)
    db.session.commit()
    copy = db.session.get(ArchivedCopy, copy.id)
    with current_storage().open(copy.stored_name) as stored:
        body = stored.read()
    raw = hashlib.sha256(body).hexdigest()
    assert copy.stored_name == f"{raw}.html" and copy.sha256 == raw  # integrity
    row = db.session.scalar(select(LinkCheck).where(LinkCheck.url == url))
    assert row.baseline_sha256 == content_fingerprint(body, HTML) != raw
    again = _check(url)
    assert web.requests["/noisy"] == 2  # another request, other bytes
    assert again.state == "ok" and again.sha256 == again.baseline_sha256
    web.noisy_text = "Article 1 was repealed."
    assert _check(url).state == "changed"


# The migration


DIGESTS = "SELECT url, baseline_sha256 || '/' || sha256 FROM link_check"


def _link_row(url: str, content_type: str, digest: str, state: str = "ok") -> dict:
    return {"url": url, "ct": content_type, "digest": digest, "state": state}


def test_the_migration_clears_html_baselines_but_not_open_flags(empty_app, web):  # noqa: F811
    upgrade(directory=directory(empty_app), revision="0007_evfiles")
    noisy, pdf = linkcheck.fetch(web.url("/noisy"), FAST), linkcheck.fetch(web.url("/l.pdf"), FAST)
    # As the older code stored them: the raw digest of the bytes, baseline and last seen alike.
    rows = [
        _link_row(noisy.url, HTML, noisy.raw_sha256),
        _link_row("https://example.org/x", "application/xhtml+xml", "a" * 64),
        _link_row("https://example.org/y", " TEXT/HTML", "b" * 64),
        _link_row(pdf.url, "application/pdf", pdf.raw_sha256),
        _link_row("https://example.org/z", "text/plain", "c" * 64),
        _link_row("https://example.org/t", "", "d" * 64),
        # Flagged before the upgrade: the flag stays for a person to look at and clear.
        _link_row(web.url("/ticking"), HTML, "e" * 64, state="changed"),
    ]
    with db.engine.begin() as connection:
        for row in rows:
            connection.execute(
                text(
                    "INSERT INTO link_check (url, host, state, http_status, final_url, "
                    "content_type, sha256, baseline_sha256, error, checked_at, state_since) "
                    "VALUES (:url, 'h', :state, 200, :url, :ct, :digest, :digest, '', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                row,
            )
    assert noisy.fingerprint != noisy.raw_sha256  # without the migration: "changed" once
    upgrade(directory=directory(empty_app))
    with db.engine.connect() as connection:
        found = dict(connection.execute(text(DIGESTS)).all())
    assert found == {
        noisy.url: "/",
        "https://example.org/x": "/",
        "https://example.org/y": "/",
        pdf.url: f"{pdf.raw_sha256}/{pdf.raw_sha256}",
        "https://example.org/z": f"{'c' * 64}/{'c' * 64}",
        "https://example.org/t": f"{'d' * 64}/{'d' * 64}",
        web.url("/ticking"): f"{'e' * 64}/{'e' * 64}",
    }
    later = [linkcheck.fetch(web.url("/noisy"), FAST), linkcheck.fetch(web.url("/l.pdf"), FAST)]
    links.record(db.session(), later)
    db.session.commit()
    states = dict(db.session.execute(select(LinkCheck.url, LinkCheck.state)).all())
    assert (states[noisy.url], states[pdf.url]) == ("ok", "ok")
    assert states[web.url("/ticking")] == "changed"
    row = db.session.scalar(select(LinkCheck).where(LinkCheck.url == noisy.url))
    assert row.baseline_sha256 == later[0].fingerprint == noisy.fingerprint
    db.session.remove()
    downgrade(directory=directory(empty_app), revision="0007_evfiles")
    with db.engine.connect() as connection:
        found = dict(connection.execute(text(DIGESTS)).all())
    assert found[noisy.url] == "/" and found[pdf.url] == f"{pdf.raw_sha256}/{pdf.raw_sha256}"
