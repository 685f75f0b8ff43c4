"""The interaction and task lists: declarations for ``accord.core.listing`` (the pages are shared)."""

from dataclasses import replace

from django.utils import timezone

from accord.activities import selectors, services
from accord.activities.filters import InteractionFilter, TaskFilter
from accord.activities.models import Interaction, Task
from accord.activities.rules import task_is_overdue
from accord.activities.schemas import InteractionOut, TaskOut
from accord.core.listing import (
    CREATED,
    OWNER,
    OWNER_FILTER,
    UPDATED,
    Bulk,
    Column,
    Filter,
    ListSpec,
    rows_by_id,
    users,
)
from accord.customers.models import Contact
from accord.customers.views import COMPANY
from accord.sales.models import Deal, Lead

DEAL = Column("deal", "Deal", "deal.name", link="/deals/{deal_id}/", related=Deal)

INTERACTIONS = ListSpec(
    key="interactions",
    title="Interactions",
    model=Interaction,
    records=selectors.interaction_list,
    filter_schema=InteractionFilter,
    columns=(
        Column("occurred", "When", "occurred_at", kind="datetime", sort="occurred_at"),
        Column("kind", "Kind", choices=Interaction.Kind),
        Column("channel", "Channel", choices=Interaction.Channel),
        Column("direction", "Direction", choices=Interaction.Direction, shown=False),
        Column("subject", "Subject", str),
        Column("outcome", "Outcome", shown=False),
        COMPANY,
        DEAL,
        OWNER,
        CREATED,
        UPDATED,
    ),
    filters=(
        OWNER_FILTER,
        Filter("kind", "Kind"),
        Filter("channel", "Channel"),
        Filter("direction", "Direction"),
        Filter("occurred_after", "From"),
        Filter("occurred_before", "Before"),
    ),
    default_sort="-occurred_at",
    load_rows=rows_by_id(
        lambda: selectors.interaction_queryset().prefetch_related(None).select_related("company", "deal")
    ),
    export_schema=InteractionOut,
    bulk=Bulk(
        get=selectors.interaction_get, update=services.interaction_update, delete=services.interaction_delete
    ),
    empty_hint="Log a call, an email, a meeting or a note from a contact's or company's page; it appears here.",
)


def _overdue(task: Task) -> str:
    return "overdue" if task_is_overdue(task, timezone.now()) else ""


TASKS = ListSpec(
    key="tasks",
    title="Tasks",
    model=Task,
    records=selectors.task_list,
    filter_schema=TaskFilter,
    columns=(
        Column("title", "Title"),
        Column("due", "Due", "due_at", kind="datetime", flag=_overdue),
        Column("status", "Status", choices=Task.Status),
        Column("priority", "Priority", choices=Task.Priority),
        Column("assignee", "Assignee", "assignee_id", kind="user"),
        Column("contact", "Contact", "contact.full_name", link="/contacts/{contact_id}/", related=Contact),
        COMPANY,
        DEAL,
        Column("lead", "Lead", "lead", link="/leads/{lead_id}/convert/", related=Lead, shown=False),
        replace(CREATED, shown=True),
        UPDATED,
    ),
    filters=(
        Filter("assignee_id", "Assignee", users),
        Filter("status", "Status"),
        Filter("priority", "Priority"),
        Filter("overdue", "Overdue"),
        Filter("due_after", "Due from"),
        Filter("due_before", "Due before"),
    ),
    default_sort="-created_at",
    load_rows=rows_by_id(lambda: Task.objects.select_related("contact", "company", "deal", "lead")),
    export_schema=TaskOut,
    bulk=Bulk(
        get=selectors.task_get,
        update=services.task_update,
        delete=services.task_delete,
        owner_field="assignee_id",
        owner_label="Assignee",
    ),
    empty_hint="Add a task from a contact's, company's or deal's page; the ones assigned to you and your team appear here.",
)
