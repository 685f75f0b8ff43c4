"""A tiny run of every benchmark script, so they never rot. Speed is not asserted here: only that each
script runs end to end on both databases, with no failed request, and prints its table."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The scripts start their own databases (a temporary SQLite folder, a throwaway PostgreSQL cluster), so
# they run once, in the SQLite pass of the suite, rather than against the PostgreSQL test database.
pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs once, in the SQLite pass")


def _run(*arguments: str) -> str:
    """A benchmark script's output, after checking that it succeeded."""
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_api_benchmark_tiny_run() -> None:
    output = _run(
        "benchmarks/api.py",
        *("--sizes", "300", "--databases", "sqlite", "postgres", "--seconds", "2", "--rounds", "2"),
        *("--connections", "2", "--workers", "1", "--threads", "2"),
    )
    assert "| postgres | " in output
    assert "| sqlite | " in output
    for operation in ("list first page", "list deep page", "detail", "search", "create"):
        assert operation in output


def test_scoping_benchmark_tiny_run() -> None:
    output = _run(
        "benchmarks/scoping.py", "--sizes", "500", "--databases", "sqlite", "postgres", "--repeat", "5"
    )
    for user in ("administrator (unscoped)", "sales rep (1%)", "manager (30%)"):
        assert f"| postgres | 500 | list first page | {user} |" in output
        assert f"| sqlite | 500 | list first page | {user} |" in output


def test_guards_benchmark_tiny_run() -> None:
    output = _run("benchmarks/guards.py", "--databases", "sqlite", "postgres", "--repeat", "20")
    for database in ("sqlite", "postgres"):
        for operation in (
            "rate-limit counter alone",
            "GET /ping, limits on",
            "POST /companies with Idempotency-Key",
        ):
            assert f"| {database} | {operation} |" in output


def test_pages_benchmark_tiny_run() -> None:
    output = _run(
        "benchmarks/pages.py", "--sizes", "300", "--databases", "sqlite", "postgres", "--repeat", "3"
    )
    for database in ("sqlite", "postgres"):
        for page in ("contacts list", "contact 360 page (500 interactions)", "deal board (2,000 open deals)"):
            assert f"| {database} | 300 | {page} |" in output


def test_import_parse_benchmark_tiny_run() -> None:
    output = _run("benchmarks/import_parse.py", "--rows", "2000", "--xlsx-rows", "200", "--repeat", "1")
    for operation in ("baseline", "open_table", "open_table + parse_rows"):
        assert f"| csv | 2000 | {operation} |" in output
        assert f"| xlsx | 200 | {operation} |" in output


def test_jobs_benchmark_tiny_run() -> None:
    output = _run(
        "benchmarks/jobs.py", "--databases", "sqlite", "postgres", "--jobs", "10", "--processes", "1", "2"
    )
    for database in ("sqlite", "postgres"):
        for operation in (
            "enqueue",
            "run one-row jobs, 1 worker process(es)",
            "run one-row jobs, 2 worker process(es)",
        ):
            assert f"| {database} | 10 | {operation} |" in output


def test_dedupe_benchmark_tiny_run() -> None:
    output = _run("benchmarks/dedupe.py", "--sizes", "1000", "--databases", "sqlite", "postgres")
    for database in ("sqlite", "postgres"):
        assert f"| {database} | 1,010 | contact scan |" in output


def test_import_benchmark_tiny_run() -> None:
    output = _run(
        "benchmarks/import.py", "--sizes", "300", "--databases", "sqlite", "postgres", "--batch", "100"
    )
    assert "| sqlite | 300 | " in output
    assert "| postgres | 300 | " in output


def test_export_benchmark_tiny_run() -> None:
    output = _run("benchmarks/export.py", "--sizes", "300", "--databases", "sqlite", "postgres")
    for database in ("sqlite", "postgres"):
        for operation in ("raw cursor read (baseline)", "CSV export", "XLSX export"):
            assert f"| {database} | 300 | {operation} |" in output


def test_clv_fit_benchmark_tiny_run() -> None:
    output = _run("benchmarks/clv_fit.py", "--customers", "5000")
    assert "| accord | 5000 |" in output
    assert "| lifetimes | 5000 |" in output
    assert "parameters equal to 3 significant digits: yes" in output


def test_analytics_benchmark_tiny_run() -> None:
    output = _run(
        "benchmarks/analytics.py",
        "--customers",
        "1000",
        "--orders",
        "9000",
        "--databases",
        "sqlite",
        "postgres",
    )
    for database in ("sqlite", "postgres"):
        for operation in (
            "SQL: purchases per contact (one GROUP BY)",
            "fit BG/NBD",
            "write the scores back (one transaction)",
            "whole refresh (analytics_refresh)",
            "lifetimes: fit BG/NBD on the same summary",
        ):
            assert f"| {database} | 1,000 | 9,000 | {operation} |" in output
