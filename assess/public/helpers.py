"""What public templates need beyond the shared filters: names, permalinks, citations, the map."""

from collections import Counter
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from flask import Blueprint, current_app, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from .. import maps
from ..diffing import word_diff
from ..language_urls import canonical_path, site_root
from ..models import Country, Indicator, Status, Version


def register(blueprint: Blueprint) -> None:
    # Country names in the page's language come from the app's `country_name` filter (i18n);
    # without one, names are shown as stored.
    blueprint.record_once(
        lambda state: state.app.jinja_env.filters.setdefault("country_name", lambda name: name)
    )
    blueprint.add_app_template_global(public_name)
    blueprint.add_app_template_global(permalink)
    blueprint.add_app_template_global(citation_text)
    blueprint.add_app_template_global(word_diff)
    blueprint.add_app_template_global(citation_rows)
    blueprint.add_app_template_global(map_size)
    blueprint.add_app_template_filter(count_statuses)
    blueprint.add_app_template_filter(language_name)
    blueprint.add_app_template_filter(web_link)
    blueprint.add_app_template_global(source_lines)


def web_link(url: str | None) -> str:
    """A stored address as a link target, if it is a web address: never `javascript:` or the like,
    whoever stored it."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


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
        ", ".join(str(part) for part in (s.publisher, s.title, s.year, s.url) if part)
        for s in version.sources
    )


def map_size() -> tuple[int, int]:
    world = maps.world()
    return world.width, world.height


def count_statuses(statuses: list[str]) -> Counter:
    return Counter(statuses)


def public_name(user) -> str:
    """An approver as the public sees them: their name, never their e-mail address."""
    if user is None or not user.name:
        return _("a supervisor")
    return user.name


def absolute_url(path: str) -> str:
    """`PUBLIC_BASE_URL` + path when configured (a static copy, a proxy), else this request's;
    always the canonical address, without a language prefix."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    base = configured or request.host_url.rstrip("/") + site_root()
    return base.rstrip("/") + canonical_path(path)


def permalink(country: Country, indicator: Indicator, version: Version) -> str:
    path = url_for(
        "public.version", iso2=country.iso2.lower(), slug=indicator.slug, number=version.number
    )
    return absolute_url(path)


def citation_text(country: Country, indicator: Indicator, version: Version) -> str:
    """The "cite this" line: title, organisation, version, date, URL."""
    return _(
        "%(organisation)s. “%(indicator)s: %(country)s”. Version %(number)s, %(date)s. %(url)s",
        organisation=current_app.config["ORGANISATION"],
        indicator=current_app.jinja_env.filters["reference_text"](indicator.title),
        country=current_app.jinja_env.filters["country_name"](country.name),
        number=version.number,
        date=format_date(version.published_at, format="long"),
        url=permalink(country, indicator, version),
    )


def citation_rows(version: Version | None) -> list[tuple]:
    """Citations as comparable rows for `diffing.row_diff`."""
    if version is None:
        return []
    return [
        (c.instrument.title, c.instrument.year_adopted, c.provision, c.status_as_of, c.url)
        for c in version.citations
    ]


@dataclass(frozen=True)
class MapCountry:
    shape: maps.Shape
    country: Country | None
    status: str


def map_entries(countries: list[Country], statuses: dict[int, str]) -> list[MapCountry]:
    """Every shape of the world map with its country (if we know it) and that country's status."""
    by_numeric = {c.numeric: c for c in countries}
    entries = []
    for shape in maps.world().shapes:
        country = by_numeric.get(shape.numeric)
        status = statuses.get(country.id) if country else None
        entries.append(MapCountry(shape, country, status or Status.NOT_ASSESSED.value))
    return entries
