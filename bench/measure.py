"""Measuring one page: its SQL statements (from the bench app's `X-Bench-Queries` header) and its
throughput and latency under `wrk`, a load generator outside the app."""

import http.client
import re
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
_PERCENTILE = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_ERRORS = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.M)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass
class Measurement:
    name: str
    path: str
    requests_per_second: float  # at saturation: `connections` requests in flight
    p50_ms: float  # one request in flight: what a reader waits, without queueing
    p99_ms: float
    busy_p50_ms: float  # at saturation
    busy_p99_ms: float
    errors: int
    statements_cold: int
    statements_warm: int
    status: int

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


def _percentiles(output: str) -> dict[int, float]:
    return {int(p): float(v) * _UNITS[u] for p, v, u in _PERCENTILE.findall(output)}


def _errors(output: str) -> int:
    errors = sum(int(n) for n in _ERRORS.findall(output))
    for found in _SOCKET_ERRORS.findall(output):
        errors += sum(int(n) for n in found[1:])  # connect errors are wrk reconnecting
    return errors


def measure_page(name, port, path, headers, seconds, connections, cold, warm) -> Measurement:
    """Throughput at saturation, then latency with one request at a time, same duration."""
    status = _get(port, path, headers).status
    wrk(port, path, headers, 1, connections)  # warm every worker up
    busy = wrk(port, path, headers, seconds, connections)
    calm = wrk(port, path, headers, seconds, 1)
    return Measurement(
        name=name,
        path=path,
        requests_per_second=float(_RATE.search(busy).group(1)),
        p50_ms=_percentiles(calm)[50],
        p99_ms=_percentiles(calm)[99],
        busy_p50_ms=_percentiles(busy)[50],
        busy_p99_ms=_percentiles(busy)[99],
        errors=_errors(busy) + _errors(calm),
        statements_cold=cold,
        statements_warm=warm,
        status=status,
    )
