"""``accord analytics rfm|cohorts|clv`` as real subprocesses on real files: what they write, and one clear
line on stderr with status 1 for each kind of bad input. Each run checks that Django was never imported
(and DATABASE_URL points nowhere), so the commands work without a CRM."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).parent / "data"
GIVE_UP_SECONDS = 300  # a hung subprocess fails the test instead of the suite; not a speed limit

# Runs accord's own entry point, then fails if anything imported Django.
ENTRY = """
import sys
from accord.cli import main
status = main(sys.argv[1:])
assert not [name for name in sys.modules if name == "django" or name.startswith("django.")], "Django imported"
sys.exit(status)
"""


def accord(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    environment.update(PYTHONPATH=str(ROOT), DATABASE_URL="postgres://nobody@127.0.0.1:9/nowhere")
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *map(str, arguments)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=GIVE_UP_SECONDS,
        check=False,
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def shop_log(tmp_path: Path) -> Path:
    """Five customers of a small shop, semicolon separated, with its own column names."""
    path = tmp_path / "shop.csv"
    path.write_text(
        "Client;Day;Paid\n"
        "ann;2024-01-05;10.00\n"
        "ann;2024-02-07;20.00\n"
        "ann;2024-03-20;15.00\n"
        "bob;2024-02-10;5.00\n"
        "cat;2024-03-01;7.00\n"
        "cat;2024-03-01;3.00\n"  # the same day: one purchase of 10
        "dan;2024-01-15;100.00\n"
        "dan;2024-03-18;50.00\n"
        "eve;2024-03-25;1.00\n"
        "eve;2024-04-02;99.00\n",  # after the analysis date below: ignored
        encoding="utf-8",
    )
    return path


COLUMNS = ("--customer-col", "client", "--date-col", "day", "--amount-col", "paid")


def test_rfm_writes_customers_and_segments(shop_log: Path, tmp_path: Path) -> None:
    # Given the shop's log
    out = tmp_path / "rfm"

    # When RFM is run as of 31 March 2024
    result = accord(
        "analytics",
        "rfm",
        "--transactions",
        shop_log,
        *COLUMNS,
        "--analysis-date",
        "2024-03-31",
        "--out",
        out,
    )

    # Then it succeeds and says where it wrote
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (
        result.stdout
        == f"rfm: 5 customers as of 2024-03-31: {out / 'customers.csv'}, {out / 'segments.csv'}\n"
    )
    # and each customer has R, F, M, scores and a segment (recency 11, 50, 30, 13, 6 days; repeat purchase
    # days 2, 0, 0, 1, 0; revenue 45, 5, 10, 150, 1)
    rows = read_csv(out / "customers.csv")
    assert [
        (
            row["customer"],
            row["recency_days"],
            row["frequency"],
            row["monetary"],
            row["recency_score"],
            row["frequency_score"],
            row["monetary_score"],
            row["segment"],
        )
        for row in rows
    ] == [
        ("ann", "11", "2", "45.0", "4", "5", "4", "loyal"),
        ("bob", "50", "0", "5.0", "1", "2", "2", "lost"),
        ("cat", "30", "0", "10.0", "2", "2", "3", "hibernating"),
        ("dan", "13", "1", "150.0", "3", "4", "5", "loyal"),
        ("eve", "6", "0", "1.0", "5", "2", "1", "potential_loyalist"),
    ]
    assert (rows[0]["first_purchase"], rows[0]["last_purchase"]) == ("2024-01-05", "2024-03-20")
    segments = {row["segment"]: row for row in read_csv(out / "segments.csv")}
    assert len(segments) == 11
    assert segments["loyal"] == {
        "segment": "loyal",
        "name": "Loyal",
        "customers": "2",
        "customers_percent": "40.0",
        "revenue": "195.0",
        "revenue_percent": "92.42",
        "rule": "R 3–4, F 4–5",
    }
    assert segments["champions"]["customers"] == "0"


def test_rfm_with_custom_rules(shop_log: Path, tmp_path: Path) -> None:
    # Given rules naming the top spenders champions and everyone else lost
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            [
                {"segment": "champions", "recency": [1, 5], "frequency": [1, 5], "monetary": [5, 5]},
                {"segment": "lost", "recency": [1, 5], "frequency": [1, 5]},
            ]
        )
    )

    result = accord(
        "analytics",
        "rfm",
        "--transactions",
        shop_log,
        *COLUMNS,
        "--segment-rules",
        rules,
        "--out",
        tmp_path / "out",
    )

    assert result.returncode == 0, result.stderr
    assert [row["segment"] for row in read_csv(tmp_path / "out" / "customers.csv")] == [
        "lost",
        "lost",
        "lost",
        "champions",
        "lost",
    ]
    assert [row["segment"] for row in read_csv(tmp_path / "out" / "segments.csv")] == ["champions", "lost"]


def test_cohorts_writes_counts_retention_and_revenue(shop_log: Path, tmp_path: Path) -> None:
    # Given the shop's log as of 31 March 2024
    out = tmp_path / "cohorts"

    result = accord(
        "analytics",
        "cohorts",
        "--transactions",
        shop_log,
        *COLUMNS,
        "--analysis-date",
        "2024-03-31",
        "--out",
        out,
    )

    # Then January's cohort (ann, dan), February's (bob) and March's (cat, eve) are written, later months of
    # the younger cohorts left blank (censored), not zero
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cohorts: 3 monthly cohorts as of 2024-03-31: ")
    header = ["cohort", "customers", "month_0", "month_1", "month_2"]
    counts = list(csv.reader((out / "counts.csv").open()))
    assert counts == [
        header,
        ["2024-01", "2", "2", "1", "2"],
        ["2024-02", "1", "1", "0", ""],
        ["2024-03", "2", "2", "", ""],
    ]
    retention = list(csv.reader((out / "retention.csv").open()))
    assert retention[1:] == [
        ["2024-01", "2", "100.0", "50.0", "100.0"],
        ["2024-02", "1", "100.0", "0.0", ""],
        ["2024-03", "2", "100.0", "", ""],
    ]
    revenue = list(csv.reader((out / "revenue.csv").open()))
    assert revenue[1:] == [
        ["2024-01", "2", "110.0", "20.0", "65.0"],
        ["2024-02", "1", "5.0", "0.0", ""],
        ["2024-03", "2", "11.0", "", ""],
    ]


def test_weekly_cohorts_of_the_cdnow_log(tmp_path: Path) -> None:
    # Given the headerless CDNOW sample, by column position
    result = accord(
        "analytics",
        "cohorts",
        "--transactions",
        DATA / "CDNOW_sample.txt",
        "--no-header",
        "--customer-col",
        "2",
        "--date-col",
        "3",
        "--amount-col",
        "5",
        "--period",
        "week",
        "--out",
        tmp_path,
    )

    # Then its customers, who all first bought in the 12 weeks from 1 January 1997, form 13 Monday-weeks
    assert result.returncode == 0, result.stderr
    counts = read_csv(tmp_path / "counts.csv")
    assert len(counts) == 13
    assert (counts[0]["cohort"], counts[-1]["cohort"]) == ("1996-12-30", "1997-03-24")
    assert sum(int(row["customers"]) for row in counts) == 2357


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("", (), "{path}: the file is empty"),
        ("customer,date,amount\n", (), "{path}: no transactions (the file has a header and no rows)"),
        (
            "who,date,amount\na,2024-01-01,1\n",
            (),
            "no customer column: pass --customer-col (columns found: 'who', 'date', 'amount')",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\n",
            ("--amount-col", "price"),
            "no column 'price' (columns found: 'customer', 'date', 'amount')",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\nb,2024-02-30,1\n",
            (),
            "row 3, column 'date': '2024-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\nb,2024-01-02,-3\n",
            (),
            "row 3, column 'amount': negative amount -3 (leave refunds out of the log)",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\nb,2024-01-02,3 EUR\n",
            (),
            "row 3, column 'amount': '3 EUR' is not an amount",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\n",
            ("--analysis-date", "2023-12-31"),
            "--analysis-date 2023-12-31 comes before the first purchase",
        ),
    ],
)
@pytest.mark.parametrize("command", ["rfm", "cohorts", "clv"])
def test_bad_input_is_one_line_and_status_1(
    tmp_path: Path, command: str, content: str, extra: tuple[str, ...], message: str
) -> None:
    if command == "clv" and "--analysis-date" in extra:
        pytest.skip("clv has calibration and holdout dates instead")
    # Given a bad log
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")

    # When a command reads it
    result = accord("analytics", command, "--transactions", path, *extra, "--out", tmp_path / "out")

    # Then it fails with one line naming the problem, and writes nothing
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"accord analytics {command}: {message.format(path=path)}\n"
    assert not (tmp_path / "out").exists()


def test_a_missing_file_and_an_unwritable_output(tmp_path: Path, shop_log: Path) -> None:
    result = accord("analytics", "rfm", "--transactions", tmp_path / "none.csv", "--out", tmp_path / "out")
    assert (result.returncode, result.stderr) == (
        1,
        f"accord analytics rfm: {tmp_path / 'none.csv'}: cannot read the file (No such file or directory)\n",
    )

    # Given an output path that is a file
    blocker = tmp_path / "taken"
    blocker.write_text("")
    result = accord("analytics", "rfm", "--transactions", shop_log, *COLUMNS, "--out", blocker)
    assert (result.returncode, result.stderr) == (1, f"accord analytics rfm: {blocker}: File exists\n")


def test_bad_rules_and_bad_usage(tmp_path: Path, shop_log: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('[{"segment": "champions", "recency": [5, 5], "frequency": [1, 5]}]')
    result = accord(
        "analytics",
        "rfm",
        "--transactions",
        shop_log,
        *COLUMNS,
        "--segment-rules",
        rules,
        "--out",
        tmp_path / "out",
    )
    assert (result.returncode, result.stderr) == (
        1,
        "accord analytics rfm: no rule matches R=1, F=1, M=1: every score must have a segment\n",
    )

    # Bad usage prints the usage and exits with status 2, as every accord command does
    result = accord("analytics", "cohorts", "--transactions", shop_log, "--period", "year", "--out", tmp_path)
    assert result.returncode == 2
    assert "argument --period: invalid choice: 'year'" in result.stderr
    result = accord(
        "analytics", "rfm", "--transactions", shop_log, "--analysis-date", "soon", "--out", tmp_path
    )
    assert result.returncode == 2
    assert "argument --analysis-date: 'soon' is not a date (use YYYY-MM-DD)" in result.stderr


def test_a_single_customer_with_one_purchase(tmp_path: Path) -> None:
    # Given a log of one customer who bought once
    path = tmp_path / "one.csv"
    path.write_text("customer,date,amount\nzoe,2024-05-01,12.50\n", encoding="utf-8")

    # When RFM runs, then the lone customer sits in the middle of every score
    result = accord("analytics", "rfm", "--transactions", path, "--out", tmp_path / "rfm")
    assert result.returncode == 0, result.stderr
    row = read_csv(tmp_path / "rfm" / "customers.csv")[0]
    assert (row["recency_score"], row["frequency_score"], row["monetary_score"], row["segment"]) == (
        "3",
        "3",
        "3",
        "need_attention",
    )

    # and the lifetime value models refuse, saying why
    result = accord("analytics", "clv", "--transactions", path, "--out", tmp_path / "clv")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "accord analytics clv: none of the 1 customers bought on more than one day by 2024-05-01: "
        "the models need repeat purchases to be fitted\n"
    )
