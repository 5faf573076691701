"""Input (ASVS V1, V2): analysis Markdown cannot carry script, and the login and password forms
never answer 500 and write nothing they should not, whatever is typed into them."""

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import LoginAttempt, User
from assess.rendering import ALLOWED_TAGS, render_markdown
from assess.services import accounts

from .conftest import TEST_PASSWORD, AuthActions
from .test_security_browser import snapshot

DANGEROUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">',
    '<a href="x" onclick="alert(1)">',
    "<form action=https://evil.example><button>go</button></form>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<object data=x></object>",
    "<base href=https://evil.example/>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<!--", "-->", "<", ">", '"', "'", "`", "&", "\n\n", "    ", "> ", "* ", "1. ",
    "| a | b |\n|---|---|\n",
    "[", "](", ")", "<http://x.example/?a=1&b=2>", "*", "_", "`code`", "```\n", "\\",
]  # fmt: skip

BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class Inspector(HTMLParser):
    """Collects every tag and attribute the browser would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def _scheme(url: str) -> str:
    """The scheme as a browser reads it: ignoring whitespace and control characters."""
    cleaned = "".join(c for c in url if c > " " and c != "\x7f").lower()
    return cleaned.split(":", 1)[0] + ":" if ":" in cleaned.split("/", 1)[0] else ""


markdown_text = st.lists(st.one_of(st.sampled_from(DANGEROUS), st.text(max_size=20)), max_size=12)


@settings(max_examples=400, deadline=None)
@given(parts=markdown_text)
def test_rendered_markdown_carries_no_script_handler_or_dangerous_url(parts):
    html = str(render_markdown("".join(parts)))
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    assert set(inspector.tags) <= ALLOWED_TAGS
    for tag, name, value in inspector.attributes:
        assert not name.startswith("on"), (tag, name)
        assert (tag, name) in {("a", "href"), ("a", "title"), ("a", "rel")}, (tag, name)
        if name == "href":
            assert _scheme(value) in ("", "http:", "https:", "mailto:"), value
    assert "<script" not in html.lower()  # as text, escaped, it is harmless


def test_markdown_keeps_ordinary_formatting_and_safe_links():
    html = str(render_markdown("**Article 123** of the [Criminal Code](https://adilet.zan.kz/)"))
    assert "<strong>Article 123</strong>" in html
    assert 'href="https://adilet.zan.kz/"' in html
    assert "noopener" in html


def _rows_other_than_attempts(tables):
    return {name: rows for name, rows in tables.items() if name != "login_attempt"}


fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
form_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "a@b", "x" * 255, "İ" * 200, "\ud7ff", "%00", "'--"]),
)


@fuzz
@example(email="\x00", password="x", remember="", next_="", addr=1)
@example(email="a@example.org", password="pw\x00pw", remember="y", next_="/\x00", addr=2)
@given(
    email=form_text,
    password=form_text,
    remember=form_text,
    next_=form_text,
    addr=st.integers(0, 255),
)
def test_fuzzed_login_never_fails_and_writes_at_most_an_attempt(
    client, make_user, email, password, remember, next_, addr
):
    before = snapshot()
    attempts = db.session.scalar(select(func.count()).select_from(LoginAttempt))
    response = client.post_form(
        "/auth/login",
        {"email": email, "password": password, "remember": remember, "next": next_},
        environ_base={"REMOTE_ADDR": f"10.9.8.{addr}"},
    )
    assert response.status_code in (200, 400, 401), response.status_code
    assert _rows_other_than_attempts(snapshot()) == _rows_other_than_attempts(before)
    after = db.session.scalar(select(func.count()).select_from(LoginAttempt))
    assert after - attempts in (0, 1)


@fuzz
@example(current=TEST_PASSWORD, new="new\x00passphrase", confirm="new\x00passphrase")
@given(current=st.one_of(st.just(TEST_PASSWORD), form_text), new=form_text, confirm=form_text)
def test_fuzzed_password_change_never_fails_and_writes_nothing_when_refused(
    client, make_user, current, new, confirm
):
    user = db.session.scalar(select(User).where(User.email == "fuzz@example.org"))
    if user is None:
        user = make_user(email="fuzz@example.org")
    auth = AuthActions(client)
    if client.get("/staff/").status_code != 200:
        auth.login(user)
    before = snapshot()
    response = client.post_form(
        "/auth/password", {"current": current, "new": new, "confirm": confirm}
    )
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert snapshot() == before
        return
    # Accepted: only a correct, acceptable and confirmed password gets here.
    assert current == TEST_PASSWORD
    assert new == confirm
    assert accounts.password_problem(new) is None
    stored = db.session.get(User, user.id)
    db.session.refresh(stored)
    accounts.hasher.verify(stored.password_hash, new)
    stored.password_hash = accounts.hasher.hash(TEST_PASSWORD)  # back to the start
    db.session.commit()


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/auth/login", {"email": "a\x00@example.org", "password": "long enough pass"}),
        ("post", "/auth/login", {"email": "a@example.org", "password": "x", "next": "/\x00"}),
        ("get", "/countries/%00", None),
        ("get", "/countries/kz?region=%00", None),
        ("get", "/auth/login?next=%2F%00", None),
    ],
)
def test_nul_characters_are_refused_not_crashed_on(client, demo_data, method, url, data):
    """PostgreSQL cannot store NUL in text: refused up front on every backend."""
    before = snapshot()
    response = client.post_form(url, data) if method == "post" else client.get(url)
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)
    assert snapshot() == before
