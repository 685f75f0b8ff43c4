"""The customer 360 pages (``/contacts/<id>/``, ``/companies/<id>/``): the whole relationship on one page.

Views parse input, call the selectors and services the API uses, and render; an htmx request gets the
part of the page that changed. Every read is scoped by the selectors (a customer the user may not see
is a 404, a type their role may not view a 403); every write goes through the record's service, which
checks permissions, validates, audits and compares the ``version`` the editor was opened at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accord.activities.models import Interaction
from accord.activities.selectors import (
    TIMELINE_TYPES,
    TimelinePage,
    company_timeline,
    contact_timeline,
    customer_tasks,
)
from accord.activities.services import interaction_create, task_create
from accord.analytics.selectors import score_panel
from accord.core.actors import Actor
from accord.core.audit_selectors import audit_history
from accord.core.errors import AccordError, NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from accord.core.forms import mark_invalid
from accord.core.permissions import hidden_keys, require_edit, require_view
from accord.core.selectors import custom_field_definitions
from accord.core.web import render_page, web_actor
from accord.customers.models import Company, Contact
from accord.customers.selectors import company_get, company_people, contact_get, visible_company_names
from accord.customers.services import company_update, contact_update
from accord.sales.models import Deal, Order
from accord.sales.selectors import customer_deals, customer_purchases, pipeline_list
from accord.sales.services import deal_create
from accord.users.selectors import user_choices
from accord.web.customer_display import history_rows, timeline_rows
from accord.web.customer_forms import (
    DealForm,
    InlineEditForm,
    InlineField,
    InteractionForm,
    QuickActionForm,
    TaskForm,
    company_fields,
    contact_fields,
)

TIMELINE_PAGE = 20
HISTORY_PAGE = 25
MAX_ID = 2**63 - 1  # larger ids overflow the database driver: such a record cannot exist


@dataclass(frozen=True)
class CustomerType:
    """What differs between the contact page and the company page."""

    kind: str  # "contact" or "company": the URL names, the permission type, the selectors' keyword
    plural: str  # the URL segment and the main navigation's entry
    label: str
    model: type[Contact] | type[Company]
    get: Callable[..., Any]
    update: Callable[..., Any]
    timeline: Callable[..., TimelinePage]
    fields: Callable[..., list[InlineField]]

    @property
    def audit_type(self) -> str:
        return self.model._meta.label_lower

    def url(self, name: str, record: Model, *extra: str) -> str:
        return reverse(f"customer360:{self.kind}-{name}", args=[record.pk, *extra])

    def of(self, record: Model) -> dict[str, Any]:
        """The keyword the domain selectors take for this customer: ``contact=`` or ``company=``."""
        return {self.kind: record}


CUSTOMERS = {
    "contact": CustomerType(
        "contact",
        "contacts",
        "Contact",
        Contact,
        contact_get,
        contact_update,
        contact_timeline,
        contact_fields,
    ),
    "company": CustomerType(
        "company",
        "companies",
        "Company",
        Company,
        company_get,
        company_update,
        company_timeline,
        company_fields,
    ),
}

View = Callable[..., HttpResponse]


def customer_view(view: View) -> View:
    """Turn the domain's errors into answers: an unknown or invisible customer 404, a refused action
    403, a malformed query string (cursor, filter) 400."""

    @wraps(view)
    def wrapped(request: HttpRequest, *, kind: str, pk: int, **kwargs: Any) -> HttpResponse:
        if not 0 < pk <= MAX_ID:
            raise Http404("No such record.")
        try:
            return view(request, CUSTOMERS[kind], pk, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None
        except PermissionDenied as error:
            return _refused(request, error.message, status=403)
        except ValidationFailed as error:
            problems = [f"{name}: {'; '.join(text)}" for name, text in error.fields.items()]
            return _refused(request, " ".join(problems) or error.message, status=400)
        except AccordError as error:  # a conflict with another record (409), …: its own status, never a 500
            return _refused(request, error.message, status=error.status)

    return wrapped


def _refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render_page(
        request,
        "web/customer/refused.html",
        {"message": message, "status": status},
        partial_template="web/customer/_refused.html",
        status=status,
    )


def _customer(actor: Actor, spec: CustomerType, pk: int) -> Any:
    """The customer if the actor may see it: 403 when their role may not view the type at all, 404 when
    it does not exist or is outside their scope (so that existence does not leak)."""
    require_view(actor, spec.model)
    return spec.get(actor=actor, pk=pk)


def _may_edit(actor: Actor, record: Model) -> bool:
    try:
        require_edit(actor, record)
    except PermissionDenied:
        return False
    return True


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# ---------------------------------------------------------------- the profile's inline fields


@dataclass
class FieldState:
    """One profile field as the page shows it: its value, or its editor, or a version conflict."""

    field: InlineField
    value: str
    url: str
    edit_url: str
    page_url: str
    state: str = "display"  # "display", "edit" or "conflict"
    form: InlineEditForm | None = None
    conflict: VersionConflict | None = None


@dataclass(frozen=True)
class VersionConflict:
    """Both versions of a field: what the user sent and what the record holds now, so they choose."""

    mine: str
    theirs: str
    raw_value: Any
    current_version: int
    changed_by: str | None
    changed_at: Any


def _fields(actor: Actor, spec: CustomerType) -> list[InlineField]:
    hidden = hidden_keys(actor, spec.model)
    return spec.fields(
        hidden=hidden,
        definitions=custom_field_definitions(spec.kind),
        users=_lazy(lambda: user_choices(actor=actor)),
    )


def _lazy(read: Callable[[], list[tuple[int, str]]]) -> Callable[[], list[tuple[int, str]]]:
    """Read the user directory once, and only when an owner editor or conflict needs it."""
    cache: list[list[tuple[int, str]]] = []

    def get() -> list[tuple[int, str]]:
        if not cache:
            cache.append(read())
        return cache[0]

    return get


def _inline(actor: Actor, spec: CustomerType, name: str) -> InlineField:
    for inline in _fields(actor, spec):
        if inline.name == name:
            return inline
    raise Http404("No such field.")  # unknown, or hidden from the actor's role


def _state(spec: CustomerType, record: Model, inline: InlineField, **kwargs: Any) -> FieldState:
    return FieldState(
        field=inline,
        value=inline.display_current(record),
        url=spec.url("field", record, inline.name),
        edit_url=spec.url("field-edit", record, inline.name),
        page_url=f"{spec.url('detail', record)}#field-{inline.name}",
        **kwargs,
    )


def _field_response(
    request: HttpRequest,
    actor: Actor,
    spec: CustomerType,
    record: Model,
    state: FieldState,
    *,
    status: int = 200,
) -> HttpResponse:
    """The field alone for htmx; otherwise the whole page with that field in the given state."""
    if _is_htmx(request):
        can_edit = state.state != "display" or _may_edit(actor, record)
        context = {"row": state, "customer": record, "spec": spec, "can_edit": can_edit, "oob_name": True}
        return render(request, "web/customer/_field.html", context, status=status)
    context = _overview(request, spec, record, editing=state)
    return render(request, "web/customer/page.html", context, status=status)


@customer_view
@require_GET
def field_edit(request: HttpRequest, spec: CustomerType, pk: int, field: str) -> HttpResponse:
    """The editor of one field, holding the record's current version."""
    actor = web_actor(request)
    record = _customer(actor, spec, pk)
    inline = _inline(actor, spec, field)
    require_edit(actor, record)
    initial = {"value": inline.initial(inline.current(record)), "version": record.version}
    form = InlineEditForm(inline, initial=initial)
    return _field_response(
        request, actor, spec, record, _state(spec, record, inline, state="edit", form=form)
    )


@customer_view
@require_http_methods(["GET", "POST"])
def field_value(request: HttpRequest, spec: CustomerType, pk: int, field: str) -> HttpResponse:
    """GET: the field's value (closing its editor). POST: save it through the record's update service,
    at the version the editor was opened at: a newer version is a conflict the user resolves."""
    actor = web_actor(request)
    record = _customer(actor, spec, pk)
    inline = _inline(actor, spec, field)
    if request.method == "GET":
        return _field_response(request, actor, spec, record, _state(spec, record, inline))
    form = InlineEditForm(inline, request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            raise ValidationFailed({"version": ["Send the version of the record the editor was opened at."]})
        return _invalid(request, actor, spec, record, inline, form)
    value = form.cleaned_data["value"]
    try:
        record = spec.update(
            actor=actor,
            instance=record,
            data=inline.payload(value, record),
            expected_version=form.cleaned_data["version"],
        )
    except ValidationFailed as error:
        for key, messages_ in error.fields.items():
            target = "value" if inline.owns_error(key) else None
            for message in messages_:
                form.add_error(target, message if target else f"{key}: {message}")
        return _invalid(request, actor, spec, record, inline, form)
    except PreconditionFailed:
        return _conflict(request, actor, spec, pk, inline, form)
    if not _is_htmx(request):
        messages.success(request, f"{inline.label} saved.")
        return HttpResponseRedirect(f"{spec.url('detail', record)}#field-{inline.name}")
    return _field_response(request, actor, spec, record, _state(spec, record, inline))


def _invalid(
    request: HttpRequest,
    actor: Actor,
    spec: CustomerType,
    record: Model,
    inline: InlineField,
    form: InlineEditForm,
) -> HttpResponse:
    mark_invalid(form)
    state = _state(spec, record, inline, state="edit", form=form)
    return _field_response(request, actor, spec, record, state, status=422)


def _conflict(
    request: HttpRequest, actor: Actor, spec: CustomerType, pk: int, inline: InlineField, form: InlineEditForm
) -> HttpResponse:
    """Someone saved the record since the editor opened: show their value beside the user's, and who
    changed it, and let the user choose; nothing is overwritten until they do."""
    current = spec.get(actor=actor, pk=pk)
    latest = audit_history(actor=actor, object_type=spec.audit_type, object_id=pk, cursor=None, limit=1).items
    conflict = VersionConflict(
        mine=inline.display(form.cleaned_data["value"]),
        theirs=inline.display_current(current),
        raw_value=form["value"].value(),
        current_version=current.version,
        changed_by=(latest[0].actor.username if latest[0].actor else "Accord") if latest else None,
        changed_at=latest[0].occurred_at if latest else None,
    )
    state = _state(spec, current, inline, state="conflict", conflict=conflict)
    return _field_response(request, actor, spec, current, state, status=409)


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineQuery:
    """The timeline's filter as the page's query string carries it. A channel shows the interactions
    over that channel (other entries have none); a type shows the entries of that type."""

    channel: str = ""
    type: str = ""
    cursor: str | None = None

    @classmethod
    def parse(cls, request: HttpRequest) -> TimelineQuery:
        channel = request.GET.get("channel", "")
        entry_type = request.GET.get("type", "")
        if channel and channel not in Interaction.Channel.values:
            raise ValidationFailed({"channel": [f"Use one of: {', '.join(Interaction.Channel.values)}."]})
        if entry_type and entry_type not in TIMELINE_TYPES:
            raise ValidationFailed({"type": [f"Use one of: {', '.join(TIMELINE_TYPES)}."]})
        return cls(channel=channel, type=entry_type, cursor=request.GET.get("cursor") or None)

    def selector_arguments(self) -> dict[str, Any]:
        types = [self.type] if self.type else (["interaction"] if self.channel else None)
        return {"channels": [self.channel] if self.channel else None, "types": types, "cursor": self.cursor}

    def query_string(self, cursor: str | None = None) -> str:
        values = {"channel": self.channel, "type": self.type, "cursor": cursor or ""}
        return urlencode({name: value for name, value in values.items() if value})

    @property
    def is_filtered(self) -> bool:
        return bool(self.channel or self.type)


@dataclass(frozen=True)
class Timeline:
    rows: list[Any]
    next_cursor: str | None
    query: TimelineQuery
    url: str
    page_url: str

    channels = Interaction.Channel.choices
    entry_types = (
        ("interaction", "Interactions"),
        ("stage_change", "Deal stage changes"),
        ("order", "Orders"),
        ("task", "Tasks"),
    )

    @property
    def more_url(self) -> str:
        return f"{self.url}?{self.query.query_string(self.next_cursor)}"

    @property
    def more_page_url(self) -> str:
        return f"{self.page_url}?{self.query.query_string(self.next_cursor)}#timeline"


def _timeline(actor: Actor, spec: CustomerType, record: Model, query: TimelineQuery) -> Timeline:
    page = spec.timeline(actor=actor, **spec.of(record), limit=TIMELINE_PAGE, **query.selector_arguments())
    return Timeline(
        rows=timeline_rows(page.items),
        next_cursor=page.next_cursor,
        query=query,
        url=spec.url("timeline", record),
        page_url=spec.url("detail", record),
    )


@customer_view
@require_GET
def timeline(request: HttpRequest, spec: CustomerType, pk: int) -> HttpResponse:
    """The timeline alone: filtered from its first page, or the next page after ``cursor`` (load more)."""
    actor = web_actor(request)
    record = _customer(actor, spec, pk)
    query = TimelineQuery.parse(request)
    if not _is_htmx(request):
        suffix = f"?{query.query_string(query.cursor)}" if query.query_string(query.cursor) else ""
        return HttpResponseRedirect(f"{spec.url('detail', record)}{suffix}#timeline")
    context = {"timeline": _timeline(actor, spec, record, query), "customer": record, "spec": spec}
    template = "web/customer/_timeline_more.html" if query.cursor else "web/customer/_timeline_results.html"
    return render(request, template, context)


# ---------------------------------------------------------------- quick actions


@dataclass(frozen=True)
class QuickAction:
    name: str
    label: str  # the button
    done: str  # the confirmation
    object_type: str  # the permission it takes: create on this type
    refreshes: tuple[str, ...] = ()  # panels besides the timeline that change


QUICK_ACTIONS = {
    action.name: action
    for action in (
        QuickAction("call", "Log a call", "Call logged", "interaction"),
        QuickAction("email", "Log an email", "Email logged", "interaction"),
        QuickAction("meeting", "Log a meeting", "Meeting logged", "interaction"),
        QuickAction("note", "Add a note", "Note added", "interaction"),
        QuickAction("task", "Add a task", "Task added", "task", refreshes=("tasks",)),
        QuickAction("deal", "Open a deal", "Deal opened", "deal", refreshes=("deals",)),
    )
}


def _action_form(
    actor: Actor, spec: CustomerType, record: Any, action: QuickAction, data: Any = None
) -> QuickActionForm:
    if action.object_type == "interaction":
        return InteractionForm(action.name, data)
    if action.object_type == "task":
        return TaskForm(data)
    pipelines = (
        [(pipeline.pk, pipeline.name) for pipeline in pipeline_list(actor=actor)]
        if actor.access.can("view", "pipeline")
        else []
    )
    return DealForm(
        data,
        pipelines=pipelines if len(pipelines) > 1 else [],
        show_amount="amount" not in hidden_keys(actor, Deal),
        currency=getattr(record, "currency", "EUR"),
    )


def _action_urls(spec: CustomerType, record: Model, action: QuickAction) -> dict[str, str]:
    return {"action_url": spec.url("action", record, action.name), "page_url": spec.url("detail", record)}


def _perform(
    actor: Actor, spec: CustomerType, record: Model, action: QuickAction, form: QuickActionForm
) -> None:
    """Create the record through its service, filed on this customer."""
    data = form.payload()  # type: ignore[attr-defined]
    is_contact = spec.kind == "contact"
    if action.object_type == "interaction":
        link = {"contact_ids": [record.pk]} if is_contact else {"company_id": record.pk}
        interaction_create(actor=actor, data={**data, **link})
    elif action.object_type == "task":
        task_create(actor=actor, data={**data, f"{spec.kind}_id": record.pk})
    else:
        link = {"contacts": [{"contact_id": record.pk}]} if is_contact else {"company_id": record.pk}
        deal_create(actor=actor, data={**data, **link})


@customer_view
@require_http_methods(["GET", "POST"])
def quick_action(request: HttpRequest, spec: CustomerType, pk: int, action: str) -> HttpResponse:
    """GET: the action's small form. POST: create the record; the timeline (and the tasks or deals
    panel) update in place."""
    actor = web_actor(request)
    record = _customer(actor, spec, pk)
    chosen = QUICK_ACTIONS.get(action)
    if chosen is None:
        raise Http404("No such action.")
    if not actor.access.can("create", chosen.object_type):
        raise PermissionDenied(f"Your role may not create {chosen.object_type}s.")
    form = _action_form(actor, spec, record, chosen, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _perform(actor, spec, record, chosen, form)
            except ValidationFailed as error:
                form.add_service_errors(error)
            else:
                return _action_done(request, actor, spec, record, chosen)
        mark_invalid(form)
        status = 422
    if _is_htmx(request):
        context = {"action": chosen, "form": form, "customer": record, "spec": spec}
        context.update(_action_urls(spec, record, chosen))
        return render(request, "web/customer/_action_form.html", context, status=status)
    context = _overview(request, spec, record, action=chosen, action_form=form)
    return render(request, "web/customer/page.html", context, status=status)


def _action_done(
    request: HttpRequest, actor: Actor, spec: CustomerType, record: Model, action: QuickAction
) -> HttpResponse:
    if not _is_htmx(request):
        messages.success(request, f"{action.done}.")
        return HttpResponseRedirect(f"{spec.url('detail', record)}#timeline")
    context: dict[str, Any] = {
        "done": action.done,
        "customer": record,
        "spec": spec,
        "timeline": _timeline(actor, spec, record, TimelineQuery()),
        "oob": True,
    }
    if "tasks" in action.refreshes:
        context["tasks"] = customer_tasks(actor=actor, **spec.of(record))
    if "deals" in action.refreshes:
        context["deals"] = customer_deals(actor=actor, **spec.of(record))
        context["show_amounts"] = "amount" not in hidden_keys(actor, Deal)
    return render(request, "web/customer/_action_done.html", context)


# ---------------------------------------------------------------- the page


@dataclass
class Panels:
    """What the page may show besides the profile, by what the actor's role may view."""

    deals: bool
    orders: bool
    tasks: bool
    people: bool
    actions: list[tuple[QuickAction, str]] = field(default_factory=list)  # with the URL of each


def _overview(
    request: HttpRequest,
    spec: CustomerType,
    record: Any,
    *,
    editing: FieldState | None = None,
    action: QuickAction | None = None,
    action_form: QuickActionForm | None = None,
    query: TimelineQuery | None = None,
) -> dict[str, Any]:
    """Everything the overview tab shows, read by the domain selectors: a fixed number of queries
    whatever the number of interactions, deals, orders, tasks and people (each list is bounded and its
    totals are aggregates in SQL)."""
    actor = web_actor(request)
    access = actor.access
    can_edit = _may_edit(actor, record)
    fields = _fields(actor, spec)
    profile = [
        editing if editing is not None and editing.field.name == inline.name else _state(spec, record, inline)
        for inline in fields
    ]
    panels = Panels(
        deals=access.can("view", "deal"),
        orders=access.can("view", "order"),
        tasks=access.can("view", "task"),
        people=spec.kind == "company" and access.can("view", "contact"),
        actions=[
            (quick, spec.url("action", record, quick.name))
            for quick in QUICK_ACTIONS.values()
            if access.can("create", quick.object_type)
        ],
    )
    of = spec.of(record)
    order_hidden = hidden_keys(actor, Order)
    return {
        **_heading(actor, spec, record, tab="overview"),
        "can_edit": can_edit,
        "profile": profile,
        "panels": panels,
        "timeline": _timeline(actor, spec, record, query or TimelineQuery()),
        "deals": customer_deals(actor=actor, **of) if panels.deals else None,
        "show_amounts": "amount" not in hidden_keys(actor, Deal),
        "purchases": customer_purchases(actor=actor, **of) if panels.orders else None,
        "show_totals": "total" not in order_hidden,
        "tasks": customer_tasks(actor=actor, **of) if panels.tasks else None,
        "people": company_people(actor=actor, company=record) if panels.people else None,
        "scores": score_panel(actor=actor, contact=record) if spec.kind == "contact" else None,
        "action": action,
        "action_form": action_form,
        **(_action_urls(spec, record, action) if action is not None else {}),
        "new_links": _new_links(actor, spec, record),
    }


def _new_links(actor: Actor, spec: CustomerType, record: Model) -> list[tuple[str, str]]:
    """The "new record" pages started from this customer (prefilled with it), for the types the role
    may create."""
    links = []
    if spec.kind == "company" and actor.access.can("create", "contact"):
        links.append(("New contact here", f"{reverse('customers_create:contact-new')}?company={record.pk}"))
    if actor.access.can("create", "deal"):
        links.append(("New deal", f"{reverse('sales_create:deal-new')}?{spec.kind}={record.pk}"))
    return links


@dataclass(frozen=True)
class CompanyLink:
    """A company named on the page (a contact's employer, a company's parent); ``url`` only when the
    user may see it, so that no link leads to a 404."""

    name: str
    url: str | None
    role: str = ""
    is_current: bool = True


def _heading(actor: Actor, spec: CustomerType, record: Any, *, tab: str) -> dict[str, Any]:
    """What both tabs show above their content: the name, the companies it relates to, the tabs."""
    if spec.kind == "contact":
        jobs = list(record.employments.all())
        names = {job.company_id: job.company.name for job in jobs}
        related = [(job.company_id, job.role, job.is_current) for job in jobs]
    else:
        names = {record.parent_id: ""} if record.parent_id else {}
        related = [(record.parent_id, "", True)] if record.parent_id else []
    visible = visible_company_names(actor=actor, ids=list(names))
    links = [
        CompanyLink(
            name=names[pk] or visible.get(pk, ""),
            url=reverse("customer360:company-detail", args=[pk]) if pk in visible else None,
            role=role,
            is_current=is_current,
        )
        for pk, role, is_current in related
        if names[pk] or pk in visible  # a parent the user may not see is not named either
    ]
    return {
        "nav": spec.plural,
        "spec": spec,
        "customer": record,
        "tab": tab,
        "companies": links,
        "urls": {
            "detail": spec.url("detail", record),
            "history": spec.url("history", record),
            "timeline": spec.url("timeline", record),
        },
    }


@customer_view
@require_GET
def detail(request: HttpRequest, spec: CustomerType, pk: int) -> HttpResponse:
    """The overview tab: profile, value scores, deals, purchases, tasks, people, quick actions and the
    timeline (filtered and paged by the query string when JavaScript is off)."""
    actor = web_actor(request)
    record = _customer(actor, spec, pk)
    query = TimelineQuery.parse(request)
    action = QUICK_ACTIONS.get(request.GET.get("action", ""))
    form = None
    if action is not None and actor.access.can("create", action.object_type):
        form = _action_form(actor, spec, record, action)
    else:
        action = None
    context = _overview(request, spec, record, query=query, action=action, action_form=form)
    return render(request, "web/customer/page.html", context)


def _history_labels(actor: Actor, spec: CustomerType) -> dict[str, str]:
    labels = {inline.name: inline.label for inline in _fields(actor, spec)}
    labels.update({"custom_fields": "Custom fields", "owner_id": "Owner", "employments": "Companies"})
    for model_field in spec.model._meta.concrete_fields:
        labels.setdefault(model_field.name, str(model_field.verbose_name).capitalize())
    return labels


@customer_view
@require_GET
def history(request: HttpRequest, spec: CustomerType, pk: int) -> HttpResponse:
    """The record history tab: the audit trail of the record, newest first, with the values of fields
    hidden from the user's role masked (``audit_history``, as ``/api/v1/audit/{type}/{id}``)."""
    actor = web_actor(request)
    record = _customer(actor, spec, pk)
    cursor = request.GET.get("cursor") or None
    page = audit_history(
        actor=actor, object_type=spec.audit_type, object_id=record.pk, cursor=cursor, limit=HISTORY_PAGE
    )
    history_url = spec.url("history", record)
    context = {
        **_heading(actor, spec, record, tab="history"),
        "rows": history_rows(page.items, _history_labels(actor, spec)),
        "next_url": f"{history_url}?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else None,
        "is_first_page": cursor is None,
    }
    if _is_htmx(request) and cursor:
        return render(request, "web/customer/_history_more.html", context)
    return render(request, "web/customer/history.html", context)
