"""The refresh: scores for exactly the contacts who bought, a report of the shape ``report.py`` gives, one
audit entry, and a failed run that leaves the previous scores as they were."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from accord.analytics import report as report_shapes
from accord.analytics.models import AnalyticsRun, ContactScore, RfmSegment
from accord.analytics.refresh_command import MODEL_CHOICES
from accord.analytics.scoring import MODELS
from accord.analytics.services import RefreshFailed, analytics_refresh
from accord.analytics.tests.history import ANALYSIS_DATE, build_history, oracle, simulated_shop
from accord.core.actors import SYSTEM, Actor
from accord.core.errors import PermissionDenied, ValidationFailed
from accord.core.models import AuditEntry
from accord.web.tests.builders import make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_the_refresh_scores_exactly_the_buying_contacts() -> None:
    # Given a simulated shop, and the hand-built history with its refunds, cancellations and USD orders
    simulated_shop(300)
    history = build_history()
    # When an administrator refreshes
    run = analytics_refresh(actor=SYSTEM, analysis_date=ANALYSIS_DATE)
    # Then every contact with a paid EUR order up to the date has scores, and nobody else
    expected = oracle(analysis_date=ANALYSIS_DATE, currency="EUR", calibration_end=None)
    scores = {score.contact_id: score for score in ContactScore.objects.all()}
    assert set(scores) == set(expected)
    assert history.contacts["cyd"].pk not in scores  # refunds only
    assert (run.status, run.customers, run.error) == (AnalyticsRun.Status.SUCCEEDED, len(expected), "")
    # And each contact's history figures are the oracle's
    for contact_id, row in expected.items():
        score = scores[contact_id]
        assert (score.first_purchase_on, score.last_purchase_on) == (row.first_day, row.last_day)
        assert score.frequency == row.purchase_days - 1
        assert score.recency_days == (ANALYSIS_DATE - row.last_day).days
        assert float(score.monetary) == pytest.approx(row.revenue, abs=0.005)
        assert 0 <= score.probability_alive <= 1
        assert score.rfm_segment in RfmSegment.values
        assert all(
            1 <= value <= 5 for value in (score.recency_score, score.frequency_score, score.monetary_score)
        )
    ada = scores[history.contacts["ada"].pk]
    # cost to serve: the refund (40), the discounts (7.50), an inbound call (6) and e-mail (3)
    assert float(ada.cost_to_serve) == pytest.approx(56.50)
    assert float(ada.profitability) == pytest.approx(float(ada.lifetime_value) - 56.50, abs=0.011)
    # And the run records its parameters, models, timings and one audit entry
    assert run.parameters["currency"] == "EUR"
    assert run.parameters["orders_in_other_currencies"] == expected_usd_orders()
    assert run.parameters["horizon_weeks"] == 52
    assert set(run.fitted_models) >= {"purchase", "spend"}
    assert set(run.timings) == {"aggregate", "fit_and_score", "calibration", "report", "write", "total"}
    entries = AuditEntry.objects.filter(action="analytics_refresh")
    assert [(entry.object_id, entry.changes["status"]) for entry in entries] == [
        (run.pk, [None, "succeeded"])
    ]


def expected_usd_orders() -> int:
    from accord.sales.models import Order

    return Order.objects.filter(
        status="paid",
        currency="USD",
        contact__isnull=False,
        ordered_at__lt=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
    ).count()


def _check_shape(value: object, shape: object, where: str) -> None:
    """``value`` (as stored, JSON) has exactly the keys and value types of the TypedDict ``shape``."""
    origin = typing.get_origin(shape)
    if isinstance(shape, type) and typing.is_typeddict(shape):
        assert isinstance(value, dict), where
        hints = typing.get_type_hints(shape)
        assert set(value) == set(hints), where
        for key, hint in hints.items():
            _check_shape(value[key], hint, f"{where}.{key}")
    elif origin is list:
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            _check_shape(item, typing.get_args(shape)[0], f"{where}[{index}]")
    elif origin is tuple:
        assert isinstance(value, list | tuple), where  # JSON turns tuples into lists
        assert len(value) == len(typing.get_args(shape)), where
        for index, (item, hint) in enumerate(zip(value, typing.get_args(shape), strict=True)):
            _check_shape(item, hint, f"{where}[{index}]")
    elif origin in (typing.Union, type(int | None)):
        options = typing.get_args(shape)
        if value is None:
            assert type(None) in options, where
        else:
            _check_shape(value, next(option for option in options if option is not type(None)), where)
    elif shape is float:
        assert isinstance(value, int | float), where
    else:
        assert isinstance(value, shape), where  # type: ignore[arg-type]


def test_the_report_follows_the_contract() -> None:
    simulated_shop(400, years=3)
    run = analytics_refresh(actor=SYSTEM, analysis_date=ANALYSIS_DATE)
    run.refresh_from_db()  # as stored: JSON
    _check_shape(run.report, report_shapes.AnalyticsReport, "report")
    report = run.report
    assert report["currency"] == "EUR"
    assert len(report["rfm_grid"]) == 25
    assert sum(cell["customers"] for cell in report["rfm_grid"]) == run.customers
    assert sum(segment["customers"] for segment in report["segments"]) == run.customers
    assert sum(report["value_distribution"]["counts"]) == run.customers
    assert sum(tier["customers"] for tier in report["tiers"]) == run.customers
    assert sum(churn["customers"] for churn in report["churn"]) == run.customers
    assert sum(row["size"] for row in report["cohorts"]["rows"]) == run.customers
    assert 0.2 <= report["concentration"]["top_20_percent_share"] <= 1
    # Three years of history: the last quarter is held out and the model checked against it
    calibration = report["calibration"]
    assert (calibration["calibration_end"], calibration["holdout_end"]) == ("2025-03-31", "2025-06-30")
    assert [row["frequency"] for row in calibration["rows"]][-1] == "7+"
    assert len(calibration["weekly"]) == 13
    assert calibration["weekly"][-1][2] == calibration["actual_total"]
    assert "calibration" in run.fitted_models


def test_a_short_history_has_no_calibration() -> None:
    # a year of orders, analysed 120 days before its end: 245 days of history, less than 273 + 91
    simulated_shop(300, years=1)
    run = analytics_refresh(actor=SYSTEM, analysis_date=ANALYSIS_DATE - dt.timedelta(days=120))
    assert run.report["calibration"] is None
    assert run.parameters["calibration_end"] is None


def test_a_failed_refresh_leaves_the_previous_scores() -> None:
    # Given scores from a first refresh
    simulated_shop(300)
    first = analytics_refresh(actor=SYSTEM, analysis_date=ANALYSIS_DATE)
    before = list(
        ContactScore.objects.order_by("contact_id").values_list("contact_id", "run_id", "lifetime_value")
    )

    # When a second one stops while writing (as a cancelled job does, from its progress report)
    def stop_while_writing(done: int, total: int, message: str) -> None:
        if message.startswith("Writing scores:"):
            raise RuntimeError("stopped while writing")

    with pytest.raises(RefreshFailed, match="stopped while writing"):
        analytics_refresh(actor=SYSTEM, analysis_date=dt.date(2025, 6, 29), progress=stop_while_writing)
    # Then the scores are the first run's, and the second run is recorded as failed with its error
    after = list(
        ContactScore.objects.order_by("contact_id").values_list("contact_id", "run_id", "lifetime_value")
    )
    assert after == before
    assert {run_id for _, run_id, _ in after} == {first.pk}
    failed = AnalyticsRun.objects.exclude(pk=first.pk).get()
    assert (failed.status, failed.error) == (
        AnalyticsRun.Status.FAILED,
        "RuntimeError: stopped while writing",
    )
    assert failed.finished_at is not None
    assert AuditEntry.objects.filter(action="analytics_refresh", object_id=failed.pk).count() == 1


def test_nothing_to_analyse_is_a_failed_run_with_a_clear_message() -> None:
    with pytest.raises(RefreshFailed, match="nothing to analyse"):
        analytics_refresh(actor=SYSTEM, analysis_date=ANALYSIS_DATE)
    assert AnalyticsRun.objects.get().status == AnalyticsRun.Status.FAILED


def test_a_sales_rep_may_not_refresh_and_a_manager_may() -> None:
    simulated_shop(200)
    with pytest.raises(PermissionDenied):
        analytics_refresh(actor=Actor(user=make_user("rep")), analysis_date=ANALYSIS_DATE)
    assert not AnalyticsRun.objects.exists()
    manager = make_user("manager", "sales_manager")
    run = analytics_refresh(actor=Actor(user=manager), analysis_date=ANALYSIS_DATE, model="paretonbd")
    assert (run.created_by_id, run.fitted_models["purchase"]["model"]) == (manager.pk, "paretonbd")


def test_bad_parameters_are_refused_before_any_run() -> None:
    with pytest.raises(ValidationFailed) as refused:
        analytics_refresh(actor=SYSTEM, horizon_weeks=0, annual_discount_rate=-0.1, model="magic")
    assert set(refused.value.fields) == {"horizon_weeks", "annual_discount_rate", "model"}
    assert not AnalyticsRun.objects.exists()


def test_the_command_line_knows_every_model_the_refresh_fits() -> None:
    assert set(MODEL_CHOICES) == set(MODELS)


def test_accord_analytics_refresh_on_a_fresh_database(tmp_path: Path) -> None:
    # Given a migrated embedded database with a few purchases (written by a child process)
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path), "DATABASE_URL": "", "PYTHONPATH": str(ROOT)}
    accord = [sys.executable, "-c", "import sys; from accord.cli import main; sys.exit(main(sys.argv[1:]))"]
    subprocess.run([*accord, "migrate"], env=env, check=True, capture_output=True)
    seed = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.dev'; django.setup(); "
        "from accord.analytics.tests.history import simulated_shop; simulated_shop(150)"
    )
    subprocess.run([sys.executable, "-c", seed], env=env, check=True, capture_output=True, cwd=ROOT)
    # When the command runs
    done = subprocess.run(
        [*accord, "analytics", "refresh", "--analysis-date", "2025-06-30", "--horizon-weeks", "26"],
        env=env,
        capture_output=True,
        text=True,
    )
    # Then it prints one line with the run and the customers scored
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Analysis 1 as of 2025-06-30: ")
    assert "customers scored in EUR" in done.stdout
    # And bad input is one clear line, not a traceback
    bad = subprocess.run(
        [*accord, "analytics", "refresh", "--analysis-date", "2999-01-01"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().startswith("accord analytics refresh: analysis_date: Choose a date up to today")
    assert "Traceback" not in bad.stderr
