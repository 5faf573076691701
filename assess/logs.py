"""One JSON line a request, a request id on every response, and the request metrics.

The middleware sits outside everything else (the public response store and ProxyFix included),
so that a page answered from memory is logged and counted like one Flask rendered. The request
id is the caller's `X-Request-ID` (nginx sets one) when it looks like one, else a new one; the
response echoes it and every log line of the request carries it.
"""

import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wsgi import ClosingIterator

from . import metrics

REQUEST_ID = "assess.request_id"  # environ keys
USER_ID = "assess.user_id"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_log = logging.getLogger("assess.request")


def request_id(given: str | None) -> str:
    if given and _VALID_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record logged while it runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request.environ.get(REQUEST_ID) if has_request_context() else None
        return True


class RequestLog:
    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        rid = environ[REQUEST_ID] = request_id(environ.get("HTTP_X_REQUEST_ID"))
        seen: dict[str, str] = {}

        def start(status, headers, exc_info=None):
            seen["status"] = status
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", rid))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            seen.setdefault("status", "500")
            self.finish(environ, seen, started)
            raise
        return ClosingIterator(body, lambda: self.finish(environ, seen, started))

    def finish(self, environ, seen: dict[str, str], started: float) -> None:
        duration = time.perf_counter() - started
        status = int(seen.get("status", "500").split(" ", 1)[0])
        method = environ.get("REQUEST_METHOD", "")
        metrics.observe_request(method, status, duration)
        request_log.info(
            "request",
            extra={
                "method": method,
                "path": environ.get("PATH_INFO", ""),
                "status": status,
                "duration_ms": round(duration * 1000, 2),
                "user_id": environ.get(USER_ID),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "request_id": environ.get(REQUEST_ID),
            },
        )


def _note_user(response):
    """Hand the signed-in user's id to the middleware, which logs after Flask is done."""
    user = g.get("_login_user")  # only if the request loaded it: no query for this
    if user is not None and user.is_authenticated:
        request.environ[USER_ID] = user.id
    return response


def configure(app: Flask) -> None:
    """JSON lines on standard error (gunicorn's and systemd's journal) unless LOG_FORMAT=text;
    tests and debug keep Flask's plain handler."""
    logger = logging.getLogger("assess")
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    for handler in (default_handler, *logger.handlers):
        handler.addFilter(RequestIdFilter())
    if str(app.config.get("LOG_FORMAT", "json")).lower() == "json" and not app.testing:
        default_handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    if not logger.handlers:
        logger.addHandler(default_handler)
    app.after_request(_note_user)
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]
