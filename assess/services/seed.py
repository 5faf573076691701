"""Reference data: every ISO 3166-1 country with its region, and the default indicator framework.
Idempotent: running it again adds what is missing and changes nothing else."""

import csv
import io
import json
from importlib import resources

import pycountry
from sqlalchemy import select

from ..database import write_transaction
from ..models import Country, Indicator
from . import framework_revisions


def _regions() -> dict[str, str]:
    text = resources.files("assess.data").joinpath("regions.csv").read_text()
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    return {row["iso2"]: row["region"] for row in rows}


def default_indicators() -> list[dict]:
    return json.loads(resources.files("assess.data").joinpath("indicators.json").read_text())


def seed() -> tuple[int, int]:
    """Add missing countries and indicators; return how many of each were added."""
    regions = _regions()
    with write_transaction() as session:
        known = set(session.scalars(select(Country.iso2)))
        countries = [
            Country(
                iso2=c.alpha_2,
                iso3=c.alpha_3,
                numeric=c.numeric,
                name=getattr(c, "common_name", None) or c.name,
                region=regions.get(c.alpha_2, "Other"),
            )
            for c in pycountry.countries
            if c.alpha_2 not in known
        ]
        session.add_all(countries)
        slugs = set(session.scalars(select(Indicator.slug)))
        indicators = [
            Indicator(position=position, **data)
            for position, data in enumerate(default_indicators(), start=1)
            if data["slug"] not in slugs
        ]
        session.add_all(indicators)
        session.flush()
        for indicator in indicators:  # revision 1 of each: the text as seeded
            framework_revisions.in_force(session, indicator)
    return len(countries), len(indicators)
