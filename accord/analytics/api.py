"""REST endpoints of the customer value analysis: a contact's scores, the runs, and starting a refresh."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field

from accord.analytics import selectors
from accord.analytics.filters import AnalyticsRunFilter
from accord.analytics.models import AnalyticsRun
from accord.analytics.schemas import AnalyticsRunOut, ContactScoreOut, RefreshIn
from accord.analytics.tasks import refresh_enqueue
from accord.core.api import ORJSONRenderer
from accord.core.crud import ERRORS, actor_of, page_schema
from accord.core.schemas import RecordId
from accord.jobs.models import Job
from accord.jobs.schemas import JobOut

Limit = Annotated[int, Field(ge=1, le=200)]

analytics = Router(tags=["Analytics"])
contact_scores = Router(tags=["Analytics"])
AnalyticsRunPage = page_schema(AnalyticsRunOut, "runs")


@contact_scores.get(
    "/contacts/{int:contact_id}/scores",
    response={200: ContactScoreOut, **ERRORS},
    operation_id="get_contact_scores",
    summary="A contact's value scores from the latest analysis (404: not visible, or no purchases analysed)",
)
def get_contact_scores(request: HttpRequest, contact_id: RecordId) -> Any:
    actor = actor_of(request)
    found = selectors.contact_score(actor=actor, contact_id=contact_id)
    hidden = selectors.hidden_score_fields(actor)
    if not hidden:
        return found
    data = ContactScoreOut.model_validate(found).model_dump()
    for name in hidden:
        del data[name]
    return _json(request, data)


def _json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    """Rendered here, because ninja's validation would put the hidden fields back as nulls."""
    return HttpResponse(
        ORJSONRenderer().render(request, data, response_status=200), content_type=ORJSONRenderer.media_type
    )


@analytics.get(
    "/runs",
    response={200: AnalyticsRunPage, **ERRORS},
    operation_id="list_analytics_runs",
    summary="Every analysis run, newest first (administrators and sales managers)",
)
def list_runs(
    request: HttpRequest,
    filters: Query[AnalyticsRunFilter],
    cursor: str | None = None,
    limit: Limit = 20,
) -> dict[str, Any]:
    page = selectors.run_list(actor=actor_of(request), filters=filters, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@analytics.get(
    "/runs/latest",
    response={200: AnalyticsRunOut, **ERRORS},
    operation_id="get_latest_analytics_run",
    summary="The latest successful analysis: the one the contacts' scores come from (404 before the first)",
)
def latest_run(request: HttpRequest) -> AnalyticsRun:
    return selectors.run_latest(actor=actor_of(request))


@analytics.post(
    "/refresh",
    response={202: JobOut, **ERRORS},
    operation_id="refresh_analytics",
    summary="Queue a refresh of every contact's scores; follow it at GET /jobs/{id} (administrators and sales managers)",
)
def refresh(request: HttpRequest, payload: RefreshIn) -> Status[Job]:
    queued = refresh_enqueue(
        actor=actor_of(request),
        analysis_date=payload.analysis_date,
        horizon_weeks=payload.horizon_weeks,
        annual_discount_rate=payload.annual_discount_rate,
        model=payload.model,
    )
    return Status(202, queued)
