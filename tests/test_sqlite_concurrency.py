"""Write transactions on SQLite take the lock at BEGIN, so concurrent workers lose no update."""

import multiprocessing

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Indicator

from .conftest import PG_SERVER, base_config

WORKERS = 4
INCREMENTS = 50


def _increment(uri: str, count: int) -> None:
    from assess import create_app
    from assess.database import write_transaction

    app = create_app(base_config(uri, ""))
    with app.app_context():
        for _ in range(count):
            with write_transaction() as session:
                indicator = session.scalar(
                    select(Indicator).where(Indicator.slug == "age-of-consent")
                )
                value = indicator.position  # read ...
                indicator.position = value + 1  # ... then write, as a service does
        db.engine.dispose()


@pytest.mark.skipif(PG_SERVER is not None, reason="SQLite locking; PostgreSQL uses row locks")
def test_read_then_write_from_several_processes_loses_nothing(app, database_url):
    start = db.session.scalar(select(Indicator.position).where(Indicator.slug == "age-of-consent"))
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_increment, args=(database_url, INCREMENTS)) for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    db.session.rollback()
    end = db.session.scalar(select(Indicator.position).where(Indicator.slug == "age-of-consent"))
    assert end - start == WORKERS * INCREMENTS
