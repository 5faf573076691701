"""The whole public site as static files (`assess freeze OUTDIR`), byte for byte what the server
answers. Pages are written as `<path>/index.html`, so `/countries/kz` and `/countries/kz/<slug>` can
both exist; any static server that serves a folder's index.html serves the copy."""

import warnings
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from flask_frozen import Freezer, MissingURLGeneratorWarning
from sqlalchemy import select

from .. import queries, resource_dir
from ..extensions import db
from ..models import Country, Resource
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
    yield "api.openapi", {}  # the API itself is dynamic and stays on the server
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


def resource_urls() -> Iterator[str]:
    """Uploaded resources that are on disk (a missing file would stop the whole copy)."""
    rows = db.session.execute(
        select(Resource, Country)
        .join(Country, Country.id == Resource.country_id)
        .where(Resource.file_name != "")
    )
    for resource, country in rows:
        if resource_on_disk(resource):
            yield resource_href(country, resource)


def static_urls() -> Iterator[tuple[str, dict]]:
    root = Path(resource_dir("static"))
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in {".py", ".pyc"}:
            yield "static", {"filename": path.relative_to(root).as_posix()}


def make_freezer(app: Flask, destination: str) -> PublicFreezer:
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
    return freezer


def freeze_pages(freezer: PublicFreezer) -> Iterator:
    """Write the pages one by one, yielding each (url, path) as it is written."""
    with warnings.catch_warnings():
        # Staff, sign-in and API endpoints are meant to be left out.
        warnings.simplefilter("ignore", MissingURLGeneratorWarning)
        yield from freezer.freeze_yield()
