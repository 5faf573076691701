"""bench/integrity.py on a small size: gunicorn with 4 workers; readers, staff accounts,
reviewers and supervisors all over HTTP; workers killed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "integrity.py"
PG_ADMIN = os.environ.get(
    "ASSESS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_available() -> bool:
    engine = create_engine(PG_ADMIN)
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


# The suite's own backend: SQLite by default, PostgreSQL when the suite runs on it.
DATABASE = "postgresql" if os.environ.get("ASSESS_TEST_DATABASE_URL") else "sqlite"


@pytest.mark.slow
def test_nothing_acknowledged_is_lost_under_load_and_kills():
    database = DATABASE
    if database == "postgresql" and not _postgres_available():
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    # Few readers: on a busy machine the workflow threads need the workers to get as far as
    # approvals within the run.
    command = [sys.executable, str(SCRIPT), "--database", database, "--seconds", "12",
               "--readers", "1", "--accounts", "1", "--json"]  # fmt: skip
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "ASSESS_BENCH_PG_URL": PG_ADMIN},
    )
    output = run.stdout[run.stdout.index("{") :]
    result = json.loads(output)[database]
    assert result["problems"] == [], result
    assert run.returncode == 0, run.stderr[-3000:]
    assert result["lost"] == 0
    assert result["errors"] == 0
    assert "5xx" not in result["responses"]
    assert result["requests"] > 20
    assert result["writes_acknowledged"] > 0
    # The workflow went through the staff pages: drafts started, saved, submitted, approved.
    for action in ("start", "save", "submit", "approve"):
        assert result["workflow_acknowledged"].get(action, 0) > 0, result
    assert result["published"] > 0
    assert len(result["killed_workers"]) == 2
