"""Settings pages for pipelines and their stages (administrators): create and edit pipelines, add, edit,
delete and reorder stages. Reordering is drag and drop (``settings.js``) with move up / move down
buttons as the keyboard's way; both post the whole order to ``stage_reorder``.

With htmx the stage panel is swapped in place; without JavaScript every form posts and redirects.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accord.core.actors import Actor
from accord.core.errors import NotFound, ValidationFailed
from accord.sales import selectors, services
from accord.sales.models import Pipeline
from accord.sales.settings_forms import (
    PipelineCreateForm,
    PipelineEditForm,
    StageForm,
    StageOrderForm,
    pipeline_initial,
    stage_initial,
)
from accord.users.settings_views import (
    attempt,
    confirm_delete,
    create_posted,
    page,
    posted,
    reloader,
    save_posted,
    settings_view,
)

STAGES_PARTIAL = "sales/settings/_stages.html"
# The add-stage form shares the pipeline page with the pipeline's form: a prefix keeps their ids apart.
STAGE_PREFIX = "stage"


@settings_view(methods=("GET",))
def pipeline_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    pipelines = selectors.pipeline_list(actor=actor).order_by("position", "id")
    return page(
        request, actor, "sales/settings/pipelines.html", {"pipelines": pipelines}, section="pipelines"
    )


@settings_view()
def pipeline_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PipelineCreateForm(posted(request))
    done = create_posted(
        request,
        form,
        create=lambda: services.pipeline_create(actor=actor, data=form.service_data()),
        message=lambda pipeline: f"Pipeline “{pipeline.name}” created.",
        done_url=lambda pipeline: reverse("pipeline_settings:detail", args=[pipeline.pk]),
    )
    return done or page(
        request, actor, "sales/settings/pipeline_new.html", {"form": form}, section="pipelines"
    )


def _stage_panel(
    request: HttpRequest,
    actor: Actor,
    pipeline: Pipeline,
    *,
    pipeline_form: PipelineEditForm | None = None,
    stage_form: StageForm | None = None,
    status: str = "",
    order_error: str = "",
    focus: tuple[int, str] | None = None,
    swap: bool = True,
) -> HttpResponse:
    """The pipeline page, or only its stage panel for htmx: the stages in order with their move buttons,
    and the form that adds one. ``focus`` (stage id, "up" or "down") is the button to focus after a
    keyboard move."""
    stages = list(pipeline.stages.all())
    context = {
        "pipeline": pipeline,
        "stages": stages,
        "form": pipeline_form or PipelineEditForm(initial=pipeline_initial(pipeline)),
        "stage_form": stage_form or StageForm(prefix=STAGE_PREFIX),
        "status": status,
        "order_error": order_error,
        "focus_stage": focus[0] if focus else None,
        "focus_direction": focus[1] if focus else "",
    }
    return page(
        request,
        actor,
        "sales/settings/pipeline_detail.html",
        context,
        section="pipelines",
        partial=STAGES_PARTIAL if swap else None,
    )


@settings_view()
def pipeline_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    pipeline = selectors.pipeline_get(actor=actor, pk=pk)
    form = PipelineEditForm(posted(request), initial=pipeline_initial(pipeline))
    done = save_posted(
        request,
        form,
        update=lambda version: services.pipeline_update(
            actor=actor,
            instance=pipeline,
            data={name: form.cleaned_data[name] for name in ("name", "position", "is_default")},
            expected_version=version,
        ),
        reload=reloader(lambda: selectors.pipeline_get(actor=actor, pk=pk), pipeline_initial),
        message=lambda: f"Pipeline “{form.cleaned_data['name']}” saved.",
        done_url=reverse("pipeline_settings:detail", args=[pk]),
    )
    # Only the stage panel is swapped by htmx; this form posts as a whole page.
    return done or _stage_panel(request, actor, pipeline, pipeline_form=form, swap=False)


@settings_view()
def pipeline_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    pipeline = selectors.pipeline_get(actor=actor, pk=pk)
    return confirm_delete(
        request,
        actor,
        section="pipelines",
        what="pipeline",
        name=pipeline.name,
        delete=lambda: services.pipeline_delete(actor=actor, instance=pipeline),
        done_url=reverse("pipeline_settings:list"),
        cancel_url=reverse("pipeline_settings:detail", args=[pk]),
        consequences="Its stages go with it. A pipeline that still has deals cannot be deleted.",
    )


@settings_view(methods=("POST",))
def stage_create(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    pipeline = selectors.pipeline_get(actor=actor, pk=pk)
    form = StageForm(request.POST, prefix=STAGE_PREFIX)
    if form.is_valid():
        created, stage = attempt(
            form,
            lambda: services.stage_create(actor=actor, data={"pipeline_id": pk, **form.service_data()}),
        )
        if created and stage is not None:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, f"Stage “{stage.name}” added.")
                return redirect("pipeline_settings:detail", pk=pk)
            pipeline = selectors.pipeline_get(actor=actor, pk=pk)
            return _stage_panel(request, actor, pipeline, status=f"Stage “{stage.name}” added.")
    return _stage_panel(request, actor, pipeline, stage_form=form)


@settings_view(methods=("POST",))
def stage_order(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    pipeline = selectors.pipeline_get(actor=actor, pk=pk)
    stage_ids = [stage.pk for stage in pipeline.stages.all()]
    form = StageOrderForm(request.POST, stage_ids=stage_ids)
    error = ""
    if not form.is_valid():
        error = "The stages of this pipeline changed meanwhile; the current order is shown. Try again."
    else:
        try:
            ordered = services.stage_reorder(actor=actor, pipeline=pipeline, stage_ids=form.order())
        except ValidationFailed as refused:
            error = " ".join(message for messages_ in refused.fields.values() for message in messages_)
        else:
            moved = form.moved()
            status, focus = "Stage order saved.", None
            if moved is not None:
                names = {stage.pk: (index, stage.name) for index, stage in enumerate(ordered)}
                if moved[0] in names:
                    index, name = names[moved[0]]
                    status = f"“{name}” moved to position {index + 1} of {len(ordered)}."
                    focus = _focus_after_move(moved, index, len(ordered))
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, status)
                return redirect("pipeline_settings:detail", pk=pk)
            pipeline = selectors.pipeline_get(actor=actor, pk=pk)
            return _stage_panel(request, actor, pipeline, status=status, focus=focus)
    if not request.htmx:  # type: ignore[attr-defined]
        messages.error(request, error)
        return redirect("pipeline_settings:detail", pk=pk)
    return _stage_panel(request, actor, pipeline, order_error=error, status=error)


def _focus_after_move(moved: tuple[int, str], index: int, count: int) -> tuple[int, str]:
    """Keep the keyboard on the button just pressed, or on the other one once the stage reaches an end."""
    pk, direction = moved
    if direction == "up" and index == 0:
        direction = "down"
    elif direction == "down" and index == count - 1:
        direction = "up"
    return pk, direction


def _stage_of(actor: Actor, pipeline_pk: int, stage_pk: int) -> Any:
    stage = selectors.stage_get(actor=actor, pk=stage_pk)
    if stage.pipeline_id != pipeline_pk:
        raise NotFound(f"No stage with id {stage_pk} in this pipeline.")
    return stage


@settings_view()
def stage_edit(request: HttpRequest, actor: Actor, pk: int, stage_pk: int) -> HttpResponse:
    pipeline = selectors.pipeline_get(actor=actor, pk=pk)
    stage = _stage_of(actor, pk, stage_pk)
    form = StageForm(posted(request), initial=stage_initial(stage))
    done = save_posted(
        request,
        form,
        update=lambda version: services.stage_update(
            actor=actor, instance=stage, data=form.service_data(), expected_version=version
        ),
        reload=reloader(lambda: _stage_of(actor, pk, stage_pk), stage_initial),
        message=lambda: f"Stage “{form.cleaned_data['name']}” saved.",
        done_url=reverse("pipeline_settings:detail", args=[pk]),
    )
    context = {"form": form, "pipeline": pipeline, "stage": stage}
    return done or page(request, actor, "sales/settings/stage_form.html", context, section="pipelines")


@settings_view()
def stage_delete(request: HttpRequest, actor: Actor, pk: int, stage_pk: int) -> HttpResponse:
    stage = _stage_of(actor, pk, stage_pk)
    return confirm_delete(
        request,
        actor,
        section="pipelines",
        what="stage",
        name=stage.name,
        delete=lambda: services.stage_delete(actor=actor, instance=stage),
        done_url=reverse("pipeline_settings:detail", args=[pk]),
        cancel_url=reverse("pipeline_settings:detail", args=[pk]),
        consequences="A stage that still has deals cannot be deleted: move them to another stage first.",
    )
