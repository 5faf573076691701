"""Mixed public traffic must not crash the interpreter (see assess/runtime.py: on Python 3.11 this
loop died with SIGSEGV within twenty indicator-page renders in most runs)."""

import subprocess
import sys
from pathlib import Path

import pytest

from assess.runtime import check_interpreter
from assess.services import generate

SCRIPT = Path(__file__).with_name("mixed_pages.py")


def test_mixed_page_renders_do_not_crash_the_process(app, database_url):
    with app.app_context():
        generate.generate(scale=1, seed=1)
    for seed in (1, 2, 3):
        finished = subprocess.run(
            [sys.executable, "-X", "faulthandler", str(SCRIPT), database_url, "150", str(seed)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert finished.returncode == 0, (
            f"exit {finished.returncode} (a negative code is the signal)\n{finished.stderr[-3000:]}"
        )
        assert finished.stdout.strip() == "150 renders"


def test_an_interpreter_that_crashes_is_refused():
    with pytest.raises(RuntimeError, match=r"Python 3\.12 or newer"):
        check_interpreter((3, 11, 7, "final", 0))
    check_interpreter((3, 12, 1, "final", 0))
