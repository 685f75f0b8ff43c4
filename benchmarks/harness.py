"""Shared plumbing of the benchmark scripts: databases to run on, timing statistics, a server, wrk, tables.

Each benchmark measures Accord beside a baseline taken in the same run on the same machine, because
machines here are noisy: ratios travel between machines, absolute figures do not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_RATE_LIMIT = "1000000000/60"
RESULT_PREFIX = "RESULT "
BIN = Path(sys.executable).parent
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRK {"p50_us": %d, "p95_us": %d, "requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d}\\n',
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration, errors, summary.errors.status))
end
"""


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    per_second: float | None = None
    failures: int = 0


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_calls(function: Callable[[int], object], *, repeat: int, warmup: int = 5) -> Timing:
    """Median and p95 of ``function(i)`` called sequentially ``repeat`` times, in milliseconds."""
    for index in range(warmup):
        function(index)
    samples = []
    for index in range(repeat):
        start = time.perf_counter()
        function(index)
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(median_ms=statistics.median(samples), p95_ms=percentile(samples, 0.95))


def interleaved_timings(
    calls: dict[Any, Callable[[int], object]], *, repeat: int, rounds: int = 5, warmup: int = 5
) -> dict[Any, Timing]:
    """Median and p95 of each ``calls[key](i)``, ``repeat`` calls each, taken in ``rounds`` turns: every
    key runs a slice of its calls in each turn, so drift of the shared machine (another process, a
    database's background work) falls on every key and its baseline alike."""
    samples: dict[Any, list[float]] = {key: [] for key in calls}
    for function in calls.values():
        for index in range(warmup):
            function(index)
    per_round = max(1, repeat // rounds)
    for round_index in range(rounds):
        for key, function in calls.items():
            for index in range(round_index * per_round, (round_index + 1) * per_round):
                start = time.perf_counter()
                function(index)
                samples[key].append((time.perf_counter() - start) * 1000)
    return {
        key: Timing(median_ms=statistics.median(values), p95_ms=percentile(values, 0.95))
        for key, values in samples.items()
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def sqlite_environment() -> Iterator[dict[str, str]]:
    """A fresh data folder for an embedded-mode run."""
    folder = tempfile.mkdtemp(prefix="accord-bench-")
    try:
        yield {"ACCORD_DATA_DIR": folder, "DATABASE_URL": ""}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_accord(arguments: Sequence[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN / "accord"), *arguments],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"accord {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def accord_server(env: dict[str, str], *, workers: int, threads: int) -> Iterator[str]:
    """`accord serve` on a free loopback port; yields its base URL once /api/v1/health answers.

    Rate limits stay on, so the figures include counting every request, but are set far beyond what a
    benchmark sends: a 429 would count as a failed request.
    """
    port = free_port()
    env = {
        "ACCORD_RATE_LIMIT_READ": UNREACHABLE_RATE_LIMIT,
        "ACCORD_RATE_LIMIT_WRITE": UNREACHABLE_RATE_LIMIT,
        **env,
    }
    process = subprocess.Popen(
        [
            str(BIN / "accord"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"accord serve exited: {process.stderr.read().decode() if process.stderr else ''}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("accord serve did not start within 60 s")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for ASCII text


def wrk(
    base: str,
    *,
    method: str,
    paths: Sequence[str],
    headers: dict[str, str],
    bodies: Sequence[str] | None = None,
    connections: int,
    seconds: float,
) -> Timing:
    """Run wrk with ``connections`` keep-alive connections cycling through ``paths`` (and ``bodies``)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (make test installs it)")
    lines = [
        "local paths = {" + ", ".join(_lua_string(p) for p in paths) + "}",
        "local bodies = {" + ", ".join(_lua_string(b) for b in bodies or []) + "}",
        "local counter = 0",
    ]
    lines += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()]
    lines += [
        "request = function()",
        "  counter = counter + 1",
        "  local body = nil",
        "  if #bodies > 0 then body = bodies[(counter % #bodies) + 1] end",
        f"  return wrk.format({_lua_string(method)}, paths[(counter % #paths) + 1], nil, body)",
        "end",
        WRK_REPORT,
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines))
    try:
        threads = max(1, min(2, connections))
        result = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    report_line = next((line for line in result.stdout.splitlines() if line.startswith("WRK ")), None)
    if report_line is None:
        raise RuntimeError(f"wrk printed no report:\n{result.stdout}\n{result.stderr}")
    report = json.loads(report_line[4:])
    return Timing(
        median_ms=report["p50_us"] / 1000,
        p95_ms=report["p95_us"] / 1000,
        per_second=report["requests"] / (report["duration_us"] / 1e6),
        failures=report["errors"] + report["non_2xx"],
    )


def print_result(row: dict[str, Any]) -> None:
    """One measurement of a child process, as a line for the parent's ``child_results``."""
    print(RESULT_PREFIX + json.dumps(row), flush=True)


def child_results(
    database: str, command: Sequence[str], env: dict[str, str] | None = None
) -> list[dict[str, Any]] | None:
    """Run a child that measures one database (under a throwaway PostgreSQL cluster unless DATABASE_URL
    names one) and return the rows it printed; None, after showing its output, when it failed."""
    if database == "postgres" and not os.environ.get("DATABASE_URL"):
        command = [sys.executable, str(ROOT / "tools" / "with_postgres.py"), "--", *command]
    output = subprocess.run(
        list(command), env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    if output.returncode != 0:
        print(output.stdout, output.stderr, file=sys.stderr)
        return None
    return [
        json.loads(line[len(RESULT_PREFIX) :])
        for line in output.stdout.splitlines()
        if line.startswith(RESULT_PREFIX)
    ]


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (printed and returned), so results paste straight into docs/benchmarks.md."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}" if value >= 100 else f"{value:.2f}"
        return str(value)

    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def machine_description() -> str:
    memory_kib = 0
    try:
        with open("/proc/meminfo") as meminfo:
            memory_kib = int(meminfo.readline().split()[1])
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {memory_kib / 1024 / 1024:.0f} GiB, Python {sys.version.split()[0]}"


def load_demo(env: dict[str, str], size: int, seed: int) -> float:
    """Migrate and load ``accord demo --contacts size``; the seconds the load took."""
    run_accord(["migrate"], env)
    start = time.perf_counter()
    run_accord(["demo", "--contacts", str(size), "--seed", str(seed)], env)
    return time.perf_counter() - start


def run_children(
    script: Path, databases: Sequence[str], sizes: Sequence[int], argv: list[str]
) -> list[dict[str, Any]] | None:
    """Run ``script --child DATABASE --size N`` once per database and size, each on a fresh database (a
    temporary SQLite folder, or a throwaway PostgreSQL cluster unless DATABASE_URL is set), and collect the
    rows it printed. None when a child failed (its output is shown)."""
    rows: list[dict[str, Any]] = []
    for database in databases:
        for size in sizes:
            print(f"… {database}, {size:,} contacts", file=sys.stderr, flush=True)
            command = [sys.executable, str(script), "--child", database, "--size", str(size), *argv]
            with sqlite_environment() as env:
                if database == "postgres":
                    env.pop("DATABASE_URL")
                found = child_results(database, command, env)
            if found is None:
                return None
            rows += found
    return rows


def in_process_benchmark_main(
    doc: str,
    script: Path,
    *,
    run_child: Callable[[str, int, Any], None],
    report: Callable[[list[dict[str, Any]], Any], None],
    repeat: int,
) -> int:
    """The command line of a benchmark timed in-process: ``--sizes``, ``--databases``, ``--repeat`` and
    ``--seed``; each database and size runs in a child process on a fresh database, then ``report``
    prints the table of the rows the children printed."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.size, args)
        return 0
    rows = run_children(
        script, args.databases, args.sizes, ["--repeat", str(args.repeat), "--seed", str(args.seed)]
    )
    if rows is None:
        return 1
    report(rows, args)
    return 0
