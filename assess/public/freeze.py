"""The whole public site as static files (`assess freeze OUTDIR`), byte for byte what the server
answers when it renders a static copy (`FREEZING`: no search box, no sign-in, language links to
the copies). Pages are written as `<path>/index.html`, so `/countries/kz` and `/countries/kz/<slug>`
can both exist; any static server that serves a folder's index.html serves the copy.

The canonical, unprefixed pages are in the default language; each language also gets its own
tree under its prefix (`/fr/countries/kz`, see `language_urls`), byte for byte what the server
answers at that address, which is where the language links and `hreflang` alternates of every
page lead: a static host cannot negotiate the language."""

import multiprocessing
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, request, url_for
from flask_frozen import Freezer, MissingURLGeneratorWarning, Page
from sqlalchemy import select

from .. import organisation, releases, resource_dir
from ..extensions import db
from ..models import Country, Indicator, IndicatorRevision, Resource, Source, Version
from ..presentation import source_file_url
from ..queries import framework as framework_queries
from ..queries import public as queries
from ..services import uploads
from ..workflow import PUBLIC_STATES
from .countries import resource_href, resource_on_disk


class PublicFreezer(Freezer):
    def urlpath_to_filepath(self, path: str) -> str:
        last = path.rsplit("/", 1)[-1]
        if path != "/" and not path.endswith("/") and "." not in last:
            path += "/"
        return super().urlpath_to_filepath(path)


def public_urls() -> Iterator[tuple[str, dict]]:
    """Every public page and download."""
    for endpoint in ("index", "country_list", "indicator_list", "downloads"):
        yield f"public.{endpoint}", {}
    yield "public.csv_download", {}
    yield "public.json_download", {}
    yield "public.replies_csv_download", {}
    yield "api.openapi", {}  # the API itself is dynamic and stays on the server
    yield from research_urls()
    indicators = queries.active_indicators()
    for indicator in indicators:
        yield "public.indicator", {"slug": indicator.slug}
    for country in queries.countries():
        iso2 = country.iso2.lower()
        yield "public.country", {"iso2": iso2}
        for indicator in indicators:
            yield "public.assessment", {"iso2": iso2, "slug": indicator.slug}
    for key, numbers in queries.public_version_numbers().items():
        iso2, slug = key
        if slug not in {i.slug for i in indicators}:
            yield "public.assessment", {"iso2": iso2, "slug": slug}
        for number in numbers:
            yield "public.version", {"iso2": iso2, "slug": slug, "number": number}
            for fmt in ("bib", "ris", "json"):
                yield (
                    "public.citation_file",
                    {"iso2": iso2, "slug": slug, "number": number, "fmt": fmt},
                )


def research_urls() -> Iterator[tuple[str, dict]]:
    """The pages and files of search engines, feeds, the data package and releases."""
    for endpoint in (
        "methodology",
        "feed",
        "sitemap",
        "robots",
        "datapackage_json",
        "release_list",
    ):
        yield f"public.{endpoint}", {}
    # The framework's public history: what the methodology page and every finding link to.
    yield "public.methodology_changes", {}
    for slug, number in db.session.execute(
        select(Indicator.slug, IndicatorRevision.number)
        .join(IndicatorRevision, IndicatorRevision.indicator_id == Indicator.id)
        .where(IndicatorRevision.state.in_(framework_queries.PUBLIC), ~Indicator.is_proposed)
        .order_by(Indicator.slug, IndicatorRevision.number)
    ):
        if number is not None:  # every approved revision has one
            yield "public.indicator_revision", {"slug": slug, "number": number}
    publisher = organisation.current()
    yield from (
        (f"public.{name}", {}) for name in ("about", "contact") if publisher.pages.get(name)
    )
    if publisher.colours:
        yield "public.brand_css", {}
    for country in queries.countries():
        yield "public.country_feed", {"iso2": country.iso2.lower()}
    for release in releases.listed():
        yield "public.release", {"name": release.name}
        for found in release.files:
            yield "public.release_file", {"name": release.name, "filename": found.filename}


def resource_urls() -> Iterator[str]:
    """Uploaded resources that are on disk (a missing file would stop the whole copy), the
    organisation's logo and the files of public sources."""
    rows = db.session.execute(
        select(Resource, Country)
        .join(Country, Country.id == Resource.country_id)
        .where(Resource.file_name != "")
    )
    for resource, country in rows:
        if resource_on_disk(resource):
            # Frozen-Flask wants paths without the copy's prefix (/fr/ for the French one).
            yield resource_href(country, resource).removeprefix(request.script_root)
    logo = organisation.current().logo_file  # the uploaded logo, in the header of every page
    if logo and uploads.image_exists(logo):
        yield url_for("files.organisation_logo", stored_name=logo).removeprefix(request.script_root)
    yield from source_file_urls()


def source_file_urls() -> Iterator[str]:
    """The files attached to the sources of public versions, whose file is in the storage."""
    sources = db.session.scalars(
        select(Source)
        .join(Version, Version.id == Source.version_id)
        .where(
            Source.file_stored_name.is_not(None),
            Version.state.in_([s.value for s in PUBLIC_STATES]),
        )
        .order_by(Source.id)
    )
    for source in sources:
        if uploads.exists(source.file_stored_name or ""):
            yield source_file_url(source).removeprefix(request.script_root)


def archive_urls() -> Iterator[str]:
    """Archived copies of what public versions cite, whose file is in the storage."""
    from ..models import ArchivedCopy, Version
    from ..services import archiving
    from ..workflow import PUBLIC_STATES

    copies = db.session.scalars(
        select(ArchivedCopy)
        .join(Version, Version.id == ArchivedCopy.version_id)
        .where(Version.state.in_([s.value for s in PUBLIC_STATES]))
        .order_by(ArchivedCopy.id)
    )
    for copy in copies:
        opened = archiving.open_copy(copy)
        if opened is None:
            continue
        if hasattr(opened, "close"):
            opened.close()
        yield url_for("files.archived_copy", copy_id=copy.id).removeprefix(request.script_root)


def static_urls() -> Iterator[tuple[str, dict]]:
    root = Path(resource_dir("static"))
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in {".py", ".pyc"}:
            yield "static", {"filename": path.relative_to(root).as_posix()}


def _root_urls() -> list[str]:
    """Every unprefixed URL the other generators yield (in Frozen-Flask's request context)."""
    urls = [url_for(endpoint, **values) for endpoint, values in public_urls()]
    urls += [url_for(endpoint, **values) for endpoint, values in static_urls()]
    return urls + list(resource_urls()) + list(archive_urls())


def language_copies(languages: list[str]):
    """A generator of the same URLs under each language's prefix, one language after another."""

    def language_urls() -> Iterator[str]:
        root = _root_urls()
        for code in languages:
            for url in root:
                yield f"/{code}{url}"

    return language_urls


def make_freezer(app: Flask, destination: str, languages: list[str] | None = None) -> PublicFreezer:
    """A freezer of the public site; `languages` (default: every one) each get a prefixed tree."""
    app.config.update(
        FREEZER_DESTINATION=str(Path(destination).resolve()),
        # A previous copy's pages stay only if they are still public; nothing else is touched.
        FREEZER_REMOVE_EXTRA_FILES=False,
        FREEZER_REDIRECT_POLICY="error",
    )
    freezer = PublicFreezer(
        app, with_static_files=False, with_no_argument_rules=False, log_url_for=False
    )
    freezer.register_generator(public_urls)
    freezer.register_generator(static_urls)
    freezer.register_generator(resource_urls)
    wanted = app.config["LANGUAGES"] if languages is None else languages
    if wanted:
        freezer.register_generator(language_copies(list(wanted)))
    return freezer


CHUNK = 50  # pages per task: small enough for a smooth progress bar, large enough to be cheap


def freeze_pages(freezer: PublicFreezer, processes: int | None = None) -> Iterator[Page]:
    """Write the pages, every language's tree included, yielding each (url, path) as it is
    written.

    The list of URLs is made once, then the pages are rendered by `processes` forked workers
    (default: one per core), each with its own database connections: a full site of 249 countries
    x 20 indicators is ten thousand pages, and rendering them is all CPU."""
    with warnings.catch_warnings():
        # Staff, sign-in and API endpoints are meant to be left out.
        warnings.simplefilter("ignore", MissingURLGeneratorWarning)
        urls = _unique_urls(freezer)
    freezer.root.mkdir(parents=True, exist_ok=True)
    processes = processes or os.cpu_count() or 1
    chunks = [urls[start : start + CHUNK] for start in range(0, len(urls), CHUNK)]
    # Every page is written once: no HTTP validators, nothing kept for next time (`caching`).
    freezer.app.config["FREEZING"] = True
    try:
        if (
            processes == 1
            or len(chunks) < 2
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            for chunk in chunks:
                yield from _build(freezer, chunk)
        else:
            yield from _build_in_parallel(freezer, chunks, processes)
    finally:
        freezer.app.config["FREEZING"] = False


def page_count(freezer: PublicFreezer) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingURLGeneratorWarning)
        return len(_unique_urls(freezer))


def _build_in_parallel(freezer: PublicFreezer, chunks: list, processes: int) -> Iterator[Page]:
    global _FORKED_FREEZER  # handed to the forked workers, which inherit it
    _FORKED_FREEZER = freezer
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_start_worker) as pool:
        for pages in pool.imap_unordered(_build_in_worker, chunks):
            yield from pages


def _unique_urls(freezer: PublicFreezer) -> list[tuple[str, object]]:
    seen: set[str] = set()
    urls = []
    for url, _endpoint, last_modified in freezer._generate_all_urls():
        if url not in seen:
            seen.add(url)
            urls.append((url, last_modified))
    return urls


def _build(freezer: PublicFreezer, chunk: list[tuple[str, object]]) -> list[Page]:
    return [_build_page(freezer, url, last_modified) for url, last_modified in chunk]


def _build_page(freezer: PublicFreezer, url: str, last_modified: object) -> Page:
    # Its own app context: Flask-Babel keeps the locale on `g`, which a request made inside an
    # outer app context (the command's) shares with every other; /fr/ pages would come out in
    # the language of the first page.
    with freezer.app.app_context():
        return Page(url, freezer._build_one(url, last_modified).relative_to(freezer.root))


_FORKED_FREEZER: PublicFreezer | None = None


def _start_worker() -> None:
    """A forked worker must not use the connections it inherited: they are the parent's."""
    assert _FORKED_FREEZER is not None
    with _FORKED_FREEZER.app.app_context():
        db.engine.dispose(close=False)


def _build_in_worker(chunk: list[tuple[str, object]]) -> list[Page]:
    assert _FORKED_FREEZER is not None
    with _FORKED_FREEZER.app.app_context():
        try:
            return _build(_FORKED_FREEZER, chunk)
        finally:
            db.session.remove()
