"""Realistic traffic for bench/run.py (issue 13): many countries, three kinds of public page, the
`Accept-Language` headers real browsers send, a staff sign-in every second, and cold renders.

Rows, all under the same gunicorn and with the same `wrk` settings (threads, connections, length):

1. hello-world: the reference;
2. `/countries/kz` asked again and again (what the page benchmark measures);
3. mixed: after a warm-up pass over the site (every URL of the mix once in each site language), a
   random country x {profile, assessment page, indicator page} with a random header of
   `ACCEPT_LANGUAGES`, while another thread signs a staff member in (a real login POST with its
   CSRF token) and out again once a second;
4. cold render: the Kazakhstan profile with a query string no one has asked before (a counter),
   so that no stored response can answer.

Beside each throughput ratio: the answers that were not 2xx/3xx, wrk's socket errors (connect,
read, write, timeout), and the workers that died during the row (gunicorn's log, `workers.py`).
"""

# A benchmark on the loopback address: fixed passwords and non-cryptographic randomness intended.

import http.client
import json
import random
import secrets
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from integrity_http import Browser
from integrity_http import field as form_field
from measure import RATE, non_2xx, percentiles, socket_errors
from workers import GunicornLog

# What browsers send: English, French, Spanish and Russian ones the site speaks, regional
# variants, and languages it does not speak (served in English).
ACCEPT_LANGUAGES = [
    "en-US,en;q=0.9",
    "en-GB,en;q=0.8",
    "en",
    "en-US,en;q=0.9,fr;q=0.8",
    "en-AU,en;q=0.9",
    "fr-FR,fr;q=0.9,en;q=0.8",
    "fr-CA",
    "fr-BE,fr;q=0.9",
    "fr",
    "es-ES,es;q=0.9",
    "es-419",
    "es-MX,es;q=0.9,en;q=0.8",
    "es",
    "ru-RU,ru;q=0.9",
    "ru",
    "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7",
    "de-DE,de;q=0.9,en;q=0.5",
    "ar",
    "zh-CN",
    "zh-CN,zh;q=0.9",
    "pt-BR",
    "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7",
    "kk-KZ,kk;q=0.9,ru;q=0.8",
    "ja-JP",
    "*",
]
# The warm-up asks each URL once per site language, with one common header for each.
WARM_UP_HEADERS = [
    "en-US,en;q=0.9",
    "fr-FR,fr;q=0.9,en;q=0.8",
    "es-ES,es;q=0.9",
    "ru-RU,ru;q=0.9",
    "ar",
]


@dataclass
class Row:
    name: str
    what: str
    requests_per_second: float
    busy_p50_ms: float
    busy_p99_ms: float
    non_2xx: int
    socket_errors: dict[str, int]
    dead_workers: int
    deaths: str
    sign_ins: str = ""  # "ok/tried" when staff signed in during the row

    @property
    def socket_error_count(self) -> int:
        return sum(self.socket_errors.values())


@dataclass
class SignIns:
    """A staff member signing in and out once a second, each time in a new browser."""

    port: int
    email: str
    password: str
    tried: int = 0
    succeeded: int = 0
    failures: Counter = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """One sign-in started each second on its own thread, whatever the earlier ones are
        waiting for: a saturated server does not thin them out. All are awaited at the end."""
        started: list[threading.Thread] = []
        lock = threading.Lock()

        def once() -> None:
            outcome = self._once()
            with lock:
                if outcome == "ok":
                    self.succeeded += 1
                else:
                    self.failures[outcome] += 1

        while not self.stop.is_set():
            self.tried += 1
            started.append(threading.Thread(target=once))
            started[-1].start()
            self.stop.wait(1.0)
        for thread in started:
            thread.join(timeout=120)

    def _once(self) -> str:
        browser = Browser(self.port, Counter())
        status = browser.post(
            "/auth/login", {"email": self.email, "password": self.password}, "/auth/login"
        )
        if status != 302:
            return f"sign-in {status}"
        status, page = browser.request("GET", "/staff/")
        token = form_field(page, "csrf_token")
        if status != 200 or token is None:
            return f"staff home {status}"
        status = browser.request("POST", "/auth/logout", {"csrf_token": token})[0]
        return "ok" if status == 302 else f"sign-out {status}"

    def summary(self) -> str:
        failed = ", ".join(f"{n} × {why}" for why, n in self.failures.items())
        return f"{self.succeeded}/{self.tried}" + (f" ({failed})" if failed else "")


def _lua(countries: list[str], slugs: list[str], cold: bool) -> str:
    def table(values: list[str]) -> str:
        return "{" + ", ".join(json.dumps(v) for v in values) + "}"

    run = secrets.token_hex(4)
    if cold:
        body = f"""
counter = 0
function request()
  counter = counter + 1
  return wrk.format("GET", "/countries/kz?cold={run}-" .. id .. "-" .. counter,
                    {{["Accept-Language"] = "en-US,en;q=0.9"}})
end"""
    else:
        body = f"""
local countries = {table(countries)}
local slugs = {table(slugs)}
local languages = {table(ACCEPT_LANGUAGES)}
function request()
  local kind = math.random(3)
  local country = countries[math.random(#countries)]
  local slug = slugs[math.random(#slugs)]
  local path
  if kind == 1 then path = "/countries/" .. country
  elseif kind == 2 then path = "/countries/" .. country .. "/" .. slug
  else path = "/indicators/" .. slug end
  return wrk.format("GET", path, {{["Accept-Language"] = languages[math.random(#languages)]}})
end"""
    return f"""-- generated by bench/traffic.py
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + id * 7919)
end
{body}
"""


def _wrk(port: int, path: str, seconds: float, threads: int, connections: int, script=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
               "--timeout", "10s"]  # fmt: skip
    if script is not None:
        command += ["-s", script]
    command.append(f"http://127.0.0.1:{port}{path}")
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def warm_up(port: int, countries: list[str], slugs: list[str], connections: int) -> int:
    """Every URL of the mix once in each site language; returns the requests sent."""
    paths = [f"/countries/{c}" for c in countries] + [f"/indicators/{s}" for s in slugs]
    paths += [f"/countries/{c}/{s}" for c in countries for s in slugs]
    jobs = [(path, language) for path in paths for language in WARM_UP_HEADERS]
    random.Random(1).shuffle(jobs)

    def get(job) -> int:
        path, language = job
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path, headers={"Accept-Language": language})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=connections) as pool:
        statuses = Counter(pool.map(get, jobs))
    bad = {status: n for status, n in statuses.items() if status != 200}
    if bad:
        raise RuntimeError(f"warm-up: answers other than 200: {bad}")
    return len(jobs)


def measure(port: int, log: GunicornLog, countries, slugs, staff: tuple[str, str], args) -> dict:
    """The four rows, and what the warm-up cost."""
    threads, connections, seconds = args.mixed_threads, args.mixed_connections, args.mixed_seconds
    folder = Path(tempfile.mkdtemp(prefix="assess-traffic-"))
    mixed_script, cold_script = folder / "mixed.lua", folder / "cold.lua"
    mixed_script.write_text(_lua(countries, slugs, cold=False))
    cold_script.write_text(_lua(countries, slugs, cold=True))
    started = time.perf_counter()
    warmed = warm_up(port, countries, slugs, connections)
    warm_seconds = time.perf_counter() - started
    plan = [
        ("hello-world (reference)", "`/hello`", "/hello", None, False),
        ("one page again and again", "`/countries/kz`", "/countries/kz", None, False),
        (
            "mixed, staff signing in",
            f"{len(countries)} countries × {{profile, assessment, indicator}} × "
            f"{len(ACCEPT_LANGUAGES)} Accept-Language",
            "/",
            mixed_script,
            True,
        ),
        ("cold render", "`/countries/kz?cold=<counter>`", "/", cold_script, False),
    ]
    rows = []
    for name, what, path, script, signing in plan:
        print(f"  traffic: {name} …", flush=True)
        mark = log.mark()
        signer = SignIns(port, *staff) if signing else None
        thread = threading.Thread(target=signer.run) if signer else None
        if thread:
            thread.start()
        try:
            output = _wrk(port, path, seconds, threads, connections, script and str(script))
        finally:
            if signer:
                signer.stop.set()
                thread.join(timeout=150)
        deaths = log.since(mark)
        latency = percentiles(output)
        rows.append(
            Row(
                name=name,
                what=what,
                requests_per_second=float(RATE.search(output).group(1)),
                busy_p50_ms=latency.get(50, float("nan")),
                busy_p99_ms=latency.get(99, float("nan")),
                non_2xx=non_2xx(output),
                socket_errors=socket_errors(output),
                dead_workers=deaths.count,
                deaths=deaths.describe(),
                sign_ins=signer.summary() if signer else "",
            )
        )
    return {"rows": rows, "warm_up_requests": warmed, "warm_up_seconds": warm_seconds}
