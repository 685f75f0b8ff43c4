"""The "new record" pages: ``/companies/new/`` and ``/contacts/new/`` here, and the flow the lead and deal
pages share (``create_page``).

A page is a form posted to itself. Its view parses the form, calls the record's create service (the one
the API uses: permissions, validation, audit entry, search entry) and either redirects to the new record
with a message or shows the form again with what was typed and each of the service's errors beside its
input. A role that may not create the type gets 403; inputs of fields the role may not set are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accord.core.actors import Actor
from accord.core.duplicates import likely_duplicates
from accord.core.errors import AccordError, NotFound, PermissionDenied, ValidationFailed
from accord.core.forms import MAX_ID, mark_invalid
from accord.core.permissions import hidden_keys
from accord.core.selectors import custom_field_definitions
from accord.core.web import render_page, web_actor
from accord.customers.create_forms import CompanyCreateForm, ContactCreateForm, CreateForm
from accord.customers.create_pickers import PICKERS, PickerState, SearchText, matches, picker_state, raw_ids
from accord.customers.models import Company, Contact
from accord.customers.selectors import company_get, contact_get, visible_company_names
from accord.customers.services import company_create, contact_create
from accord.users.selectors import user_choices

# The button under a likely-duplicate warning: create the record all the same.
CREATE_ANYWAY = "_create_anyway"

# Submit buttons that send the form back without creating anything: "Find" beside a picker's search box,
# "Show this pipeline's stages" after choosing another pipeline without JavaScript.
REFRESH_BUTTONS = ("_find", "_refresh")


class BadQuery(Exception):
    """A malformed query string (a prefill id that is no number): 400."""


@dataclass(frozen=True)
class Prefill:
    """A query parameter naming a record the page was opened from (``?company=<id>``)."""

    fill: Callable[[Actor, int], dict[str, Any]]  # the form's initial values; NotFound if unseen
    back: Callable[[int], str]  # where "Cancel" returns to


@dataclass(frozen=True)
class CreatePage:
    """What differs between the new-record pages."""

    object_type: str  # the permission type and the custom fields' type
    label: str  # "company": the heading, the messages
    model: type[Model]
    form_class: type[CreateForm]
    create: Callable[..., Any]  # the create service
    get: Callable[..., Any]  # the selector reading one record (to check the user still sees it)
    detail_url: Callable[[Any], str]
    list_url: str
    nav: str
    template: str = "customers/create/page.html"
    # Query parameters that fill the form in (``?company=<id>``).
    prefills: Mapping[str, Prefill] = field(default_factory=dict)
    # Keyword arguments of the form besides the common ones, read per request: actor -> kwargs.
    form_options: Callable[[Actor], dict[str, Any]] | None = None
    # Extra context the page's own parts need: (actor, form) -> context.
    context: Callable[[Actor, CreateForm], dict[str, Any]] | None = None

    @property
    def title(self) -> str:
        return f"New {self.label}"


def refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request, "customers/create/refused.html", {"message": message, "status": status}, status=status
    )


def _prefill_id(raw: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        raise BadQuery("Give the id of a record, a whole number.")
    value = int(text)
    if not 0 < value <= MAX_ID:
        raise NotFound("No such record.")
    return value


def _initial(request: HttpRequest, actor: Actor, page: CreatePage) -> dict[str, Any]:
    """The form's starting values: the actor owns the new record; ``?company=`` and friends fill in the
    records the page was opened from (404 when the user may not see them, as everywhere)."""
    initial: dict[str, Any] = {"owner_id": actor.user_id}
    for parameter, prefill in page.prefills.items():
        raw = request.GET.get(parameter)
        if raw:
            initial.update(prefill.fill(actor, _prefill_id(raw)))
    return initial


def _cancel_url(request: HttpRequest, page: CreatePage) -> str:
    """Back to the record the page was opened from, else to the list."""
    for parameter, prefill in page.prefills.items():
        raw = request.GET.get(parameter, "").strip()
        if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
            return prefill.back(int(raw))
    return page.list_url


def _form(
    actor: Actor, page: CreatePage, data: QueryDict | None, *, initial: Mapping[str, Any] | None = None
) -> CreateForm:
    options = page.form_options(actor) if page.form_options is not None else {}
    # Pickers of records the role may not view are left out like hidden fields.
    unseen = {name for name, picker in PICKERS.items() if not actor.access.can("view", picker.kind)}
    return page.form_class(
        data,
        initial=initial,
        hidden=hidden_keys(actor, page.model) | unseen,
        definitions=custom_field_definitions(page.object_type),
        users=user_choices(actor=actor),
        **options,
    )


@dataclass(frozen=True)
class Entry:
    """One part of a section: an input, a picker, or a part of the page's own (``template``)."""

    name: str
    field: Any = None
    picker: PickerState | None = None
    template: str | None = None


@dataclass(frozen=True)
class SectionView:
    title: str
    slug: str
    entries: list[Entry]


def _sections(
    form: CreateForm, pickers: dict[str, PickerState], parts: Mapping[str, str]
) -> list[SectionView]:
    """The form's sections with what the role may set: a section left empty is left out; custom fields
    come last under their own heading."""
    sections = []
    for index, section in enumerate(form.sections):
        entries = []
        for name in section.names:
            if name in pickers:
                entries.append(Entry(name, picker=pickers[name]))
            elif name in parts:
                entries.append(Entry(name, template=parts[name]))
            elif name in form.fields:
                entries.append(Entry(name, field=form[name]))
        if entries:
            sections.append(SectionView(section.title, f"section-{index}", entries))
    custom = [Entry(name, field=form[name]) for name in form.fields if name.startswith("cf-")]
    if custom:
        sections.append(SectionView("More about it", "section-custom", custom))
    return sections


def _error_summary(form: CreateForm, sections: list[SectionView]) -> list[tuple[str, str, str]]:
    """(label, message, anchor) per invalid input in the page's order, for the summary above the form."""
    rows = []
    for section in sections:
        for entry in section.entries:
            if entry.name in form.errors:
                anchor = f"#picker-{entry.name}" if entry.picker else f"#{form[entry.name].auto_id}"
                rows.append((str(form[entry.name].label), str(form.errors[entry.name][0]), anchor))
    return rows


def _focus_first_error(form: CreateForm, sections: list[SectionView]) -> None:
    """The keyboard lands on the first input to correct (a picker's search box for a picker)."""
    for name in form.fields:
        form.fields[name].widget.attrs.pop("autofocus", None)
    for section in sections:
        for entry in section.entries:
            if entry.name in form.errors:
                target = entry.picker.picker.query_name if entry.picker else entry.name
                if target in form.fields:
                    form.fields[target].widget.attrs["autofocus"] = True
                    return


def _render(
    request: HttpRequest,
    actor: Actor,
    page: CreatePage,
    form: CreateForm,
    *,
    status: int = 200,
    duplicates: list[Any] | None = None,
) -> HttpResponse:
    pickers = {picker.name: picker_state(actor, form, picker) for picker in form.picker_list}
    extra = page.context(actor, form) if page.context is not None else {}
    invalid = form.is_bound and bool(form.errors)
    if invalid:
        mark_invalid(form)
    sections = _sections(form, pickers, extra.pop("parts", {}))
    if invalid:
        _focus_first_error(form, sections)
    summary = _error_summary(form, sections) if invalid else []
    other_errors = list(form.non_field_errors()) if invalid else []
    context = {
        "page": page,
        "nav": page.nav,
        "form": form,
        "sections": sections,
        "error_summary": summary,
        "other_errors": other_errors,
        "error_count": len(summary) + len(other_errors),
        "cancel_url": _cancel_url(request, page),
        "duplicates": [(match, page.detail_url(match)) for match in duplicates or []],
        **extra,
    }
    return render_page(request, page.template, context, status=status)


def create_page(request: HttpRequest, page: CreatePage) -> HttpResponse:
    """GET: the empty form (filled in from the query string). POST: create the record through its
    service, then go to it; or show the form again with the errors beside the inputs (422)."""
    actor = web_actor(request)
    if not actor.access.can("create", page.object_type):
        return refused(
            request, f"Your role may not create {page.model._meta.verbose_name_plural}.", status=403
        )
    if request.method != "POST":
        try:
            initial = _initial(request, actor, page)
        except BadQuery as error:
            return refused(request, str(error), status=400)
        except NotFound as error:
            raise Http404(error.message) from None
        return _render(request, actor, page, _form(actor, page, None, initial=initial))
    form = _form(actor, page, request.POST)
    if any(name in request.POST for name in REFRESH_BUTTONS):
        return _render(request, actor, page, form.quiet_copy())
    if not form.is_valid():
        return _render(request, actor, page, form, status=422)
    if CREATE_ANYWAY not in request.POST:
        found = likely_duplicates(actor=actor, object_type=page.object_type, data=form.payload())
        if found:  # shown above the form, which keeps what was typed; "Create anyway" sends it again
            return _render(request, actor, page, form.quiet_copy(), duplicates=found)
    try:
        record = page.create(actor=actor, data=form.payload())
    except ValidationFailed as error:
        form.add_service_errors(error)
        return _render(request, actor, page, form, status=422)
    except PermissionDenied as error:
        return refused(request, error.message, status=403)
    except AccordError as error:  # a conflict with another record (409), …: said above the form, never a 500
        form.add_error(None, error.message)
        return _render(request, actor, page, form, status=error.status)
    return _created(request, actor, page, record)


def _created(request: HttpRequest, actor: Actor, page: CreatePage, record: Any) -> HttpResponse:
    """To the new record's page; if the record went to an owner whose records the user does not see, to
    the list instead, saying so (its page would answer 404)."""
    try:
        page.get(actor=actor, pk=record.pk)
    except NotFound:
        messages.success(
            request,
            f"{page.label.capitalize()} “{record}” created. It belongs to someone whose "
            f"{page.model._meta.verbose_name_plural} you do not see, so it does not appear to you.",
        )
        return HttpResponseRedirect(page.list_url)
    messages.success(request, f"{page.label.capitalize()} “{record}” created.")
    return HttpResponseRedirect(page.detail_url(record))


# ---------------------------------------------------------------- companies and contacts


def company_page_url(pk: int) -> str:
    return reverse("customer360:company-detail", args=[pk])


def contact_page_url(pk: int) -> str:
    return reverse("customer360:contact-detail", args=[pk])


def _visible_company(actor: Actor, pk: int) -> int:
    if pk not in visible_company_names(actor=actor, ids=[pk]):
        raise NotFound(f"No company with id {pk}.")
    return pk


# ``?company=<id>``: the company the record is for; ``?parent=<id>``: the new company's parent.
COMPANY_PREFILL = Prefill(
    fill=lambda actor, pk: {"company_id": _visible_company(actor, pk)}, back=company_page_url
)
PARENT_PREFILL = Prefill(
    fill=lambda actor, pk: {"parent_id": _visible_company(actor, pk)}, back=company_page_url
)


COMPANY_PAGE = CreatePage(
    object_type="company",
    label="company",
    model=Company,
    form_class=CompanyCreateForm,
    create=company_create,
    get=company_get,
    detail_url=lambda record: company_page_url(record.pk),
    list_url="/companies/",
    nav="companies",
    prefills={"parent": PARENT_PREFILL},
)

CONTACT_PAGE = CreatePage(
    object_type="contact",
    label="contact",
    model=Contact,
    form_class=ContactCreateForm,
    create=contact_create,
    get=contact_get,
    detail_url=lambda record: contact_page_url(record.pk),
    list_url="/contacts/",
    nav="contacts",
    prefills={"company": COMPANY_PREFILL},
)


def create_view(page: CreatePage) -> Callable[[HttpRequest], HttpResponse]:
    """The view of a new-record page: GET, HEAD and POST, through ``create_page``."""

    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request: HttpRequest) -> HttpResponse:
        return create_page(request, page)

    view.__name__ = view.__qualname__ = f"{page.object_type}_new"
    return view


company_new = create_view(COMPANY_PAGE)  # /companies/new/
contact_new = create_view(CONTACT_PAGE)  # /contacts/new/


@require_GET
def choose(request: HttpRequest, picker: str) -> HttpResponse:
    """The matches of a picker's search box (htmx, as the person types): choices to tick, leaving out the
    ones already chosen. Without htmx, the "Find" button does the same by sending the form back."""
    chosen_picker = PICKERS.get(picker)
    if chosen_picker is None:
        raise Http404("No such picker.")
    actor = web_actor(request)
    if not actor.access.can("view", chosen_picker.kind):
        return refused(request, f"Your role may not view {chosen_picker.kind}s.", status=403)
    query = SearchText().to_python(request.GET.get(chosen_picker.query_name))
    leave_out = raw_ids(request.GET.getlist(chosen_picker.name))
    context = {
        "picker": chosen_picker,
        "results": matches(actor, chosen_picker, query, leave_out=leave_out),
        "query": query,
    }
    return render(request, "customers/create/_picker_results.html", context)
