"""Integrity under load and faults (issue 5, point 7).

For each database (a fresh one each): gunicorn with 4 workers serves, all at once and all over
HTTP, public readers; staff who sign in, change passwords and sign out; reviewers who start,
save and submit drafts through the staff editor; and supervisors who approve or request changes
from their review queue (and now and then try to approve their own work). Each user has its
own cookie session and thread. At a third and at two thirds of the run, a gunicorn worker is
killed with SIGKILL.

Afterwards it checks: no 5xx; no worker died but the two it killed (gunicorn's log: a
`was sent SIG…`, `exited with code`, `WORKER TIMEOUT` or re-spawn beyond those two, see
`workers.py`), and no connection dropped without an answer except at those kills; every
acknowledged write (a 2xx/3xx answer) is in the database, by the user who made it, and every
stored workflow event was at least attempted; the stored analysis is one a save sent; nobody
approved a version they worked on; each version's events chain to its state; each assessment
has at most one published version, the one it points at; SQLite's integrity and foreign-key
checks pass. Refusals (409 conflict, 403 four-eyes, 422) are
counted apart: they are the app saying no, not errors. It prints the figures and exits 1 if
any check fails.

    python bench/integrity.py --database sqlite --database postgresql --seconds 30
"""

# A benchmark on the loopback address: fixed bench passwords, non-cryptographic randomness
# for traffic mixes, and a subprocess for gunicorn are all intended.

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import suppress
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
# Beside this script, not a package:
from integrity_checks import WORKFLOW, app_for, check  # noqa: E402
from integrity_http import (  # noqa: E402
    COUNTRIES,
    DROPPED_AT,
    PASSWORD,
    Browser,
    read_public,
    review,
    supervise,
    use_account,
)
from workers import GunicornLog  # noqa: E402

KILL_GRACE_SECONDS = 2.0  # requests in flight on a killed worker fail within this of the kill

PG_ADMIN = os.environ.get(
    "ASSESS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


# --- the database ------------------------------------------------------------------------


def fresh_database(backend: str, folder: str) -> tuple[str, callable]:
    """A URL for a new empty database, and a function that removes it."""
    if backend == "sqlite":
        return f"sqlite:///{folder}/bench.sqlite", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"assess_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_ADMIN).set(database=name).render_as_string(False), drop


def prepare(url: str, reviewers: int, supervisors: int, accounts: int) -> None:
    from flask_migrate import upgrade

    from assess.extensions import db
    from assess.services import accounts as account_service
    from assess.services import seed

    app = app_for(url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed.seed()
        for role, count in (("reviewer", reviewers), ("supervisor", supervisors)):
            for n in range(count):
                email = f"{role}{n}@bench.example"
                account_service.create_user(None, email, PASSWORD + "0", role, COUNTRIES)
        for n in range(accounts):
            email = f"staff{n}@bench.example"
            account_service.create_user(None, email, PASSWORD + "0", "reviewer", ["KZ"])
        db.engine.dispose()


# --- the run -----------------------------------------------------------------------------


def worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            if Browser(port, Counter()).request("GET", "/")[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def run(
    backend: str,
    seconds: float,
    readers: int,
    reviewers: int,
    supervisors: int,
    accounts: int,
    kill: bool,
) -> dict:
    folder = tempfile.mkdtemp(prefix=f"assess-bench-{backend}-")
    url, drop = fresh_database(backend, folder)
    try:
        prepare(url, reviewers, supervisors, accounts)
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ASSESS_SECRET_KEY": secrets.token_hex(32),
            "ASSESS_SESSION_COOKIE_SECURE": "false",
            "ASSESS_REMEMBER_COOKIE_SECURE": "false",
            "ASSESS_INSTANCE_PATH": folder,
            "ASSESS_TRUSTED_HOSTS": "127.0.0.1,localhost",  # outside debug the app needs its hosts
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                   "--log-level", "info", "wsgi:app"]  # fmt: skip
        with (
            open(f"{folder}/gunicorn.log", "w") as log,
            subprocess.Popen(command, cwd=REPO, env=env, stderr=log) as server,
        ):
            try:
                wait_until_serving(port, server)
                gunicorn_log = GunicornLog(f"{folder}/gunicorn.log")
                booted = gunicorn_log.wait_for_boot(4)
                result = _traffic(url, port, server, folder, seconds, readers, reviewers,
                                  supervisors, accounts, kill)  # fmt: skip
                _check_workers(result, gunicorn_log.since(booted))
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        if not result["problems"]:
            shutil.rmtree(folder, ignore_errors=True)  # kept for inspection when a check failed
        return result
    finally:
        drop()


def _traffic(url, port, server, folder, seconds, readers, reviewers, supervisors, accounts, kill):
    stats: Counter = Counter()
    account_log: list = []
    workflow_log: list = []
    deadline = time.time() + seconds
    rng = random.Random()
    threads = [
        threading.Thread(target=read_public, args=(port, deadline, stats)) for _ in range(readers)
    ]
    for n in range(accounts):
        email = f"staff{n}@bench.example"
        args = (port, email, deadline, stats, account_log, random.Random(rng.random()))
        threads.append(threading.Thread(target=use_account, args=args))
    for role, driver, count in (
        ("reviewer", review, reviewers),
        ("supervisor", supervise, supervisors),
    ):
        for n in range(count):
            args = (port, f"{role}{n}@bench.example", deadline, stats, workflow_log,
                    random.Random(rng.random()))  # fmt: skip
            threads.append(threading.Thread(target=driver, args=args))
    for thread in threads:
        thread.start()
    killed, killed_at = [], []
    DROPPED_AT.clear()
    if kill:  # twice, at a third and two thirds of the run, each a random worker
        for _ in range(2):
            time.sleep(seconds / 3)
            workers = worker_pids(server.pid)
            if workers:
                killed.append(rng.choice(workers))
                killed_at.append(time.time())
                os.kill(killed[-1], signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=seconds + 120)
    found = check(url, account_log, workflow_log)
    if stats["5xx"]:
        found["problems"].append(f"{stats['5xx']} responses were 5xx")
    unexplained = unexplained_drops(DROPPED_AT, killed_at)
    if unexplained:
        found["problems"].append(
            f"{len(unexplained)} connections reset or dropped without an answer, "
            "not at a worker the test killed"
        )
    writes = [(e[2], e[1]) for e in account_log] + [
        (a.acknowledged, a.action) for a in workflow_log
    ]
    return {
        "requests": stats["requests"],
        "responses": {k: v for k, v in stats.items() if k.endswith("xx")},
        "dropped_connections": stats["dropped"],
        "writes_acknowledged": sum(1 for ok, _ in writes if ok),
        "writes_not_acknowledged": sum(1 for ok, _ in writes if not ok),
        "workflow_acknowledged": dict(Counter(a for ok, a in writes if ok and a in WORKFLOW)),
        "refusals": {k.split()[1]: v for k, v in stats.items() if k.startswith("refused")},
        "errors": stats["5xx"],
        "killed_workers": killed,
        "unexplained_drops": len(unexplained),
        **found,
    }


def unexplained_drops(dropped_at: list[float], killed_at: list[float]) -> list[float]:
    """Connections that died without an answer, other than those at a kill of the test's."""
    return [t for t in dropped_at if not any(k <= t <= k + KILL_GRACE_SECONDS for k in killed_at)]


def _check_workers(result: dict, deaths) -> None:
    """Every worker death in gunicorn's log is a failure, but those of the workers it killed."""
    killed = set(result["killed_workers"])
    unexpected = deaths.excluding(killed)
    result["dead_workers"] = unexpected.count
    result["deaths"] = unexpected.describe()
    result["kills_seen_in_log"] = len(killed & set(deaths.how))
    if unexpected.count or unexpected.crash_lines:
        result["problems"].append(f"workers died: {unexpected.describe()}")
    if result["kills_seen_in_log"] != len(killed):
        result["problems"].append(f"the log shows {result['kills_seen_in_log']} of the kills")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=3, help="public readers")
    parser.add_argument(
        "--reviewers", type=int, default=3, help="reviewers starting, saving, submitting"
    )
    parser.add_argument(
        "--supervisors", type=int, default=2, help="supervisors approving, sending back"
    )
    parser.add_argument("--accounts", type=int, default=3, help="staff signing in over HTTP")
    parser.add_argument("--no-kill", dest="kill", action="store_false")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = {}
    for backend in args.database or ["sqlite", "postgresql"]:
        results[backend] = run(backend, args.seconds, args.readers, args.reviewers,
                               args.supervisors, args.accounts, args.kill)  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        for backend, result in results.items():
            print(f"== {backend}")
            for key, value in result.items():
                print(f"  {key}: {value}")
    return 1 if any(r["problems"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
