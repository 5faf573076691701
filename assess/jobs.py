"""Background jobs: on RQ over Redis when `ASSESS_REDIS_URL` is set, else in-process.

A service asks for a job with `after_commit(session, name, *args)`; the job starts only once the
transaction that asked for it has committed (never if it rolls back), so a mail is never sent for
a change that did not happen, and never from inside the request's transaction. ORM objects among
the arguments are passed by id.

Why RQ: the queue is Redis, which the deployment already runs (login throttling); RQ is the
smallest well-kept library on it, with retries and backoff (`Retry`), a scheduler for the delays,
and a registry of failed jobs with their tracebacks, which the admins' page reads. Dramatiq and
Huey would do as well but bring their own middleware or storage model for no gain here.

Without Redis (the SQLite demo), a job runs right after the commit, in the same process, in an
app context of its own; a failed mail stays in the outbox with its error (`assess send-mail`
retries it). Jobs that wait on other sites (`SLOW_JOBS`: link checks, archived copies) run
instead on one background thread of the app, in turn, so that no request waits for them.
"""

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import redis
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING = "assess_jobs_pending"
READY = "assess_jobs_ready"
DEFAULT_RETRY_INTERVALS = [30, 120, 600, 3600, 6 * 3600]  # seconds: five tries over ~7 hours

_worker_app: Flask | None = None
_background_lock = threading.Lock()


# --- the jobs ---------------------------------------------------------------------------------


class JobFailed(RuntimeError):
    """The job did not do its work; RQ retries it later."""


def send_mail(outbox_id: int) -> None:
    from .services import mail

    backend = mail.backend_from_config(current_app.config)
    if mail.send_one(backend, current_app.config["MAIL_SENDER"], outbox_id) is False:
        raise JobFailed(f"mail {outbox_id} not sent (its error is in the outbox)")


def check_version_links(version_id: int, fresh_seconds: int = 0) -> None:
    from .services import links

    links.check_version(version_id, fresh_seconds)


def check_links() -> None:
    from .services import links

    links.check_due()


def archive_version(version_id: int) -> None:
    from .services import archiving

    archiving.capture(version_id)


JOBS: dict[str, Callable[..., None]] = {
    "send_mail": send_mail,
    "check_version_links": check_version_links,
    "check_links": check_links,
    "archive_version": archive_version,
}
# Jobs that wait on other sites' servers: without a queue they run on a thread of the app's own,
# one after another, never in the request that asked for them.
SLOW_JOBS = frozenset({"check_version_links", "check_links", "archive_version"})


# --- asking for a job -------------------------------------------------------------------------


def after_commit(session: Session, name: str, *args) -> None:
    """Run job `name` with `args` once this session's transaction commits."""
    if name not in JOBS:
        raise KeyError(name)
    session.info.setdefault(PENDING, []).append((name, args))


def _resolve(value):
    return getattr(value, "id", value)


def _before_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        session.flush()  # new rows get their ids
        ready = [(name, tuple(_resolve(a) for a in args)) for name, args in pending]
        session.info.setdefault(READY, []).extend(ready)


def _after_commit(session: Session) -> None:
    ready = session.info.pop(READY, None)
    for name, args in ready or ():
        dispatch(name, args)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(READY, None)


event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))


def mode(config) -> str:
    """`ASSESS_JOBS`: "auto" (RQ when ASSESS_REDIS_URL is set, else in-process), "rq",
    "in-process", or "off" (nothing runs; `assess send-mail` delivers the outbox)."""
    chosen = str(config.get("JOBS") or "auto").lower()
    if chosen == "auto":
        return "rq" if config.get("REDIS_URL") else "in-process"
    return chosen


def dispatch(name: str, args: tuple) -> None:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    chosen = mode(app.config)
    if chosen == "off":
        return
    if chosen != "rq":
        run_here(app, name, args)
        return
    try:
        enqueue(name, args)
    except redis.RedisError:
        app.logger.exception("queue unavailable: job %s%r runs in this process", name, args)
        run_here(app, name, args)


def run_here(app: Flask, name: str, args: tuple) -> None:
    """Without the queue: at once, or for a slow job on the app's background thread."""
    if name in SLOW_JOBS:
        run_in_background(app, name, args)
    else:
        run_in_process(app, name, args)


def run_in_process(app: Flask, name: str, args: tuple) -> None:
    """In an app context (hence a database session) of its own: the caller's has just
    committed and may not run SQL inside its commit."""
    with app.app_context():
        try:
            JOBS[name](*args)
        except Exception:
            app.logger.exception("job %s%r failed", name, args)


def _background(app: Flask) -> ThreadPoolExecutor:
    with _background_lock:
        executor = app.extensions.get("assess_jobs_thread")
        if executor is None:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assess-jobs")
            app.extensions["assess_jobs_thread"] = executor
    return executor


def run_in_background(app: Flask, name: str, args: tuple) -> Future:
    return _background(app).submit(run_in_process, app, name, args)


def wait_for_background(app: Flask, timeout: float = 60) -> None:
    """Until the slow jobs asked for so far have run (tests, `assess demo`)."""
    _background(app).submit(lambda: None).result(timeout=timeout)


# --- the queue --------------------------------------------------------------------------------


def redis_connection() -> redis.Redis:
    connection = current_app.extensions.get("assess_jobs_redis")
    if connection is None:
        connection = redis.Redis.from_url(
            current_app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2
        )
        current_app.extensions["assess_jobs_redis"] = connection
    return connection


def queue():
    from rq import Queue

    name = current_app.config.get("JOBS_QUEUE") or "assess"
    return Queue(name, connection=redis_connection())


def enqueue(name: str, args: tuple):
    from rq import Retry

    intervals = current_app.config.get("JOBS_RETRY_INTERVALS") or DEFAULT_RETRY_INTERVALS
    return queue().enqueue(
        run_job,
        name,
        list(args),
        retry=Retry(max=len(intervals), interval=list(intervals)),
        failure_ttl=30 * 24 * 3600,
        description=f"{name}{tuple(args)!r}",
    )


def run_job(name: str, args: list) -> None:
    """What the RQ worker runs: the job in the worker's app (a fresh one in a forked child)."""
    global _worker_app
    app = _worker_app
    if app is None:
        from . import create_app

        app = _worker_app = create_app()
    with app.app_context():
        if app.extensions.get("assess_jobs_pid") != os.getpid():
            from .extensions import db

            db.engine.dispose(close=False)  # connections inherited through fork are the parent's
            app.extensions["assess_jobs_pid"] = os.getpid()
        JOBS[name](*args)


def work(app: Flask, *, burst: bool = False, fork: bool = True) -> bool:
    """`assess worker`: take jobs from the queue until stopped (or, with burst, until empty).

    Each job runs in a forked child (RQ's default: a crash or a leak ends with the job);
    `fork=False` runs them in this process."""
    from rq import SimpleWorker, Worker

    global _worker_app
    _worker_app = app
    with app.app_context():
        worker_class = Worker if fork else SimpleWorker
        worker = worker_class([queue()], connection=redis_connection())
        return worker.work(burst=burst, with_scheduler=True)


def failed_jobs(limit: int = 50) -> list[dict]:
    """Jobs that used up their retries, newest first, with the last line of their error."""
    if mode(current_app.config) != "rq":
        return []
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    q = queue()
    registry = FailedJobRegistry(queue=q)
    ids = registry.get_job_ids()[-limit:][::-1]
    found = []
    for job in Job.fetch_many(ids, connection=q.connection):
        if job is None:
            continue
        result = job.latest_result()
        error = (result.exc_string if result is not None else "") or ""
        lines = [line for line in error.strip().splitlines() if line.strip()]
        found.append(
            {
                "id": job.id,
                "description": job.description,
                "failed_at": job.ended_at,
                "error": lines[-1] if lines else "",
            }
        )
    return found
