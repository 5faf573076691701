"""Measuring one page: its SQL statements (from the bench app's `X-Bench-Queries` header) and its
throughput and latency under `wrk`, a load generator outside the app."""

import http.client
import re
import subprocess
from collections import Counter
from dataclasses import dataclass

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
_PERCENTILE = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.M)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
SOCKET_ERROR_KINDS = ("connect", "read", "write", "timeout")


@dataclass
class Measurement:
    name: str
    path: str
    requests_per_second: float  # at saturation: `connections` requests in flight
    p50_ms: float  # one request in flight: what a reader waits, without queueing
    p99_ms: float
    busy_p50_ms: float  # at saturation
    busy_p99_ms: float
    non_2xx: int  # answers neither 2xx nor 3xx, both wrk runs
    socket_errors: dict[str, int]  # wrk's connect, read, write, timeout errors, both runs
    statements_cold: int
    statements_warm: int
    status: int
    dead_workers: int = 0  # gunicorn workers that died while the page was measured
    deaths: str = "none"

    @property
    def tail(self) -> float:
        return self.p99_ms / self.p50_ms if self.p50_ms else float("inf")


def _get(port: int, path: str, headers: dict) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def sql_statements(port: int, path: str, headers: dict) -> tuple[int, int, str]:
    """(statements of a render from scratch, statements of a repeated request, the ETag).
    With several workers a repeated request may reach one that has not rendered the page yet:
    the smallest count of a few requests is the steady state."""
    cold = _get(port, path, {**headers, "X-Bench-Cold": "1"})
    warm = [_get(port, path, headers) for _ in range(6)]
    statements = [int(r.getheader("X-Bench-Queries", "-1")) for r in warm]
    return int(cold.getheader("X-Bench-Queries", "-1")), min(statements), cold.getheader("ETag", "")


def wrk(port: int, path: str, headers: dict, seconds: float, connections: int) -> str:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def percentiles(output: str) -> dict[int, float]:
    return {int(p): float(v) * _UNITS[u] for p, v, u in _PERCENTILE.findall(output)}


def non_2xx(output: str) -> int:
    return sum(int(n) for n in _NON_2XX.findall(output))


def socket_errors(output: str) -> dict[str, int]:
    """wrk prints the line only when there were some. A read error is most often a connection
    the server reset: a worker that died mid-request."""
    found = Counter()
    for counts in _SOCKET_ERRORS.findall(output):
        found.update(dict(zip(SOCKET_ERROR_KINDS, map(int, counts), strict=True)))
    return {kind: found[kind] for kind in SOCKET_ERROR_KINDS}


def measure_page(name, port, path, headers, seconds, connections, cold, warm) -> Measurement:
    """Throughput at saturation, then latency with one request at a time, same duration."""
    status = _get(port, path, headers).status
    wrk(port, path, headers, 1, connections)  # warm every worker up
    busy = wrk(port, path, headers, seconds, connections)
    calm = wrk(port, path, headers, seconds, 1)
    errors = Counter(socket_errors(busy)) + Counter(socket_errors(calm))
    return Measurement(
        name=name,
        path=path,
        requests_per_second=float(RATE.search(busy).group(1)),
        p50_ms=percentiles(calm)[50],
        p99_ms=percentiles(calm)[99],
        busy_p50_ms=percentiles(busy)[50],
        busy_p99_ms=percentiles(busy)[99],
        non_2xx=non_2xx(busy) + non_2xx(calm),
        socket_errors={kind: errors[kind] for kind in SOCKET_ERROR_KINDS},
        statements_cold=cold,
        statements_warm=warm,
        status=status,
    )
