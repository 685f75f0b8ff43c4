"""The refresh of the customer value analysis: aggregate in SQL, run the engine, replace every contact's
scores in one transaction, and record the run (parameters, fitted models, report, timings) with one
audit entry.

A run that fails is recorded as failed with its error; the scores of the previous run stay as they were,
because the new ones are written in one transaction that the failure rolls back.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accord.analytics import aggregation
from accord.analytics.models import AnalyticsRun, ContactScore
from accord.analytics.permissions import require_analytics
from accord.analytics.refresh_command import MODEL_CHOICES
from accord.analytics.reporting import HoldoutWeeks, build_report
from accord.analytics.scoring import CalibrationResult, Scores, calibrate, score
from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import AccordError, FieldErrors
from accord.demo.loader import BulkLoader, chunks

Progress = Callable[[int, int, str], None]
# A quarter is held out to check the purchase model when the calibration period before it is at least
# three times as long, so the fit still sees most of the customers' rhythm.
HOLDOUT_DAYS = 91
MIN_CALIBRATION_DAYS = 3 * HOLDOUT_DAYS
MIN_CALIBRATION_CUSTOMERS = 20
STEPS = (
    "Aggregating orders",
    "Fitting the purchase and spend models",
    "Checking the model against a holdout",
    "Building the report",
    "Writing scores",
)
WRITE_CHUNK_ROWS = 50_000


class RefreshFailed(AccordError):
    """The data cannot be analysed as asked (no purchases, a model the data cannot identify)."""

    status = 422
    code = "analytics_failed"


@dataclass(frozen=True)
class RefreshOptions:
    analysis_date: dt.date
    horizon_weeks: int
    annual_discount_rate: float
    model: str

    def as_parameters(self) -> dict[str, Any]:
        return {
            "analysis_date": self.analysis_date.isoformat(),
            "horizon_weeks": self.horizon_weeks,
            "annual_discount_rate": self.annual_discount_rate,
            "model": self.model,
            "time_unit": "weeks",
        }


def refresh_options(
    *, analysis_date: dt.date | None, horizon_weeks: int, annual_discount_rate: float, model: str
) -> RefreshOptions:
    """The refresh's parameters, checked; one error names every bad one."""
    errors = FieldErrors()
    today = timezone.localdate()
    day = analysis_date or today
    if day > today:
        errors.add("analysis_date", f"Choose a date up to today ({today.isoformat()}).")
    if not 1 <= horizon_weeks <= 520:
        errors.add("horizon_weeks", "Choose a horizon from 1 to 520 weeks.")
    if not (0 <= annual_discount_rate < 1) or not np.isfinite(annual_discount_rate):
        errors.add("annual_discount_rate", "Choose a yearly discount rate from 0 to below 1 (0.10 is 10%).")
    if model not in MODEL_CHOICES:
        errors.add("model", f"Choose one of: {', '.join(MODEL_CHOICES)}.")
    errors.raise_if_any()
    return RefreshOptions(
        analysis_date=day,
        horizon_weeks=horizon_weeks,
        annual_discount_rate=float(annual_discount_rate),
        model=model,
    )


def calibration_end_for(first_day: int, analysis_date: dt.date) -> dt.date | None:
    """The last day of the calibration period, when the history is long enough to hold a quarter out."""
    history_days = aggregation.day_number(analysis_date) - first_day
    if history_days < MIN_CALIBRATION_DAYS + HOLDOUT_DAYS:
        return None
    return analysis_date - dt.timedelta(days=HOLDOUT_DAYS)


class _Steps:
    """Times each step and reports it to ``progress`` (which may raise to stop the run: a job that is
    cancelled does)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()

    @contextmanager
    def step(self, index: int, key: str) -> Iterator[None]:
        self.report(index, STEPS[index])
        start = time.perf_counter()
        yield
        self.timings[key] = round(time.perf_counter() - start, 3)

    def report(self, index: int, message: str) -> None:
        if self.progress is not None:
            self.progress(index, len(STEPS), message)

    def finish(self) -> dict[str, float]:
        self.timings["total"] = round(time.perf_counter() - self.started, 3)
        if self.progress is not None:
            self.progress(len(STEPS), len(STEPS), "Done")
        return self.timings


def analytics_refresh(
    *,
    actor: Actor,
    analysis_date: dt.date | None = None,
    horizon_weeks: int = 52,
    annual_discount_rate: float = 0.10,
    model: str = "bgnbd",
    progress: Progress | None = None,
) -> AnalyticsRun:
    """Score every contact who bought, as of ``analysis_date`` (default today); administrators and sales
    managers only. Raises ``RefreshFailed`` (after recording the failed run) when the data cannot be
    analysed."""
    require_analytics(actor)
    options = refresh_options(
        analysis_date=analysis_date,
        horizon_weeks=horizon_weeks,
        annual_discount_rate=annual_discount_rate,
        model=model,
    )
    run = AnalyticsRun.objects.create(
        analysis_date=options.analysis_date,
        created_by_id=actor.user_id,
        parameters=options.as_parameters(),
    )
    steps = _Steps(progress)
    try:
        scores = _compute(run, options, steps)
        with transaction.atomic():
            with steps.step(4, "write"):
                _write_scores(run, scores, steps)
            run.status = AnalyticsRun.Status.SUCCEEDED
            run.customers = len(scores.purchases)
            run.finished_at = timezone.now()
            run.timings = steps.finish()
            run.save()
            audit_write(
                actor=actor,
                action="analytics_refresh",
                instance=run,
                changes={"status": (None, run.status), "customers": (None, run.customers)},
            )
    except Exception as error:
        _record_failure(actor, run, error, steps)
        if isinstance(error, AccordError):
            raise
        raise RefreshFailed(f"The analysis failed: {error}") from error
    return run


def _record_failure(actor: Actor, run: AnalyticsRun, error: Exception, steps: _Steps) -> None:
    run.status = AnalyticsRun.Status.FAILED
    run.error = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    run.finished_at = timezone.now()
    run.timings = steps.timings
    with transaction.atomic():
        run.save()
        audit_write(
            actor=actor,
            action="analytics_refresh",
            instance=run,
            changes={"status": (None, run.status), "error": (None, run.error[:500])},
        )


def _compute(run: AnalyticsRun, options: RefreshOptions, steps: _Steps) -> Scores:
    day = options.analysis_date
    with steps.step(0, "aggregate"):
        currency = aggregation.choose_currency(day, settings.ACCORD_ANALYTICS_CURRENCY)
        if currency.orders == 0:
            raise RefreshFailed(
                f"No contact has a paid order in {currency.currency or 'any currency'} up to {day.isoformat()}: "
                "there is nothing to analyse yet."
            )
        first_order_day = aggregation.first_purchase_day(analysis_date=day, currency=currency.currency)
        calibration_end = calibration_end_for(first_order_day, day)
        with aggregation.contact_days(analysis_date=day, currency=currency.currency) as days:
            purchases = aggregation.purchases(
                analysis_date=day, currency=currency.currency, calibration_end=calibration_end, days=days
            )
            cohorts = aggregation.cohort_counts(analysis_date=day, currency=currency.currency, days=days)
            holdout = (
                aggregation.holdout_weekly(
                    calibration_end=calibration_end, analysis_date=day, currency=currency.currency, days=days
                )
                if calibration_end is not None
                else None
            )
        support_ids, support = aggregation.support_costs(
            analysis_date=day,
            cost_by_channel=settings.ACCORD_ANALYTICS_SUPPORT_COSTS,
            default_cost=settings.ACCORD_ANALYTICS_SUPPORT_COST_DEFAULT,
        )
    with steps.step(1, "fit_and_score"):
        scores = score(
            purchases,
            analysis_date=day,
            model=options.model,
            horizon_weeks=options.horizon_weeks,
            annual_discount_rate=options.annual_discount_rate,
            support_cost=aggregation.aligned(purchases.contact_ids, support_ids, support),
            currency=currency.currency,
        )
    calibration: tuple[CalibrationResult, HoldoutWeeks] | None = None
    with steps.step(2, "calibration"):
        if (
            calibration_end is not None
            and holdout is not None
            and int(np.count_nonzero(purchases.calibration_days)) >= MIN_CALIBRATION_CUSTOMERS
        ):
            fitted = calibrate(
                purchases, model=options.model, calibration_end=calibration_end, analysis_date=day
            )
            weeks, actual = holdout
            calibration = (fitted, HoldoutWeeks(weeks=weeks, purchases=actual))
    with steps.step(3, "report"):
        run.report = dict(
            build_report(
                scores, cohorts=cohorts, currency=currency, calibration=calibration, analysis_date=day
            )
        )
        run.fitted_models = {
            **scores.fitted_models,
            **({"calibration": calibration[0].model} if calibration is not None else {}),
        }
        run.parameters = {
            **run.parameters,
            "currency": currency.currency,
            "orders_analysed": currency.orders,
            "orders_in_other_currencies": currency.left_out,
            "calibration_end": calibration_end.isoformat()
            if calibration is not None and calibration_end
            else None,
            "support_costs": dict(settings.ACCORD_ANALYTICS_SUPPORT_COSTS),
        }
    return scores


# ---------------------------------------------------------------- writing the scores

SCORE_COLUMNS = [str(field.column) for field in ContactScore._meta.concrete_fields]


def _money(values: np.ndarray) -> list[float]:
    return np.round(values.astype(np.float64), 2).tolist()


def _nullable(values: np.ndarray) -> list[Any]:
    """NaN as NULL."""
    cells = values.astype(object)
    cells[np.isnan(values)] = None
    return list(cells.tolist())


def _score_columns(run: AnalyticsRun, scores: Scores, rows: slice) -> dict[str, list[Any]]:
    """The database values of one chunk of score rows, by column, made from whole arrays."""
    purchases = scores.purchases
    overdue = scores.days_overdue[rows]
    size = len(purchases.contact_ids[rows])
    return {
        "contact_id": purchases.contact_ids[rows].tolist(),
        "run_id": [run.pk] * size,
        "first_purchase_on": BulkLoader.dates(purchases.first_day[rows]),
        "last_purchase_on": BulkLoader.dates(purchases.last_day[rows]),
        "recency_days": scores.recency_days[rows].tolist(),
        "frequency": scores.repeat.frequency[rows].astype(np.int64).tolist(),
        "monetary": _money(purchases.revenue[rows]),
        "recency_score": scores.recency_score[rows].tolist(),
        "frequency_score": scores.frequency_score[rows].tolist(),
        "monetary_score": scores.monetary_score[rows].tolist(),
        "rfm_segment": scores.segment[rows].tolist(),
        "probability_alive": scores.probability_alive[rows].tolist(),
        "expected_purchases": scores.expected_purchases[rows].tolist(),
        "expected_average_spend": _money(scores.expected_average_spend[rows]),
        "lifetime_value": _money(scores.lifetime_value[rows]),
        "cost_to_serve": _money(scores.cost_to_serve[rows]),
        "profitability": _money(scores.profitability[rows]),
        "value_tier": scores.tier[rows].tolist(),
        "churn_risk": scores.churn[rows].tolist(),
        "days_overdue": _nullable(np.round(overdue, 1)),
        "value_at_stake": _money(scores.value_at_stake[rows]),
    }


def _write_scores(run: AnalyticsRun, scores: Scores, steps: _Steps) -> None:
    """Replace the whole table: delete, then bulk insert (COPY on PostgreSQL, executemany on SQLite, as
    the demo loader writes a million contacts), in the caller's transaction. Readers keep seeing the
    previous scores until it commits."""
    loader = BulkLoader(out=io.StringIO())
    table = connection.ops.quote_name(ContactScore._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in SCORE_COLUMNS)
    if loader.vendor == "postgresql":
        statement = f"COPY {table} ({columns}) FROM STDIN"
    else:
        statement = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(SCORE_COLUMNS))})"
    total = len(scores.purchases)
    with loader.session(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        for rows in chunks(total, WRITE_CHUNK_ROWS):
            values = _score_columns(run, scores, rows)
            loader.insert(statement, list(zip(*(values[name] for name in SCORE_COLUMNS), strict=True)))
            steps.report(4, f"Writing scores: {rows.stop:,} of {total:,} contacts")
