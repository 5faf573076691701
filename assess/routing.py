"""URL converters that never hand the database a number it cannot hold."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# Ids and version numbers are INTEGER columns: PostgreSQL's int4 is the narrowest.
MAX_ID = 2**31 - 1
NO_ROW = 0  # ids and version numbers start at 1: this one names nothing


class IdConverter(IntegerConverter):
    """`<int:…>`: a number past MAX_ID (`/files/99999999999999999999/x.pdf`) names no row, so
    the view answers its own 404 (JSON under /api) instead of the driver overflowing."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else NO_ROW


def register(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
