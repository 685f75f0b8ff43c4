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


def test_api_benchmark_tiny_run() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/api.py",
            "--sizes",
            "300",
            "--databases",
            "sqlite",
            "postgres",
            "--seconds",
            "1",
            "--connections",
            "2",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "| postgres | " in result.stdout
    assert "| sqlite | " in result.stdout
    for operation in ("list first page", "list deep page", "detail", "search", "create"):
        assert operation in result.stdout


def test_scoping_benchmark_tiny_run() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/scoping.py",
            "--sizes",
            "500",
            "--databases",
            "sqlite",
            "postgres",
            "--repeat",
            "5",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for user in ("administrator (unscoped)", "sales rep (1%)", "manager (30%)"):
        assert f"| postgres | 500 | list first page | {user} |" in result.stdout
        assert f"| sqlite | 500 | list first page | {user} |" in result.stdout
