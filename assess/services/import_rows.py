"""Row checks for `bulk_import`: each assessment row becomes one `VersionContent`, each profile
row one checked payload (`import_profile`), or a list of problems a person can fix in their
spreadsheet. Every row names its country and indicator in words, so that a typo in a code shows."""

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeAlias
from urllib.parse import urlsplit

import pycountry
from babel.lists import format_list
from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from ..extensions import db
from ..i18n import country_name, page_language
from ..models import Assessment, Country, Indicator, User, Version
from ..workflow import OPEN_STATES
from .content import CitationInput, SourceInput, VersionContent, problems
from .import_files import ASSESSMENT
from .import_names import Names
from .permissions import is_admin, is_editor

STATUS_ALIASES = {
    "yes": "yes",
    "partial": "partial",
    "no": "no",
    "no_data": "no_data",
    "nodata": "no_data",
    "not_assessed": "not_assessed",
    "not_yet_assessed": "not_assessed",
}


# What a problem message names the cell by; lazy for citations and sources, since most rows have
# no problem and making the label text costs more than checking the cell.
Label: TypeAlias = str | LazyString


@dataclass
class RowCheck:
    line: int
    country_code: str
    indicator_slug: str = ""
    sheet: str = ""
    kind: str = ASSESSMENT
    country_id: int | None = None
    indicator_id: int | None = None
    country_name: str = ""
    indicator_title: str = ""
    content: VersionContent | None = None
    payload: dict | None = None  # a profile row's checked fields
    problems: list[str] = field(default_factory=list)
    skipped: bool = False


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class _Row:
    """Reads one row's cells, collecting what is wrong with them."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, value, label: Label, limit: int) -> str:
        text = _text(value)
        if len(text) > limit:
            self.problems.append(
                gettext("%(label)s is longer than %(n)s characters.", label=label, n=limit)
            )
        return text

    def year(self, value, label: Label) -> int | None:
        text = _text(value)
        if not text:
            return None
        if text.isdigit() and 1000 <= int(text) <= 2999:
            return int(text)
        self.problems.append(gettext("Bad year %(value)r in %(label)s.", value=text, label=label))
        return None

    def url(self, value, label: Label) -> str:
        text = self.text(value, label, 500)
        if not text:
            return ""
        parts = urlsplit(text)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() for c in text)
        ):
            self.problems.append(
                gettext("Malformed URL %(value)r in %(label)s.", value=text, label=label)
            )
        return text

    def too_many_fields(self, item: dict, label: Label) -> None:
        if item.get("_extra"):
            self.problems.append(gettext("%(label)s has too many fields.", label=label))


def _content(row: dict, cells: _Row) -> VersionContent:
    raw_status = _text(row.get("status"))
    status = STATUS_ALIASES.get(raw_status.lower().replace(" ", "_").replace("-", "_"))
    if status is None:
        cells.problems.append(
            gettext(
                "Invalid status %(value)r: use Yes, Partial, No, No Data or Not Yet Assessed.",
                value=raw_status,
            )
        )
    citations = []
    for n, item in enumerate(row.get("citations") or [], start=1):
        label = lazy_gettext("citation %(n)s", n=n)
        cells.too_many_fields(item, label)
        instrument = cells.text(item.get("instrument"), label, 300)
        if not instrument:
            cells.problems.append(gettext("%(label)s names no instrument.", label=label))
        citations.append(
            CitationInput(
                instrument_title=instrument,
                year_adopted=cells.year(item.get("year"), label),
                provision=cells.text(item.get("provision"), label, 200),
                status_as_of=cells.year(item.get("status_as_of"), label),
                url=cells.url(item.get("url"), label),
                language=cells.text(item.get("language"), label, 8),
            )
        )
    sources = []
    for n, item in enumerate(row.get("sources") or [], start=1):
        label = lazy_gettext("source %(n)s", n=n)
        cells.too_many_fields(item, label)
        title = cells.text(item.get("title"), label, 300)
        if not title:
            cells.problems.append(gettext("%(label)s has no title.", label=label))
        sources.append(
            SourceInput(
                title=title,
                publisher=cells.text(item.get("publisher"), label, 200),
                year=cells.year(item.get("year"), label),
                url=cells.url(item.get("url"), label),
            )
        )
    return VersionContent(
        status=status or "not_assessed",
        analysis=_text(row.get("analysis")),
        analysis_language=analysis_language(row, cells),
        analysis_source_title=cells.text(
            row.get("analysis_source_title"), "analysis_source_title", 300
        ),
        analysis_source_year=cells.year(row.get("analysis_source_year"), "analysis_source_year"),
        citations=citations,
        sources=sources,
    )


# Scripts whose letters tell a language apart from the one a row gives (the common cases).
SCRIPT_OF_LANGUAGE = dict.fromkeys(
    ("ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"), "CYRILLIC"
)
SCRIPT_OF_LANGUAGE |= dict.fromkeys(("ar", "fa", "ur", "ps"), "ARABIC")
SCRIPT_OF_LANGUAGE |= dict.fromkeys(("en", "fr", "es", "pt", "de", "it", "nl"), "LATIN")


def _script(text: str) -> str | None:
    """The script most of the text's letters are written in."""
    scripts = Counter(unicodedata.name(ch, "?").split(" ")[0] for ch in text[:2000] if ch.isalpha())
    return scripts.most_common(1)[0][0] if scripts else None


def analysis_language(row: dict, cells: _Row) -> str:
    """The analysis_language cell as a language code (`ru`), from a code or an English name."""
    raw = _text(row.get("analysis_language"))
    if not raw:
        return "en"
    primary, _, region = raw.replace("_", "-").partition("-")
    try:
        # By code first: looked up loosely, "en" is also the name of another language (Language
        # "En", alpha_3 "enc").
        language = (
            pycountry.languages.get(alpha_2=primary.lower())
            or pycountry.languages.get(alpha_3=primary.lower())
            or pycountry.languages.lookup(primary)
        )
    except LookupError:
        cells.problems.append(
            gettext(
                "Unknown language %(value)r in analysis_language: use a code such as en, fr or ru.",
                value=raw,
            )
        )
        return "en"
    code = getattr(language, "alpha_2", None) or language.alpha_3
    code = f"{code}-{region.upper()}" if region else code
    if len(code) > 8:
        cells.problems.append(
            gettext("%(label)s is longer than %(n)s characters.", label="analysis_language", n=8)
        )
    return code


def _check_script(content: VersionContent, cells: _Row) -> None:
    expected = SCRIPT_OF_LANGUAGE.get(content.analysis_language.split("-")[0])
    found = _script(content.analysis)
    if expected and found in SCRIPT_OF_LANGUAGE.values() and found != expected:
        cells.problems.append(
            gettext(
                "The analysis is not written in the script of its language (%(language)s): "
                "give its language in the analysis_language column.",
                language=content.analysis_language,
            )
        )


def _open_work() -> dict[tuple[int, int], str]:
    """(country id, indicator id) -> who holds an open version of that assessment."""
    rows = db.session.execute(
        select(Assessment.country_id, Assessment.indicator_id, Version.created_by_id)
        .join(Version, Version.assessment_id == Assessment.id)
        .where(Version.state.in_([s.value for s in OPEN_STATES]))
    )
    return {(c, i): str(user_id) for c, i, user_id in rows}


def _listed(items: list[str], style: Literal["or", "standard"] = "or") -> str:
    """'A, B or C' in the reader's language (plain text: the page escapes it)."""
    return format_list(items, style=style, locale=page_language())


def _named(country: Country) -> str:
    return f"{country.iso2} ({country_name(country.name)})"


class Places:
    """Resolves the country cells of every row of a file for one importer, once per file."""

    def __init__(self, actor: User, country_cells: list[str]) -> None:
        self.actor = actor
        self.names = Names(
            list(db.session.scalars(select(Country))), list(db.session.scalars(select(Indicator)))
        )
        self.codes = Counter(
            found.iso2
            for found, _ in (self.names.country(cell) for cell in country_cells)
            if found is not None
        )

    @property
    def country_ids(self) -> set[int]:
        """The countries the file's rows name."""
        return {self.names.by_code[code].id for code in self.codes}

    def country(
        self, result: RowCheck, cell: str, cells: _Row, text: str = "", language: str = "en"
    ) -> Country | None:
        """The row's country, or None with the problem (and the likelier ones) noted."""
        country, in_words = self.names.country(cell)
        if country is None:
            if not cell:
                cells.problems.append(gettext("The country cell is empty."))
                return None
            message = gettext("Unknown country %(code)r.", code=cell)
            likely = self.names.country_suggestions(cell, text, language, self.codes)
            if likely:
                message += " " + gettext(
                    "Did you mean %(countries)s?",
                    countries=_listed([_named(c) for c in likely]),
                )
            cells.problems.append(message)
            return None
        result.country_code, result.country_name = country.iso2, country.name
        likely = [] if in_words else self.names.doubts(country, text, language, self.codes)
        if likely:
            mentioned = self.names.mentioned(text, language)
            if mentioned:
                reason = gettext(
                    "%(code)s is %(country)s, but the analysis speaks of %(others)s.",
                    code=country.iso2, country=country_name(country.name),
                    others=_listed([country_name(c.name) for c in mentioned[:3]], "standard"),
                )  # fmt: skip
            else:
                reason = gettext(
                    "%(code)s (%(country)s) is in this row only; the file's other rows name %(others)s.",
                    code=country.iso2, country=country_name(country.name),
                    others=_listed([_named(c) for c in likely]),
                )  # fmt: skip
            confirm = gettext(
                "If %(country)s is right, write its name instead of the code.",
                country=country_name(country.name),
            )
            suggestion = gettext(
                "Did you mean %(countries)s?", countries=_listed([_named(c) for c in likely])
            )
            cells.problems.append(f"{reason} {suggestion} {confirm}")
        if not (is_admin(self.actor) or is_editor(self.actor, country.id)):
            cells.problems.append(
                gettext(
                    "You cannot import for %(country)s: it is not one of your countries.",
                    country=country_name(country.name),
                )
            )
        return country

    def indicator(self, result: RowCheck, cell: str, cells: _Row) -> Indicator | None:
        indicator = self.names.indicator(cell)
        if indicator is None:
            message = gettext("Unknown indicator %(slug)r.", slug=cell)
            likely = self.names.indicator_suggestions(cell)
            if likely:
                message += " " + gettext(
                    "Did you mean %(indicators)s?",
                    indicators=_listed([f"{i.slug} ({i.title})" for i in likely]),
                )
            cells.problems.append(message)
            return None
        result.indicator_slug, result.indicator_title = indicator.slug, indicator.title
        if indicator.is_retired:
            cells.problems.append(
                gettext("The indicator %(slug)r is retired.", slug=indicator.slug)
            )
        return indicator


def _blank(row: dict, keys: tuple[str, ...]) -> bool:
    return not any(_text(row.get(key)) for key in keys)


def check_rows(
    places: Places,
    rows: list[tuple[int, dict]],
    sheet: str = "",
    progress: Callable[[int], None] | None = None,
) -> list[RowCheck]:
    open_work = _open_work()
    seen: dict[tuple[int, int], int] = {}
    checks = []
    for line, row in rows:
        result = RowCheck(line, _text(row.get("country")), _text(row.get("indicator")), sheet)
        checks.append(result)
        if progress:
            progress(1)
        if _blank(row, ("country", "indicator", "status", "analysis")) or _blank(
            row, ("status", "analysis")
        ):
            result.skipped = True
            continue
        cells = _Row()
        content = _content(row, cells)
        country = places.country(
            result, result.country_code, cells, content.analysis, content.analysis_language
        )
        indicator = places.indicator(result, result.indicator_slug, cells)
        if not cells.problems:
            required = problems(content, for_submission=True)
            cells.problems += [m for key in ("status", "analysis") for m in required.get(key, [])]
            _check_script(content, cells)
        if country and indicator:
            key = (country.id, indicator.id)
            if key in seen:
                cells.problems.append(gettext("Same assessment as row %(n)s.", n=seen[key]))
            seen.setdefault(key, line)
            if key in open_work:
                cells.problems.append(
                    gettext("An open version of this assessment is already in the workflow.")
                )
            result.country_id, result.indicator_id = key
        result.content, result.problems = content, cells.problems
    return checks
