"""bench/integrity.py on a small size: gunicorn with 4 workers; readers, staff accounts,
reviewers and supervisors all over HTTP; workers killed."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

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
        # The bench's server takes the rest of its settings from the environment; outside debug
        # the app needs to know its host (bench/integrity.py requests 127.0.0.1).
        env={**os.environ, "ASSESS_BENCH_PG_URL": PG_ADMIN, "ASSESS_TRUSTED_HOSTS": "127.0.0.1"},
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
    # The two kills are seen in gunicorn's log, and no other worker died.
    assert result["kills_seen_in_log"] == 2, result
    assert result["dead_workers"] == 0, result["deaths"]
    assert result["unexplained_drops"] == 0


GUNICORN_LOG = """\
[2026-12-01 10:00:00 +0000] [100] [INFO] Starting gunicorn 23.0.0
[2026-12-01 10:00:00 +0000] [101] [INFO] Booting worker with pid: 101
[2026-12-01 10:00:00 +0000] [102] [INFO] Booting worker with pid: 102
--- mark ---
[2026-12-01 10:00:05 +0000] [100] [ERROR] Worker (pid:101) was sent SIGKILL! Perhaps out of memory?
[2026-12-01 10:00:05 +0000] [103] [INFO] Booting worker with pid: 103
Fatal Python error: Segmentation fault
[2026-12-01 10:00:06 +0000] [100] [WARNING] Worker (pid:102) was sent SIGSEGV!
[2026-12-01 10:00:06 +0000] [104] [INFO] Booting worker with pid: 104
[2026-12-01 10:00:07 +0000] [100] [CRITICAL] WORKER TIMEOUT (pid:103)
[2026-12-01 10:00:07 +0000] [100] [ERROR] Worker (pid:103) exited with code 1.
[2026-12-01 10:00:07 +0000] [105] [INFO] Booting worker with pid: 105
"""


def test_dead_workers_are_read_from_the_gunicorn_log(tmp_path):
    sys.path.insert(0, str(SCRIPT.parent))
    from workers import GunicornLog

    path = tmp_path / "gunicorn.log"
    before, after = GUNICORN_LOG.split("--- mark ---\n")
    path.write_text(before)
    log = GunicornLog(path)
    mark = log.wait_for_boot(2, timeout=1)
    assert log.since(mark).count == 0 and log.since(mark).describe() == "none"
    path.write_text(before + after)
    deaths = log.since(mark)
    assert deaths.how == {101: "SIGKILL", 102: "SIGSEGV", 103: "exit 1"}
    assert deaths.respawns == 3 and deaths.count == 3
    assert deaths.crash_lines == ["Fatal Python error: Segmentation fault"]
    # The worker the test killed on purpose is not a failure; the other two are.
    unexpected = deaths.excluding({101})
    assert unexpected.how == {102: "SIGSEGV", 103: "exit 1"} and unexpected.count == 2
    assert "pid 102: SIGSEGV" in unexpected.describe()


def test_a_dropped_connection_is_a_failure_unless_a_worker_was_just_killed():
    sys.path.insert(0, str(SCRIPT.parent))
    from integrity import unexplained_drops

    assert unexplained_drops([100.1, 100.5], [100.0]) == []
    assert unexplained_drops([99.0, 100.1, 150.0], [100.0]) == [99.0, 150.0]
    assert unexplained_drops([5.0], []) == [5.0]


def _checks():
    sys.path.insert(0, str(SCRIPT.parent))
    from integrity_checks import workflow_problems
    from integrity_http import Attempt

    return workflow_problems, Attempt


def test_the_workflow_check_finds_lost_unattempted_and_refused_writes():
    workflow_problems, Attempt = _checks()
    emails = {1: "r@x", 2: "s@x"}

    def event(version, action, actor):
        return SimpleNamespace(object_id=version, action=action, actor_id=actor)

    log = [
        Attempt("r@x", "start", 7, 302),
        Attempt("r@x", "save", 7, 302, "text"),
        Attempt("r@x", "submit", 7, 0),  # no answer: may or may not be stored
        Attempt("s@x", "approve", 7, 302),
        Attempt("r@x", "start", None, 0),  # no answer, no id
    ]
    events = [event(7, "start", 1), event(7, "save", 1), event(7, "approve", 2)]
    events += [event(8, "start", 1)]  # the unanswered start
    assert workflow_problems(log, events, emails) == ([], 0)
    assert workflow_problems(log, [*events, event(7, "submit", 1)], emails) == ([], 0)

    # An acknowledged approval missing from the audit log is lost.
    problems, lost = workflow_problems(log, events[:2] + events[3:], emails)
    assert lost == 1 and "approve" in problems[0]
    # ... and so is one recorded as someone else's.
    problems, lost = workflow_problems(
        log, [*events[:2], event(7, "approve", 1), events[3]], emails
    )
    assert lost == 1 and len(problems) == 2
    # A refused approval (409) must have written nothing.
    refused = [*log, Attempt("s@x", "approve", 9, 409)]
    problems, lost = workflow_problems(refused, [*events, event(9, "approve", 2)], emails)
    assert lost == 0 and problems == [
        "1 approve of version 9 by s@x stored, 0 acknowledged, 0 unanswered"
    ]
    # A refused save-and-submit may have saved; an event nobody tried may not exist.
    combined = [*log, Attempt("r@x", "save", 9, 409, "t", combined=True)]
    assert workflow_problems(combined, [*events, event(9, "save", 1)], emails) == ([], 0)
    problems, _ = workflow_problems(log, [*events, event(10, "start", 1)], emails)
    assert problems == ["2 starts by r@x stored that it did not try"]
