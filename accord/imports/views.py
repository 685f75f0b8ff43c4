"""The import pages: /imports/ (runs), /imports/new/ (upload), /imports/new/<token>/ (mapping, preview,
dry run, import), /imports/<id>/ (live progress, report, error file, run for real, revert).

Thin: each view parses its form, calls one service or selector and renders. Runs are read through
``selectors.import_run_get`` (the user's own runs; administrators' all), uploads through
``storage.get_upload`` (the user's own folder): anything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.core.actors import Actor
from accord.core.errors import AccordError, NotFound, PermissionDenied, ValidationFailed
from accord.core.forms import mark_invalid
from accord.core.pagination import Page, paginate
from accord.core.permissions import hidden_keys
from accord.core.selectors import custom_field_definitions
from accord.core.web import render_page, web_actor
from accord.imports import launch, selectors, storage
from accord.imports.display import preview_table, run_state
from accord.imports.fields import KINDS, ImportKind
from accord.imports.forms import MappingForm, TemplateChoiceForm, UploadForm, field_choices
from accord.imports.mapping import suggest_mapping
from accord.imports.models import ImportRowError, ImportRun
from accord.imports.preview import preview
from accord.imports.readers import ImportFileError, open_table
from accord.imports.running import Sample, parse_options, read_sample
from accord.imports.services import mapping_template_create, mapping_template_delete
from accord.imports.storage import StoredUpload
from accord.imports.writers import WRITERS

PAGE_SIZE = 50
FIRST_REJECTED = 20
STOP_POLLING = 286
FORM_OVERHEAD_BYTES = (
    64 * 1024
)  # the multipart boundaries and the other fields around the file  # htmx swaps the answer and stops polling the element


def _not_found(error: NotFound) -> Http404:
    return Http404(error.message)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def creatable_kinds(actor: Actor) -> list[ImportKind]:
    return [kind for kind in KINDS.values() if actor.access.can("create", kind.object_type)]


# ------------------------------------------------------------------------------------------------ runs


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    try:
        page = paginate(
            selectors.import_run_list(actor=actor),
            sort="-id",
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
        )
    except AccordError:  # a cursor that is not ours: start again
        page = Page(items=[], next_cursor=None)
    context = {
        "nav": "imports",
        "runs": [(run, KINDS[run.kind].label if run.kind in KINDS else run.kind) for run in page.items],
        "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else None,
        "is_admin": actor.access.is_admin,
        "can_start": bool(creatable_kinds(actor)),
    }
    return render_page(request, "imports/list.html", context)


def _run(request: HttpRequest, pk: int) -> ImportRun:
    try:
        return selectors.import_run_get(actor=web_actor(request), pk=pk)
    except NotFound as error:
        raise _not_found(error) from error


@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    state = run_state(run)
    rejected = list(
        ImportRowError.objects.filter(run=run)
        .order_by("row", "id")
        .values_list("row", "column", "reason")[:FIRST_REJECTED]
    )
    context = {
        "nav": "imports",
        "run": run,
        "state": state,
        "kind": KINDS[run.kind],
        "rejected": rejected,
        "more_rejected": max(0, run.rejected_count - len({row for row, _, _ in rejected})),
        "revert_refusal": launch.revert_refusal(run),
        "file_kept": storage.exists(run.stored_file),
        "columns": [(header, _field_label(run, name)) for header, name in run.mapping.items()],
    }
    if getattr(request, "htmx", None):
        status = 200 if state.is_active else STOP_POLLING
        return render(request, "imports/_run_live.html", context, status=status)
    return render(request, "imports/detail.html", context)


def _field_label(run: ImportRun, name: str) -> str:
    kind = KINDS.get(run.kind)
    try:
        return kind.field(name).label if kind else name
    except KeyError:
        return name  # a custom field: custom:<key>


@require_GET
def run_errors(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every rejected row: row number, column, reason, then the row's cells. A byte order mark first, so
    that Excel (the program most people fix the rows in) reads it as UTF-8."""
    run = _run(request, pk)
    lines = (line for part in (["\ufeff"], selectors.import_error_rows(run)) for line in part)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stem = storage.safe_name(run.file_name).rsplit(".", 1)[0]
    response["Content-Disposition"] = f'attachment; filename="{stem}-rejected-rows.csv"'
    return response


def _run_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    run = _run(request, pk)
    try:
        result = action(actor=web_actor(request), run=run)
    except PermissionDenied as error:
        messages.error(request, error.message)
        return redirect("imports:detail", pk=pk)
    except ValidationFailed as error:
        messages.error(
            request, " ".join(text for texts in error.fields.values() for text in texts) or error.message
        )
        return redirect("imports:detail", pk=pk)
    messages.success(request, done)
    return redirect("imports:detail", pk=result.pk)


@require_POST
def run_for_real(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request, pk, launch.import_run_for_real, "The import is running with the dry run's settings."
    )


@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request, pk, launch.import_run_resume, "The import continues after its last saved batch."
    )


@require_http_methods(["GET", "POST"])
def run_revert(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what a revert does, and a confirmation button; POST: the revert, as a job."""
    if request.method == "POST":
        return _run_action(request, pk, launch.import_revert_start, "The import is being reverted.")
    run = _run(request, pk)
    context = {"nav": "imports", "run": run, "refusal": launch.revert_refusal(run), "kind": KINDS[run.kind]}
    return render(request, "imports/revert.html", context)


# ---------------------------------------------------------------------------------------------- upload


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    kinds = creatable_kinds(actor)
    if not kinds:
        return _forbidden(request)
    choices = [(kind.name, kind.label) for kind in kinds]
    if request.method != "POST":
        initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in KINDS else {}
        form = UploadForm(initial=initial, kinds=choices)
        return _upload_page(request, form)
    limit = settings.ACCORD_IMPORT_MAX_UPLOAD_BYTES
    if _content_length(request) > limit + FORM_OVERHEAD_BYTES:
        # Refused before the body is read (request.POST would read it), so a huge upload is not spooled
        # to disk first.
        refused = UploadForm(kinds=choices)
        return _upload_page(request, refused, status=413, problem=storage.too_large(limit))
    form = UploadForm(request.POST, request.FILES, kinds=choices)
    if not form.is_valid():
        return _upload_page(request, form, status=422)
    uploaded = form.cleaned_data["file"]
    try:
        stored = storage.store_upload(
            user_id=actor.user_id or 0,
            kind=form.cleaned_data["kind"],
            file=uploaded,
            file_name=uploaded.name or "upload",
            max_bytes=limit,
        )
    except ValidationFailed as error:
        form.add_error("file", " ".join(error.fields.get("file", [error.message])))
        return _upload_page(request, form, status=413)
    try:
        _sample(stored)  # a file that cannot be read is refused here, beside the file input
    except ImportFileError as error:
        storage.delete_upload(stored.path)
        form.add_error("file", error.message)
        return _upload_page(request, form, status=422)
    return redirect("imports:mapping", token=stored.token)


def _content_length(request: HttpRequest) -> int:
    text = request.META.get("CONTENT_LENGTH") or "0"
    return int(text) if text.isdigit() else 0


def _upload_page(
    request: HttpRequest, form: UploadForm, *, status: int = 200, problem: str = ""
) -> HttpResponse:
    mark_invalid(form)
    context = {
        "nav": "imports",
        "form": form,
        "problem": problem,
        "max_size": storage.size_text(settings.ACCORD_IMPORT_MAX_UPLOAD_BYTES),
    }
    return render(request, "imports/upload.html", context, status=status)


def _sample(upload: StoredUpload) -> Sample:
    with storage.open_stored(upload.path) as file:
        return read_sample(open_table(file, filename=upload.file_name))


# ---------------------------------------------------------------------------------------------- mapping


class _Step:
    """The mapping step's upload, kind, first rows and field choices, read once per request."""

    def __init__(self, request: HttpRequest, token: str) -> None:
        self.actor = web_actor(request)
        try:
            self.upload = storage.get_upload(user_id=self.actor.user_id or 0, token=token)
        except NotFound as error:
            raise _not_found(error) from error
        self.kind = KINDS[self.upload.kind]
        self.allowed = self.actor.access.can("create", self.kind.object_type)
        self.custom_fields = custom_field_definitions(self.kind.object_type)
        writer = WRITERS[self.kind.name]
        hidden = hidden_keys(self.actor, writer.model)
        unwritable = frozenset(
            field.name for field in self.kind.fields if set(writer.permission_fields([field.name])) & hidden
        )
        self.choices = field_choices(self.kind, self.custom_fields, unwritable)
        self.labels = dict(self.choices)

    def form(self, data: Any, mapping: dict[str, str | None] | None = None) -> tuple[MappingForm, Sample]:
        sample = _sample(self.upload)
        if mapping is None:
            mapping = suggest_mapping(self.kind, sample.headers, self.custom_fields)
        form = MappingForm(
            data,
            kind=self.kind,
            headers=sample.headers,
            choices=self.choices,
            mapping=mapping,
            day_first=sample.day_first(self.kind, mapping),
        )
        return form, sample


@require_http_methods(["GET", "POST"])
def mapping_step(request: HttpRequest, token: str) -> HttpResponse:
    step = _Step(request, token)
    if not step.allowed:
        return _forbidden(request)
    try:
        if request.method == "POST":
            return _mapping_post(request, step)
        return _mapping_page(request, step, *step.form(None, _template_mapping(request, step)))
    except ImportFileError as error:
        context = {"nav": "imports", "message": error.message}
        return render(request, "imports/unreadable.html", context, status=422)


def _template_mapping(request: HttpRequest, step: _Step) -> dict[str, str | None] | None:
    """``?template=<id>``: the saved mapping (a template the user may not use answers 404)."""
    if "template" not in request.GET:
        return None
    choice = TemplateChoiceForm(request.GET)
    if not choice.is_valid():
        raise Http404("No such mapping template.")
    try:
        template = selectors.mapping_template_get(actor=step.actor, pk=choice.cleaned_data["template"])
    except NotFound as error:
        raise _not_found(error) from error
    if template.kind != step.kind.name:
        raise Http404("No such mapping template for this kind.")
    return dict(template.mapping)


def _mapping_post(request: HttpRequest, step: _Step) -> HttpResponse:
    form, sample = step.form(request.POST)
    action = request.POST.get("action", "")
    status = 422
    if action == "save_template":
        if form.is_valid() and not form.cleaned_data["mapping_name"].strip():
            form.add_error("mapping_name", "Give the template a name.")
        if form.is_valid():
            try:
                template = mapping_template_create(
                    actor=step.actor,
                    name=form.cleaned_data["mapping_name"],
                    kind=step.kind.name,
                    mapping={header: name for header, name in form.mapping().items() if name},
                    is_shared=form.cleaned_data["template_shared"],
                )
            except ValidationFailed as error:
                _field_errors(form, error)
            else:
                messages.success(request, f"Saved the mapping as “{template.name}”.")
                url = reverse("imports:mapping", args=[step.upload.token])
                return redirect(f"{url}?template={template.pk}")
    elif action in ("dry_run", "import") and form.is_valid() and form.check_complete():
        try:
            run = launch.import_run_start(
                actor=step.actor,
                upload=step.upload,
                mapping={header: name for header, name in form.mapping().items() if name},
                options=form.options(),
                match_key=form.cleaned_data["match_key"],
                on_duplicate=form.cleaned_data["on_duplicate"],
                dry_run=action == "dry_run",
            )
        except ValidationFailed as error:
            _field_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, error.message)
            status = 403
        else:
            return redirect("imports:detail", pk=run.pk)
    elif action not in ("dry_run", "import", "save_template"):
        form.add_error(None, "Choose Dry run, Import or Save mapping as template.")
        form.is_valid()
    return _mapping_page(request, step, form, sample, status=status)


def _field_errors(form: MappingForm, error: ValidationFailed) -> None:
    """A service's errors beside their controls; those about the mapping above the columns."""
    for name, texts in error.fields.items():
        target = name if name in form.fields else ("mapping_name" if name == "name" else None)
        for text in texts:
            form.add_error(target, text)


def _mapping_page(
    request: HttpRequest, step: _Step, form: MappingForm, sample: Sample, *, status: int = 200
) -> HttpResponse:
    mark_invalid(form)
    columns = [
        {"field": form.column(index), "samples": sample.values(index)} for index in range(len(sample.headers))
    ]
    context = {
        "nav": "imports",
        "upload": step.upload,
        "kind": step.kind,
        "form": form,
        "columns": columns,
        "templates": selectors.mapping_template_list(actor=step.actor, kind=step.kind.name).select_related(
            "owner"
        ),
    }
    return render(request, "imports/mapping.html", context, status=status)


@require_GET
def mapping_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The first rows as they will be stored with the form's current choices: the htmx partial, or
    (without JavaScript) a page of its own."""
    step = _Step(request, token)
    if not step.allowed:
        return _forbidden(request)
    context: dict[str, Any] = {"nav": "imports", "token": token, "table": None}
    try:
        form, _ = step.form(request.GET)
        context["form"] = form
        if form.is_valid():
            mapping = form.mapping()
            with storage.open_stored(step.upload.path) as file:
                table = open_table(file, filename=step.upload.file_name)
                rows = preview(table, step.kind, mapping, parse_options(step.kind, form.options()))
            context["table"] = preview_table(step.kind, mapping, rows, step.labels)
    except ImportFileError as error:
        context["message"] = error.message
    except ValidationFailed as error:
        _field_errors(context["form"], error)
    return render_page(
        request, "imports/preview_page.html", context, partial_template="imports/_preview.html"
    )


@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = web_actor(request)
    try:
        template = selectors.mapping_template_get(actor=actor, pk=pk)
        mapping_template_delete(actor=actor, template=template)
    except NotFound as error:
        raise _not_found(error) from error
    messages.success(request, f"Deleted the mapping template “{template.name}”.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/imports/new/") else "imports:new")
