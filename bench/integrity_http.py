"""The HTTP traffic of bench/integrity.py: a small browser, public readers, staff accounts, and
reviewers and supervisors driving the workflow through the staff pages.

Every write is logged with its fate: acknowledged (a 2xx/3xx answer), refused (a 4xx answer the
app gives on purpose: 409 conflict, 403 four-eyes, 422 invalid), or dropped (no answer, e.g.
its worker was killed). Only acknowledged writes must be in the database afterwards; a refused
or dropped one may or may not be (a save-and-submit can save, then be refused the submit)."""

# A benchmark on the loopback address: fixed bench passwords and non-cryptographic randomness
# for traffic mixes are intended.
# ruff: noqa: S105

import http.client
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

COUNTRIES = ["KZ", "FR", "BR"]
INDICATORS_IN_PLAY = 4  # few, so that reviewers meet on the same assessments
READ_PATHS = ["/", "/countries/kz", "/countries/fr", "/countries/br", "/auth/login"]
PASSWORD = "bench passphrase number "
_INPUT = re.compile(r"<input\b[^>]*>")
_VALUE = re.compile(r'value="([^"]*)"')
_ROW = re.compile(r'<tr id="ind-([\w-]+)">(.*?)</tr>', re.S)
_OPEN = re.compile(r'class="button[^"]*" href="/staff/versions/(\d+)"')
_QUEUED = re.compile(r'href="/staff/versions/(\d+)"')
_LOCK = threading.Lock()
DROPPED_AT: list[float] = []  # when each connection died without an answer (time.time())


def field(page: str, name: str) -> str | None:
    """The value of the first <input name=...> on the page, whatever the attribute order."""
    for tag in _INPUT.findall(page):
        if f'name="{name}"' in tag:
            value = _VALUE.search(tag)
            return value.group(1) if value else ""
    return None


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, one connection per request."""

    def __init__(self, port: int, stats: Counter) -> None:
        self.port, self.stats, self.cookies, self.location = port, stats, {}, ""

    def count(self, key: str) -> None:
        with _LOCK:
            self.stats[key] += 1

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
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
            self.count("dropped")  # the connection died: e.g. its worker was killed
            with _LOCK:
                DROPPED_AT.append(time.time())
            return 0, ""
        finally:
            connection.close()
        self.count("requests")
        self.count(f"{response.status // 100}xx")
        self.location = response.getheader("Location") or ""
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
        _status, page = self.request("GET", token_from)
        token = field(page, "csrf_token")
        if token is None:
            return 0
        return self.request("POST", path, {**form, "csrf_token": token})[0]

    def sign_in(self, email: str, password: str = PASSWORD + "0") -> bool:
        return (
            self.post("/auth/login", {"email": email, "password": password}, "/auth/login") == 302
        )


def acknowledged(status: int) -> bool:
    return 200 <= status < 400


# --- public readers and staff accounts ---------------------------------------------------


def read_public(port: int, deadline: float, stats: Counter) -> None:
    browser = Browser(port, stats)
    while time.time() < deadline:
        browser.request("GET", READ_PATHS[int(time.time() * 1000) % len(READ_PATHS)])


def use_account(port: int, email: str, deadline: float, stats: Counter, log: list, rng) -> None:
    """Sign in, look around, sometimes change the password, sign out; log every write's fate."""
    browser, password, generation = Browser(port, stats), PASSWORD + "0", 0
    while time.time() < deadline:
        status = browser.post("/auth/login", {"email": email, "password": password}, "/auth/login")
        log.append((email, "login", status == 302, None))
        if status != 302:
            continue
        browser.request("GET", "/staff/")
        if rng.random() < 0.3:
            generation += 1
            new = PASSWORD + str(generation)
            form = {"current": password, "new": new, "confirm": new}
            status = browser.post("/auth/password", form, "/auth/password")
            log.append((email, "change_password", status == 302, new))
            if status == 302:
                password = new
                continue
            # Not acknowledged: it may or may not have happened; find out by signing in.
            password = new if Browser(port, Counter()).sign_in(email, new) else password
            continue
        status = browser.post("/auth/logout", {}, "/staff/")
        log.append((email, "logout", status == 302, None))


# --- the workflow through the staff pages ------------------------------------------------


@dataclass
class Attempt:
    """One workflow write over HTTP. `version` is None for a start that got no answer."""

    email: str
    action: str
    version: int | None
    status: int
    text: str | None = None  # the analysis a save sent
    combined: bool = False  # one of the two writes of a "save and submit"

    @property
    def acknowledged(self) -> bool:
        return acknowledged(self.status)

    @property
    def may_have_written(self) -> bool:
        """No answer, or a refused save-and-submit (it may have saved, then been refused the
        submit). Any other refusal must have written nothing."""
        return self.status == 0 or (self.combined and not self.acknowledged)


class Staff:
    """A reviewer or supervisor with its own cookie session."""

    def __init__(self, port: int, email: str, stats: Counter, log: list, rng) -> None:
        self.browser, self.email, self.stats, self.log, self.rng = (
            Browser(port, stats),
            email,
            stats,
            log,
            rng,
        )
        self.saves = 0

    def record(self, action: str, version: int | None, status: int, text=None, combined=False):
        if status == 302 and "/auth/login" in self.browser.location:
            status = 401  # signed out: refused, not acknowledged
        self.log.append(Attempt(self.email, action, version, status, text, combined))
        if 400 <= status < 500 and not (combined and action == "submit"):  # one per answer
            self.browser.count(f"refused {status}")

    def ensure_signed_in(self, page_status: int) -> bool:
        if page_status == 302 and "/auth/login" in self.browser.location:
            return self.browser.sign_in(self.email)
        return page_status == 200

    def open_or_start(self) -> int | None:
        """A version to work on: the open one of a random assessment, or a new draft of it."""
        iso2 = self.rng.choice(COUNTRIES).lower()
        path = f"/staff/countries/{iso2}"
        status, page = self.browser.request("GET", path)
        if not self.ensure_signed_in(status):
            return None
        rows = _ROW.findall(page)[:INDICATORS_IN_PLAY]
        if not rows:
            return None
        slug, row = self.rng.choice(rows)
        if found := _OPEN.search(row):
            return int(found.group(1))
        token = field(page, "csrf_token")
        if token is None:
            return None
        start = f"/staff/countries/{iso2}/{slug}/start"
        status = self.browser.request("POST", start, {"csrf_token": token})[0]
        found = re.search(r"/staff/versions/(\d+)$", self.browser.location)
        version = int(found.group(1)) if status == 302 and found else None
        self.record("start", version, status)
        return version

    def edit_and_submit(self, version: int) -> bool:
        """Save new content, then submit: as two posts, or one "save and submit". True when
        the submit was acknowledged."""
        status, page = self.browser.request("GET", f"/staff/versions/{version}")
        row_version, token = field(page, "row_version"), field(page, "csrf_token")
        if status != 200 or row_version is None or token is None:
            return False  # not editable now (submitted, decided) or not reachable
        if self.rng.random() < 0.1 and int(row_version) > 0:
            row_version = str(int(row_version) - 1)  # a form opened before someone's save: 409
        self.saves += 1
        text = f"Analysis by {self.email}, save {self.saves} at {time.time():.6f}."
        form = {
            "csrf_token": token,
            "row_version": row_version,
            "status": self.rng.choice(["yes", "partial", "no"]),
            "analysis": text,
            "analysis_language": "en",
            "analysis_source_title": "Bench",
            "analysis_source_year": "2024",
        }
        base = f"/staff/versions/{version}"
        if self.rng.random() < 0.5:  # the editor's "Save and submit for review"
            status = self.browser.request("POST", f"{base}/submit", form)[0]
            self.record("save", version, status, text, combined=True)
            self.record("submit", version, status, combined=True)
            return self.log[-1].acknowledged
        status = self.browser.request("POST", f"{base}/save", form)[0]
        self.record("save", version, status, text)
        if not self.log[-1].acknowledged:
            return False
        status, page = self.browser.request("GET", base)
        row_version, token = field(page, "row_version"), field(page, "csrf_token")
        if status != 200 or row_version is None or token is None:
            return False
        form = {"csrf_token": token, "row_version": row_version}
        status = self.browser.request("POST", f"{base}/submit", form)[0]
        self.record("submit", version, status)
        return self.log[-1].acknowledged

    def decide(self, version: int, approve: bool) -> int:
        status, page = self.browser.request("GET", f"/staff/versions/{version}")
        token = field(page, "csrf_token")
        if status != 200 or token is None:
            return 0
        base = f"/staff/versions/{version}"
        if approve:
            status = self.browser.request("POST", f"{base}/approve", {"csrf_token": token})[0]
            self.record("approve", version, status)
        else:
            form = {"csrf_token": token, "comment": "Cite the article, please."}
            status = self.browser.request("POST", f"{base}/request-changes", form)[0]
            self.record("request_changes", version, status)
        return self.log[-1].status

    def review_one(self, approve: bool) -> int:
        """Approve or send back a version from the review queue; the answer's status."""
        status, page = self.browser.request("GET", "/staff/queue/review")
        if not self.ensure_signed_in(status):
            return 0
        queued = [int(v) for v in _QUEUED.findall(page)]
        if not queued:
            time.sleep(0.3)  # the queue is empty: do not crowd the workers out
            return 0
        return self.decide(self.rng.choice(queued), approve)


def review(port: int, email: str, deadline: float, stats: Counter, log: list, rng) -> None:
    """A reviewer: open or start a draft, save it, submit it; over and over."""
    staff = Staff(port, email, stats, log, rng)
    staff.browser.sign_in(email)
    while time.time() < deadline:
        version = staff.open_or_start()
        if version is not None:
            staff.edit_and_submit(version)


def supervise(port: int, email: str, deadline: float, stats: Counter, log: list, rng) -> None:
    """A supervisor: approve (mostly) or send back what waits in the review queue; its first
    decision is an approval, so that even a short run publishes. Once, after that, it edits
    and submits a version itself, then tries to approve it: four-eyes must refuse (403)."""
    staff = Staff(port, email, stats, log, rng)
    staff.browser.sign_in(email)
    decided, tried_own = False, False
    while time.time() < deadline:
        if decided and not tried_own:
            version = staff.open_or_start()
            if version is not None and staff.edit_and_submit(version):
                staff.decide(version, approve=True)
                tried_own = True
        else:
            status = staff.review_one(approve=not decided or rng.random() < 0.8)
            decided = decided or acknowledged(status)
