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


# ------------------------------------------------------------------------------ clv (the fitted models)

CDNOW = (
    "--transactions",
    DATA / "CDNOW_sample.txt",
    "--no-header",
    "--customer-col",
    "2",
    "--date-col",
    "3",
    "--amount-col",
    "5",
)


def significant(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits}g}")


def needs_the_models() -> None:
    """The purchase and spend models are another part of issue #6; these tests run once they are merged."""
    for module in ("bgnbd", "paretonbd", "gammagamma", "clv", "calibration"):
        pytest.importorskip(f"accord.analytics.engine.{module}")


def test_clv_reproduces_the_published_cdnow_estimates(tmp_path: Path) -> None:
    needs_the_models()
    # Given the CDNOW sample with the paper's 39-week calibration period (to 30 September 1997)
    result = accord("analytics", "clv", *CDNOW, "--calibration-end", "1997-09-30", "--out", tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"clv: bgnbd fitted on 2,357 customers to 1997-09-30: {tmp_path / 'model.json'}, {tmp_path / 'customers.csv'}\n"
    )
    model = json.loads((tmp_path / "model.json").read_text())
    # Then BG/NBD's estimates are those of Fader, Hardie & Lee (2005), "Counting your customers the easy
    # way", Marketing Science 24(2), p. 280: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
    assert (model["model"], model["customers"], model["time_unit"]) == ("bgnbd", 2357, "weeks")
    assert {name: significant(value) for name, value in model["parameters"].items()} == {
        "r": 0.243,
        "alpha": 4.41,
        "a": 0.793,
        "b": 2.43,
    }
    assert round(model["log_likelihood"], 1) == -9582.4  # the paper's LL is −9,582.4
    # and Gamma-Gamma's those of Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves", JMR
    # 42(4), p. 420: p = 6.25, q = 3.74, gamma = 15.44, fitted on the 946 repeat buyers
    spend = model["spend_model"]
    assert (spend["model"], spend["customers"]) == ("gammagamma", 946)
    assert {name: significant(value) for name, value in spend["parameters"].items()} == {
        "p": 6.25,
        "q": 3.74,
        "gamma": 15.4,
    }
    assert (
        model["calibration_end"],
        model["holdout_end"],
        model["horizon"],
        model["annual_discount_rate"],
    ) == (
        "1997-09-30",
        "1998-06-30",
        52,
        0.1,
    )
    assert model["holdout"]["actual_purchases"] == 1882
    assert model["holdout"]["by_frequency"][0]["frequency"] == "0"

    # and one row per customer, with the holdout's actual purchases
    rows = read_csv(tmp_path / "customers.csv")
    assert list(rows[0]) == [
        "customer",
        "frequency",
        "recency",
        "T",
        "probability_alive",
        "expected_purchases",
        "expected_average_spend",
        "lifetime_value",
        "actual_holdout_purchases",
    ]
    assert len(rows) == 2357
    assert (rows[0]["customer"], rows[0]["frequency"], rows[0]["recency"], rows[0]["T"]) == (
        "0001",
        "2",
        "30.4286",
        "38.8571",
    )
    assert sum(int(row["actual_holdout_purchases"]) for row in rows) == 1882
    assert all(
        0 <= float(row["probability_alive"]) <= 1 and float(row["lifetime_value"]) >= 0 for row in rows
    )


def test_clv_with_pareto_nbd(tmp_path: Path) -> None:
    needs_the_models()
    result = accord(
        "analytics",
        "clv",
        *CDNOW,
        "--calibration-end",
        "1997-09-30",
        "--model",
        "paretonbd",
        "--out",
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    model = json.loads((tmp_path / "model.json").read_text())
    # Pareto/NBD on CDNOW as in Fader, Hardie & Lee (2005), "A note on implementing the Pareto/NBD model in
    # MATLAB": r = 0.5534, alpha = 10.5802, s = 0.6061, beta = 11.6690
    assert {name: significant(value) for name, value in model["parameters"].items()} == {
        "r": 0.553,
        "alpha": 10.6,
        "s": 0.606,
        "beta": 11.7,
    }


def test_clv_without_a_holdout_in_days(tmp_path: Path) -> None:
    needs_the_models()
    result = accord("analytics", "clv", *CDNOW, "--time-unit", "days", "--horizon", "365", "--out", tmp_path)

    assert result.returncode == 0, result.stderr
    model = json.loads((tmp_path / "model.json").read_text())
    assert (model["time_unit"], model["holdout_end"], model["horizon"]) == ("days", None, 365.0)
    assert "holdout" not in model
    rows = read_csv(tmp_path / "customers.csv")
    assert "actual_holdout_purchases" not in rows[0]
    assert (rows[0]["recency"], rows[0]["T"]) == ("345.0", "545.0")


def test_clv_refuses_an_unidentifiable_model_and_bad_periods(tmp_path: Path) -> None:
    needs_the_models()
    # Given two customers with identical histories: fewer distinct customers than parameters
    path = tmp_path / "twins.csv"
    path.write_text("customer,date,amount\na,2024-01-01,5\na,2024-01-02,5\nb,2024-01-01,5\nb,2024-01-02,5\n")

    result = accord("analytics", "clv", "--transactions", path, "--out", tmp_path / "out")

    # Then one line says the model cannot be fitted, and nothing is written
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("accord analytics clv: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()

    result = accord(
        "analytics", "clv", "--transactions", path, "--holdout-end", "2024-01-02", "--out", tmp_path / "out"
    )
    assert (result.returncode, result.stderr) == (
        1,
        "accord analytics clv: --holdout-end needs --calibration-end\n",
    )
    result = accord(
        "analytics",
        "clv",
        "--transactions",
        path,
        "--calibration-end",
        "2024-01-02",
        "--out",
        tmp_path / "out",
    )
    assert (result.returncode, result.stderr) == (
        1,
        "accord analytics clv: --calibration-end 2024-01-02 must fall on or after the first purchase and before "
        "the holdout end 2024-01-02\n",
    )
