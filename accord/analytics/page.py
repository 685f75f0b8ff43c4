"""What the analytics page reads, and who may read which part of it (docs/analytics.md, "Who sees what").

- The customer value report (segments, value, cohorts, concentration, tiers, calibration) is computed by
  a refresh over every customer and stored whole (``AnalyticsRun.report``): it cannot be narrowed to one
  user's records afterwards. So it is shown only to users who may see every contact and every order with
  its amounts (administrators; others only under public sharing defaults): nobody learns totals of
  records outside their scope.
- The churn list is read per user: the high-risk contacts they may see (``visible_to``), with the money
  columns left out for roles that may not see order totals.
- The forecast is computed per request over the deals the user may see (``accord.analytics.forecast``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db.models import Q
from django.utils import timezone

from accord.analytics.forecast import Forecast, pipeline_forecast
from accord.analytics.models import AnalyticsRun, ChurnRisk, ContactScore, RfmSegment
from accord.analytics.permissions import may_run_analytics, sees_every_customer
from accord.analytics.report import AnalyticsReport
from accord.analytics.selectors import hidden_score_fields, latest_successful_run
from accord.core.actors import Actor
from accord.core.errors import PermissionDenied
from accord.core.permissions import visible_to
from accord.customers.models import Contact, person_name
from accord.jobs.models import Job
from accord.jobs.selectors import jobs_visible_to

REFRESH_JOB = "analytics.refresh"
CHURN_ROWS = 25
RECENT_JOB = dt.timedelta(minutes=10)


def shows_order_money(actor: Actor) -> bool:
    """Scores in money (lifetime value, value at stake) derive from order totals: shown to roles that
    view orders with their totals (the customer page's rule, and orders at all)."""
    return actor.access.can("view", "order") and "value_at_stake" not in hidden_score_fields(actor)


@dataclass(frozen=True)
class ChurnRow:
    contact_id: int
    name: str
    segment: str
    probability_alive: float
    days_overdue: float | None
    value_at_stake: Decimal | None  # None when the role may not see order totals
    lifetime_value: Decimal | None

    @property
    def segment_label(self) -> str:
        return RfmSegment(self.segment).label if self.segment in RfmSegment.values else self.segment


def churn_list(*, actor: Actor, limit: int = CHURN_ROWS) -> list[ChurnRow]:
    """The high-risk customers the actor may see, most value at stake first."""
    if not actor.access.can("view", "contact"):
        return []
    money = shows_order_money(actor)
    scores = (
        ContactScore.objects.filter(
            churn_risk=ChurnRisk.HIGH, contact__in=visible_to(actor, Contact.objects.all()).values("pk")
        )
        .order_by("-value_at_stake", "contact_id")
        .values_list(
            "contact_id",
            "contact__given_name",
            "contact__family_name",
            "rfm_segment",
            "probability_alive",
            "days_overdue",
            "value_at_stake",
            "lifetime_value",
        )[:limit]
    )
    return [
        ChurnRow(
            contact_id=contact_id,
            name=person_name(given, family),
            segment=segment,
            probability_alive=alive,
            days_overdue=overdue,
            value_at_stake=at_stake if money else None,
            lifetime_value=value if money else None,
        )
        for contact_id, given, family, segment, alive, overdue, at_stake, value in scores
    ]


def refresh_job(actor: Actor) -> Job | None:
    """The latest refresh job the actor may see that has not ended, or ended in the last few minutes:
    its live progress bar tells whoever started it how it goes."""
    recent = Q(finished_at__isnull=True) | Q(finished_at__gte=timezone.now() - RECENT_JOB)
    return jobs_visible_to(actor).filter(recent, name=REFRESH_JOB).order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class AnalyticsPage:
    run: AnalyticsRun | None  # the latest successful run, whoever may see its report
    report: AnalyticsReport | None  # None before the first run, or for a user who may not see it
    sees_report: bool
    failed_run: AnalyticsRun | None  # a failed run newer than ``run``
    churn: list[ChurnRow] | None  # None for roles that may not view contacts
    shows_money: bool
    forecast: Forecast | None
    forecast_refused: str  # why there is no forecast, when there is none
    job: Job | None
    may_refresh: bool


def analytics_page(*, actor: Actor) -> AnalyticsPage:
    run = latest_successful_run()
    sees_report = sees_every_customer(actor.access)
    newest = AnalyticsRun.objects.order_by("-started_at", "-id").first()
    failed = newest if newest is not None and newest.status == AnalyticsRun.Status.FAILED else None
    forecast: Forecast | None = None
    refused = ""
    try:
        forecast = pipeline_forecast(actor=actor)
    except PermissionDenied as error:
        refused = error.message
    return AnalyticsPage(
        run=run,
        report=cast(AnalyticsReport, run.report) if run is not None and sees_report else None,
        sees_report=sees_report,
        failed_run=failed,
        churn=churn_list(actor=actor) if actor.access.can("view", "contact") else None,
        shows_money=shows_order_money(actor),
        forecast=forecast,
        forecast_refused=refused,
        job=refresh_job(actor),
        may_refresh=may_run_analytics(actor),
    )
