"""A small web of the tests' own: a threaded `http.server` on 127.0.0.1 and a free port that
answers 200, 404, 301, too slowly (a timeout), with content that changes on demand, with a PDF,
with a page whose noise (scripts, tokens, whitespace) changes on every request and one whose
visible text does, and with a robots.txt that forbids /private/. It counts requests by path and the most requests a
host had in flight at once (politeness: one at a time)."""

import hashlib
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class Web:
    def __init__(self) -> None:
        self.changing = b"<html><body>The Criminal Code, first text.</body></html>"
        self.noisy_text = "Article 1. The age of consent is sixteen."  # the text /noisy shows
        self.pdf = PDF
        self.slow_seconds = 3.0
        # How long a page under /ok/ takes to answer: long enough, where a test sets it, for two
        # requests sent at once to be seen in flight together.
        self.ok_seconds = 0.0
        self.requests: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, handler: "Handler") -> None:
        path = handler.path.split("?", 1)[0]
        if path == "/robots.txt":
            return handler.reply(200, "text/plain", ROBOTS)
        if path.startswith("/ok") or path.startswith("/private/"):
            time.sleep(self.ok_seconds)
            body = f"<html><body>Page {path}</body></html>".encode()
            return handler.reply(200, "text/html; charset=utf-8", body)
        if path == "/moved":
            return handler.reply(301, "text/html", b"moved", Location=self.url("/ok/target"))
        if path == "/slow":
            time.sleep(self.slow_seconds)
            return handler.reply(200, "text/html", b"<html>late</html>")
        if path == "/changing":
            return handler.reply(200, "text/html; charset=utf-8", self.changing)
        if path == "/noisy":
            body = noisy_page(self.noisy_text, self.requests[handler.path])
            return handler.reply(200, "text/html; charset=utf-8", body)
        if path == "/ticking":  # "seen N times": visible text, like a date in a footer
            body = noisy_page(f"The Penal Code. Seen {self.requests[handler.path]} times.", 0)
            return handler.reply(200, "text/html; charset=utf-8", body)
        if path == "/cyrillic-header":  # the server names the encoding
            body = f"<html><body>{CYRILLIC}</body></html>".encode("windows-1251")
            return handler.reply(200, "text/html; charset=windows-1251", body)
        if path == "/cyrillic-meta":  # only the page does
            body = f'<html><head><meta charset="koi8-r"></head><body>{CYRILLIC}</body></html>'
            return handler.reply(200, "text/html", body.encode("koi8-r"))
        if path.endswith(".pdf"):
            return handler.reply(200, "application/pdf", self.pdf)
        if path == "/big":
            return handler.reply(200, "text/html", b"<html>" + b"x" * 300_000 + b"</html>")
        if path == "/data.json":
            return handler.reply(200, "application/json", b'{"a": 1}')
        return handler.reply(404, "text/html", b"<html>Not found</html>")


CYRILLIC = "Уголовный кодекс Республики Казахстан"


def noisy_page(text: str, request: int) -> bytes:
    """A page showing `text` whose every other byte depends on `request`: the way many sites
    answer (a script with a timestamp, a CSRF token in the head and in a hidden input, a session
    id in the links, a comment, a tracking pixel, indentation)."""
    token = hashlib.sha256(str(request).encode()).hexdigest()
    indent = "\n" + " \t"[request % 2] * (request % 5)
    words = text.split(" ")
    half = len(words) // 2
    return f"""<!doctype html>
<html lang="en">{indent}<head><meta charset="utf-8"><meta name="csrf-token" content="{token}">
<title>Criminal Code</title><style>.ad{{color:#{request % 999:03d}}}</style>
<script>window.renderedAt = {1_700_000_000 + request}; window.csrf = "{token}";</script></head>
<body class="session-{token[:8]}">{indent}<!-- rendered in {request} ms -->
<noscript><img src="/pixel?{token}" alt="pixel {request}"></noscript>
<template><p>Ad number {request}</p></template>
<main>{indent}<h1 id="t{request}">Criminal Code</h1>{indent}<p>{" ".join(words[:half])}{indent}
{" ".join(words[half:])}</p>
<form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>
<a href="/law?session={token}">Next article</a></main>{indent * (request % 3)}</body></html>
""".encode()


class Handler(BaseHTTPRequestHandler):
    web: Web
    counted = False  # counted in `web.in_flight`
    disable_nagle_algorithm = True  # else each answer waits ~40 ms for a delayed ACK

    def do_GET(self) -> None:
        web = self.web
        with web.lock:
            web.requests[self.path] += 1
            web.agents.add(self.headers.get("User-Agent", ""))
            web.in_flight += 1
            web.most_in_flight = max(web.most_in_flight, web.in_flight)
        self.counted = True
        try:
            web.answer(self)
        finally:
            self._done()

    def _done(self) -> None:
        """No longer in flight: called *before* the answer is written, because a checker that
        asks one page at a time may send its next request as soon as it has read the answer, while
        this thread is still on its way out (CI saw two "in flight" that way)."""
        with self.web.lock:
            if self.counted:
                self.counted = False
                self.web.in_flight -= 1

    def reply(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self._done()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the checker gave up waiting: that was the point

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serving(web: Web | None = None):
    web = web or Web()
    handler = type("BoundHandler", (Handler,), {"web": web})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    web.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
