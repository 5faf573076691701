"""The public assessment page with all the evidence it can show (an archived copy, a link last
seen working, a broken one, an amended law and its notice) has no axe-core violations."""

import threading
from datetime import date

import pytest
from werkzeug.serving import make_server

from assess.services import archiving, instruments, links

from .publishing import publish
from .test_a11y import CHROMIUM, _violations, browser  # noqa: F401 - the fixture
from .test_links import citing
from .web_stub import serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def evidence_server(app, make_user, tmp_path):
    app.config.update(LINK_CHECK_TIMEOUT=0.5, LINK_CHECK_HOST_DELAY=0, UPLOAD_DIR=str(tmp_path))
    reviewer, supervisor = make_user("reviewer", ["KZ"]), make_user("supervisor", ["KZ"], name="S")
    with serving() as web:
        urls = (web.url("/ok/code"), web.url("/gone"))
        version = publish(
            reviewer,
            supervisor,
            "KZ",
            "age-of-consent",
            citing(*urls, sources=(web.url("/r.pdf"),)),
        )
        archiving.capture(version.id)
        links.check_version(version.id)
    code = next(c.instrument for c in version.citations)
    instruments.record_event(
        reviewer, code.id, instruments.EventInput("amended", date(2024, 3, 31), "New article")
    )
    app.test_client_class = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_evidence_on_the_assessment_page_is_accessible(evidence_server, browser, width):  # noqa: F811
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for url in ("/countries/kz/age-of-consent", "/countries/kz/age-of-consent/v/1"):
        response = page.goto(evidence_server + url)
        assert response.status == 200
        text = page.content()
        assert "archived copy (captured on" in text and "this assessment predates it" in text
        assert "the link did not answer at the last check" in text
        violations = _violations(page)
        if violations:
            found[url] = violations
    context.close()
    assert found == {}
