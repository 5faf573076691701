"""`assess freeze OUTDIR`: the public site as static files, byte for byte as the server answers."""

import re
from pathlib import Path

import pytest

from assess.database import write_transaction
from assess.models import Resource
from assess.services import assessments, uploads

from .publishing import content, draft, ids, publish

FOLDER_URLS = {"/", "/countries/", "/indicators/", "/data/", "/data/releases/"}


def _url(root: Path, path: Path) -> str:
    """The URL a file was frozen from: pages are written as <url>/index.html."""
    url = "/" + path.relative_to(root).as_posix().removesuffix("index.html")
    return url if url in FOLDER_URLS else url.rstrip("/")


@pytest.fixture
def frozen(app, client, make_user, tmp_path):
    reviewer, supervisor = make_user("reviewer", ["KZ"]), make_user("supervisor", ["KZ"], name="S")
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("partial", "Version one."))
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Version two."))
    pending = draft(reviewer, "KZ", "csam-definition", content("no", "Submitword."))
    assessments.submit(reviewer, pending.id)
    draft(reviewer, "KZ", "age-of-consent", content("no", "Draftword."))
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    stored = uploads.store("report.pdf", b"%PDF-1.4")
    with write_transaction() as session:
        session.add(
            Resource(
                country_id=ids("KZ", "age-of-consent")[0],
                title="Report",
                file_name=stored.stored_name,
            )
        )
    out = tmp_path / "site"
    # Citations carry today's date as the access date: fixed, so that a run across midnight
    # still compares the copy with what the server renders.
    from datetime import UTC, datetime

    app.jinja_env.globals["today"] = lambda: datetime(2026, 12, 1, tzinfo=UTC)
    # Freeze as the command line does: Frozen-Flask's own client, one app context for the run.
    app.test_client_class, browser = None, app.test_client_class
    # Two processes whatever the machine: the parallel path is the one checked below.
    result = app.test_cli_runner().invoke(args=["freeze", str(out), "--processes", "2"])
    app.test_client_class = browser
    assert result.exit_code == 0, result.output
    assert "Wrote " in result.output
    return out, result.output


@pytest.mark.slow
def test_freeze_writes_the_public_site_as_the_server_serves_it(frozen, client):
    out, output = frozen
    _writes_every_public_page_and_download(out, output)
    _is_byte_identical_to_the_server(out, client)
    _holds_no_draft_or_submission(out)
    _has_no_dead_link_and_no_server_only_route(out)


LINK = re.compile(rb'(?:href|src|action)="([^"]*)"')
SERVER_ONLY = (
    "/auth/",
    "/staff/",
    "/admin/",
    "/language/",
    "/search",
    "/compare",
    "/api/v1/countries",
)


def _target(out: Path, url: str) -> Path | None:
    """The file a link on the static host leads to, or None for links elsewhere."""
    url = url.replace("&amp;", "&")
    if url.startswith("http://localhost"):
        url = url.removeprefix("http://localhost")
    if not url.startswith("/") or url.startswith("//"):
        return None  # another site, mailto:, a fragment
    path = url.split("#")[0].split("?")[0]
    candidate = out / path.lstrip("/")
    if path.endswith("/") or candidate.is_dir():
        return candidate / "index.html"
    return candidate


def _has_no_dead_link_and_no_server_only_route(out: Path) -> None:
    """Every link of every page of every language leads to a file of the copy."""
    links: dict[str, Path] = {}
    for page in out.rglob("*.html"):
        for raw in LINK.findall(page.read_bytes()):
            links.setdefault(raw.decode(), page)
    assert len(links) > 1000
    dead = []
    for url, page in links.items():
        bare = url.removeprefix("http://localhost")
        for prefix in ("/en", "/fr", "/es", "/ru", "/ar"):
            bare = bare.removeprefix(prefix) if bare.startswith(prefix + "/") else bare
        assert not bare.startswith(SERVER_ONLY), (url, page)
        target = _target(out, url)
        if target is not None and not target.is_file():
            dead.append((url, str(page.relative_to(out))))
    assert dead == []


def _writes_every_public_page_and_download(out, output):
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    expected = {
        "index.html", "countries/index.html", "countries/kz/index.html",
        "countries/kz/age-of-consent/index.html", "countries/kz/age-of-consent/v/1/index.html",
        "countries/kz/age-of-consent/v/2/index.html", "countries/fr/csam-definition/index.html",
        "indicators/index.html", "indicators/age-of-consent/index.html", "data/index.html",
        "data/assessments.csv", "data/assessments.json", "api/v1/openapi.json",
        "static/css/site.css", "static/css/public.css",
    }  # fmt: skip
    assert expected <= files
    assert any(f.startswith("files/") and f.endswith("/Report.pdf") for f in files)
    assert (
        len([f for f in files if f.startswith("countries/") and f.count("/") == 2]) == 249 * 2
    )  # + feeds
    assert not any(f.startswith(("auth/", "staff/")) or f.endswith(".py") for f in files)
    for code in ("fr", "es", "ru"):
        assert {
            f"{code}/index.html",
            f"{code}/countries/kz/index.html",
            f"{code}/static/css/site.css",
        } <= files
    assert {"feed.atom", "sitemap.xml", "robots.txt", "data/datapackage.json", "methodology/index.html",
            "countries/kz/feed.atom", "countries/kz/age-of-consent/v/1/cite.bib"} <= files  # fmt: skip
    assert f"Wrote {len(files)} files" in output


def _is_byte_identical_to_the_server(out, client):
    paths = sorted(p for p in out.rglob("*") if p.is_file())
    languages = {out / code for code in ("en", "fr", "es", "ru", "ar")}
    paths = [p for p in paths if not languages & set(p.parents)]  # the default language's copy
    sample = [
        p
        for index, p in enumerate(paths)
        if "/countries/" not in p.as_posix()
        or "/countries/kz/" in p.as_posix()
        or (p.name == "index.html" and p.parent.parent.name == "countries")
        or index % 40 == 0
    ]
    assert len(sample) > 300
    # What the server answers when it renders a static copy (no sign-in, static language links).
    client.application.config["FREEZING"] = True
    try:
        for path in sample:
            response = client.get(_url(out, path))
            served = response.data
            response.close()
            assert response.status_code == 200, path
            assert served == path.read_bytes(), path
    finally:
        client.application.config["FREEZING"] = False


def _holds_no_draft_or_submission(out):
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".csv", ".json", ""):
            data = path.read_bytes()
            assert b"Draftword" not in data, path
            assert b"Submitword" not in data, path
    assert not (out / "countries/kz/age-of-consent/v/3").exists()
    assert not (out / "countries/kz/csam-definition/v/1").exists()


def test_one_process_and_several_write_the_same_files(app, make_user, tmp_path, monkeypatch):
    from assess.public import freeze
    from assess.public.freeze import freeze_pages, make_freezer

    monkeypatch.setattr(freeze, "CHUNK", 2)  # three tasks for the two workers

    reviewer, supervisor = make_user("reviewer", ["KZ"]), make_user("supervisor", ["KZ"], name="S")
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("partial", "Version one."))

    def some_pages():
        yield "public.country", {"iso2": "kz"}
        for iso2 in ("kz", "fr", "br", "de"):
            yield "public.assessment", {"iso2": iso2, "slug": "age-of-consent"}
        yield "public.version", {"iso2": "kz", "slug": "age-of-consent", "number": 1}

    trees = []
    for processes in (1, 2):
        out = tmp_path / f"site-{processes}"
        freezer = make_freezer(app, str(out))
        freezer.url_generators = [some_pages]
        written = list(freeze_pages(freezer, processes))
        assert len(written) == 6
        trees.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]
    assert b"Version one." in trees[0][Path("countries/kz/age-of-consent/v/1/index.html")]
    assert not app.config["FREEZING"]
    assert app.extensions["assess_public_responses"].store.used == 0  # the copy kept nothing
