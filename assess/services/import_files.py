"""Reading an import file into tables of cells, each row numbered as the spreadsheet numbers it.

A CSV file is one table; a workbook (`.xlsx`, `.ods`, `.xls`, read with python-calamine) has one
table per sheet; JSON has one list per kind. What each table holds (assessments, members, facts,
resources, news) is told by the sheet's name or, failing that, by the columns its first row names.

Row numbers are the spreadsheet's: the header is row 1 (or wherever the first filled row is), a
CSV record whose cell holds a line break is still one row, and blank rows count, as they do on
screen. `csv.DictReader.line_num`, used before, counts the lines where a record ends, so a cell
with a line break in row 2 made every later row look one further down."""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext

from .errors import ValidationError

MAX_ROWS = 20_000
ASSESSMENT = "assessment"
PROFILE_KINDS = ("member", "fact", "resource", "news")
# A sheet (or a JSON list) of this name holds this kind, whatever its columns.
SHEET_NAMES = {
    "assessments": ASSESSMENT,
    "members": "member",
    "facts": "fact",
    "resources": "resource",
    "news": "news",
}
# Other spellings of a column, as people head them in a spreadsheet.
COLUMN_ALIASES = {"date": "published_on", "fact": "text", "organisation": "name"}
# The columns that tell a table's kind when its sheet's name does not, most particular first.
SIGNATURES: list[tuple[str, set[str]]] = [
    (ASSESSMENT, {"country", "indicator", "status"}),
    ("news", {"country", "title", "published_on"}),
    ("resource", {"country", "title"}),
    ("member", {"country", "name"}),
    ("fact", {"country", "text"}),
]
REQUIRED = dict(SIGNATURES)
# The template's lists of codes, for reference: not read, and not reported as left out.
REFERENCE_SHEETS = {"countries", "indicators"}

Row = tuple[int, dict]


@dataclass
class Table:
    kind: str
    sheet: str  # "" for a CSV file or a JSON list
    rows: list[Row] = field(default_factory=list)


@dataclass
class ParsedFile:
    format: str  # csv, xlsx, ods, xls, json
    tables: list[Table] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # sheets that hold no known table

    @property
    def row_count(self) -> int:
        return sum(len(table.rows) for table in self.tables)


def column_name(heading) -> str:
    name = "_".join(cell_text(heading).lower().split())
    return COLUMN_ALIASES.get(name, name)


def cell_text(value) -> str:
    """A cell as the text a person sees in it: 2014, not 2014.0; dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _kind(sheet: str, header: list[str]) -> str | None:
    named = SHEET_NAMES.get(sheet.strip().lower())
    if named is not None:
        if not REQUIRED[named] <= set(header):
            raise ValidationError(
                gettext(
                    "The first filled row of the sheet %(sheet)s must name its columns, "
                    "at least %(columns)s.",
                    sheet=sheet,
                    columns=", ".join(sorted(REQUIRED[named])),
                )
            )
        return named
    return next((kind for kind, needed in SIGNATURES if needed <= set(header)), None)


def _table(sheet: str, grid: list[list]) -> Table | None:
    """The rows under the first filled row of a grid, numbered from 1 at the grid's top."""
    start = next(
        (n for n, cells in enumerate(grid) if any(cell_text(c).strip() for c in cells)), None
    )
    if start is None:
        return None
    header = [column_name(c) for c in grid[start]]
    kind = _kind(sheet, header)
    if kind is None:
        return None
    table = Table(kind, sheet)
    for index in range(start + 1, len(grid)):
        cells = [cell_text(c) for c in grid[index]]
        number = index + 1
        unnamed = [c for i, c in enumerate(cells) if i >= len(header) or not header[i]]
        if any(c.strip() for c in unnamed):
            raise ValidationError(
                gettext("Row %(row)s has more cells than the header.", row=number)
            )
        table.rows.append(
            (
                number,
                {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name},
            )
        )
    return table


def _from_csv(text: str) -> ParsedFile:
    try:
        grid = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValidationError(
            gettext("The CSV is malformed: %(error)s", error=str(error))
        ) from None
    table = _table("", grid)
    if table is None:
        raise ValidationError(
            gettext(
                "This is not an assessment file: the first row must name the columns, "
                "at least country, indicator and status."
            )
        )
    return ParsedFile("csv", [table])


def _workbook_format(data: bytes) -> str | None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.spreadsheet"
            ):
                return "ods"
    except zipfile.BadZipFile:
        return "damaged"
    return "zip"


def _from_workbook(data: bytes, fmt: str) -> ParsedFile:
    from python_calamine import CalamineError, CalamineWorkbook

    if fmt == "damaged":
        raise ValidationError(gettext("The spreadsheet cannot be read: the file is damaged."))
    if fmt == "zip":
        raise ValidationError(
            gettext("This archive is not a spreadsheet: use .xlsx, .ods, CSV or JSON.")
        )
    parsed = ParsedFile(fmt)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for sheet in workbook.sheet_names:
            grid = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            if len(grid) > MAX_ROWS + 1:
                raise ValidationError(gettext("Import at most %(n)s rows at a time.", n=MAX_ROWS))
            table = _table(sheet, grid)
            if table is not None:
                parsed.tables.append(table)
            elif sheet.strip().lower() not in REFERENCE_SHEETS and any(
                any(cell_text(c).strip() for c in row) for row in grid
            ):
                parsed.ignored.append(sheet)
    except (CalamineError, ValueError, OSError) as error:
        if isinstance(error, ValidationError):
            raise
        raise ValidationError(
            gettext("The spreadsheet cannot be read: %(error)s", error=str(error))
        ) from None
    if not parsed.tables:
        raise ValidationError(
            gettext(
                "No sheet of this workbook holds assessments or profile content: the first "
                "filled row of a sheet must name its columns, for assessments at least "
                "country, indicator and status."
            )
        )
    return parsed


def _from_json(text: str) -> ParsedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            gettext("The JSON is malformed: %(error)s", error=str(error))
        ) from None
    lists = {"assessments": data} if isinstance(data, list) else data
    if not isinstance(lists, dict) or not any(name in lists for name in SHEET_NAMES):
        raise ValidationError(
            gettext('The JSON must be a list of assessments, or {"assessments": [...]}.')
        )
    parsed = ParsedFile("json")
    for name, kind in SHEET_NAMES.items():
        items = lists.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValidationError(
                gettext('The JSON must be a list of assessments, or {"assessments": [...]}.')
            )
        rows = [
            (number, {COLUMN_ALIASES.get(key, key): value for key, value in item.items()})
            for number, item in enumerate(items, start=1)
        ]
        parsed.tables.append(Table(kind, name if name != "assessments" else "", rows))
    return parsed


def parse(data: bytes) -> ParsedFile:
    """The file's tables, or a `ValidationError` saying why it cannot be read."""
    fmt = _workbook_format(data)
    if fmt is not None:
        parsed = _from_workbook(data, fmt)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                gettext("The file is neither a spreadsheet (.xlsx, .ods) nor UTF-8 text.")
            ) from None
        if "\x00" in text:
            raise ValidationError(gettext("The file is not a text file."))
        if not text.strip():
            raise ValidationError(gettext("The file is empty."))
        parsed = _from_json(text) if text.lstrip()[0] in "[{" else _from_csv(text)
    if parsed.row_count > MAX_ROWS:
        raise ValidationError(gettext("Import at most %(n)s rows at a time.", n=MAX_ROWS))
    return parsed
