"""Feeds to follow: `/feed.atom` and `/countries/<iso2>/feed.atom`."""

from flask import abort, current_app, redirect, url_for

from .. import feeds
from ..queries import public as queries

ATOM = "application/atom+xml"


def feed():
    return current_app.response_class(feeds.atom(), mimetype=ATOM)


def country_feed(iso2: str):
    country = queries.country_by_code(iso2)
    if country is None:
        abort(404)
    if iso2 != iso2.lower():
        return redirect(url_for("public.country_feed", iso2=iso2.lower()), 301)
    return current_app.response_class(feeds.atom(country), mimetype=ATOM)
