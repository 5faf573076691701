"""The link-check benchmark (issue 18, point 5): check every cited link of a full generated site
(every country x 9 indicators, `assess.services.generate`) against a local stand-in for the web,
and report the time, the requests each host received and the most it had in flight at once.

    python bench/links.py                               # 249 countries x 9 indicators, 1 version
    python bench/links.py --countries 40 --hosts 6 --latency 0.005 --host-delay 0.05

The generated site cites two URLs everywhere; they are rewritten so that each citation and
source has its own address on one of `--hosts` local servers (each a "host": one port of
127.0.0.1), the citations of a country all on its country's host as on a national legislation
portal, the sources on one shared host as on an NGO's site. The servers answer with a fixed mix:
most pages 200, some 404, some 301 to a page that works, some too slow (past the checker's
timeout), and some whose content changes between the first and the second pass. Each answer
waits `--latency` seconds, like a far server.

Two passes: the first check of everything, then the periodic re-check (`--all`, as
`assess check-links --all`), after which it reports whether the public revision moved (it must
not when nothing the public pages show changed). Last, the assessment page rendered from scratch
before and after: link checks never run on a request, so its cost must not change.
"""

# A benchmark on the loopback address: non-cryptographic hashing for the answer mix is intended.

import argparse
import statistics
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

# Out of 100, by a hash of the path: 404, 301, too slow, content that changes; the rest 200.
MIX = (("missing", 3), ("moved", 3), ("slow", 1), ("changing", 3))


def kind_of(path: str) -> str:
    bucket = zlib.crc32(path.encode()) % 100
    for kind, share in MIX:
        if bucket < share:
            return kind
        bucket -= share
    return "ok"


class Web:
    """One stand-in host: its counters, and the pass it is in (changing pages change)."""

    def __init__(self, latency: float, slow: float, timeout: float) -> None:
        self.latency, self.slow, self.timeout = latency, slow, timeout
        self.passes = 0
        self.requests = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()


def handler_for(web: Web):
    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True  # else each answer waits ~40 ms for a delayed ACK

        def do_GET(self) -> None:
            with web.lock:
                web.requests += 1
                web.in_flight += 1
                web.most_in_flight = max(web.most_in_flight, web.in_flight)
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                self._done()

        def _done(self) -> None:
            """The request stops counting as in flight once its answer is written (the client
            may send the next one as soon as it has read it)."""
            if not getattr(self, "_counted_out", False):
                self._counted_out = True
                with web.lock:
                    web.in_flight -= 1

        def _answer(self) -> None:
            time.sleep(web.latency)
            if self.path == "/robots.txt":
                return self._reply(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            kind = kind_of(self.path)
            if kind == "missing" and not self.path.startswith("/moved-to/"):
                return self._reply(404, b"<html>Not found</html>")
            if kind == "moved" and not self.path.startswith("/moved-to/"):
                return self._reply(301, b"", location="/moved-to" + self.path)
            if kind == "slow":
                # At the checker's timeout it gives up on this request: from then on it no
                # longer counts as in flight, though the server still works on it (counted out
                # a little before, as the server cannot see the very moment the checker does).
                time.sleep(web.timeout * 0.95)
                self._done()
                time.sleep(max(0.0, web.slow - web.timeout))
            text = (
                f"<html><body>{self.path} {web.passes if kind == 'changing' else ''}</body></html>"
            )
            return self._reply(200, text.encode() + b"x" * 20_000)

        def _reply(self, status, body, content_type="text/html; charset=utf-8", location=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self._done()
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


def serve(
    hosts: int, latency: float, slow: float, timeout: float
) -> list[tuple[int, Web, ThreadingHTTPServer]]:
    served = []
    for _ in range(hosts):
        web = Web(latency, slow, timeout)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(web))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        served.append((server.server_address[1], web, server))
    return served


def build_site(folder: str, countries: int | None):
    from flask_migrate import upgrade

    from assess import create_app
    from assess.extensions import db
    from assess.services import generate, seed

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/links.sqlite",
            "SECRET_KEY_REQUIRED": False,
            "JOBS": "off",
            "UPLOAD_DIR": f"{folder}/files",
            "PUBLIC_STORE": "off",
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed.seed()
        counts = generate.generate(1, countries=countries)
        db.session.commit()
    return app, counts


def point_at(app, ports: list[int]) -> int:
    """Give each citation and source its own URL on the stand-in hosts; returns the count."""
    from sqlalchemy import select, update

    from assess.extensions import db
    from assess.models import Assessment, Citation, Country, Source, Version

    law_ports, shared = ports[:-1] or ports, ports[-1]
    with app.app_context():
        rows = db.session.execute(
            select(Citation.id, Country.iso2)
            .join(Version, Version.id == Citation.version_id)
            .join(Assessment, Assessment.id == Version.assessment_id)
            .join(Country, Country.id == Assessment.country_id)
        ).all()
        citations = [
            {
                "b_id": cid,
                "b_url": f"http://127.0.0.1:{law_ports[zlib.crc32(iso2.encode()) % len(law_ports)]}/{iso2.lower()}/law/{cid}",
            }
            for cid, iso2 in rows
        ]
        sources = [
            {"b_id": sid, "b_url": f"http://127.0.0.1:{shared}/reports/{sid}"}
            for sid in db.session.scalars(select(Source.id))
        ]
        from sqlalchemy import bindparam

        for model, values in ((Citation, citations), (Source, sources)):
            table = model.__table__
            db.session.execute(
                update(table).where(table.c.id == bindparam("b_id")).values(url=bindparam("b_url")),
                values,
            )
        db.session.commit()
        return len(citations) + len(sources)


def check_pass(app, everything: bool) -> tuple[float, Counter, str, str]:
    from assess.extensions import db
    from assess.queries.public import public_revision
    from assess.services import links

    with app.app_context():
        before = public_revision().key
        db.session.commit()
        started = time.perf_counter()
        rows = links.check_due(everything=everything)
        seconds = time.perf_counter() - started
        states = Counter(row.state for row in rows)
        after = public_revision().key
    return seconds, states, before, after


def page_cost(app, path: str, times: int = 15) -> tuple[float, float]:
    """The fastest and the median milliseconds of a render from scratch (every kept piece
    dropped first): the fastest is the least disturbed by whatever else the machine runs."""
    client = app.test_client()
    client.get(path)  # compiles the templates
    spent = []
    for _ in range(times):
        app.extensions["assess_fragments"].clear()
        app.extensions["assess_public_responses"].store.clear()
        started = time.perf_counter()
        answer = client.get(path)
        spent.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return min(spent), statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=int, default=None, help="Only the first N countries.")
    parser.add_argument("--hosts", type=int, default=9, help="Stand-in hosts (the last: sources).")
    parser.add_argument("--latency", type=float, default=0.002, help="Seconds each answer waits.")
    parser.add_argument("--slow", type=float, default=2.0, help="Seconds a too-slow page waits.")
    parser.add_argument("--timeout", type=float, default=1.0, help="The checker's timeout.")
    parser.add_argument(
        "--host-delay",
        type=float,
        default=0.0,
        help="Pause between requests to a host (production: 1 s).",
    )
    parser.add_argument("--hosts-at-once", type=int, default=4, help="Hosts checked in parallel.")
    args = parser.parse_args()

    served = serve(args.hosts, args.latency, args.slow, args.timeout)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app, counts = build_site(folder, args.countries)
        app.config.update(
            LINK_CHECK_TIMEOUT=args.timeout,
            LINK_CHECK_HOST_DELAY=args.host_delay,
            LINK_CHECK_HOSTS_AT_ONCE=args.hosts_at_once,
        )
        urls = point_at(app, [port for port, _, _ in served])
        print(
            f"Site: {counts['assessments']} assessments, {urls} cited links "
            f"({time.perf_counter() - started:.1f} s to build)"
        )
        with app.app_context():
            from sqlalchemy import select

            from assess.extensions import db
            from assess.models import Country, Indicator

            slug = db.session.scalar(select(Indicator.slug).order_by(Indicator.position))
            iso2 = db.session.scalar(select(Country.iso2).order_by(Country.id)).lower()
        path = f"/countries/{iso2}/{slug}"
        before_ms = page_cost(app, path)

        first = check_pass(app, everything=False)
        for _, web, _ in served:
            web.passes += 1
        requests_first = [web.requests for _, web, _ in served]
        second = check_pass(app, everything=True)
        after_ms = page_cost(app, path)

    print()
    print("| pass | seconds | links | ok | changed | broken | blocked | public revision moved |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (seconds, states, before, after) in (
        ("first check", first),
        ("re-check (--all)", second),
    ):
        total = sum(states.values())
        print(
            f"| {name} | {seconds:.1f} | {total} | {states['ok']} | {states['changed']} | "
            f"{states['broken']} | {states['blocked']} | {'yes' if before != after else 'no'} |"
        )
    print()
    print("| host | requests, first pass | requests, both passes | most in flight at once |")
    print("|---|---|---|---|")
    for index, ((port, web, server), first_count) in enumerate(
        zip(served, requests_first, strict=True)
    ):
        role = "sources" if index == len(served) - 1 else "legislation"
        print(
            f"| 127.0.0.1:{port} ({role}) | {first_count} | {web.requests} | {web.most_in_flight} |"
        )
        server.shutdown()
    print()
    print(
        "Assessment page rendered from scratch, fastest and median of 15: "
        f"{before_ms[0]:.1f} and {before_ms[1]:.1f} ms before the checks, "
        f"{after_ms[0]:.1f} and {after_ms[1]:.1f} ms after."
    )


if __name__ == "__main__":
    main()
