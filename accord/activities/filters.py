"""List filters for interactions and tasks, shared by the API and the web lists."""

from __future__ import annotations

from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup, FilterSchema

from accord.activities.rules import overdue_condition
from accord.activities.schemas import (
    Channel,
    Direction,
    InteractionKind,
    RecordId,
    TaskPriority,
    TaskStatus,
)
from accord.core.schemas import FilterDateTime, QueryBool


class InteractionFilter(FilterSchema):
    external_id: Annotated[str | None, FilterLookup("external_id")] = None
    kind: Annotated[InteractionKind | None, FilterLookup("kind")] = None
    channel: Annotated[Channel | None, FilterLookup("channel")] = None
    direction: Annotated[Direction | None, FilterLookup("direction")] = None
    # (interaction, contact) is unique, so this join matches at most one row per interaction: no DISTINCT.
    contact_id: Annotated[RecordId | None, FilterLookup("participants__contact_id")] = None
    company_id: Annotated[RecordId | None, FilterLookup("company_id")] = None
    deal_id: Annotated[RecordId | None, FilterLookup("deal_id")] = None
    owner_id: Annotated[RecordId | None, FilterLookup("owner_id")] = None
    occurred_after: Annotated[FilterDateTime | None, FilterLookup("occurred_at__gte")] = None
    occurred_before: Annotated[FilterDateTime | None, FilterLookup("occurred_at__lt")] = None


class TaskFilter(FilterSchema):
    assignee_id: Annotated[RecordId | None, FilterLookup("assignee_id")] = None
    status: Annotated[TaskStatus | None, FilterLookup("status")] = None
    priority: Annotated[TaskPriority | None, FilterLookup("priority")] = None
    due_after: Annotated[FilterDateTime | None, FilterLookup("due_at__gte")] = None
    due_before: Annotated[FilterDateTime | None, FilterLookup("due_at__lt")] = None
    overdue: QueryBool | None = None
    contact_id: Annotated[RecordId | None, FilterLookup("contact_id")] = None
    company_id: Annotated[RecordId | None, FilterLookup("company_id")] = None
    deal_id: Annotated[RecordId | None, FilterLookup("deal_id")] = None
    lead_id: Annotated[RecordId | None, FilterLookup("lead_id")] = None

    def filter_overdue(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        condition = overdue_condition(timezone.now())
        return condition if value else ~condition
