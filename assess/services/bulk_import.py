"""Bulk import of assessments and profile content from a spreadsheet (`.xlsx`, `.ods`), CSV or
JSON: a dry run that reports every row's problems, then the valid rows become items submitted for
review, all in one transaction, kept together as one `ImportBatch`.

The importer (an admin, or a reviewer or supervisor for their own countries) is the author and
contributor of every item it creates, so the four-eyes rule still applies: a supervisor who did
not import the file approves them, one by one or the whole batch at once (`import_batches`).

How files are read into tables, and row numbers, is `import_files`'s. A workbook may hold a sheet
per kind: Assessments, Members, Facts, Resources, News (`import_profile.COLUMNS`). Assessment rows
come in these shapes:

1. **The /data/ CSV** (`CSV_COLUMNS`): one row per assessment, with citations flattened as
   `Instrument|year|provision|status_as_of|url|language` and sources as `title|publisher|year|url`,
   several joined by `" ;; "`.
2. **The spreadsheet template** (`template_columns()`): the same first six columns, then one column
   per field: `citation_1_instrument`, `citation_1_year`, … `source_1_title`, … Any number of
   numbered groups is read; the downloadable template has three of each.
3. **JSON**: a list of objects (or `{"assessments": [...]}`) with the keys of the CSV, `citations`
   and `sources` as lists of objects (`instrument`, `year`, `provision`, `status_as_of`, `url`,
   `language`; `title`, `publisher`, `year`, `url`) or of the flattened strings above.

Statuses are read case-insensitively as `yes`, `partial`, `no`, `no_data` / `No Data`,
`not_assessed` / `Not Yet Assessed`. A row whose status and analysis are both empty is skipped.
`analysis_language` is a language code or its English name (empty: English). Countries are
named by code or name, indicators by slug or title (`import_names`). A UTF-8 byte-order mark (as
spreadsheets write it) is accepted.
"""

import csv
import io
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from flask_babel import force_locale, gettext

from ..database import write_transaction
from ..models import ImportBatch, User
from . import audit, profile_content
from .errors import PermissionDenied
from .import_files import ASSESSMENT, ParsedFile, Table, parse
from .import_profile import check_profile_rows
from .import_rows import Places, RowCheck, check_rows
from .import_write import write_rows
from .permissions import can_import

__all__ = ["ImportReport", "check", "check_parsed", "parse", "run", "write"]

CSV_COLUMNS = [
    "country",
    "indicator",
    "status",
    "analysis",
    "analysis_language",
    "analysis_source_title",
    "analysis_source_year",
    "citations",
    "sources",
]
CITATION_FIELDS = ["instrument", "year", "provision", "status_as_of", "url", "language"]
SOURCE_FIELDS = ["title", "publisher", "year", "url"]
LIST_SEPARATOR = " ;; "
FIELD_SEPARATOR = "|"
TEMPLATE_GROUPS = 3

Progress = Callable[[int], None]


def template_columns(groups: int = TEMPLATE_GROUPS) -> list[str]:
    columns = CSV_COLUMNS[:7]
    for n in range(1, groups + 1):
        columns += [f"citation_{n}_{name}" for name in CITATION_FIELDS]
    for n in range(1, groups + 1):
        columns += [f"source_{n}_{name}" for name in SOURCE_FIELDS]
    return columns


def template_csv(rows: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    """The spreadsheet template, with a byte-order mark so that spreadsheets read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = template_columns()
    writer.writerow(columns)
    for country, indicator in rows:
        writer.writerow([country, indicator] + [""] * (len(columns) - 2))
    return "\ufeff" + out.getvalue()


@dataclass
class ImportReport:
    format: str
    rows: list[RowCheck] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # sheets that hold nothing to import
    imported: int = 0
    batch_id: int | None = None

    @property
    def valid(self) -> list[RowCheck]:
        return [r for r in self.rows if not r.problems and not r.skipped]

    @property
    def invalid(self) -> list[RowCheck]:
        return [r for r in self.rows if r.problems]

    @property
    def skipped(self) -> list[RowCheck]:
        return [r for r in self.rows if r.skipped]

    @property
    def sheets(self) -> bool:
        """Whether rows come from more than one table (the report then names each row's)."""
        return len({(r.sheet, r.kind) for r in self.rows}) > 1


def _split(value, names: list[str]) -> list[dict]:
    items = []
    for chunk in str(value or "").split(LIST_SEPARATOR.strip()):
        if not chunk.strip():
            continue
        parts = [p.strip() for p in chunk.split(FIELD_SEPARATOR)]
        parts += [""] * (len(names) - len(parts))
        item = dict(zip(names, parts, strict=False))
        if len(parts) > len(names):
            item["_extra"] = FIELD_SEPARATOR.join(parts[len(names) :])
        items.append(item)
    return items


def _groups(row: dict, prefix: str, names: list[str]) -> list[dict]:
    numbers = sorted(
        {
            int(key.split("_")[1])
            for key in row
            if key.startswith(prefix) and key.split("_")[1].isdigit()
        }
    )
    groups = []
    for n in numbers:
        item = {name: str(row.get(f"{prefix}{n}_{name}") or "").strip() for name in names}
        if any(item.values()):
            groups.append(item)
    return groups


def _items(value, names: list[str]) -> list[dict]:
    """A JSON row's citations or sources: a list of objects or of flattened strings."""
    if isinstance(value, str):
        return _split(value, names)
    if not isinstance(value, list):
        return [{"_extra": "not a list"}] if value else []
    items = []
    for item in value:
        if isinstance(item, str):
            items += _split(item, names)
        elif isinstance(item, dict):
            item = dict(item)
            item.setdefault("instrument", item.get("instrument_title", ""))
            item.setdefault("year", item.get("year_adopted", ""))
            items.append({name: item.get(name) for name in names})
        else:
            items.append({"_extra": "not an object"})
    return items


def _assessment_row(row: dict, fmt: str) -> dict:
    """A row of an assessment table with its citations and sources as lists of fields."""
    row = dict(row)
    if fmt == "json":
        for key in ("country", "indicator"):
            if isinstance(row.get(key), dict):
                row[key] = row[key].get("iso2" if key == "country" else "slug", "")
        source = row.get("analysis_source")
        if isinstance(source, dict):
            row.setdefault("analysis_source_title", source.get("title", ""))
            row.setdefault("analysis_source_year", source.get("year", ""))
        row["citations"] = _items(row.get("citations"), CITATION_FIELDS)
        row["sources"] = _items(row.get("sources"), SOURCE_FIELDS)
    elif "citations" in row or "sources" in row:
        row["citations"] = _split(row.get("citations", ""), CITATION_FIELDS)
        row["sources"] = _split(row.get("sources", ""), SOURCE_FIELDS)
    else:
        row["citations"] = _groups(row, "citation_", CITATION_FIELDS)
        row["sources"] = _groups(row, "source_", SOURCE_FIELDS)
    return row


def _language():
    """Messages in the request's language; outside a request (command line) in the default one."""
    if has_request_context():
        return nullcontext()
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def _check_table(places: Places, table: Table, fmt: str, progress: Progress | None):
    if table.kind == ASSESSMENT:
        rows = [(line, _assessment_row(row, fmt)) for line, row in table.rows]
        return check_rows(places, rows, table.sheet, progress)
    return check_profile_rows(places, table.kind, table.rows, table.sheet, progress)


def check(actor: User, data: bytes, progress: Progress | None = None) -> ImportReport:
    """The dry run: every row checked, nothing written."""
    with _language():
        return check_parsed(actor, parse(data), progress)


def check_parsed(actor: User, parsed: ParsedFile, progress: Progress | None = None) -> ImportReport:
    """`check` of what `parse` returned, for a caller that needed the rows first (to count them)."""
    if not can_import(actor):
        raise PermissionDenied(gettext("Only reviewers, supervisors and admins import."))
    with _language():
        cells = [str(row.get("country") or "") for t in parsed.tables for _, row in t.rows]
        places = Places(actor, cells)
        report = ImportReport(parsed.format, ignored=parsed.ignored)
        for table in parsed.tables:
            report.rows += _check_table(places, table, parsed.format, progress)
        return report


def write(
    actor: User, report: ImportReport, name: str = "", progress: Progress | None = None
) -> ImportReport:
    """Create and submit an item for every valid row of a just-checked report, as one batch in
    one transaction; an assessment opened since the check is a `Conflict` and nothing is
    written."""
    valid = report.valid
    if not valid:
        return report
    assessments = [row for row in valid if row.kind == ASSESSMENT]
    profile = [row for row in valid if row.kind != ASSESSMENT]
    with _language(), write_transaction() as session:
        batch = ImportBatch(
            name=name[:200],
            created_by_id=actor.id,
            assessment_count=len(assessments),
            profile_count=len(profile),
        )
        session.add(batch)
        session.flush()
        imported = write_rows(session, actor, assessments, name, progress, batch.id)
        for row in profile:
            assert row.country_id is not None and row.payload is not None
            profile_content.add_submitted(
                session, actor, row.country_id, row.kind, row.payload, batch.id
            )
        if profile:
            audit.record(
                actor,
                "import_profile_content",
                None,
                details={"file": name, "imported": len(profile), "batch": batch.id},
            )
        report.imported, report.batch_id = imported + len(profile), batch.id
    return report


def run(actor: User, data: bytes, name: str = "", progress: Progress | None = None) -> ImportReport:
    """Check again (the dry run may be long past), then `write`."""
    return write(actor, check(actor, data), name, progress)
