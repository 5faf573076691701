"""Fetching cited links politely, with the standard library only (and `assess.fingerprint`, to
fingerprint what was fetched): no Flask, no database.

Polite means: one request at a time to any one host (the URLs of a host are fetched in turn, by
one thread, with a pause between them; different hosts in parallel), a timeout on every request,
a User-Agent that says who we are and where to complain, and `robots.txt` obeyed (RFC 9309: a
missing one allows everything, one the server fails to answer forbids everything). Only http(s)
is fetched, redirects are followed (at most `MAX_REDIRECTS`), and at most `max_bytes` of a body
is read: the fingerprints are of what was read.

`check_all` is what the background jobs, `assess check-links` and `bench/links.py` call.
"""

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cache, cached_property

from .fingerprint import content_fingerprint, raw_sha256

MAX_REDIRECTS = 10
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Settings:
    user_agent: str = "assess-link-checker/1.0"
    timeout: float = 10.0
    host_delay: float = 1.0  # seconds between two requests to the same host
    max_bytes: int = 10 * 1024 * 1024
    hosts_at_once: int = 4


@dataclass
class Fetched:
    """What one URL answered. `status` is None when nothing answered (`error` says why);
    `blocked` when robots.txt forbids fetching it (then nothing was requested)."""

    url: str
    status: int | None = None
    final_url: str = ""
    content_type: str = ""
    body: bytes = b""
    truncated: bool = False
    error: str = ""
    blocked: bool = False

    @cached_property  # parsing a page is the costly part of a check: once per answer
    def fingerprint(self) -> str:
        """What a link check compares (`LinkCheck.sha256`): of the visible text for HTML, of
        the bytes otherwise (`assess.fingerprint`). Empty when it did not work."""
        return content_fingerprint(self.body, self.content_type) if self.works else ""

    @cached_property
    def raw_sha256(self) -> str:
        """The digest of the bytes, for integrity (an archived copy's name). Empty when it did
        not work."""
        return raw_sha256(self.body) if self.works else ""

    @property
    def works(self) -> bool:
        return self.status is not None and 200 <= self.status < 400 and not self.blocked


@dataclass
class HostLog:
    """How many requests each host received, robots.txt included: the benchmark reports it."""

    requests: dict[str, int] = field(default_factory=dict)

    def count(self, host: str) -> None:
        self.requests[host] = self.requests.get(host, 0) + 1


def host_of(url: str) -> str:
    try:
        parsed = urllib.parse.urlsplit(url)
        return (parsed.hostname or "").lower() + (f":{parsed.port}" if parsed.port else "")
    except ValueError:
        return ""


def is_web_url(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://")) and bool(host_of(url.strip()))


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_web_url(newurl):  # never to ftp:, never to a file of ours
            raise urllib.error.HTTPError(newurl, code, f"redirect to {newurl[:100]}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@cache
def _opener() -> urllib.request.OpenerDirector:
    """Made once: its TLS context loads the system's certificates (~75 ms). No proxy from the
    environment: a check must reach the cited host itself."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _Redirects())


def _describe(error: BaseException) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return f"{type(reason).__name__}: {reason}"[:300]


def fetch(url: str, settings: Settings, max_bytes: int | None = None) -> Fetched:
    """GET `url` (a HEAD would not give the fingerprint, and many servers answer it wrongly)."""
    limit = settings.max_bytes if max_bytes is None else max_bytes
    found = Fetched(url)
    if not is_web_url(url):
        found.error = "not a web address"
        return found
    headers = {"User-Agent": settings.user_agent, "Accept": "*/*"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only, checked above
    try:
        with _opener().open(request, timeout=settings.timeout) as answer:
            found.status = answer.status
            found.final_url = answer.geturl()
            found.content_type = answer.headers.get("Content-Type", "")[:200]
            found.body, found.truncated = _read(answer, limit)
    except urllib.error.HTTPError as error:
        found.status = error.code
        found.final_url = error.geturl() or url
        found.content_type = (error.headers.get("Content-Type", "") if error.headers else "")[:200]
        found.error = f"HTTP {error.code}"
        error.close()
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
        found.error = _describe(error)
    return found


def _read(answer, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = answer.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:limit], True


class Robots:
    """The robots.txt rules of one host, fetched once."""

    def __init__(self, base: str, settings: Settings, log: HostLog) -> None:
        self.parser: urllib.robotparser.RobotFileParser | None = None
        self.allow_all = False
        self.disallow_all = False
        answer = fetch(urllib.parse.urljoin(base, "/robots.txt"), settings, 512 * 1024)
        log.count(host_of(base))
        if answer.status is None:
            self.allow_all = True  # the host did not answer: its pages will say so themselves
        elif answer.status >= 500:
            self.disallow_all = True
        elif answer.status >= 400:
            self.allow_all = True
        else:
            self.parser = urllib.robotparser.RobotFileParser()
            self.parser.parse(answer.body.decode("utf-8", "replace").splitlines())

    def allows(self, url: str, user_agent: str) -> bool:
        if self.allow_all:
            return True
        if self.disallow_all or self.parser is None:
            return False
        return self.parser.can_fetch(user_agent, url)


def _base(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    return f"{parsed.scheme}://{parsed.netloc}/"


def check_host(
    urls: list[str],
    settings: Settings,
    log: HostLog,
    fetch_one: Callable[[str], Fetched] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Fetched]:
    """Fetch the URLs of one host in turn, robots.txt first, pausing between requests."""
    fetch_one = fetch_one or (lambda url: fetch(url, settings))
    robots: dict[str, Robots] = {}  # per scheme and port: http and https may differ
    found = []
    for index, url in enumerate(urls):
        base = _base(url)
        if base not in robots:
            robots[base] = Robots(base, settings, log)
            sleep(settings.host_delay)
        if not robots[base].allows(url, settings.user_agent):
            found.append(Fetched(url, blocked=True, error="robots.txt disallows it"))
            continue
        if index and settings.host_delay:
            sleep(settings.host_delay)
        log.count(host_of(url))
        found.append(fetch_one(url))
    return found


def check_all(
    urls: Iterable[str],
    settings: Settings,
    log: HostLog | None = None,
    fetch_one: Callable[[str], Fetched] | None = None,
    host_lock: Callable[[str], AbstractContextManager] | None = None,
) -> dict[str, Fetched]:
    """Every distinct web URL checked: the hosts in parallel, each host's URLs in turn.
    `host_lock(host)`, if given, is held while a host is checked: other processes checking the
    same host (other workers) wait for it."""
    log = log if log is not None else HostLog()
    by_host: dict[str, list[str]] = {}
    for url in dict.fromkeys(u.strip() for u in urls):
        if is_web_url(url):
            by_host.setdefault(host_of(url), []).append(url)
    found: dict[str, Fetched] = {}
    if not by_host:
        return found
    workers = max(1, min(settings.hosts_at_once, len(by_host)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkcheck") as pool:

        def one_host(item: tuple[str, list[str]]) -> list[Fetched]:
            host, host_urls = item
            with host_lock(host) if host_lock else nullcontext():
                return check_host(host_urls, settings, log, fetch_one)

        for results in pool.map(one_host, by_host.items()):
            found.update((result.url, result) for result in results)
    return found
