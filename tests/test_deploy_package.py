"""The package is the deployable unit: build the wheel, install it into a fresh virtual
environment outside the repository, and serve the README's production commands from elsewhere."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tracked_copy(target: Path) -> Path:
    """The committed and staged files only: what a fresh clone builds from."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = REPO / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=540, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel installed (not editable, not the checkout)."""
    root = tmp_path_factory.mktemp("wheel")
    source = _tracked_copy(root / "source")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(source)])
    (wheel,) = (root / "dist").glob("assess-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], cwd=root)
    return venv


def _environment(folder: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSESS_", "PYTHON"))}
    env.pop("DATABASE_URL", None)
    return env | {
        "DATABASE_URL": f"sqlite:///{folder}/assess.sqlite",
        "ASSESS_SECRET_KEY": "a-wheel-test-secret-0123456789abcdef",
        "ASSESS_BASE_URL": f"http://127.0.0.1:{port}",
        "ASSESS_INSTANCE_PATH": str(folder / "instance"),
        "ASSESS_SESSION_COOKIE_SECURE": "false",
        "ASSESS_REMEMBER_COOKIE_SECURE": "false",
    }


def test_the_installed_wheel_serves_the_site_from_any_directory(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = _free_port()
    env = _environment(tmp_path, port)
    bin_dir = installed / "bin"
    # The README's commands, from a directory that holds no code.
    _run([str(bin_dir / "assess"), "db", "upgrade"], cwd=elsewhere, env=env)
    _run([str(bin_dir / "assess"), "seed"], cwd=elsewhere, env=env)
    _run([str(bin_dir / "assess"), "demo-data"], cwd=elsewhere, env=env)
    imported = _run(
        [str(bin_dir / "python"), "-c", "import assess, assess.wsgi; print(assess.__file__)"],
        cwd=elsewhere,
        env=env,
    )
    assert str(installed) in imported.stdout  # the wheel's copy, not the checkout's
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "assess.wsgi:app",
            ],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        page = None
        deadline = time.monotonic() + 60
        while page is None and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            try:
                request = urllib.request.Request(
                    base + "/countries/kz", headers={"X-Request-ID": "wheel-test-1"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    page = response.read().decode()
                    echoed = response.headers["X-Request-ID"]
            except OSError:
                time.sleep(0.2)
        assert page is not None, log.read_text()
        assert "Kazakhstan" in page
        assert echoed == "wheel-test-1"
        with urllib.request.urlopen(base + "/static/css/site.css", timeout=5) as response:
            assert response.status == 200 and b"{" in response.read()
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            assert json.loads(response.read())["status"] == "ready"
    finally:
        server.terminate()
        server.wait(timeout=20)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("request_id") == "wheel-test-1"]
    assert logged, log.read_text()[-3000:]
    assert logged[0]["path"] == "/countries/kz"
    assert logged[0]["status"] == 200
    assert logged[0]["method"] == "GET"
    assert logged[0]["duration_ms"] > 0
