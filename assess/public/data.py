"""Open data: the downloads page, everything published as CSV and JSON (whole, or one country's
or one indicator's), the approved replies as CSV, the data package that describes them, and the
dated releases."""

from flask import abort, current_app, render_template, request

from .. import datapackage, releases
from ..queries import opendata
from ..queries import public as queries

DATA_PREFIXES = ("/data/", "/api/")


def _subset() -> tuple[str | None, str | None]:
    """`?country=kz` and `?indicator=<slug>`; an unknown one is a 404, not the whole file."""
    country = (request.args.get("country") or "").strip() or None
    indicator = (request.args.get("indicator") or "").strip() or None
    if country and queries.country_by_code(country) is None:
        abort(404)
    if indicator and queries.indicator_by_slug(indicator) is None:
        abort(404)
    return country, indicator


def downloads():
    return render_template(
        "public/data.html",
        columns=opendata.CSV_COLUMNS,
        fields=datapackage.FIELDS,
        reply_fields=datapackage.REPLY_FIELDS,
        licence=datapackage.licence(),
        releases=releases.listed(),
        countries=queries.countries(),
        indicators=queries.active_indicators(),
    )


def _download(body: str, mimetype: str, filename: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _name(base: str, country: str | None, indicator: str | None, extension: str) -> str:
    parts = [base] + [p.lower() for p in (country, indicator) if p]
    return "-".join(parts) + "." + extension


def csv_download():
    country, indicator = _subset()
    body = datapackage.table_csv(country, indicator)
    return _download(body, "text/csv", _name("assessments", country, indicator, "csv"))


def replies_csv_download():
    country, indicator = _subset()
    body = datapackage.replies_csv(country, indicator)
    return _download(body, "text/csv", _name("replies", country, indicator, "csv"))


def json_download():
    country, indicator = _subset()
    body = datapackage.document_json(country, indicator)
    return _download(body, "application/json", _name("assessments", country, indicator, "json"))


def datapackage_json():
    response = current_app.response_class(
        datapackage.json_text(datapackage.descriptor()), mimetype="application/json"
    )
    return response


def release_list():
    return render_template("public/releases.html", releases=releases.listed())


def release(name: str):
    found = releases.by_name(name)
    if found is None:
        abort(404)
    return render_template("public/release.html", release=found)


def release_file(name: str, filename: str):
    found = releases.file(name, filename)
    if found is None:
        abort(404)
    return _download(found.content, found.media_type, found.filename)


def open_to_every_origin(response):
    """CORS: the API and the data files may be read by any web page (they are public)."""
    if request.path.startswith(DATA_PREFIXES):
        response.headers["Access-Control-Allow-Origin"] = "*"
        licence = datapackage.licence()
        if licence.get("path"):
            response.headers["Link"] = f'<{licence["path"]}>; rel="license"'
    return response
