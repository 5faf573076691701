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


NGINX = Path("/usr/sbin/nginx")
NGINX_CONF = REPO / "deploy" / "nginx" / "assess.conf"


def render_nginx_config(folder: Path, port: int, app_port: int) -> Path:
    """deploy/nginx/assess.conf as shipped, with this machine's ports and folders put in: the
    directives under test are the ones an operator installs."""
    site = NGINX_CONF.read_text()
    for shipped, here in (
        ("/var/cache/nginx/assess", str(folder / "cache")),
        ("/var/log/nginx/assess.access.log", str(folder / "access.log")),
        ("/srv/assess/static/", str(REPO / "static") + "/"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("server_name assess.example.org;", "server_name localhost 127.0.0.1;"),
    ):
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    # Workers as this user: the test folders are private (root's nginx would use www-data).
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        user
        + f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    access_log off;
    include {folder}/site.conf;
}}
"""
    )
    return main


@contextmanager
def nginx(folder: Path, app_port: int, port: int | None = None) -> Iterator[str]:
    """Debian's nginx with the shipped site configuration, in front of `app_port`."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    main = render_nginx_config(folder, port, app_port)
    check = subprocess.run([str(NGINX), "-t", "-c", str(main)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = folder / "nginx.out"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(NGINX), "-c", str(main)], stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
