"""The Markdown report of bench/run.py: a table per database, and the goals of issue 6 checked."""

import os
import platform
from datetime import UTC, datetime

PUBLIC = {
    "public profile",
    "indicator page",
    "assessment page",
    "API: a country",
    "304 Not Modified (profile)",
    "CSV download",
}


def _reference(pages) -> float:
    hello = [p.requests_per_second for p in pages if p.path == "/hello"]
    return sum(hello) / len(hello)


def _goals(result, args) -> list[tuple[str, str, bool]]:
    pages = {p.name: p for p in result["pages"]}
    reference = _reference(result["pages"])
    profile = pages["public profile"].requests_per_second / reference
    not_modified = pages["304 Not Modified (profile)"].requests_per_second / reference
    worst = max((p for p in result["pages"] if p.name in PUBLIC), key=lambda p: p.tail)
    floor = ", ".join(f"{p.tail:.2f}" for p in result["pages"] if p.path == "/hello")
    size = f"249 countries x {args.indicators} indicators"
    return [
        ("public profile ≥ 0.5 × hello-world", f"{profile:.2f} ×", profile >= 0.5),
        ("304 answer ≥ 0.9 × hello-world", f"{not_modified:.2f} ×", not_modified >= 0.9),
        (
            "p99/p50 ≤ 2 on every public page",
            f"worst {worst.tail:.2f} ({worst.name}); hello-world itself: {floor}",
            worst.tail <= 2,
        ),
        (
            f"import of {size} with citations ≤ 10 s",
            f"{result['import_seconds']:.1f} s",
            result["import_seconds"] <= 10,
        ),
        (
            f"`assess freeze` of {size}, one version each ≤ 60 s",
            f"{result['freeze_seconds']:.1f} s ({result['frozen_pages']} files)",
            result["freeze_seconds"] <= 60,
        ),
    ]


def _table(result) -> list[str]:
    reference = _reference(result["pages"])
    lines = [
        "| page | path | requests/s | × hello | p50 ms | p99 ms | p99/p50 | busy p50 / p99 ms | SQL (render) | SQL (served) | status | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in result["pages"]:
        lines.append(
            f"| {p.name} | `{p.path}` | {p.requests_per_second:,.0f} | "
            f"{p.requests_per_second / reference:.2f} | {p.p50_ms:.2f} | {p.p99_ms:.2f} | "
            f"{p.tail:.2f} | {p.busy_p50_ms:.2f} / {p.busy_p99_ms:.2f} | {p.statements_cold} | "
            f"{p.statements_warm} | {p.status} | {p.errors} |"
        )
    return lines


def write_report(results, args) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark report",
        "",
        f"Run {when} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
        f"Python {platform.python_version()}): `python bench/run.py "
        + " ".join(f"--database {r['backend']}" for r in results)
        + f" --scale {args.scale} --indicators {args.indicators} --seconds {args.seconds:g}`.",
        "",
        f"gunicorn: {args.workers} workers, "
        + (f"gthread × {args.threads} threads" if args.threads > 1 else "sync")
        + f"; wrk, 1 thread. Per page: 1 s of warm-up, then {args.seconds:g} s with "
        f"{args.connections} connections (requests/s, and the busy latencies), then {args.seconds:g} s "
        "with one connection (p50, p99: what one reader waits, without queueing behind the load "
        "generator on the same cores). The reference is the mean of the two hello-world runs "
        "(first and last). SQL (render): statements of a render from scratch; SQL (served): of "
        "a repeated request.",
        "",
    ]
    for result in results:
        rows = ", ".join(f"{v:,} {k}" for k, v in result["rows"].items())
        lines += [
            f"## {result['backend']}",
            "",
            f"Data: {rows} (generated in {result['generate_seconds']:.1f} s).",
            "",
            *_table(result),
            "",
            "| goal | measured | met |",
            "|---|---|---|",
            *(
                f"| {goal} | {value} | {'yes' if met else '**no**'} |"
                for goal, value, met in _goals(result, args)
            ),
            "",
            f"Import: {result['import_output']}",
            "",
        ]
    return "\n".join(lines)
