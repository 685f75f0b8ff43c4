"""The refresh as a background job, on demand (``POST /api/v1/analytics/refresh``, the analytics page)
and every night."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.analytics.permissions import require_analytics
from accord.analytics.services import analytics_refresh, refresh_options
from accord.core.actors import Actor
from accord.core.audit import audit_event
from accord.jobs.context import JobContext
from accord.jobs.models import Job
from accord.jobs.registry import job, schedule

NIGHTLY_AT = dt.time(1, 30)


@job("analytics.refresh", label="Refresh customer scores", max_attempts=2)
def refresh(
    context: JobContext,
    *,
    analysis_date: str | None = None,
    horizon_weeks: int = 52,
    annual_discount_rate: float = 0.10,
    model: str = "bgnbd",
) -> dict[str, Any]:
    """Idempotent: a second run replaces the scores the first wrote. A scheduled run has no user and
    runs as Accord itself; an enqueued one as the user who asked (checked again by the service, in case
    their role changed meanwhile)."""

    def progress(done: int, total: int, message: str) -> None:
        context.stop_if_requested()
        context.progress(done, total, message=message)

    run = analytics_refresh(
        actor=context.actor,
        analysis_date=dt.date.fromisoformat(analysis_date) if analysis_date else None,
        horizon_weeks=horizon_weeks,
        annual_discount_rate=annual_discount_rate,
        model=model,
        progress=progress,
    )
    return {"run": run.pk, "customers": run.customers, "analysis_date": run.analysis_date.isoformat()}


def refresh_enqueue(
    *,
    actor: Actor,
    analysis_date: dt.date | None = None,
    horizon_weeks: int = 52,
    annual_discount_rate: float = 0.10,
    model: str = "bgnbd",
) -> Job:
    """Queue a refresh now (the arguments are checked here, so a bad one answers at once rather than
    failing in the worker); audited."""
    require_analytics(actor)
    options = refresh_options(
        analysis_date=analysis_date,
        horizon_weeks=horizon_weeks,
        annual_discount_rate=annual_discount_rate,
        model=model,
    )
    queued = refresh.enqueue(
        actor,
        analysis_date=analysis_date.isoformat() if analysis_date else None,
        horizon_weeks=options.horizon_weeks,
        annual_discount_rate=options.annual_discount_rate,
        model=options.model,
    )
    audit_event(
        actor=actor,
        action="analytics_refresh_queued",
        object_type="analytics.analyticsrun",
        object_id=None,
        object_repr="refresh of the customer scores",
        changes={"job": (None, queued.pk)},
    )
    return queued


schedule("analytics.refresh", every=dt.timedelta(days=1), at=NIGHTLY_AT, name="analytics.refresh.nightly")
