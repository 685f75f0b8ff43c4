"""The deal board, the deal page and the lead conversion page.

Thin: a form parses the request, one selector reads or one service writes, a template renders. htmx
requests (and the board's drag and drop, which sends ``HX-Request``) get the fragment that changed; other
requests get the full page, so every action also works without JavaScript. Service errors become page
answers: a record the user may not see is a 404, a refused action a 403, field errors are shown beside
their fields (422) and a stale version is a 409 that shows both versions rather than overwriting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from accord.core import errors
from accord.core.actors import Actor
from accord.core.forms import mark_invalid
from accord.core.permissions import hidden_keys
from accord.core.web import render_page, web_actor
from accord.sales.board_forms import (
    MAX_ID,
    BoardFilterForm,
    DealEditForm,
    LeadConvertForm,
    MoveForm,
    OffsetForm,
    add_service_errors,
    stage_label,
    user_label,
)
from accord.sales.filters import DealFilter
from accord.sales.models import Lead
from accord.sales.selectors import (
    BoardColumn,
    ColumnTotals,
    DealPage,
    LeadConversionPage,
    amounts_visible,
    board_card,
    board_column_page,
    board_stage,
    board_totals,
    deal_board,
    deal_page,
    lead_conversion_page,
    owner_choices,
)
from accord.sales.services import deal_move, deal_update, lead_convert

View = TypeVar("View", bound=Callable[..., HttpResponse])


def page_errors(view: View) -> View:
    """A record outside the user's scope answers 404 (its existence does not leak); an action the role
    does not grant answers 403 with the reason; an id too large for the database is a 404, not a 500."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any(isinstance(value, int) and value > MAX_ID for value in kwargs.values()):
            raise Http404("No such record.")
        try:
            return view(request, *args, **kwargs)
        except errors.NotFound as error:
            raise Http404(error.message) from error
        except errors.PermissionDenied as error:
            return render(request, "sales/board/refused.html", {"message": error.message}, status=403)

    return cast(View, wrapped)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back after a form: the ``next`` the page gave, when it is a path on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def board_filters(request: HttpRequest, actor: Actor, owners: list[AbstractBaseUser]) -> BoardFilterForm:
    form = BoardFilterForm(request.GET, owners=owners)
    form.is_valid()
    mark_invalid(form)
    return form


# ---------------------------------------------------------------- the board


@page_errors
@require_GET
def board(request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
    """The board of a pipeline: a column per stage with its count and totals, cards to drag or move."""
    actor = web_actor(request)
    form = board_filters(request, actor, owner_choices(actor=actor))
    filters = form.deal_filter(actor) if form.is_valid() else DealFilter()
    deal_board_ = deal_board(actor=actor, pipeline_id=pipeline_id, filters=filters)
    context = {
        "nav": "deals",
        "board": deal_board_,
        "amounts_visible": deal_board_.amounts_visible,
        "stage_choices": [(column.stage, stage_label(column.stage)) for column in deal_board_.columns],
        "form": form,
        "filter_query": form.query_string(),
        "today": timezone.localdate(),
        "can_create": actor.access.can("create", "deal"),
    }
    status = 200 if form.is_valid() else 400
    return render_page(
        request, "sales/board/board.html", context, partial_template="sales/board/_board.html", status=status
    )


@page_errors
@require_GET
def board_column(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """More cards of one column ("show more"); without htmx, a page of that column's cards."""
    actor = web_actor(request)
    stage = board_stage(actor=actor, pipeline_id=pipeline_id, stage_id=stage_id)
    form = board_filters(request, actor, [])
    paging = OffsetForm(request.GET)
    if not form.is_valid() or not paging.is_valid():
        return HttpResponse("Bad filter or offset.", status=400, content_type="text/plain")
    offset = paging.cleaned_data["offset"] or 0
    column = board_column_page(actor=actor, stage=stage, filters=form.deal_filter(actor), offset=offset)
    context = {
        "nav": "deals",
        "column": column,
        "pipeline": stage.pipeline,
        "offset": offset,
        "next_offset": offset + len(column.cards),
        "has_more": offset + len(column.cards) < column.totals.count,
        "filter_query": form.query_string(),
        "amounts_visible": amounts_visible(actor),
        "today": timezone.localdate(),
    }
    return render_page(
        request, "sales/board/column.html", context, partial_template="sales/board/_column_more.html"
    )


# ---------------------------------------------------------------- moving a deal


@page_errors
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a deal to a stage (won and lost included, lost with a reason) through ``deal_move``.

    The board's drag and drop and its Move dialog post here with ``HX-Request``: the answer is the card
    as the server now has it, every column head of the pipeline (counts and totals), and a message; the
    status says whether the move happened (200) or not (409 stale version, 422 invalid, 403 refused).
    A plain form post (no JavaScript, the deal page's won/lost buttons) redirects back on success and
    shows the move page with the errors beside the fields otherwise."""
    actor = web_actor(request)
    page = deal_page(actor=actor, pk=pk)
    back = safe_next(request, f"/deals/{pk}/")
    if request.method == "GET":
        form = MoveForm(
            initial={"stage_id": page.deal.stage_id, "version": page.deal.version}, stages=page.stages
        )
        return _move_page(request, page, form, back, status=200)
    form = MoveForm(request.POST, stages=page.stages)
    message, status = "", 200
    if form.is_valid():
        try:
            moved = deal_move(
                actor=actor,
                instance=page.deal,
                stage_id=form.cleaned_data["stage_id"],
                lost_reason=form.cleaned_data["lost_reason"] or None,
                expected_version=form.cleaned_data["version"],
            )
        except errors.ValidationFailed as error:
            add_service_errors(form, error.fields, {})
            status = 422
        except (errors.PreconditionFailed, errors.Conflict):
            message = "Someone changed this deal since you loaded the page, so it was not moved. It now shows as it is."
            status = 409
        except errors.PermissionDenied as error:
            message, status = error.message, 403
        else:
            stage_name = next((s.name for s in page.stages if s.pk == moved.stage_id), "")
            message = f"Moved “{moved.name}” to {stage_name}."
    else:
        status = 422
    if status == 422:
        message = "Not moved: " + " ".join(
            str(e) for field_errors in form.errors.values() for e in field_errors
        )
    if is_htmx(request):
        return _move_result(request, actor, page, message, status)
    if status == 200:
        messages.success(request, message)
        return HttpResponseRedirect(back)
    if status == 409:
        # Show the current version: a new form with the deal as it is now, and the reason it was refused.
        current = deal_page(actor=actor, pk=pk)
        form = MoveForm(
            initial={"stage_id": current.deal.stage_id, "version": current.deal.version},
            stages=current.stages,
        )
        return _move_page(request, current, form, back, status=status, message=message)
    return _move_page(request, page, form, back, status=status, message="" if status == 422 else message)


def _move_page(
    request: HttpRequest, page: DealPage, form: MoveForm, back: str, *, status: int, message: str = ""
) -> HttpResponse:
    mark_invalid(form)
    context = {
        "nav": "deals",
        "page": page,
        "deal": page.deal,
        "form": form,
        "next": back,
        "message": message,
    }
    return render(request, "sales/board/move.html", context, status=status)


def _move_result(
    request: HttpRequest, actor: Actor, page: DealPage, message: str, status: int
) -> HttpResponse:
    """The card as the server has it and every column head of its pipeline, under the board's filters."""
    form = board_filters(request, actor, [])
    filters = form.deal_filter(actor) if form.is_valid() else DealFilter()
    card = board_card(actor=actor, pk=page.deal.pk)
    totals = board_totals(actor=actor, pipeline=page.deal.pipeline, filters=filters)
    columns = [BoardColumn(stage, totals.get(stage.pk, ColumnTotals()), []) for stage in page.stages]
    context = {
        "card": card,
        "columns": columns,
        "message": message,
        "is_error": status != 200,
        "amounts_visible": page.amounts_visible,
        "today": timezone.localdate(),
    }
    return render(request, "sales/board/_move_result.html", context, status=status)


# ---------------------------------------------------------------- the deal page


@page_errors
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A deal: details, people with their roles, stage history, and the actions on it."""
    actor = web_actor(request)
    page = deal_page(actor=actor, pk=pk)
    return render_page(
        request,
        "sales/board/deal.html",
        _deal_context(actor, page),
        partial_template="sales/board/_deal_details.html",
    )


def _deal_context(actor: Actor, page: DealPage, **extra: Any) -> dict[str, Any]:
    stages = page.stages
    return {
        "nav": "deals",
        "page": page,
        "deal": page.deal,
        "won_stage": next((s for s in stages if s.kind == "won"), None),
        "lost_stage": next((s for s in stages if s.kind == "lost"), None),
        "move_form": MoveForm(
            initial={"stage_id": page.deal.stage_id, "version": page.deal.version}, stages=stages
        ),
        "may_edit": actor.access.can("edit", "deal"),
        "today": timezone.localdate(),
        **extra,
    }


@page_errors
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Inline edit of a deal through ``deal_update`` with the version the form was read at: a stale
    version shows both versions side by side and changes nothing."""
    actor = web_actor(request)
    page = deal_page(actor=actor, pk=pk)
    owners = owner_choices(actor=actor)
    options: dict[str, Any] = {
        "owners": owners,
        "amount_visible": page.amounts_visible,
        "current_owner": page.deal.owner,
    }
    if request.method == "GET":
        form = DealEditForm(initial=DealEditForm.initial_for(page.deal), **options)
        return _edit_page(request, actor, page, form, status=200)
    form = DealEditForm(request.POST, **options)
    if not form.is_valid():
        return _edit_page(request, actor, page, form, status=422)
    try:
        deal_update(
            actor=actor,
            instance=page.deal,
            data=form.service_data(),
            expected_version=form.cleaned_data["version"],
        )
    except errors.ValidationFailed as error:
        add_service_errors(form, error.fields, DealEditForm.SERVICE_NAMES)
        return _edit_page(request, actor, page, form, status=422)
    except (errors.PreconditionFailed, errors.Conflict):
        return _conflict_page(request, actor, page, form, owners)
    try:
        saved = deal_page(actor=actor, pk=pk)
    except errors.NotFound:
        # Handed to an owner whose deals this user does not see: saved, but no longer theirs to show.
        messages.success(request, "Deal saved. Its new owner's deals are not visible to you.")
        return _redirect(request, f"/deals/board/{page.deal.pipeline_id}/")
    if is_htmx(request):
        return render(request, "sales/board/_deal_details.html", _deal_context(actor, saved))
    messages.success(request, "Deal saved.")
    return HttpResponseRedirect(f"/deals/{pk}/")


def _redirect(request: HttpRequest, target: str) -> HttpResponse:
    """A redirect that htmx follows as a page load (``HX-Redirect``) rather than swapping a page in."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def _edit_page(
    request: HttpRequest, actor: Actor, page: DealPage, form: DealEditForm, *, status: int
) -> HttpResponse:
    mark_invalid(form)
    return render_page(
        request,
        "sales/board/deal_edit.html",
        _deal_context(actor, page, form=form),
        partial_template="sales/board/_deal_edit.html",
        status=status,
    )


def _conflict_page(
    request: HttpRequest, actor: Actor, page: DealPage, form: DealEditForm, owners: list[AbstractBaseUser]
) -> HttpResponse:
    """Both versions, field by field; a form holding the user's values at the current version lets them
    save theirs deliberately, and nothing was overwritten."""
    deal = page.deal
    names = {str(user.pk): user_label(user) for user in owners}
    current = DealEditForm.initial_for(deal)
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        yours, theirs = form.cleaned_data.get(name), current[name]
        if name == "owner":
            yours, theirs = names.get(str(yours or ""), "No owner"), names.get(str(theirs or ""), "No owner")
        shown = {"yours": _shown(yours), "current": _shown(theirs)}
        rows.append({"label": field.label, **shown, "differs": shown["yours"] != shown["current"]})
    retry_data = request.POST.copy()
    retry_data["version"] = str(deal.version)
    retry = DealEditForm(
        retry_data, owners=owners, amount_visible=page.amounts_visible, current_owner=deal.owner
    )
    retry.is_valid()
    context = _deal_context(actor, page, form=retry, rows=rows, conflict=True)
    return render_page(
        request,
        "sales/board/deal_edit.html",
        context,
        partial_template="sales/board/_deal_edit.html",
        status=409,
    )


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- lead conversion


@page_errors
@require_http_methods(["GET", "POST"])
def lead_convert_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows which existing contact and company converting the lead reuses (``lead_conversion_preview``,
    the matching ``lead_convert`` applies), then converts it and opens the contact's page."""
    actor = web_actor(request)
    page = lead_conversion_page(actor=actor, pk=pk)
    options: dict[str, Any] = {"pipelines": page.pipelines, "amount_visible": amounts_visible(actor)}
    if request.method == "GET" or page.preview.is_converted:
        form = LeadConvertForm(initial={"version": page.lead.version}, **options)
        status = 409 if request.method == "POST" else 200
        return _convert_page(request, page, form, status=status)
    form = LeadConvertForm(request.POST, **options)
    if not form.is_valid():
        return _convert_page(request, page, form, status=422)
    try:
        conversion = lead_convert(
            actor=actor,
            instance=page.lead,
            create_deal=form.create_deal(),
            expected_version=form.cleaned_data["version"],
        )
    except errors.ValidationFailed as error:
        add_service_errors(form, error.fields, LeadConvertForm.SERVICE_NAMES)
        return _convert_page(request, page, form, status=422)
    except (errors.PreconditionFailed, errors.Conflict):
        fresh = lead_conversion_page(actor=actor, pk=pk)
        form = LeadConvertForm(initial={"version": fresh.lead.version}, **options)
        message = "This lead changed since you opened the page, so it was not converted. Check what will be reused and convert again."
        return _convert_page(request, fresh, form, status=409, message=message)
    contact = conversion.contact
    reused = "reused" if not contact.created else "created"
    messages.success(request, f"Lead converted: contact “{contact.name}” {reused}.")
    return HttpResponseRedirect(f"/contacts/{contact.id}/")


def _convert_page(
    request: HttpRequest, page: LeadConversionPage, form: LeadConvertForm, *, status: int, message: str = ""
) -> HttpResponse:
    mark_invalid(form)
    context = {
        "nav": "leads",
        "page": page,
        "lead": page.lead,
        "preview": page.preview,
        "form": form,
        "message": message,
        "phone_visible": "phone" not in hidden_keys(web_actor(request), Lead),
    }
    return render(request, "sales/lead_convert.html", context, status=status)
