"""Small workbooks made in the test itself: .xlsx with openpyxl, .ods with odfpy (both test-only
dependencies; the app reads them with python-calamine)."""

import io

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook

Sheets = dict[str, list[list]]


def xlsx(sheets: Sheets) -> bytes:
    """A workbook with a sheet per entry, each row written from A1 down (None: an empty cell)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(value) -> TableCell:
    if value is None or value == "":
        return TableCell()
    if isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value)
        cell.addElement(P(text=str(value)))
        return cell
    cell = TableCell(valuetype="string")
    for line in str(value).split("\n"):  # a line break in a cell is a new paragraph in ODF
        cell.addElement(P(text=line))
    return cell


def ods(sheets: Sheets) -> bytes:
    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            table_row = TableRow()
            for value in row or [None]:
                table_row.addElement(_cell(value))
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()
