"""The Markdown report of bench/run.py: a table per database, and the goals of issue 6 checked."""

import os
import platform
import sys
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


def _sockets(errors: dict[str, int]) -> str:
    """wrk's socket errors as connect/read/write/timeout."""
    return "/".join(str(errors[k]) for k in ("connect", "read", "write", "timeout"))


def _table(result) -> list[str]:
    reference = _reference(result["pages"])
    lines = [
        "| page | path | requests/s | × hello | p50 ms | p99 ms | p99/p50 | busy p50 / p99 ms | SQL (render) | SQL (served) | status | non-2xx | socket errors c/r/w/t | dead workers |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in result["pages"]:
        lines.append(
            f"| {p.name} | `{p.path}` | {p.requests_per_second:,.0f} | "
            f"{p.requests_per_second / reference:.2f} | {p.p50_ms:.2f} | {p.p99_ms:.2f} | "
            f"{p.tail:.2f} | {p.busy_p50_ms:.2f} / {p.busy_p99_ms:.2f} | {p.statements_cold} | "
            f"{p.statements_warm} | {p.status} | {p.non_2xx} | {_sockets(p.socket_errors)} | "
            f"{p.dead_workers} |"
        )
    return lines


def _traffic_table(traffic: dict) -> list[str]:
    rows = traffic["rows"]
    reference = rows[0].requests_per_second
    lines = [
        "| traffic | what | requests/s | × hello | busy p50 / p99 ms | non-2xx | socket errors c/r/w/t | dead workers | staff sign-ins ok/tried |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.what} | {r.requests_per_second:,.0f} | "
            f"{r.requests_per_second / reference:.3f} | {r.busy_p50_ms:.1f} / {r.busy_p99_ms:.1f} | "
            f"{r.non_2xx} | {_sockets(r.socket_errors)} | {r.dead_workers} | {r.sign_ins or '–'} |"
        )
    deaths = [f"{r.name}: {r.deaths}" for r in rows if r.deaths != "none"]
    if deaths:
        lines += ["", "Worker deaths: " + "; ".join(deaths) + "."]
    return lines


def _traffic_goals(result) -> list[tuple[str, str, bool]]:
    rows = {r.name: r for r in result["traffic"]["rows"]}
    hello = rows["hello-world (reference)"].requests_per_second
    mixed, cold = rows["mixed, staff signing in"], rows["cold render"]
    clean = all(not r.non_2xx and not r.socket_error_count for r in rows.values())
    return [
        (
            "mixed traffic with sign-ins ≥ 0.5 × hello-world",
            f"{mixed.requests_per_second / hello:.3f} ×",
            mixed.requests_per_second / hello >= 0.5,
        ),
        (
            "cold render of the profile ≥ 0.25 × hello-world",
            f"{cold.requests_per_second / hello:.3f} ×",
            cold.requests_per_second / hello >= 0.25,
        ),
        ("0 non-2xx answers, 0 socket errors", "yes" if clean else "no", clean),
        (
            "0 dead workers (the whole run)",
            f"{result['dead_workers']} ({result['deaths']})",
            result["dead_workers"] == 0,
        ),
    ]


def write_report(results, args) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(sys.argv[1:]) or "(defaults)"
    lines = [
        "# Benchmark report",
        "",
        f"Run {when} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
        f"Python {platform.python_version()}): `python bench/run.py {command}`.",
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
    lines += _traffic_method(args)
    for result in results:
        rows = ", ".join(f"{v:,} {k}" for k, v in result["rows"].items())
        lines += [
            f"## {result['backend']}",
            "",
            f"Data: {rows} (generated in {result['generate_seconds']:.1f} s).",
            "",
        ]
        goals = []
        if "pages" in result:
            lines += [*_table(result), ""]
            goals += _goals(result, args)
        traffic = result["traffic"]
        lines += [
            f"Realistic traffic, after a warm-up of {traffic['warm_up_requests']:,} requests "
            f"({traffic['warm_up_seconds']:.1f} s):",
            "",
            *_traffic_table(traffic),
            "",
        ]
        goals += _traffic_goals(result)
        lines += [
            "| goal | measured | met |",
            "|---|---|---|",
            *(f"| {goal} | {value} | {'yes' if met else '**no**'} |" for goal, value, met in goals),
            "",
        ]
        if "import_output" in result:
            lines += [f"Import: {result['import_output']}", ""]
    return "\n".join(lines)


def _traffic_method(args) -> list[str]:
    countries = args.mixed_countries or "every"
    return [
        f"Realistic traffic (issue 13; `bench/traffic.py`): wrk -t{args.mixed_threads} "
        f"-c{args.mixed_connections} for {args.mixed_seconds:g} s per row, against the same "
        f"gunicorn. Mixed: {countries} countries × {{profile, assessment page, indicator page}} "
        "with a random one of 25 real Accept-Language headers, after a warm-up pass (every URL of "
        "the mix once in each of the five site languages), while a staff member signs in and out "
        "once a second over HTTP. Cold render: the profile with a query string never asked "
        "before. × hello divides by the hello-world row of the same table. Dead workers: deaths "
        "and re-spawns in gunicorn's log during the row.",
        "",
    ]
