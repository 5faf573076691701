"""Dead gunicorn workers, read from gunicorn's own log (run it with `--log-level info`).

A worker that dies gives no HTTP answer at all: a load generator sees a reset connection (wrk counts
a read error), a tally of status codes sees nothing. The arbiter logs every death and every
replacement:

    [ERROR] Worker (pid:123) was sent SIGKILL! Perhaps out of memory?
    [WARNING] Worker (pid:123) was sent SIGSEGV!
    [ERROR] Worker (pid:123) exited with code 1.
    [CRITICAL] WORKER TIMEOUT (pid:123)
    [INFO] Booting worker with pid: 124

and a crashing interpreter writes its own lines to the same stderr (`Fatal Python error`,
`free(): invalid pointer`). `GunicornLog.since(mark)` counts what happened after a mark.
"""

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

_DEATH = re.compile(r"Worker \(pid:(\d+)\) (?:was sent (SIG\w+|signal \d+)|exited with code (\d+))")
_TIMEOUT = re.compile(r"WORKER TIMEOUT \(pid:(\d+)\)")
_BOOT = re.compile(r"Booting worker with pid: (\d+)")
_CRASH = re.compile(
    r"Fatal Python error|Segmentation fault|free\(\): invalid|double free|corrupted size|"
    r"malloc\(\): "
)


@dataclass
class Deaths:
    how: dict[int, str] = field(default_factory=dict)  # pid: "SIGSEGV", "exit 1", "timeout"
    respawns: int = 0  # workers booted after the mark
    crash_lines: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Workers lost: a death the arbiter saw, or a replacement it had to boot."""
        return max(len(self.how), self.respawns)

    def excluding(self, expected: set[int]) -> "Deaths":
        """Leave out deaths the caller caused on purpose (their pids) and their replacements."""
        how = {pid: why for pid, why in self.how.items() if pid not in expected}
        respawns = max(0, self.respawns - len(expected & set(self.how)))
        return Deaths(how, respawns, self.crash_lines)

    def describe(self) -> str:
        if not self.count and not self.crash_lines:
            return "none"
        parts = [f"pid {pid}: {why}" for pid, why in sorted(self.how.items())]
        parts += [f"{self.respawns} re-spawned"] if self.respawns else []
        parts += self.crash_lines[:3]
        return "; ".join(parts)


class GunicornLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def text(self, offset: int = 0) -> str:
        with open(self.path, "rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def mark(self) -> int:
        return self.path.stat().st_size

    def wait_for_boot(self, workers: int, timeout: float = 60) -> int:
        """Wait until every first worker has booted; returns the mark just after the last of
        those boots, so that anything later (a death, a re-spawn) counts, however soon."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            raw = self.path.read_bytes()
            boots = list(re.finditer(rb"Booting worker with pid: \d+[^\n]*\n?", raw))
            if len(boots) >= workers:
                return boots[workers - 1].end()
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not boot {workers} workers in {timeout:g} s")

    def since(self, mark: int) -> Deaths:
        text = self.text(mark)
        deaths = Deaths()
        for pid, signal_name, exit_code in _DEATH.findall(text):
            deaths.how[int(pid)] = signal_name or f"exit {exit_code}"
        for pid in _TIMEOUT.findall(text):
            deaths.how.setdefault(int(pid), "timeout")
        deaths.respawns = len(_BOOT.findall(text))
        deaths.crash_lines = [line.strip() for line in text.splitlines() if _CRASH.search(line)]
        return deaths
