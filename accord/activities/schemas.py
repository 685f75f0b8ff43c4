"""API shapes for interactions, tasks and the customer timeline; server-owned fields are output only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from accord.activities.models import Interaction, Task
from accord.activities.rules import task_is_overdue
from accord.core.schemas import DateTime, ExternalId, InputSchema, RecordId, RecordOut

InteractionKind = Literal[
    "call", "email", "meeting", "chat", "web_visit", "form", "social", "letter", "visit", "note"
]
Channel = Literal["email", "phone", "chat", "web", "social", "mail", "in_person", "video", "internal"]
Direction = Literal["inbound", "outbound", "internal"]
TaskPriority = Literal["low", "normal", "high", "urgent"]
TaskStatus = Literal["open", "in_progress", "done", "cancelled"]
TimelineType = Literal["interaction", "stage_change", "order", "task"]


Subject = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=100_000)]
Outcome = Annotated[str, Field(max_length=100)]
# A month: longer is a data-entry mistake, and PositiveIntegerField tops out at 2**31 - 1 anyway.
DurationSeconds = Annotated[int, Field(ge=0, le=31 * 24 * 3600)]
# One interaction rarely involves more than a handful of people; the cap keeps a write's checks bounded.
ContactIds = Annotated[list[RecordId], Field(max_length=50)]


class InteractionIn(InputSchema):
    external_id: ExternalId = ""
    kind: InteractionKind
    channel: Channel
    direction: Direction = "outbound"
    subject: Subject = ""
    body: LongText = ""
    occurred_at: DateTime
    duration_seconds: DurationSeconds | None = None
    outcome: Outcome = ""
    contact_ids: ContactIds = []
    company_id: RecordId | None = None
    deal_id: RecordId | None = None
    owner_id: RecordId | None = None


class InteractionPatch(InputSchema):
    external_id: ExternalId | None = None
    kind: InteractionKind | None = None
    channel: Channel | None = None
    direction: Direction | None = None
    subject: Subject | None = None
    body: LongText | None = None
    occurred_at: DateTime | None = None
    duration_seconds: DurationSeconds | None = None
    outcome: Outcome | None = None
    contact_ids: ContactIds | None = None
    company_id: RecordId | None = None
    deal_id: RecordId | None = None
    owner_id: RecordId | None = None


class InteractionOut(RecordOut):
    external_id: str
    kind: str
    channel: str
    direction: str
    subject: str
    body: str
    occurred_at: DateTime
    duration_seconds: int | None
    outcome: str
    contact_ids: list[int]
    company_id: int | None
    deal_id: int | None
    owner_id: int | None

    @staticmethod
    def resolve_contact_ids(obj: Interaction) -> list[int]:
        return sorted(participant.contact_id for participant in obj.participants.all())


class TaskIn(InputSchema):
    title: Subject = Field(min_length=1)
    notes: LongText = ""
    due_at: DateTime | None = None
    priority: TaskPriority = "normal"
    status: TaskStatus = "open"
    assignee_id: RecordId | None = None
    contact_id: RecordId | None = None
    company_id: RecordId | None = None
    deal_id: RecordId | None = None
    lead_id: RecordId | None = None


class TaskPatch(InputSchema):
    title: Subject | None = Field(None, min_length=1)
    notes: LongText | None = None
    due_at: DateTime | None = None
    priority: TaskPriority | None = None
    status: TaskStatus | None = None
    assignee_id: RecordId | None = None
    contact_id: RecordId | None = None
    company_id: RecordId | None = None
    deal_id: RecordId | None = None
    lead_id: RecordId | None = None


class TaskOut(RecordOut):
    title: str
    notes: str
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    priority: str
    status: str
    assignee_id: int | None
    contact_id: int | None
    company_id: int | None
    deal_id: int | None
    lead_id: int | None
    is_overdue: bool

    @staticmethod
    def resolve_is_overdue(obj: Task) -> bool:
        return task_is_overdue(obj, timezone.now())


class TimelineEntryOut(Schema):
    """One event of a customer's history; the fields after ``summary`` are set for some types only."""

    type: TimelineType
    id: int
    occurred_at: DateTime
    title: str
    summary: str
    channel: str | None = Field(None, description="interaction: the channel it came through")
    kind: str | None = Field(None, description="interaction: call, email, meeting, …")
    direction: str | None = Field(None, description="interaction: inbound, outbound or internal")
    deal_id: int | None = Field(
        None, description="interaction, stage_change, order, task: the deal concerned"
    )
    from_stage: str | None = Field(None, description="stage_change: the stage left (none on creation)")
    to_stage: str | None = Field(None, description="stage_change: the stage entered")
    status: str | None = Field(None, description="order, task: its status")
    priority: str | None = Field(None, description="task: its priority")
    total: Decimal | None = Field(None, description="order: the total, a decimal string")
    currency: str | None = Field(None, description="order: the currency of the total")


class TimelinePage(Schema):
    items: list[TimelineEntryOut]
    next_cursor: str | None = None
