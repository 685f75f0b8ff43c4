"""REST endpoints of background jobs: your jobs (every job for administrators), one job, cancel."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from accord.core.crud import ERRORS, actor_of, page_schema
from accord.core.schemas import RecordId
from accord.jobs import selectors, services
from accord.jobs.models import Job
from accord.jobs.schemas import JobOut

Limit = Annotated[int, Field(ge=1, le=200)]
Name = Annotated[str, Field(max_length=100)]

jobs = Router(tags=["Jobs"])
JobPage = page_schema(JobOut, "jobs")


@jobs.get(
    "",
    response={200: JobPage, **ERRORS},
    operation_id="list_jobs",
    summary="Your background jobs, newest first (administrators: every job, unless mine=true)",
)
def list_jobs(
    request: HttpRequest,
    status: Job.Status | None = None,
    name: Name | None = None,
    mine: bool = False,
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    page = selectors.job_list(
        actor=actor_of(request), cursor=cursor, limit=limit, status=status, name=name, mine=mine
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@jobs.get(
    "/{int:job_id}",
    response={200: JobOut, **ERRORS},
    operation_id="get_job",
    summary="One job: its status, progress, result or error",
)
def get_job(request: HttpRequest, job_id: RecordId) -> Job:
    return selectors.job_get(actor=actor_of(request), job_id=job_id)


@jobs.post(
    "/{int:job_id}/cancel",
    response={200: JobOut, **ERRORS},
    operation_id="cancel_job",
    summary="Cancel a job: a queued one at once, a running one when it next checks (409 once it ended)",
)
def cancel_job(request: HttpRequest, job_id: RecordId) -> Job:
    return services.job_cancel(actor=actor_of(request), job_id=job_id)
