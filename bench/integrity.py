"""Integrity under load and faults (issue 5, point 7).

For each database (a fresh one each): gunicorn with 4 workers serves public readers and staff
who sign in, change passwords and sign out over HTTP, while reviewer and supervisor processes
drive the workflow (start, save, submit, approve, request changes) through the service layer on
the same database, all at once. Half-way, one gunicorn worker is killed with SIGKILL.

Afterwards it checks: no 5xx; every acknowledged write is in the database; the audit events
match the acknowledged transitions one for one, and each version's events chain to its state;
each assessment has at most one published version, the one it points at; SQLite's integrity and
foreign-key checks pass. It prints the figures and exits 1 if any check fails.

The workflow goes through the services because the staff editor routes do not exist yet on this
branch; when they do, the drivers can post to them instead (see `drive_workflow`).

    python bench/integrity.py --database sqlite --database postgresql --seconds 30
"""

# A benchmark on the loopback address: fixed bench passwords, non-cryptographic randomness
# for traffic mixes, and a subprocess for gunicorn are all intended.
# ruff: noqa: S105, S311, S603

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from contextlib import suppress
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from integrity_checks import app_for, check  # noqa: E402 (beside this script, not a package)

COUNTRIES = ["KZ", "FR", "BR"]
READ_PATHS = ["/", "/countries/kz", "/countries/fr", "/countries/br", "/auth/login"]
PASSWORD = "bench passphrase number "
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
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


# --- HTTP traffic ------------------------------------------------------------------------


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, one connection per request."""

    def __init__(self, port: int, stats: Counter) -> None:
        self.port, self.stats, self.cookies = port, stats, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        from urllib.parse import urlencode

        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.stats["dropped"] += 1  # the connection died: e.g. its worker was killed
            return 0, ""
        finally:
            connection.close()
        self.stats["requests"] += 1
        self.stats[f"{response.status // 100}xx"] += 1
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "expires=thu, 01 jan 1970" in value.lower() or not cookie_value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        return response.status, text

    def post(self, path: str, form: dict, token_from: str) -> int:
        status, page = self.request("GET", token_from)
        match = CSRF.search(page)
        if not match:
            return 0
        status, _ = self.request("POST", path, {**form, "csrf_token": match.group(1)})
        return status


def read_public(port: int, deadline: float, stats: Counter) -> None:
    browser = Browser(port, stats)
    while time.time() < deadline:
        browser.request("GET", random.choice(READ_PATHS))


def use_account(port: int, email: str, deadline: float, stats: Counter, log: list) -> None:
    """Sign in, look around, sometimes change the password, sign out; log every write's fate."""
    browser, password, generation = Browser(port, stats), PASSWORD + "0", 0
    while time.time() < deadline:
        status = browser.post("/auth/login", {"email": email, "password": password}, "/auth/login")
        log.append((email, "login", status == 302, None))
        if status != 302:
            continue
        browser.request("GET", "/staff/")
        if random.random() < 0.3:
            generation += 1
            new = PASSWORD + str(generation)
            form = {"current": password, "new": new, "confirm": new}
            status = browser.post("/auth/password", form, "/auth/password")
            log.append((email, "change_password", status == 302, new))
            if status == 302:
                password = new
                continue
            # Not acknowledged: it may or may not have happened; find out by signing in.
            password = new if _signs_in(port, email, new) else password
            continue
        status = browser.post("/auth/logout", {}, "/staff/")
        log.append((email, "logout", status == 302, None))


def _signs_in(port: int, email: str, password: str) -> bool:
    probe = Browser(port, Counter())
    return probe.post("/auth/login", {"email": email, "password": password}, "/auth/login") == 302


# --- workflow traffic --------------------------------------------------------------------


def drive_workflow(url: str, email: str, seconds: float, ack_path: str, seed: int, start) -> None:
    """One reviewer or supervisor process: transitions through the services, each logged once
    acknowledged (after its commit)."""
    from sqlalchemy import select

    from assess.extensions import db
    from assess.models import Country, Indicator, User, Version
    from assess.services import assessments
    from assess.services.content import VersionContent
    from assess.services.errors import ServiceError

    rng = random.Random(seed)
    app = app_for(url)
    outcomes: Counter = Counter()
    with app.app_context(), open(ack_path, "a", buffering=1) as acks:
        user = db.session.scalar(select(User).where(User.email == email))
        countries = list(db.session.scalars(select(Country.id).where(Country.iso2.in_(COUNTRIES))))
        indicators = list(db.session.scalars(select(Indicator.id)))[:4]
        supervisor = email.startswith("supervisor")

        def ack(version, action):
            # (version, action): the state after it is checked by each version's event chain;
            # reading it here would reload it, perhaps after another process moved it on.
            acks.write(json.dumps([version.id, action]) + "\n")

        start.wait()  # every process is ready: the clock starts for all at once
        deadline = time.time() + seconds

        while time.time() < deadline:
            try:
                if supervisor:
                    submitted = db.session.scalars(
                        select(Version.id).where(Version.state == "submitted")
                    ).all()
                    db.session.commit()
                    if not submitted:
                        time.sleep(0.01)
                        continue
                    version_id = rng.choice(submitted)
                    if rng.random() < 0.8:
                        ack(assessments.approve(user, version_id), "approve")
                    else:
                        ack(
                            assessments.request_changes(user, version_id, "More."),
                            "request_changes",
                        )
                else:
                    country, indicator = rng.choice(countries), rng.choice(indicators)
                    try:
                        version = assessments.start_draft(user, country, indicator)
                        ack(version, "start")
                    except assessments.DraftExists as held:
                        version = held.version
                    content = VersionContent(
                        status=rng.choice(["yes", "partial", "no"]),
                        analysis=f"Analysis by {email} at {time.time()}",
                        analysis_source_title="Bench",
                        analysis_source_year=2024,
                    )
                    version = assessments.save(user, version.id, content, version.row_version)
                    ack(version, "save")
                    ack(assessments.submit(user, version.id), "submit")
                outcomes["acknowledged"] += 1
            except ServiceError as refusal:
                db.session.rollback()
                outcomes[f"refused: {type(refusal).__name__}"] += 1
            except Exception as error:  # anything else is a failure of the app
                db.session.rollback()
                outcomes[f"ERROR: {type(error).__name__}: {error}"[:200]] += 1
                with open(ack_path + ".errors", "a") as log:
                    log.write(traceback.format_exc())
        db.session.remove()
        db.engine.dispose()
    with open(ack_path + ".outcomes", "a") as out:
        out.write(json.dumps(dict(outcomes)) + "\n")


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
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                   "--log-level", "warning", "wsgi:app"]  # fmt: skip
        with (
            open(f"{folder}/gunicorn.log", "w") as log,
            subprocess.Popen(command, cwd=REPO, env=env, stderr=log) as server,
        ):
            try:
                wait_until_serving(port, server)
                result = _traffic(url, port, server, folder, seconds, readers, reviewers,
                                  supervisors, accounts, kill)  # fmt: skip
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
    ack_path = f"{folder}/acks.jsonl"
    context = multiprocessing.get_context("spawn")
    emails = [f"reviewer{n}@bench.example" for n in range(reviewers)]
    emails += [f"supervisor{n}@bench.example" for n in range(supervisors)]
    start = context.Barrier(len(emails) + 1)
    drivers = [
        context.Process(target=drive_workflow, args=(url, email, seconds, ack_path, n, start))
        for n, email in enumerate(emails)
    ]
    for driver in drivers:
        driver.start()
    start.wait(timeout=120)
    deadline = time.time() + seconds
    threads = [
        threading.Thread(target=read_public, args=(port, deadline, stats)) for _ in range(readers)
    ]
    threads += [
        threading.Thread(
            target=use_account, args=(port, f"staff{n}@bench.example", deadline, stats, account_log)
        )
        for n in range(accounts)
    ]
    for thread in threads:
        thread.start()
    killed = []
    if kill:  # twice, at a third and two thirds of the run, each a random worker
        for _ in range(2):
            time.sleep(seconds / 3)
            workers = worker_pids(server.pid)
            if workers:
                killed.append(random.choice(workers))
                os.kill(killed[-1], signal.SIGKILL)
    for worker in threads + drivers:
        worker.join(timeout=seconds + 120)
    outcomes: Counter = Counter()
    with suppress(FileNotFoundError), open(ack_path + ".outcomes") as lines:
        for line in lines:
            outcomes.update(json.loads(line))
    found = check(url, account_log, ack_path)
    errors = {k: v for k, v in outcomes.items() if k.startswith("ERROR")}
    if stats["5xx"]:
        found["problems"].append(f"{stats['5xx']} responses were 5xx")
    if errors:
        found["problems"].append(f"workflow errors: {errors}; tracebacks in {ack_path}.errors")
    return {
        "requests": stats["requests"],
        "responses": {k: v for k, v in stats.items() if k.endswith("xx")},
        "dropped_connections": stats["dropped"],
        "http_writes_acknowledged": sum(1 for e in account_log if e[2]),
        "http_writes_unacknowledged": sum(1 for e in account_log if not e[2]),
        "workflow_transitions_acknowledged": sum(1 for _ in open(ack_path))
        if os.path.exists(ack_path)
        else 0,
        "workflow_refusals": {k: v for k, v in outcomes.items() if k.startswith("refused")},
        "errors": stats["5xx"] + sum(errors.values()),
        "killed_workers": killed,
        **found,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--reviewers", type=int, default=3)
    parser.add_argument("--supervisors", type=int, default=2)
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
