"""Pages about the site itself: what each finding means (methodology), and the publishing
organisation's about and contact pages, whose text is set in configuration or by an admin
(`assess.organisation`)."""

import re

from flask import abort, current_app, render_template
from flask_babel import lazy_gettext as _l

from .. import organisation
from ..models import Status
from ..queries import public as queries

# What every finding means, whatever the indicator: shown on the methodology page, on every
# indicator page and linked from every legend.
STATUS_MEANINGS = {
    Status.YES: _l("The law meets the indicator in full, as its rubric describes."),
    Status.PARTIAL: _l(
        "The law meets the indicator in part: some of what the rubric asks is missing or limited."
    ),
    Status.NO: _l("The law does not meet the indicator."),
    Status.NO_DATA: _l(
        "The country was assessed, but no reliable information could be found: not a finding that the law is missing."
    ),
    Status.NOT_ASSESSED: _l(
        "Nobody has assessed this country against the indicator yet, or its assessment was withdrawn: nothing is known either way."
    ),
}


def status_meaning(status: str) -> str:
    return str(STATUS_MEANINGS[Status(status)])


def methodology():
    return render_template("public/methodology.html", indicators=queries.active_indicators())


def organisation_page(name: str):
    """`/about` and `/contact`: Markdown, configured (`ORGANISATION_PAGES`) or set by an admin."""
    text = organisation.current().pages.get(name)
    if not text:
        abort(404)
    return render_template("public/organisation_page.html", name=name, text=text)


def about():
    return organisation_page("about")


def contact():
    return organisation_page("contact")


COLOUR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")
BRAND_VARIABLES = {"brand": "--brand", "brand_dark": "--brand-dark", "focus": "--focus"}


def brand_css():
    """The organisation's colours (`ORGANISATION_COLOURS`, or set by an admin) as a stylesheet:
    the CSP allows no inline style. Only #rgb or #rrggbb values are written."""
    colours = organisation.current().colours
    lines = [
        f"  {variable}: {colours[key]};"
        for key, variable in BRAND_VARIABLES.items()
        if isinstance(colours.get(key), str) and COLOUR.match(colours[key])
    ]
    body = ":root {\n" + "\n".join(lines) + "\n}\n" if lines else "/* default colours */\n"
    return current_app.response_class(body, mimetype="text/css")
