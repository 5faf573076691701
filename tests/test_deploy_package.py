"""The package is the deployable unit: the README's production commands, copied verbatim, build
the wheel (`pip install .`), install it into a fresh virtual environment outside the repository,
and serve the site from a directory that holds no code."""

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


def readme_deployment_commands() -> list[str]:
    """The shell block of the README's Deployment section, line by line."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Deployment", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def _script(commands: list[str], source: Path, elsewhere: Path) -> str:
    """The README's commands as one script: the installation in a checkout, the rest from a
    folder that holds no code. Only the lines naming the operator's own database and address
    are left out; this test sets those to a SQLite file and a loopback port."""
    lines = ["set -euo pipefail", f"cd {source}"]
    for command in commands:
        if command.startswith(("export DATABASE_URL=", "export ASSESS_BASE_URL=")):
            continue
        if command.startswith("assess "):
            lines.append(f"cd {elsewhere}")
        if command.startswith("gunicorn "):
            command = "exec " + command
        lines.append(command)
    return "\n".join(lines) + "\n"


def _environment(folder: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSESS_", "PYTHON"))}
    env.pop("DATABASE_URL", None)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if ".venv" not in p)
    # The operator's machine has a `python3.12` (the README names it; 3.11 is refused): this
    # interpreter's own base installation stands in for it.
    interpreters = folder / "interpreters"
    interpreters.mkdir(exist_ok=True)
    link = interpreters / "python3.12"
    if not link.exists():
        link.symlink_to(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    env["PATH"] = f"{interpreters}:{env['PATH']}"
    return env | {
        "DATABASE_URL": f"sqlite:///{folder}/assess.sqlite",
        "ASSESS_BASE_URL": f"http://127.0.0.1:{port}",
        "ASSESS_BIND": f"127.0.0.1:{port}",
        "ASSESS_WORKERS": "2",
        "ASSESS_INSTANCE_PATH": str(folder / "instance"),
    }


def test_the_readme_commands_install_and_serve_from_a_fresh_venv(tmp_path):
    commands = readme_deployment_commands()
    assert "pip install ." in commands
    assert commands[-1].startswith("gunicorn ") and commands[-1].endswith("assess.wsgi:app")
    source = _tracked_copy(tmp_path / "checkout")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = _free_port()
    script = tmp_path / "deploy.sh"
    script.write_text(_script(commands, source, elsewhere))
    log = tmp_path / "deploy.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", str(script)],
            env=_environment(tmp_path, port),
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        server.stdin.write(b"an admin passphrase for the test\n")  # create-user reads stdin
        server.stdin.close()
    base = f"http://127.0.0.1:{port}"
    try:
        page = None
        deadline = time.monotonic() + 480  # pip builds the wheel and installs every dependency
        while page is None and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()[-5000:]
            try:
                request = urllib.request.Request(
                    base + "/countries/kz", headers={"X-Request-ID": "wheel-test-1"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    page = response.read().decode()
                    echoed = response.headers["X-Request-ID"]
            except OSError:
                time.sleep(0.5)
        assert page is not None, log.read_text()[-5000:]
        assert "Kazakhstan" in page
        assert echoed == "wheel-test-1"
        with urllib.request.urlopen(base + "/static/css/site.css", timeout=5) as response:
            assert response.status == 200 and b"{" in response.read()
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            assert json.loads(response.read())["status"] == "ready"
    finally:
        server.terminate()
        server.wait(timeout=20)
    output = log.read_text()
    assert "Created you@example.org as admin" in output
    # The app came from the wheel installed in the new venv, not from the checkout.
    installed = list((source / "venv").glob("lib/python3*/site-packages/assess/wsgi.py"))
    assert installed, "assess is not installed in the new venv"
    assert not list((source / "venv").glob("lib/python3*/site-packages/__editable__*assess*"))
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("request_id") == "wheel-test-1"]
    assert logged, output[-3000:]
    assert logged[0]["path"] == "/countries/kz"
    assert logged[0]["status"] == 200
    assert logged[0]["method"] == "GET"
    assert logged[0]["duration_ms"] > 0
