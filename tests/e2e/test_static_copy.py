"""The static copy (`assess freeze`) served by a plain file server: the indicator page's filter
form and column headings sort and filter the table in the page (static/js/table.js), since no
server answers their query strings there."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assess.public import freeze

from .conftest import axe_violations


def one_indicator():
    yield "public.indicator", {"slug": "age-of-consent"}


@pytest.fixture
def static_host(app, demo_data, tmp_path, monkeypatch):
    monkeypatch.setattr(freeze, "public_urls", one_indicator)
    out = tmp_path / "site"
    app.test_client_class, kept = None, app.test_client_class
    result = app.test_cli_runner().invoke(
        args=["freeze", str(out), "--processes", "1", "--base-url", "https://example.org"]
    )
    app.test_client_class = kept
    assert result.exit_code == 0, result.output
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _shown(page) -> list[str]:
    return page.eval_on_selector_all(
        "table.indicator-table tbody tr:not([hidden]) th", "cells => cells.map(c => c.innerText)"
    )


@pytest.mark.parametrize("language", ["", "/fr"])
def test_the_static_indicator_page_filters_and_sorts_without_a_server(
    browser, static_host, language
):
    page = browser.new_page()
    page.goto(f"{static_host}{language}/indicators/age-of-consent/")
    assessed = _shown(page)
    assert len(assessed) == 1  # Kazakhstan; the countries not yet assessed are folded
    assert page.locator("details.folded").is_visible()

    # Only what is not yet assessed: the folded countries come into the table, Kazakhstan goes.
    page.select_option("#finding", "not_assessed")
    page.click("form.filter button[type=submit]")
    everyone_else = _shown(page)
    assert len(everyone_else) > 200 and assessed[0] not in everyone_else
    assert not page.locator("details.folded").is_visible()
    assert page.url.endswith("/indicators/age-of-consent/")  # nothing was asked of a server
    status = page.inner_text("p.meta[role=status]")
    assert str(len(everyone_else)) in status.replace("\u202f", "").replace("\xa0", "")

    # One region: the table and the count follow.
    page.select_option("#region", "Asia")
    page.click("form.filter button[type=submit]")
    asian = _shown(page)
    assert 20 < len(asian) < len(everyone_else)

    # A heading sorts the rows in the page, and says so to assistive technology.
    heading = page.locator("th", has=page.locator("a[data-sort=country]"))
    page.click("th a[data-sort=country]")
    assert heading.get_attribute("aria-sort") == "descending"  # it was sorted ascending
    descending = _shown(page)
    page.click("th a[data-sort=country]")
    assert heading.get_attribute("aria-sort") == "ascending"
    ascending = _shown(page)
    assert sorted(ascending) == sorted(asian) and ascending == descending[::-1] != descending
    assert axe_violations(page) == []
    page.close()
