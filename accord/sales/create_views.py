"""The new lead and new deal pages (``/leads/new/``, ``/deals/new/``), through the flow every new-record
page shares (``accord.customers.create_views.create_page``), and the stage choices of a pipeline that the
deal form asks for when its pipeline changes."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accord.core.actors import Actor
from accord.core.errors import NotFound
from accord.core.web import web_actor
from accord.customers.create_forms import CreateForm
from accord.customers.create_views import (
    COMPANY_PREFILL,
    CreatePage,
    Prefill,
    contact_page_url,
    create_view,
    refused,
)
from accord.customers.selectors import visible_contact_names
from accord.sales.create_forms import DealCreateForm, LeadCreateForm, as_id
from accord.sales.models import Deal, Lead, Pipeline
from accord.sales.selectors import deal_get, lead_get, pipeline_list
from accord.sales.services import deal_create, lead_create


def _pipelines(actor: Actor) -> list[Pipeline]:
    """The pipelines with their stages (two queries), or none for a role that may not view them."""
    return list(pipeline_list(actor=actor)) if actor.access.can("view", "pipeline") else []


def _contact_prefill(actor: Actor, pk: int) -> dict[str, Any]:
    if pk not in visible_contact_names(actor=actor, ids=[pk]):
        raise NotFound(f"No contact with id {pk}.")
    return {"contact_ids": [pk]}


def _deal_parts(actor: Actor, form: CreateForm) -> dict[str, Any]:
    return {"parts": {"pipeline": "sales/create/_pipeline.html"}}


LEAD_PAGE = CreatePage(
    object_type="lead",
    label="lead",
    model=Lead,
    form_class=LeadCreateForm,
    create=lead_create,
    get=lead_get,
    # A new lead's next step is its conversion page, which shows the contact and company it would reuse.
    detail_url=lambda record: f"/leads/{record.pk}/convert/",
    list_url="/leads/",
    nav="leads",
)

DEAL_PAGE = CreatePage(
    object_type="deal",
    label="deal",
    model=Deal,
    form_class=DealCreateForm,
    create=deal_create,
    get=deal_get,
    detail_url=lambda record: f"/deals/{record.pk}/",
    list_url="/deals/board/",
    nav="deals",
    prefills={"company": COMPANY_PREFILL, "contact": Prefill(fill=_contact_prefill, back=contact_page_url)},
    form_options=lambda actor: {"pipelines": _pipelines(actor)},
    context=_deal_parts,
)


lead_new = create_view(LEAD_PAGE)  # /leads/new/
deal_new = create_view(DEAL_PAGE)  # /deals/new/


@require_GET
def deal_new_stages(request: HttpRequest) -> HttpResponse:
    """The stage choices of ``?pipeline_id=`` (htmx, when the deal form's pipeline changes): its stages,
    the first one chosen. 404 for a pipeline the user may not see, 400 for a missing or malformed id."""
    actor = web_actor(request)
    if not actor.access.can("create", "deal"):
        return refused(request, "Your role may not create deals.", status=403)
    pipeline_id = as_id(request.GET.get("pipeline_id"))
    if pipeline_id is None:
        return refused(request, "Give the id of a pipeline, a whole number.", status=400)
    pipelines = _pipelines(actor)
    if pipeline_id not in {pipeline.pk for pipeline in pipelines}:
        raise Http404("No such pipeline.")
    form = DealCreateForm(
        None,
        initial={"pipeline_id": pipeline_id},
        hidden=frozenset(),
        definitions=[],
        users=[],
        pipelines=pipelines,
    )
    return render(request, "sales/create/_stage.html", {"form": form})
