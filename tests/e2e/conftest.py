"""The app under gunicorn on a free port, on a fresh database with the Kazakhstan demo data, and
Debian's Chromium driven by Playwright. One server per test session; each test has its own
browser context (its own cookies), and the tests touch different indicators so that they do not
depend on one another's order."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from assess import create_app
from assess.extensions import db
from assess.services import demo

from ..conftest import PG_SERVER, _pg_admin_engine, base_config

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent.parent / "axe" / "axe.min.js"
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORDS = {
    "reviewer@example.org": "reviewer-demo-pass",
    "supervisor@example.org": "supervisor-demo-pass",
    "supervisor2@example.org": "supervisor2-demo-pass",
    "admin@example.org": "admin-demo-pass-1",
    "translator@example.org": "translator-demo-pass",
}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium"))


@pytest.fixture(scope="package")
def e2e_database_url(template_database, tmp_path_factory):
    """A copy of the migrated, seeded template, with the demo data loaded."""
    with demo_database(template_database, tmp_path_factory) as url:
        yield url


@contextmanager
def demo_database(template_database, tmp_path_factory):
    """The URL of a new copy of the template with the demo data loaded, dropped afterwards."""
    if PG_SERVER is None:
        path = tmp_path_factory.mktemp("e2e") / "assess.sqlite"
        shutil.copy(template_database, path)
        url = f"sqlite:///{path}"
    else:
        name = f"assess_e2e_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
        url = make_url(PG_SERVER).set(database=name).render_as_string(False)
    app = create_app(base_config(url, str(tmp_path_factory.mktemp("instance"))))
    with app.app_context():
        demo.load_demo_data()
        db.session.remove()
        db.engine.dispose()
    try:
        yield url
    finally:
        if PG_SERVER is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="package")
def live_server(e2e_database_url, tmp_path_factory):
    """Base URL of gunicorn (two workers) serving the app over plain http; with
    ASSESS_E2E_VIA_NGINX=1, of the shipped nginx configuration in front of it (CI does both)."""
    with site(e2e_database_url, tmp_path_factory) as base:
        yield base


@contextmanager
def site(database_url: str, tmp_path_factory):
    """The site as the browser tests see it: gunicorn, and nginx in front when asked.

    A module whose journey must not meet the drafts that other browser tests leave on the shared
    site has one of its own: `own_site`."""
    via_nginx = os.environ.get("ASSESS_E2E_VIA_NGINX") == "1"
    with serve(database_url, tmp_path_factory.mktemp("gunicorn"), via_nginx) as base:
        yield base


@contextmanager
def serve(database_url: str, folder: Path, via_nginx: bool = False, **settings: str):
    """gunicorn on a free port serving `database_url` until the block ends; `settings` are
    more environment variables (`ASSESS_IDLE_TIMEOUT="12"`)."""
    port = _free_port()
    public_port = _free_port() if via_nginx else port
    log = folder / "gunicorn.log"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "ASSESS_SECRET_KEY": "e2e-secret-key-0123456789abcdef",
        "ASSESS_INSTANCE_PATH": str(folder),
        # Plain http: the cookies cannot be Secure, hence not __Host- either (config.finalise).
        "ASSESS_SESSION_COOKIE_SECURE": "false",
        "ASSESS_REMEMBER_COOKIE_SECURE": "false",
        "ASSESS_PREFERRED_URL_SCHEME": "http",
        "ASSESS_BASE_URL": f"http://127.0.0.1:{public_port}",
        "ASSESS_TRUSTED_HOSTS": "localhost",
        "ASSESS_TRUSTED_PROXIES": "1" if via_nginx else "0",
        **settings,
    }
    env.pop("ASSESS_REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, log)
        if via_nginx:
            from ..servers import nginx

            with nginx(folder / "nginx", port, public_port) as proxied:
                yield proxied
        else:
            yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def own_site():
    """Module-scoped `e2e_database_url` and `live_server`, for a module whose journey must not
    meet the drafts that other browser tests leave on the shared site (the files run in any order
    across the workers): `e2e_database_url, live_server = own_site()` in the module."""

    @pytest.fixture(scope="module", name="e2e_database_url")
    def database(template_database, tmp_path_factory):
        with demo_database(template_database, tmp_path_factory) as url:
            yield url

    @pytest.fixture(scope="module", name="live_server")
    def server(e2e_database_url, tmp_path_factory):
        with site(e2e_database_url, tmp_path_factory) as base:
            yield base

    return database, server


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """`new_page(width=1280)`: a page in a fresh context (no cookies), base URL set."""
    contexts = []

    def make(width: int = 1280):
        # axe is injected by the tests, not served by the site: let it past the site's CSP.
        context = browser.new_context(
            base_url=live_server, bypass_csp=True, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORDS[email])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/**")


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
        }))"""
    )


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def hand_made_post(page, path: str) -> int:
    """Submit a form the page does not offer (with the page's CSRF token); return the status."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            """path => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = path;
                form.append(document.querySelector("input[name=csrf_token]").cloneNode());
                document.body.append(form);
                form.submit();
            }""",
            path,
        )
    return navigation.value.status
