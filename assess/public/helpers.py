"""What public templates need beyond the shared filters: names, permalinks, citations, the map."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from babel import Locale, UnknownLocaleError
from flask import current_app, url_for
from flask_babel import format_date, format_decimal, format_number, get_locale
from flask_babel import gettext as _

from .. import maps, organisation
from ..models import Country, Indicator, Status, Version
from ..presentation import absolute_url


def web_link(url: str | None) -> str:
    """A stored address as a link target, if it is a web address: never `javascript:` or the like,
    whoever stored it."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def file_size(size: int | None) -> str:
    """ "120 KB", "3.4 MB": the size of a file as its reader weighs a download."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return _("%(kb)s KB", kb=format_number(max(1, round(size / 1024))))
    return _("%(mb)s MB", mb=format_decimal(round(size / (1024 * 1024), 1)))


def language_name(code: str) -> str:
    """ "ru" -> "Russian", in the reader's language; an unknown code is shown as it is."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(get_locale()) or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def source_lines(version: Version | None) -> str:
    """Sources as text, one a line, for the word diff of the public history."""
    if version is None:
        return ""
    return "\n".join(
        ", ".join(
            str(part)
            for part in (s.publisher, s.title, s.year, s.url, s.file_name, s.file_sha256)
            if part
        )
        for s in version.sources
    )


def map_size() -> tuple[int, int]:
    world = maps.world()
    return world.width, world.height


def count_statuses(statuses: list[str]) -> Counter:
    return Counter(statuses)


def permalink(country: Country, indicator: Indicator, version: Version) -> str:
    path = url_for(
        "public.version", iso2=country.iso2.lower(), slug=indicator.slug, number=version.number
    )
    return absolute_url(path)


def citation_text(country: Country, indicator: Indicator, version: Version) -> str:
    """The "cite this" line: title, organisation, version, date, URL."""
    return _(
        "%(organisation)s. “%(indicator)s: %(country)s”. Version %(number)s, %(date)s. %(url)s",
        organisation=organisation.current().name,
        indicator=current_app.jinja_env.filters["reference_text"](indicator.title),
        country=current_app.jinja_env.filters["country_name"](country.name),
        number=version.number,
        date=format_date(version.published_at, format="long"),
        url=permalink(country, indicator, version),
    )


def citation_values_of(version: Version | None) -> list[tuple]:
    """A published version's citations as comparable values: did they change?"""
    if version is None:
        return []
    return [
        (c.instrument.title, c.instrument.year_adopted, c.provision, c.status_as_of, c.url)
        for c in version.citations
    ]


@dataclass(frozen=True)
class MapCountry:
    shape: maps.Shape | maps.Marker
    country: Country | None
    status: str

    @property
    def is_marker(self) -> bool:
        return isinstance(self.shape, maps.Marker)


def map_entries(countries: list[Country], statuses: dict[int, str]) -> list[MapCountry]:
    """Every shape and marker of the world map with its country (if we know it) and its status."""
    by_numeric = {c.numeric: c for c in countries}
    entries = []
    world = maps.world()
    for shape in world.shapes:
        country = by_numeric.get(shape.numeric)
        status = statuses.get(country.id) if country else None
        entries.append(MapCountry(shape, country, status or Status.NOT_ASSESSED.value))
    # Drawn last, over the shapes: every small country stays findable and clickable.
    for marker in world.markers:
        if (country := by_numeric.get(marker.numeric)) is not None:
            status = statuses.get(country.id) or Status.NOT_ASSESSED.value
            entries.append(MapCountry(marker, country, status))
    return entries


def today() -> datetime:
    """Now, in UTC: the access date of a citation."""
    return datetime.now(UTC)
