"""Everything published, as data: the nested JSON document and the flat CSV tables of `/data/`, and
the version and reply records the API serves. Built from public versions only (published,
superseded, retracted) and approved replies; drafts and work in review never reach this module's
queries."""

import csv
import io
import json
from collections import defaultdict
from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload, subqueryload
from sqlalchemy.orm.interfaces import LoaderOption

from .. import organisation
from ..extensions import db
from ..models import Assessment, Citation, Country, Indicator, Reply, Status, Version
from ..presentation import absolute_url, public_name, source_file_url
from ..rendering import instrument_label, status_label
from . import public as queries
from . import talkback


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def citation_record(citation) -> dict:
    return {
        "instrument": citation.instrument.title,
        "year_adopted": citation.instrument.year_adopted,
        "provision": citation.provision,
        "status_as_of": citation.status_as_of,
        "url": citation.url,
        "language": citation.language,
    }


def source_record(source) -> dict:
    """A public source; its uploaded file, if any, with the address to download it from and the
    digest to check the download against (the storage's name for it stays inside)."""
    has_file = bool(source.file_stored_name)
    return {
        "title": source.title,
        "publisher": source.publisher,
        "year": source.year,
        "url": source.url,
        "file_url": absolute_url(source_file_url(source)) if has_file else None,
        "file_name": source.file_name,
        "file_sha256": source.file_sha256,
        "file_size": source.file_size,
        "file_content_type": source.file_content_type,
    }


def version_record(country: Country, indicator: Indicator, version: Version) -> dict:
    """One public version, every public field of it."""
    return {
        "number": version.number,
        "state": version.state,
        "status": version.status,
        "status_label": status_label(version.status),
        "analysis": version.analysis,
        "analysis_language": version.analysis_language,
        "analysis_source": {
            "title": version.analysis_source_title,
            "year": version.analysis_source_year,
        },
        "published_at": iso(version.published_at),
        "framework_revision": version.framework_revision,
        "approved_by": public_name(version.decided_by),
        "retracted_at": iso(version.retracted_at),
        "retraction_reason": version.retraction_reason,
        "citations": [citation_record(c) for c in version.citations],
        "sources": [source_record(s) for s in version.sources],
        "url": absolute_url(
            url_for(
                "public.version",
                iso2=country.iso2.lower(),
                slug=indicator.slug,
                number=version.number,
            )
        ),
    }


def reply_url(country: Country, indicator: Indicator, reply: Reply) -> str:
    """Where the reply stands on the assessment's page (the anchor of its article)."""
    page = url_for("public.assessment", iso2=country.iso2.lower(), slug=indicator.slug)
    return absolute_url(page) + f"#reply-{reply.id}"


def reply_record(country: Country, indicator: Indicator, reply: Reply) -> dict:
    """One approved reply, as published: the organisation's own words, in Markdown."""
    return {
        "id": reply.id,
        "organisation": reply.organisation,
        "role": reply.role,
        "received_on": reply.received_on.isoformat(),
        "published_at": iso(reply.decided_at),
        "language": reply.language,
        "text": reply.text,
        "source_url": reply.url,
        "url": reply_url(country, indicator, reply),
    }


def indicator_record(indicator: Indicator) -> dict:
    return {
        "slug": indicator.slug,
        "title": indicator.title,
        "definition": indicator.definition,
        "rubric": {
            "yes": indicator.rubric_yes,
            "partial": indicator.rubric_partial,
            "no": indicator.rubric_no,
        },
        "position": indicator.position,
        "retired": indicator.is_retired,
        "url": absolute_url(url_for("public.indicator", slug=indicator.slug)),
    }


def country_record(country: Country) -> dict:
    return {
        "iso2": country.iso2,
        "iso3": country.iso3,
        "numeric": country.numeric,
        "name": country.name,
        "region": country.region,
        "url": absolute_url(url_for("public.country", iso2=country.iso2.lower())),
    }


def assessment_record(
    assessment: Assessment, versions: list[Version], replies: list[dict] | None = None
) -> dict:
    """An assessment's current finding, its whole public history (newest first) and the
    approved replies to it."""
    current = assessment.published_version_id
    return {
        "indicator": assessment.indicator.slug,
        "status": next((v.status for v in versions if v.id == current), Status.NOT_ASSESSED.value),
        "current_version": next((v.number for v in versions if v.id == current), None),
        "last_updated": iso(assessment.public_updated_at),
        "url": absolute_url(
            url_for(
                "public.assessment",
                iso2=assessment.country.iso2.lower(),
                slug=assessment.indicator.slug,
            )
        ),
        "versions": [version_record(assessment.country, assessment.indicator, v) for v in versions],
        "replies": replies or [],
    }


def _whole_versions() -> list[LoaderOption]:
    """`queries.version_details` for any number of versions: selectinload sends one statement per
    500 versions (or instruments), subqueryload one per collection, with the instruments joined."""
    return [
        subqueryload(Version.citations).joinedload(Citation.instrument),
        subqueryload(Version.sources),
        selectinload(Version.decided_by),  # a few people: one statement
        selectinload(Version.retracted_by),
    ]


def public_versions(*conditions) -> dict[int, list[Version]]:
    """Assessment id -> its public versions, newest first, loaded whole."""
    grouped: dict[int, list[Version]] = defaultdict(list)
    for version in db.session.scalars(
        select(Version)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .where(Version.state.in_(queries.PUBLIC), *conditions)
        .order_by(Version.assessment_id, Version.number.desc())
        .options(*_whole_versions())
    ):
        grouped[version.assessment_id].append(version)
    return grouped


def published_assessments(*conditions) -> list[tuple[Assessment, list[Version]]]:
    """Assessments that have at least one public version, with those versions."""
    versions = public_versions(*conditions)
    if not versions:
        return []
    assessments = db.session.scalars(
        select(Assessment)
        .where(Assessment.id.in_(list(versions)))
        .options(selectinload(Assessment.country), selectinload(Assessment.indicator))
    )
    ordered = sorted(assessments, key=lambda a: (a.country.name, a.indicator.position))
    return [(a, versions[a.id]) for a in ordered]


def dataset() -> dict:
    """The complete, nested document of everything published."""
    revision = queries.public_revision()
    found = published_assessments()
    replies: dict[int, list[dict]] = defaultdict(list)
    replied: dict[int, Assessment] = {}
    for reply, assessment, country, indicator in talkback.published_replies_everywhere():
        replies[assessment.id].append(reply_record(country, indicator, reply))
        replied[assessment.id] = assessment
    # A reply may answer an assessment with no public version yet ("not assessed"): listed too.
    listed = {assessment.id for assessment, _versions in found}
    found += [(a, []) for a in replied.values() if a.id not in listed]
    found.sort(key=lambda pair: (pair[0].country.name, pair[0].indicator.position))
    by_country: dict[int, list[dict]] = defaultdict(list)
    for assessment, versions in found:
        by_country[assessment.country_id].append(
            assessment_record(assessment, versions, replies.get(assessment.id))
        )
    indicators = db.session.scalars(
        select(Indicator).where(~Indicator.is_proposed).order_by(Indicator.position)
    )
    return {
        "organisation": organisation.current().name,
        "last_modified": iso(revision.last_modified),
        "statuses": {s.value: status_label(s.value) for s in Status},
        "indicators": [indicator_record(i) for i in indicators],
        "countries": [
            {**country_record(c), "assessments": by_country.get(c.id, [])}
            for c in queries.countries()
        ],
    }


def dataset_json() -> str:
    return json.dumps(dataset(), ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = [
    "country_iso2", "country_iso3", "country_name", "region", "indicator_slug", "indicator_title",
    "status", "status_label", "version", "published_at", "framework_revision", "last_updated",
    "approved_by",
    "analysis", "analysis_language", "analysis_source_title", "analysis_source_year",
    "legal_sources", "legal_sources_json", "sources", "sources_json",
    "withdrawn_at", "withdrawn_reason", "url",
]  # fmt: skip
_FORMULA_START = ("=", "+", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) or (text.startswith("-") and text[1:2] not in ("", " ")):
        return "'" + text
    return text


def _legal_sources(version: Version) -> str:
    parts = []
    for c in version.citations:
        text = instrument_label(c.instrument.title, c.instrument.year_adopted, c.status_as_of)
        if c.provision:
            text += f", {c.provision}"
        if c.url:
            text += f" <{c.url}>"
        parts.append(text)
    return "; ".join(parts)


def _file_part(source) -> str:
    if not source.file_stored_name:
        return ""
    return f"file <{absolute_url(source_file_url(source))}> sha256:{source.file_sha256}"


def _sources(version: Version) -> str:
    return "; ".join(
        ", ".join(str(p) for p in (s.publisher, s.title, s.year, s.url, _file_part(s)) if p)
        for s in version.sources
    )


def csv_rows() -> list[dict]:
    """One row per country and indicator: the current finding, flattened."""
    found = {(a.country_id, a.indicator_id): (a, v) for a, v in published_assessments()}
    indicators = queries.active_indicators()
    rows = []
    for country in queries.countries():
        for indicator in indicators:
            assessment, versions = found.get((country.id, indicator.id), (None, []))
            rows.append(_csv_row(country, indicator, assessment, versions))
    return rows


def _csv_row(country, indicator, assessment, versions) -> dict:
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(
        country_iso2=country.iso2, country_iso3=country.iso3, country_name=country.name,
        region=country.region, indicator_slug=indicator.slug, indicator_title=indicator.title,
        status=Status.NOT_ASSESSED.value, status_label=status_label(Status.NOT_ASSESSED.value),
        url=absolute_url(
            url_for("public.assessment", iso2=country.iso2.lower(), slug=indicator.slug)
        ),
    )  # fmt: skip
    if assessment is None:
        return row
    row["last_updated"] = iso(assessment.public_updated_at) or ""
    current = next((v for v in versions if v.id == assessment.published_version_id), None)
    if current is None:
        if versions and versions[0].retracted_at:
            row.update(
                withdrawn_at=iso(versions[0].retracted_at) or "",
                withdrawn_reason=versions[0].retraction_reason,
            )
        return row
    record = version_record(country, indicator, current)
    row.update(
        status=current.status, status_label=record["status_label"], version=current.number,
        published_at=record["published_at"], approved_by=record["approved_by"],
        framework_revision=current.framework_revision,
        analysis=current.analysis, analysis_language=current.analysis_language,
        analysis_source_title=current.analysis_source_title,
        analysis_source_year=current.analysis_source_year,
        legal_sources=_legal_sources(current),
        legal_sources_json=json.dumps(record["citations"], ensure_ascii=False),
        sources=_sources(current),
        sources_json=json.dumps(record["sources"], ensure_ascii=False),
        url=record["url"],
    )  # fmt: skip
    return row


REPLY_CSV_COLUMNS = [
    "reply_id", "country_iso2", "country_name", "indicator_slug", "indicator_title",
    "organisation", "role", "received_on", "published_at", "language", "text", "source_url", "url",
]  # fmt: skip


def reply_csv_rows(*conditions) -> list[dict]:
    """One row per approved reply (of those matching `conditions`)."""
    rows = []
    for reply, _assessment, country, indicator in talkback.published_replies_everywhere(
        *conditions
    ):
        record = reply_record(country, indicator, reply)
        rows.append(
            {
                "reply_id": reply.id,
                "country_iso2": country.iso2,
                "country_name": country.name,
                "indicator_slug": indicator.slug,
                "indicator_title": indicator.title,
                **{key: record[key] for key in REPLY_CSV_COLUMNS[5:]},
            }
        )
    return rows


def dataset_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in csv_rows():
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()
