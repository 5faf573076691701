"""gunicorn settings for production: `gunicorn -c python:assess.gunicorn_conf assess.wsgi:app`.

Every value can be overridden on the command line or by `GUNICORN_CMD_ARGS`. The app writes one
JSON line a request itself (`assess/logs.py`), so gunicorn's own access log stays off.
"""

import os

bind = os.environ.get("ASSESS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ASSESS_WORKERS", "4"))
timeout = 60
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the app open (upstream keepalive)
accesslog = None
errorlog = "-"
forwarded_allow_ips = "127.0.0.1,::1"


def child_exit(server, worker) -> None:
    """A worker's Prometheus numbers (PROMETHEUS_MULTIPROC_DIR) stop counting when it exits."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
