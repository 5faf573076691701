"""A published version's citation as a file: BibTeX, RIS or CSL-JSON."""

from flask import abort, current_app

from .. import citations
from ..queries import public as queries
from .countries import _country_or_404, _indicator_or_404


def _shown_version(iso2: str, slug: str, number: int):
    country, indicator = _country_or_404(iso2), _indicator_or_404(slug)
    version = queries.history(country, indicator).number(number)
    if version is None:
        abort(404)
    return country, indicator, version


def citation_file(iso2: str, slug: str, number: int, fmt: str):
    build, mimetype = citations.FORMATS[fmt]
    found = citations.record(*_shown_version(iso2.lower(), slug, number))
    response = current_app.response_class(build(found), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.key}.{fmt}"'
    return response
