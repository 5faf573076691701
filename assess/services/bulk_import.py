"""Bulk import of assessments from CSV or JSON: a dry run that reports every row's problems, then
the valid rows become drafts submitted for review, all in one transaction.

The importer is the contributor of every version it creates, so the four-eyes rule still applies:
a supervisor who did not import the file must approve each one.

Accepted formats (detected from the content):

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
A UTF-8 byte-order mark (as spreadsheets write it) is accepted.
"""

import csv
import io
import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from flask_babel import force_locale, gettext

from ..database import write_transaction
from ..models import User
from .errors import ValidationError
from .import_rows import RowCheck, check_rows
from .import_write import write_rows

CSV_COLUMNS = [
    "country",
    "indicator",
    "status",
    "analysis",
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
MAX_ROWS = 20_000

Progress = Callable[[int], None]


def template_columns(groups: int = TEMPLATE_GROUPS) -> list[str]:
    columns = CSV_COLUMNS[:6]
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
    imported: int = 0

    @property
    def valid(self) -> list[RowCheck]:
        return [r for r in self.rows if not r.problems and not r.skipped]

    @property
    def invalid(self) -> list[RowCheck]:
        return [r for r in self.rows if r.problems]

    @property
    def skipped(self) -> list[RowCheck]:
        return [r for r in self.rows if r.skipped]


def _split(value: str, names: list[str]) -> list[dict]:
    items = []
    for chunk in (value or "").split(LIST_SEPARATOR.strip()):
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
        item = {name: (row.get(f"{prefix}{n}_{name}") or "").strip() for name in names}
        if any(item.values()):
            groups.append(item)
    return groups


def _from_csv(text: str) -> tuple[str, list[tuple[int, dict]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not {"country", "indicator", "status"} <= set(header):
        raise ValidationError(
            gettext(
                "This is not an assessment file: the first row must name the columns, "
                "at least country, indicator and status."
            )
        )
    reader.fieldnames = header
    flat = "citations" in header or "sources" in header
    rows = []
    for record in reader:
        if None in record:
            raise ValidationError(
                gettext("Line %(line)s has more cells than the header.", line=reader.line_num)
            )
        row = {k: (v or "") for k, v in record.items()}
        if flat:
            row["citations"] = _split(row.get("citations", ""), CITATION_FIELDS)
            row["sources"] = _split(row.get("sources", ""), SOURCE_FIELDS)
        else:
            row["citations"] = _groups(row, "citation_", CITATION_FIELDS)
            row["sources"] = _groups(row, "source_", SOURCE_FIELDS)
        rows.append((reader.line_num, row))
    return ("csv" if flat else "template"), rows


def _json_items(value, names: list[str]) -> list[dict]:
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


def _from_json(text: str) -> tuple[str, list[tuple[int, dict]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            gettext("The JSON is malformed: %(error)s", error=str(error))
        ) from None
    if isinstance(data, dict):
        data = data.get("assessments")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValidationError(
            gettext('The JSON must be a list of assessments, or {"assessments": [...]}.')
        )
    rows = []
    for number, item in enumerate(data, start=1):
        row = dict(item)
        for key in ("country", "indicator"):
            if isinstance(row.get(key), dict):
                row[key] = row[key].get("iso2" if key == "country" else "slug", "")
        source = row.get("analysis_source")
        if isinstance(source, dict):
            row.setdefault("analysis_source_title", source.get("title", ""))
            row.setdefault("analysis_source_year", source.get("year", ""))
        row["citations"] = _json_items(row.get("citations"), CITATION_FIELDS)
        row["sources"] = _json_items(row.get("sources"), SOURCE_FIELDS)
        rows.append((number, row))
    return "json", rows


def parse(data: bytes) -> tuple[str, list[tuple[int, dict]]]:
    """(format, [(line or item number, row)]); a `ValidationError` for a malformed file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(gettext("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise ValidationError(gettext("The file is not a text file."))
    if not text.strip():
        raise ValidationError(gettext("The file is empty."))
    try:
        fmt, rows = _from_json(text) if text.lstrip()[0] in "[{" else _from_csv(text)
    except csv.Error as error:
        raise ValidationError(
            gettext("The CSV is malformed: %(error)s", error=str(error))
        ) from None
    if len(rows) > MAX_ROWS:
        raise ValidationError(gettext("Import at most %(n)s rows at a time.", n=MAX_ROWS))
    return fmt, rows


def _language():
    """Messages in the request's language; outside a request (command line) in the default one."""
    if has_request_context():
        return nullcontext()
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def check(actor: User, data: bytes, progress: Progress | None = None) -> ImportReport:
    """The dry run: every row checked, nothing written."""
    with _language():
        return check_parsed(actor, parse(data), progress)


def check_parsed(
    actor: User, parsed: tuple[str, list[tuple[int, dict]]], progress: Progress | None = None
) -> ImportReport:
    """`check` of what `parse` returned, for a caller that needed the rows first (to count them)."""
    with _language():
        fmt, rows = parsed
        return ImportReport(fmt, check_rows(actor, rows, progress))


def write(
    actor: User, report: ImportReport, name: str = "", progress: Progress | None = None
) -> ImportReport:
    """Create and submit a version for every valid row of a just-checked report, in one
    transaction; an assessment opened since the check is a `Conflict` and nothing is written."""
    with _language(), write_transaction() as session:
        report.imported = write_rows(session, actor, report.valid, name, progress)
    return report


def run(actor: User, data: bytes, name: str = "", progress: Progress | None = None) -> ImportReport:
    """Check again (the dry run may be long past), then `write`."""
    return write(actor, check(actor, data), name, progress)
