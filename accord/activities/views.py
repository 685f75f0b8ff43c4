"""The interaction and task lists: declarations for ``accord.core.listing`` (the pages are shared)."""

from django.utils import timezone

from accord.activities import filters, schemas, selectors, services
from accord.activities.models import Interaction, Task
from accord.activities.rules import task_is_overdue
from accord.core.listing import (
    NEWEST_FIRST,
    OWNED,
    OWNER_FILTER,
    UPDATED,
    Column,
    Domain,
    Filter,
    rows_by_id,
    users,
)
from accord.customers.models import Contact
from accord.customers.views import COMPANY
from accord.sales.models import Deal, Lead

ACTIVITIES = Domain(selectors, services, filters, schemas)
DEAL = Column("deal", "Deal", "deal.name", link="/deals/{deal_id}/", related=Deal)

INTERACTIONS = ACTIVITIES.declare(
    Interaction,
    hint="Log a call, an email, a meeting or a note from a contact's or company's page; it appears here.",
    columns=(
        Column("occurred", "When", "occurred_at", kind="datetime", sort="occurred_at", initial="descending"),
        Column("kind", "Kind", choices=Interaction.Kind),
        Column("channel", "Channel", choices=Interaction.Channel),
        Column("direction", "Direction", choices=Interaction.Direction, shown=False),
        Column("subject", "Subject", str),
        Column("outcome", "Outcome", shown=False),
        COMPANY,
        DEAL,
        *OWNED,
    ),
    filters=(
        OWNER_FILTER,
        Filter("kind", "Kind"),
        Filter("channel", "Channel"),
        Filter("direction", "Direction"),
        Filter("occurred_after", "From"),
        Filter("occurred_before", "Before"),
    ),
    # The participants are not shown: the interactions are read without them.
    load_rows=rows_by_id(
        lambda: selectors.interaction_queryset().prefetch_related(None).select_related("company", "deal")
    ),
)


def overdue(task: Task) -> str:
    return "overdue" if task_is_overdue(task, timezone.now()) else ""


TASKS = ACTIVITIES.declare(
    Task,
    hint="Add a task from a contact's, company's or deal's page; yours and your team's appear here.",
    columns=(
        Column("title", "Title"),
        Column("due", "Due", "due_at", kind="datetime", flag=overdue),
        Column("status", "Status", choices=Task.Status),
        Column("priority", "Priority", choices=Task.Priority),
        Column("assignee", "Assignee", "assignee_id", kind="user"),
        Column("contact", "Contact", "contact.full_name", link="/contacts/{contact_id}/", related=Contact),
        COMPANY,
        DEAL,
        Column("lead", "Lead", "lead", link="/leads/{lead_id}/convert/", related=Lead, shown=False),
        NEWEST_FIRST,
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
    load_rows=rows_by_id(lambda: Task.objects.select_related("contact", "company", "deal", "lead")),
)
