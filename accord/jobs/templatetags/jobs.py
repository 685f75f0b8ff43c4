"""``{% load jobs %}{% job_progress job %}``: the live progress bar of a job (or a job id), for any page."""

from __future__ import annotations

from typing import Any

from django import template

from accord.core.errors import NotFound
from accord.core.web import web_actor
from accord.jobs.models import Job
from accord.jobs.selectors import job_get

register = template.Library()


@register.inclusion_tag("jobs/_progress.html", takes_context=True)
def job_progress(context: template.Context, job: Job | int | str) -> dict[str, Any]:
    """The bar of ``job``; given an id, the job is read as the signed-in user may see it (nothing is
    shown for a job they may not see)."""
    if not isinstance(job, Job):
        try:
            job = job_get(actor=web_actor(context["request"]), job_id=int(job))
        except (NotFound, ValueError):
            return {"job": None}
    return {"job": job}
