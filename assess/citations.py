"""How to cite one published version: meta tags for Zotero and Google Scholar, the text to copy,
and BibTeX, RIS and CSL-JSON files. The author and publisher are the publishing organisation
(`assess.organisation`: configured, or set at /admin/organisation), never the software."""

import json
import mimetypes
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _

from . import organisation
from .i18n import country_name, reference_text
from .models import Country, Indicator, Version
from .public.helpers import permalink


@dataclass(frozen=True)
class Record:
    title: str
    organisation: str
    published: datetime
    version: int
    url: str
    language: str
    key: str  # a citation key: kz-age-of-consent-v2


def record(country: Country, indicator: Indicator, version: Version) -> Record:
    return Record(
        title=f"{reference_text(indicator.title)}: {country_name(country.name)}",
        organisation=organisation.current().name,
        published=version.published_at,  # type: ignore[arg-type]  # a public version has both
        version=version.number,  # type: ignore[arg-type]
        url=permalink(country, indicator, version),
        language=version.analysis_language or "en",
        key=f"{country.iso2.lower()}-{indicator.slug}-v{version.number}",
    )


def text(found: Record, accessed: date) -> str:
    return _(
        "%(organisation)s (%(year)s). “%(title)s”. Version %(number)s, published %(date)s. "
        "%(url)s (accessed %(accessed)s).",
        organisation=found.organisation,
        year=found.published.year,
        title=found.title,
        number=found.version,
        date=format_date(found.published, format="long"),
        url=found.url,
        accessed=format_date(accessed, format="long"),
    )


def profile_text(country: Country, last_updated: datetime | None, url: str, accessed: date) -> str:
    """The citation of a whole country profile, as it stands."""
    publisher = organisation.current().name
    if last_updated is None:
        return _(
            "%(organisation)s. “%(country)s: country profile”. %(url)s (accessed %(accessed)s).",
            organisation=publisher, country=country_name(country.name), url=url,
            accessed=format_date(accessed, format="long"),
        )  # fmt: skip
    return _(
        "%(organisation)s (%(year)s). “%(country)s: country profile”. Last updated %(date)s. "
        "%(url)s (accessed %(accessed)s).",
        organisation=publisher, year=last_updated.year, country=country_name(country.name),
        date=format_date(last_updated, format="long"), url=url,
        accessed=format_date(accessed, format="long"),
    )  # fmt: skip


def meta_tags(found: Record) -> list[tuple[str, str]]:
    """(name, content) of the Highwire Press tags Google Scholar and Zotero read, and Dublin Core."""
    day = found.published.date()
    return [
        ("citation_title", found.title),
        ("citation_author", found.organisation),
        ("citation_publisher", found.organisation),
        ("citation_publication_date", day.strftime("%Y/%m/%d")),
        ("citation_online_date", day.strftime("%Y/%m/%d")),
        ("citation_public_url", found.url),
        ("citation_technical_report_number", str(found.version)),
        ("citation_language", found.language),
        ("DC.title", found.title),
        ("DC.creator", found.organisation),
        ("DC.publisher", found.organisation),
        ("DC.date", day.isoformat()),
        ("DC.identifier", found.url),
        ("DC.language", found.language),
        ("DC.type", "Text"),
    ]


def _bibtex_escape(value: str) -> str:
    for char, escaped in (("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("%", r"\%"),
                          ("&", r"\&"), ("$", r"\$"), ("#", r"\#"), ("_", r"\_")):  # fmt: skip
        value = value.replace(char, escaped)
    return value


def bibtex(found: Record) -> str:
    fields = {
        "title": _bibtex_escape(found.title),
        "author": "{" + _bibtex_escape(found.organisation) + "}",  # a body, not "Last, First"
        "publisher": _bibtex_escape(found.organisation),
        "year": str(found.published.year),
        "month": found.published.strftime("%b").lower(),
        "date": found.published.date().isoformat(),
        "version": str(found.version),
        "url": found.url,
        "language": found.language,
    }
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@misc{{{found.key},\n{body}\n}}\n"


def ris(found: Record) -> str:
    lines = [
        ("TY", "ELEC"),
        ("TI", found.title),
        ("AU", found.organisation),
        ("PB", found.organisation),
        ("PY", str(found.published.year)),
        ("DA", found.published.strftime("%Y/%m/%d")),
        ("ET", str(found.version)),
        ("UR", found.url),
        ("LA", found.language),
        ("ID", found.key),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def csl_json(found: Record) -> str:
    day = found.published.date()
    item = {
        "id": found.key,
        "type": "webpage",
        "title": found.title,
        "author": [{"literal": found.organisation}],
        "publisher": found.organisation,
        "issued": {"date-parts": [[day.year, day.month, day.day]]},
        "version": str(found.version),
        "URL": found.url,
        "language": found.language,
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


# Not in Python's table: the freezer compares each file's extension with its Content-Type.
mimetypes.add_type("application/x-research-info-systems", ".ris")

FORMATS = {  # extension -> (builder, media type)
    "bib": (bibtex, "text/x-bibtex"),
    "ris": (ris, "application/x-research-info-systems"),
    "json": (csl_json, "application/json"),  # what a static host sends for .json,
}
