"""Prometheus metrics (the official `prometheus_client`): request counts and durations.

Under gunicorn each worker is a process: set `PROMETHEUS_MULTIPROC_DIR` to an empty folder (the
systemd unit does) and `/metrics` adds up every worker's numbers.
"""

import ipaddress
import os
from functools import cache

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)


@cache
def _metrics() -> tuple[Counter, Histogram]:
    requests = Counter("assess_http_requests_total", "HTTP requests answered", ["method", "status"])
    durations = Histogram(
        "assess_http_request_duration_seconds",
        "Time to answer a request",
        ["method"],
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    )
    return requests, durations


def observe_request(method: str, status: int, seconds: float) -> None:
    if method not in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}:
        method = "other"  # a label per made-up method would grow without bound
    requests, durations = _metrics()
    requests.labels(method, str(status)).inc()
    durations.labels(method).observe(seconds)


def exposition() -> tuple[bytes, str]:
    from prometheus_client import REGISTRY

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    _metrics()
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def allowed(address: str | None, networks: list[str]) -> bool:
    """`METRICS_ALLOWED`: addresses or networks (`10.0.0.0/8`) that may read `/metrics`."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
