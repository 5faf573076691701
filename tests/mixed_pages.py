"""Render public pages as mixed traffic does: random countries, page kinds and languages, each URL
new (so every request is a real render, not a stored response). Run as a script by
`tests/test_no_crash.py` in its own process, so that a crash of the interpreter fails the test
instead of ending the test run.

    python tests/mixed_pages.py DATABASE_URL RENDERS SEED
"""

import random
import sys

from sqlalchemy import select

from assess import create_app
from assess.extensions import db
from assess.models import Country, Indicator

LANGUAGES = [
    "en-US,en;q=0.9",
    "fr-FR,fr;q=0.9",
    "es-ES,es;q=0.8",
    "ru-RU,ru;q=0.9",
    "de-DE,en;q=0.5",
]


def main(database_url: str, renders: int, seed: int) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "http://localhost",
        }
    )
    with app.app_context():
        countries = [iso2.lower() for iso2 in db.session.scalars(select(Country.iso2))]
        slugs = list(db.session.scalars(select(Indicator.slug)))
    rng = random.Random(seed)
    client = app.test_client()
    for number in range(renders):
        iso2, slug = rng.choice(countries), rng.choice(slugs)
        path = rng.choice(
            [f"/countries/{iso2}", f"/countries/{iso2}/{slug}", f"/indicators/{slug}"]
        )
        response = client.get(
            f"{path}?n={number}", headers={"Accept-Language": rng.choice(LANGUAGES)}
        )
        if response.status_code != 200:
            sys.exit(f"{path}: {response.status_code}")
    print(f"{renders} renders")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
