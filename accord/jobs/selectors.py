"""Reads of jobs: a user sees the jobs they started, an administrator sees every job (scheduled ones
included); any other job answers 404, so that its existence does not leak."""

from __future__ import annotations

from django.db.models import QuerySet

from accord.core.actors import Actor
from accord.core.errors import NotFound
from accord.core.pagination import Page, paginate
from accord.jobs.models import Job

NEWEST_FIRST = "-id"


def jobs_visible_to(actor: Actor) -> QuerySet[Job]:
    jobs = Job.objects.select_related("created_by")
    if actor.access.is_admin:
        return jobs
    if actor.user_id is None:
        return jobs.none()
    return jobs.filter(created_by_id=actor.user_id)


def job_list(
    *,
    actor: Actor,
    cursor: str | None,
    limit: int,
    status: str | None = None,
    name: str | None = None,
    mine: bool = False,
) -> Page[Job]:
    """The actor's jobs (every job for administrators, unless ``mine``), newest first."""
    jobs = jobs_visible_to(actor)
    if mine:
        jobs = jobs.filter(created_by_id=actor.user_id)
    if status:
        jobs = jobs.filter(status=status)
    if name:
        jobs = jobs.filter(name=name)
    return paginate(jobs, sort=NEWEST_FIRST, cursor=cursor, limit=limit)


def job_get(*, actor: Actor, job_id: int) -> Job:
    job = jobs_visible_to(actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"No job with id {job_id}.")
    return job
