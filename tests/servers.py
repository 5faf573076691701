"""Real servers for tests: gunicorn serving the checkout's app on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def app_environment(database_url: str, folder: Path, port: int, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_")}
    return (
        env
        | {
            "DATABASE_URL": database_url,
            "ASSESS_SECRET_KEY": "a-server-test-secret-0123456789abcdef",
            "ASSESS_INSTANCE_PATH": str(folder),
            "ASSESS_BASE_URL": f"http://127.0.0.1:{port}",
            "ASSESS_TRUSTED_HOSTS": "localhost",
            "ASSESS_SESSION_COOKIE_SECURE": "false",
            "ASSESS_REMEMBER_COOKIE_SECURE": "false",
            "ASSESS_PREFERRED_URL_SCHEME": "http",
            "ASSESS_JOBS": "off",
        }
        | extra
    )


@contextmanager
def gunicorn(env: dict, folder: Path, port: int, workers: int = 1) -> Iterator[str]:
    """Serve `wsgi:app` from the checkout; yields the base URL, and the log is `folder/gunicorn.log`."""
    log = folder / "gunicorn.log"
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "wsgi:app"]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
