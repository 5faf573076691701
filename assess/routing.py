"""URL converters that refuse what the database cannot hold, so that such a URL is a 404."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# The largest id either database stores (PostgreSQL's BIGINT, SQLite's INTEGER).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` up to MAX_ID: `/files/99999999999999999999/x.pdf` matches no route rather than
    overflowing the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
