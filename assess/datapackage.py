"""Open data a data team can use: the licence, a Frictionless data package describing every file
with its schema, the data dictionary, and subsets by country or indicator.

Built on `opendata` (the records and the CSV rows); this module adds what describes and narrows
them, so the downloads and the dated releases (`releases`) say the same."""

import csv
import io
import json
from datetime import datetime

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import organisation
from .extensions import db
from .models import Country, Fact, Indicator, Member, NewsItem, ReplyRole, Resource, Status
from .public.helpers import absolute_url
from .queries import opendata
from .queries import public as queries

# The data dictionary: every CSV column, its Table Schema type and what it holds.
STATUS_VALUES = [s.value for s in Status]
FIELDS: list[tuple[str, str, object]] = [
    ("country_iso2", "string", _l("ISO 3166-1 alpha-2 code of the country")),
    ("country_iso3", "string", _l("ISO 3166-1 alpha-3 code of the country")),
    ("country_name", "string", _l("The country's name in English (ISO 3166-1)")),
    ("region", "string", _l("The country's region")),
    ("indicator_slug", "string", _l("The indicator's short, stable name")),
    ("indicator_title", "string", _l("The indicator's title")),
    ("status", "string", _l("The current finding: yes, partial, no, no_data or not_assessed")),
    ("status_label", "string", _l("The finding as shown on the site")),
    ("version", "integer", _l("Number of the published version the finding comes from")),
    ("published_at", "datetime", _l("When that version was published (UTC)")),
    ("framework_revision", "integer", _l("Revision of the indicator framework the version was approved under")),
    ("last_updated", "datetime", _l("When anything public about this assessment last changed (UTC)")),
    ("approved_by", "string", _l("Name of the supervisor who approved the version")),
    ("analysis", "string", _l("The analysis, in Markdown")),
    ("analysis_language", "string", _l("Language of the analysis (a language code)")),
    ("analysis_source_title", "string", _l("Title of the analysis the finding rests on")),
    ("analysis_source_year", "integer", _l("Year of that analysis")),
    ("legal_sources", "string", _l("Legal instruments and provisions cited, as text")),
    ("legal_sources_json", "string", _l("The same citations as a JSON array")),
    ("sources", "string", _l("Other sources, as text")),
    ("sources_json", "string", _l("The same sources as a JSON array")),
    ("withdrawn_at", "datetime", _l("When the last published version was withdrawn, if nothing replaced it (UTC)")),
    ("withdrawn_reason", "string", _l("Why it was withdrawn")),
    ("url", "string", _l("The assessment's page")),
]  # fmt: skip
assert [name for name, _type, _text in FIELDS] == opendata.CSV_COLUMNS
_DESCRIBED = {name: text for name, _type, text in FIELDS}

# The replies CSV: one row per approved reply from an organisation.
REPLY_FIELDS: list[tuple[str, str, object]] = [
    ("reply_id", "integer", _l("The reply's number, stable across downloads")),
    ("country_iso2", "string", _DESCRIBED["country_iso2"]),
    ("country_name", "string", _DESCRIBED["country_name"]),
    ("indicator_slug", "string", _DESCRIBED["indicator_slug"]),
    ("indicator_title", "string", _DESCRIBED["indicator_title"]),
    ("organisation", "string", _l("The organisation that replied")),
    ("role", "string", _l("Its role: government, member or other")),
    ("received_on", "date", _l("When the reply was received")),
    ("published_at", "datetime", _l("When the reply was approved and published (UTC)")),
    ("language", "string", _l("Language of the reply (a language code)")),
    ("text", "string", _l("The reply as published, in Markdown")),
    ("source_url", "string", _l("The reply at its source, if given")),
    ("url", "string", _l("The reply on the assessment's page")),
]  # fmt: skip
assert [name for name, _type, _text in REPLY_FIELDS] == opendata.REPLY_CSV_COLUMNS


def licence() -> dict:
    return dict(current_app.config["DATA_LICENCE"])


def _schema(described: list[tuple[str, str, object]], required: set[str], enums: dict) -> list:
    fields = []
    for name, kind, description in described:
        field: dict = {"name": name, "type": kind, "description": str(description)}
        if name in required:
            field["constraints"] = {"required": True}
        if name in enums:
            field["constraints"]["enum"] = enums[name]
        fields.append(field)
    return fields


def table_schema() -> dict:
    required = {"country_iso2", "indicator_slug", "status"}
    fields = _schema(FIELDS, required, {"status": STATUS_VALUES})
    return {"fields": fields, "primaryKey": ["country_iso2", "indicator_slug"]}


def reply_table_schema() -> dict:
    required = {"reply_id", "country_iso2", "indicator_slug", "organisation", "role", "text"}
    fields = _schema(REPLY_FIELDS, required, {"role": [r.value for r in ReplyRole]})
    return {"fields": fields, "primaryKey": ["reply_id"]}


def descriptor(version: str | None = None, created: datetime | None = None) -> dict:
    """The data package: `/data/datapackage.json`, and each release's, with its version."""
    publisher = organisation.current()
    package = {
        "name": "child-protection-law-assessments",
        "title": str(_l("%(organisation)s: child-protection law assessments", organisation=publisher.name)),
        "description": str(_l("Every published assessment of national law against the child-protection indicators, with its history, legal citations and sources.")),
        "homepage": absolute_url(url_for("public.downloads")),
        "licenses": [licence()],
        "contributors": [{"title": publisher.name, "role": "publisher", "path": publisher.url or None}],
        "resources": [
            {
                "name": "assessments-csv",
                "path": "assessments.csv",
                "title": str(_l("One row per country and indicator: the current finding")),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(),
            },
            {
                "name": "assessments-json",
                "path": "assessments.json",
                "title": str(_l("Everything: indicators, countries with their profile content, and each assessment's whole history")),
                "type": "json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
            },
            {
                "name": "replies-csv",
                "path": "replies.csv",
                "title": str(_l("One row per approved reply from an organisation to an assessment")),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": reply_table_schema(),
            },
        ],
    }  # fmt: skip
    contributor: dict = package["contributors"][0]  # type: ignore[index, assignment]
    if not contributor["path"]:
        del contributor["path"]
    if version is not None:
        package["version"] = version
    if created is not None:
        package["created"] = created.isoformat()
    return package


def _profile_content() -> dict[int, dict]:
    """Country id -> its members, facts, resources and news: four statements."""
    content: dict[int, dict] = {}

    def slot(country_id: int) -> dict:
        return content.setdefault(
            country_id, {"members": [], "facts": [], "resources": [], "news": []}
        )

    for m in db.session.scalars(select(Member).order_by(Member.position, Member.id)):
        slot(m.country_id)["members"].append(
            {"name": m.name, "description": m.description, "url": m.url}
        )
    for f in db.session.scalars(select(Fact).order_by(Fact.position, Fact.id)):
        slot(f.country_id)["facts"].append(f.text)
    for r in db.session.scalars(select(Resource).order_by(Resource.position, Resource.id)):
        slot(r.country_id)["resources"].append(
            {"publisher": r.publisher, "title": r.title, "year": r.year, "url": r.url}
        )
    for n in db.session.scalars(
        select(NewsItem).order_by(NewsItem.published_on.desc(), NewsItem.id.desc())
    ):
        slot(n.country_id)["news"].append(
            {"title": n.title, "body": n.body, "url": n.url, "date": n.published_on.isoformat()}
        )
    return content  # fmt: skip


def document(country: str | None = None, indicator: str | None = None) -> dict:
    """The nested JSON with the licence and each country's profile content; narrowed to one
    country (ISO2) and/or one indicator (slug) when asked."""
    data = opendata.dataset()
    data["licence"] = licence()
    data["datapackage"] = absolute_url(url_for("public.datapackage_json"))
    empty: dict[str, list] = {"members": [], "facts": [], "resources": [], "news": []}
    content = _profile_content()
    by_code = {c.iso2: c.id for c in queries.countries()}
    for record in data["countries"]:
        record.update(content.get(by_code.get(record["iso2"], 0), empty))
    if country:
        data["countries"] = [c for c in data["countries"] if c["iso2"] == country.upper()]
    if indicator:
        data["indicators"] = [i for i in data["indicators"] if i["slug"] == indicator]
        for record in data["countries"]:
            record["assessments"] = [
                a for a in record["assessments"] if a["indicator"] == indicator
            ]
    return data


def document_json(country: str | None = None, indicator: str | None = None) -> str:
    return json.dumps(document(country, indicator), ensure_ascii=False, indent=1) + "\n"


def _csv(rows: list[dict], columns: list[str]) -> str:
    """A CSV (UTF-8 with a byte-order mark for spreadsheets)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: opendata._cell(value) for key, value in row.items()})
    return "\ufeff" + out.getvalue()


def table_csv(country: str | None = None, indicator: str | None = None) -> str:
    """The assessments CSV, narrowed when asked."""
    rows = opendata.csv_rows()
    if country:
        rows = [r for r in rows if r["country_iso2"] == country.upper()]
    if indicator:
        rows = [r for r in rows if r["indicator_slug"] == indicator]
    return _csv(rows, opendata.CSV_COLUMNS)


def replies_csv(country: str | None = None, indicator: str | None = None) -> str:
    """The replies CSV, narrowed in the database when asked."""
    conditions = []
    if country:
        conditions.append(Country.iso2 == country.upper())
    if indicator:
        conditions.append(Indicator.slug == indicator)
    return _csv(opendata.reply_csv_rows(*conditions), opendata.REPLY_CSV_COLUMNS)


def json_text(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"
