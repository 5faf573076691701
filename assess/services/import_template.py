"""The import template as a workbook: a sheet per kind of row, headed by the columns the import
reads, and two sheets listing the country codes and indicator slugs with their names."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from ..models import Country, Indicator
from .bulk_import import template_columns
from .import_profile import COLUMNS

PROFILE_SHEETS = {"member": "Members", "fact": "Facts", "resource": "Resources", "news": "News"}


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)
    for column, name in zip(sheet.columns, header, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(12, len(name) + 2)


def template_xlsx(
    countries: list[Country], indicators: list[Indicator], prefill: Country | None = None
) -> bytes:
    """The workbook; with `prefill`, the Assessments sheet has a row per indicator of it."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    columns = template_columns()
    rows = [[prefill.iso2, i.slug] for i in indicators] if prefill else []
    _sheet(workbook, "Assessments", columns, rows)
    for kind, title in PROFILE_SHEETS.items():
        header = ["country", *COLUMNS[kind]]
        _sheet(workbook, title, [c if c != "published_on" else "date" for c in header], [])
    _sheet(workbook, "Countries", ["code", "name"], [[c.iso2, c.name] for c in countries])
    _sheet(workbook, "Indicators", ["slug", "title"], [[i.slug, i.title] for i in indicators])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
