"""Open data: the downloads page, and everything published as CSV and JSON."""

from flask import current_app, render_template

from ..queries import opendata


def downloads():
    return render_template("public/data.html", columns=opendata.CSV_COLUMNS)


def _download(body: str, mimetype: str, filename: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def csv_download():
    # UTF-8 with a byte-order mark, so that spreadsheets open non-Latin text correctly.
    return _download("\ufeff" + opendata.dataset_csv(), "text/csv", "assessments.csv")


def json_download():
    return _download(opendata.dataset_json(), "application/json", "assessments.json")
