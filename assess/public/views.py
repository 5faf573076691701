from flask import abort, render_template

from .. import queries
from . import bp


@bp.route("/")
def index():
    return render_template("public/index.html", countries=queries.countries())


@bp.route("/countries/<iso2>")
def country(iso2: str):
    found = queries.country_by_code(iso2)
    if found is None:
        abort(404)
    return render_template(
        "public/country.html",
        profile=queries.profile(found),
        withdrawn=queries.withdrawn_notices(found.id),
    )
