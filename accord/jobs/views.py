"""The jobs pages: /jobs/ (your jobs) and /jobs/<id>/ with a live progress bar.

The progress bar (``jobs/_progress.html``) polls its job's page every second with htmx while the job is
queued or running; the page answers an htmx request with the bar alone, and a finished job's bar has
no poll, so polling stops by itself. Other pages include the bar with ``{% job_progress job %}``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accord.core.errors import AccordError, NotFound
from accord.core.pagination import Page
from accord.core.web import render_page, web_actor
from accord.jobs import selectors, services
from accord.jobs.models import Job

PAGE_SIZE = 50


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    everyone = actor.access.is_admin and request.GET.get("everyone") == "1"
    status = request.GET.get("status") or None
    if status not in {None, *Job.Status.values}:
        status = None
    try:
        page = selectors.job_list(
            actor=actor, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, status=status, mine=not everyone
        )
    except AccordError:  # a cursor that is not ours: start again
        page = Page(items=[], next_cursor=None)
    query = request.GET.copy()
    if page.next_cursor:
        query["cursor"] = page.next_cursor
    context = {
        "nav": "jobs",
        "jobs": page.items,
        "next_url": f"?{query.urlencode()}" if page.next_cursor else None,
        "everyone": everyone,
        "is_admin": actor.access.is_admin,
        "status": status,
        "statuses": Job.Status.choices,
    }
    return render_page(request, "jobs/list.html", context)


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    return render_page(
        request, "jobs/detail.html", {"nav": "jobs", "job": job}, partial_template="jobs/_progress.html"
    )


@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.job_cancel(actor=web_actor(request), job_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    except AccordError:
        pass  # it ended meanwhile: its page says how
    return redirect("jobs:detail", pk=pk)


def _visible_job(request: HttpRequest, pk: int) -> Job:
    try:
        return selectors.job_get(actor=web_actor(request), job_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
