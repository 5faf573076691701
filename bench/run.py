"""The performance benchmark (issue 6): throughput as a ratio to a hello-world route, latency,
and SQL statements per request, for the public and staff pages; then the bulk import and the
static export at full size. Writes a Markdown report.

    python bench/run.py                          # SQLite, 249 countries x 20 indicators x 3 versions
    python bench/run.py --database postgresql    # the same on PostgreSQL (or both: repeat the option)
    python bench/run.py --scale 1 --indicators 50 --seconds 3
    python bench/run.py --traffic-only --scale 1 --indicators 9 --mixed-seconds 8   # issue 13

Needs `wrk` (Debian: `apt-get install -y wrk`). See bench/README.md for what is measured and how.
"""

# A benchmark on the loopback address: fixed passwords and subprocesses are intended.

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from integrity import free_port, fresh_database, wait_until_serving  # noqa: E402
from integrity_checks import app_for  # noqa: E402
from integrity_http import Browser  # noqa: E402
from measure import Measurement, measure_page, sql_statements  # noqa: E402
from workers import GunicornLog  # noqa: E402

GENERATED_PASSWORD = "generated-user-passphrase"  # noqa: S105 - see assess/services/generate.py
IMPORTER = "importer@bench.example"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    staff: bool = False
    conditional: bool = False  # sent with If-None-Match: the page's current ETag
    public: bool = True


def pages(indicator: str) -> list[Page]:
    return [
        Page("hello-world (reference)", "/hello", public=False),
        Page("public profile", "/countries/kz"),
        Page("indicator page", f"/indicators/{indicator}"),
        Page("assessment page", f"/countries/kz/{indicator}"),
        Page("API: a country", "/api/v1/countries/kz"),
        Page("304 Not Modified (profile)", "/countries/kz", conditional=True),
        Page("CSV download", "/data/assessments.csv"),
        Page("staff: coverage matrix", "/staff/matrix?per_page=250", staff=True, public=False),
        Page("staff: review queue", "/staff/queue/review", staff=True, public=False),
        Page("hello-world (again)", "/hello", public=False),
    ]


# --- the data ------------------------------------------------------------------------------


def fill(url: str, folder: str, scale: int, indicators: int) -> tuple[dict, float, str]:
    """Migrate, seed and generate; returns the row counts, the seconds it took, an indicator slug."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from assess.extensions import db
    from assess.models import Indicator
    from assess.services import generate, seed

    app = app_for(url)
    started = time.perf_counter()
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed.seed()
        generate.add_indicators(indicators)
        counts = generate.generate(scale, seed=1)
        slug = db.session.scalar(select(Indicator.slug).order_by(Indicator.position).limit(1))
        db.engine.dispose()
    return counts, time.perf_counter() - started, slug


def import_file(url: str, path: Path) -> int:
    """Every current published assessment of the generated site, with its citations and sources,
    in the bulk import's JSON format (what a team moving from another system would load)."""
    import json

    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from assess.extensions import db
    from assess.models import Assessment, Citation, Version

    app = app_for(url)
    with app.app_context():
        assessments = db.session.scalars(
            select(Assessment).options(
                selectinload(Assessment.country),
                selectinload(Assessment.indicator),
                selectinload(Assessment.published_version).options(
                    selectinload(Version.citations).selectinload(Citation.instrument),
                    selectinload(Version.sources),
                ),
            )
        ).all()
        rows = [_import_row(a) for a in assessments if a.published_version]
        db.engine.dispose()
    path.write_text(json.dumps(rows))
    return len(rows)


def _import_row(assessment) -> dict:
    version = assessment.published_version
    return {
        "country": assessment.country.iso2,
        "indicator": assessment.indicator.slug,
        "status": version.status,
        "analysis": version.analysis,
        "analysis_source_title": version.analysis_source_title,
        "analysis_source_year": version.analysis_source_year,
        "citations": [
            {
                "instrument": c.instrument.title,
                "year": c.instrument.year_adopted,
                "provision": c.provision,
                "status_as_of": c.status_as_of,
                "url": c.url,
                "language": c.language,
            }
            for c in version.citations
        ],
        "sources": [
            {"title": s.title, "publisher": s.publisher, "year": s.year, "url": s.url}
            for s in version.sources
        ],
    }


def prepare_import(url: str, folder: str, indicators: int) -> None:
    """An empty site with the same framework, and an administrator to import as."""
    from flask_migrate import upgrade

    from assess.extensions import db
    from assess.services import accounts, generate, seed

    app = app_for(url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed.seed()
        generate.add_indicators(indicators)
        accounts.create_user(None, IMPORTER, GENERATED_PASSWORD, "admin", [])
        db.engine.dispose()


# --- the server ----------------------------------------------------------------------------


def environment(url: str, folder: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "ASSESS_SECRET_KEY": secrets.token_hex(32),
        "ASSESS_SESSION_COOKIE_SECURE": "false",
        "ASSESS_REMEMBER_COOKIE_SECURE": "false",
        "ASSESS_INSTANCE_PATH": folder,
        "ASSESS_TRUSTED_HOSTS": "127.0.0.1,localhost",  # outside debug the app needs its hosts
        "PYTHONPATH": str(REPO),
    }


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    worker_class = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    return [
        gunicorn,
        "-w",
        str(workers),
        *worker_class,
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "info",  # worker deaths and re-spawns: `workers.py`
        "bench.app:app",
    ]


def staff_cookie(port: int, email: str) -> str:
    from collections import Counter

    browser = Browser(port, Counter())
    browser.request("GET", "/auth/login")
    if not browser.sign_in(email, GENERATED_PASSWORD):
        raise RuntimeError(f"could not sign in as {email}")
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


# --- one database --------------------------------------------------------------------------


def run(backend: str, args) -> dict:
    folder = tempfile.mkdtemp(prefix=f"assess-perf-{backend}-")
    url, drop = fresh_database(backend, folder)
    import_url, drop_import = fresh_database(backend, folder + "/import")
    Path(folder, "import").mkdir()
    site_url, drop_site = fresh_database(backend, folder + "/site")
    Path(folder, "site").mkdir()
    result: dict = {"backend": backend}
    try:
        print(f"[{backend}] generating data …", flush=True)
        counts, seconds, slug = fill(url, folder, args.scale, args.indicators)
        result["rows"], result["generate_seconds"] = counts, seconds
        _serve_and_measure(url, folder, slug, args, result)
        if args.traffic_only:
            shutil.rmtree(folder, ignore_errors=True)
            return result
        # The goal's site: every country x the indicators, one published version each (as an
        # import of every assessment, once approved, makes it).
        fill(site_url, folder + "/site", 1, args.indicators)
        result["freeze_seconds"], result["frozen_pages"] = _freeze(
            environment(site_url, folder + "/site"), folder
        )
        import_path = Path(folder, "import.json")
        result["import_rows"] = import_file(url, import_path)
        prepare_import(import_url, folder + "/import", args.indicators)
        result["import_seconds"], result["import_output"] = _import(
            environment(import_url, folder + "/import"), import_path
        )
        shutil.rmtree(folder, ignore_errors=True)
        return result
    finally:
        drop()
        drop_import()
        drop_site()


def _serve_and_measure(url: str, folder: str, slug: str, args, result: dict) -> None:
    """One gunicorn for the pages and the realistic traffic; every worker death counted."""
    import traffic

    port = free_port()
    env = environment(url, folder)
    staff = "generated-supervisor-1@example.org"
    with (
        open(f"{folder}/gunicorn.log", "w") as stderr,
        subprocess.Popen(
            gunicorn_command(port, args.workers, args.threads), cwd=REPO, env=env, stderr=stderr
        ) as server,
    ):
        try:
            wait_until_serving(port, server)
            log = GunicornLog(f"{folder}/gunicorn.log")
            booted = log.wait_for_boot(args.workers)
            if not args.traffic_only:
                result["pages"] = _measure_pages(port, log, staff_cookie(port, staff), slug, args)
            countries, slugs = site_paths(url, args.mixed_countries)
            result["traffic"] = traffic.measure(
                port, log, countries, slugs, (staff, GENERATED_PASSWORD), args
            )
            deaths = log.since(booted)
            result["dead_workers"], result["deaths"] = deaths.count, deaths.describe()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def site_paths(url: str, limit: int) -> tuple[list[str], list[str]]:
    """The countries (the first `limit` in a fixed random order, 0 for all) and the indicator
    slugs the realistic traffic picks from."""
    import random

    from sqlalchemy import select

    from assess.extensions import db
    from assess.models import Country, Indicator

    app = app_for(url)
    with app.app_context():
        countries = [c.lower() for c in db.session.scalars(select(Country.iso2))]
        slugs = list(db.session.scalars(select(Indicator.slug).order_by(Indicator.position)))
        db.engine.dispose()
    random.Random(13).shuffle(countries)
    return (countries[:limit] if limit else countries), slugs


def _measure_pages(port: int, log: GunicornLog, cookie: str, slug: str, args) -> list:
    measured: list[Measurement] = []
    for page in pages(slug):
        headers = {"Cookie": cookie} if page.staff else {}
        print(f"  {page.name} …", flush=True)
        mark = log.mark()
        cold, warm, etag = sql_statements(port, page.path, headers)
        if page.conditional:
            headers["If-None-Match"] = etag
        measured.append(
            measure_page(
                page.name, port, page.path, headers, args.seconds, args.connections, cold, warm
            )
        )
        deaths = log.since(mark)
        measured[-1].dead_workers, measured[-1].deaths = deaths.count, deaths.describe()
    return measured


def _timed(command: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout.strip()


def _freeze(env: dict, folder: str) -> tuple[float, int]:
    outdir = Path(folder, "frozen")
    assess = str(Path(sys.executable).parent / "assess")
    seconds, _ = _timed([assess, "freeze", str(outdir)], env)
    return seconds, sum(1 for p in outdir.rglob("*") if p.is_file())


def _import(env: dict, path: Path) -> tuple[float, str]:
    assess = str(Path(sys.executable).parent / "assess")
    command = [assess, "import-assessments", str(path), "--commit", "--as", IMPORTER]
    seconds, output = _timed(command, env)
    return seconds, output.splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--scale", type=int, default=3, help="published versions per assessment")
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5, help="per page")
    parser.add_argument("--connections", type=int, default=2, help="wrk's open connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker: gthread with keep-alive if >1, else sync",
    )
    traffic = parser.add_argument_group("realistic traffic (issue 13)")
    traffic.add_argument("--mixed-seconds", type=float, default=10, help="per traffic row")
    traffic.add_argument("--mixed-connections", type=int, default=8)
    traffic.add_argument("--mixed-threads", type=int, default=2, help="wrk threads")
    traffic.add_argument(
        "--mixed-countries", type=int, default=0, help="countries in the mix (0: every one)"
    )
    traffic.add_argument(
        "--traffic-only",
        action="store_true",
        help="only the realistic traffic: no page table, freeze or import",
    )
    parser.add_argument("--report", default=str(REPO / "bench" / "report.md"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    from report import write_report

    results = [run(backend, args) for backend in args.database or ["sqlite"]]
    text = write_report(results, args)
    Path(args.report).write_text(text)
    print(text)
    failures = [f for result in results for f in failed(result)]
    if failures:  # a dead worker or a reset connection is a failure, not a slow figure
        sys.exit("FAILED: " + "; ".join(failures))


def failed(result: dict) -> list[str]:
    rows = [*result.get("pages", []), *result["traffic"]["rows"]]
    found = [
        f"{result['backend']}, {row.name}: {row.non_2xx} non-2xx, socket errors {row.socket_errors}"
        for row in rows
        if row.non_2xx or any(row.socket_errors.values())
    ]
    if result["dead_workers"]:
        found.append(f"{result['backend']}: dead workers: {result['deaths']}")
    return found


if __name__ == "__main__":
    main()
