"""Reads of interactions, tasks and the customer timeline, always scoped by ``visible_to``.

The timeline merges four histories (interactions, deal stage changes, orders, tasks). Each source is
read with one bounded keyset query (newest first, ``LIMIT limit + 1``, after the cursor) and the sorted
streams are merged in Python, so a page costs the same fixed number of queries whether the customer
has five events or fifty thousand, and no history is ever loaded whole.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accord.activities.filters import InteractionFilter, TaskFilter
from accord.activities.models import Interaction, InteractionContact, Task
from accord.activities.rules import PENDING_STATUSES, overdue_condition, task_is_overdue
from accord.core.actors import Actor
from accord.core.errors import ValidationFailed
from accord.core.permissions import get_visible, hidden_keys, visible_to
from accord.core.selectors import filtered_list
from accord.customers.models import Company, Contact, Employment
from accord.customers.selectors import company_get, contact_get
from accord.sales.models import DealStageChange, Order

TIMELINE_DEFAULT_LIMIT = 50
TIMELINE_MAX_LIMIT = 100
TIMELINE_TYPES = ("interaction", "order", "stage_change", "task")
SUMMARY_LENGTH = 280


# ---------------------------------------------------------------- interactions and tasks


def interaction_queryset() -> QuerySet[Interaction]:
    return Interaction.objects.prefetch_related(
        Prefetch("participants", queryset=InteractionContact.objects.only("interaction_id", "contact_id"))
    )


def interaction_list(
    *,
    actor: Actor,
    filters: InteractionFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Interaction]:
    text_fields = ("subject", "body", "outcome")
    return filtered_list(
        actor,
        interaction_queryset(),
        filters=filters,
        query=query,
        params=params,
        part=part,
        text_fields=text_fields,
    )


def interaction_get(*, actor: Actor, pk: int) -> Interaction:
    return get_visible(actor, interaction_queryset(), pk)


def task_list(
    *,
    actor: Actor,
    filters: TaskFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Task]:
    return filtered_list(
        actor,
        Task.objects.all(),
        filters=filters,
        query=query,
        params=params,
        part=part,
        text_fields=("title", "notes"),
    )


def task_get(*, actor: Actor, pk: int) -> Task:
    return get_visible(actor, Task.objects.all(), pk)


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a customer's history; the fields after ``summary`` are filled for some types only."""

    type: str
    id: int
    occurred_at: dt.datetime
    title: str
    summary: str
    channel: str | None = None
    kind: str | None = None
    direction: str | None = None
    deal_id: int | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    status: str | None = None
    priority: str | None = None
    total: Decimal | None = None
    currency: str | None = None

    @property
    def key(self) -> TimelineKey:
        return (self.occurred_at, self.type, self.id)


# Entries sort newest first by (time, type, id): the type and id break ties between events of the
# same instant, so that a cursor names one exact position and no entry is skipped or repeated.
TimelineKey = tuple[dt.datetime, str, int]


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class _Source:
    """One history of a customer: rows annotated with ``timeline_at``, and how a row becomes an entry."""

    type: str
    queryset: QuerySet[Any]
    entry: Callable[[Any], TimelineEntry]


def _encode_cursor(key: TimelineKey) -> str:
    at, kind, pk = key
    raw = json.dumps([at.isoformat(), kind, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> TimelineKey:
    try:
        at, kind, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = parse_datetime(at) if isinstance(at, str) else None
        if moment is None or moment.tzinfo is None or kind not in TIMELINE_TYPES:
            raise ValueError(cursor)
        if not isinstance(pk, int) or not 0 < pk < 2**63:  # beyond that, SQL integers overflow
            raise ValueError(cursor)
        return moment.astimezone(dt.UTC), kind, pk
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise ValidationFailed(
            {"cursor": ["This cursor is not valid; start again from the first page."]}
        ) from None


def _after(key: TimelineKey | None, source_type: str) -> Q:
    """The rows of one source that come after ``key`` in newest-first (time, type, id) order.

    The leading ``timeline_at <= t`` keeps a range condition the (customer, time) indexes can seek to.
    """
    if key is None:
        return Q()
    at, last_type, last_pk = key
    if source_type < last_type:
        return Q(timeline_at__lte=at)
    if source_type > last_type:
        return Q(timeline_at__lt=at)
    return Q(timeline_at__lte=at) & (Q(timeline_at__lt=at) | Q(pk__lt=last_pk))


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def _interaction_entry(row: Interaction) -> TimelineEntry:
    return TimelineEntry(
        type="interaction",
        id=row.pk,
        occurred_at=row.timeline_at,  # type: ignore[attr-defined]
        title=row.subject or row.get_kind_display(),
        summary=_summary(row.body),
        channel=row.channel,
        kind=row.kind,
        direction=row.direction,
        deal_id=row.deal_id,
    )


def _stage_change_entry(row: DealStageChange) -> TimelineEntry:
    from_stage = row.from_stage.name if row.from_stage else None
    action = (
        f"moved from {from_stage} to {row.to_stage.name}" if from_stage else f"opened in {row.to_stage.name}"
    )
    return TimelineEntry(
        type="stage_change",
        id=row.pk,
        occurred_at=row.timeline_at,  # type: ignore[attr-defined]
        title=f"Deal {row.deal.name}",
        summary=f"Deal {action}.",
        deal_id=row.deal_id,
        from_stage=from_stage,
        to_stage=row.to_stage.name,
    )


def _order_entry(row: Order, *, show_total: bool = True) -> TimelineEntry:
    """An order; without its total for roles that may not see order totals."""
    status = row.get_status_display().lower()
    return TimelineEntry(
        type="order",
        id=row.pk,
        occurred_at=row.timeline_at,  # type: ignore[attr-defined]
        title=f"Order {row.number}",
        summary=f"{row.total} {row.currency}, {status}" if show_total else status.capitalize(),
        deal_id=row.deal_id,
        status=row.status,
        total=row.total if show_total else None,
        currency=row.currency,
    )


def _order_source(actor: Actor, condition: Q) -> _Source:
    show_total = "total" not in hidden_keys(actor, Order)
    return _Source("order", _orders(actor, condition), partial(_order_entry, show_total=show_total))


def _task_entry(row: Task) -> TimelineEntry:
    return TimelineEntry(
        type="task",
        id=row.pk,
        occurred_at=row.timeline_at,  # type: ignore[attr-defined]
        title=row.title,
        summary=_summary(row.notes),
        deal_id=row.deal_id,
        status=row.status,
        priority=row.priority,
    )


def _interactions(actor: Actor, condition: Q, time: str, channels: Collection[str] | None) -> QuerySet[Any]:
    queryset = visible_to(actor, Interaction.objects.all()).filter(condition).annotate(timeline_at=F(time))
    return queryset.filter(channel__in=channels) if channels else queryset


def _stage_changes(actor: Actor, condition: Q) -> QuerySet[Any]:
    queryset = DealStageChange.objects.select_related("deal", "from_stage", "to_stage")
    return visible_to(actor, queryset).filter(condition).annotate(timeline_at=F("changed_at"))


def _orders(actor: Actor, condition: Q) -> QuerySet[Any]:
    return visible_to(actor, Order.objects.all()).filter(condition).annotate(timeline_at=F("ordered_at"))


def _tasks(actor: Actor, condition: Q) -> QuerySet[Any]:
    # A task without a due date sits where it was created; migration 0002 indexes this expression.
    time = Coalesce("due_at", "created_at")
    return visible_to(actor, Task.objects.all()).filter(condition).annotate(timeline_at=time)


def _read(source: _Source, key: TimelineKey | None, count: int) -> list[TimelineEntry]:
    rows = source.queryset.filter(_after(key, source.type)).order_by("-timeline_at", "-pk")[:count]
    return [source.entry(row) for row in rows]


def _page(
    sources: list[_Source], *, cursor: str | None, limit: int, types: Collection[str] | None
) -> TimelinePage:
    """Merge the newest ``limit`` entries of every source after the cursor into one page.

    Each source yields at most ``limit + 1`` rows; the top ``limit + 1`` of their union are then the top
    of the whole history, so the page is exact and the extra entry says whether another page follows.
    """
    key = _decode_cursor(cursor) if cursor else None
    limit = max(1, min(limit, TIMELINE_MAX_LIMIT))
    streams = [_read(source, key, limit + 1) for source in sources if not types or source.type in types]
    entries: list[TimelineEntry] = []
    for entry in heapq.merge(*streams, key=lambda entry: entry.key, reverse=True):
        # A company's interaction may come through the company and through one of its people.
        if entries and entries[-1].key == entry.key:
            continue
        entries.append(entry)
        if len(entries) > limit:
            return TimelinePage(items=entries[:limit], next_cursor=_encode_cursor(entries[limit - 1].key))
    return TimelinePage(items=entries, next_cursor=None)


def timeline_for_contact(
    *,
    actor: Actor,
    contact_id: int,
    cursor: str | None = None,
    limit: int = TIMELINE_DEFAULT_LIMIT,
    channels: Collection[str] | None = None,
    types: Collection[str] | None = None,
) -> TimelinePage:
    """A contact's history, newest first: the interactions they took part in, the stage changes of the
    deals they are involved in, their orders and their tasks. NotFound when the contact is not visible."""
    contact = contact_get(actor=actor, pk=contact_id)
    return contact_timeline(
        actor=actor, contact=contact, cursor=cursor, limit=limit, channels=channels, types=types
    )


def contact_timeline(
    *,
    actor: Actor,
    contact: Contact,
    cursor: str | None = None,
    limit: int = TIMELINE_DEFAULT_LIMIT,
    channels: Collection[str] | None = None,
    types: Collection[str] | None = None,
) -> TimelinePage:
    """``timeline_for_contact`` for a contact already read through ``contact_get`` (the 360 page reads
    it once for its profile, not a second time for its timeline)."""
    sources = [
        _Source(
            "interaction",
            _interactions(actor, Q(participants__contact=contact), "participants__occurred_at", channels),
            _interaction_entry,
        ),
        _Source(
            "stage_change",
            _stage_changes(actor, Q(deal__deal_contacts__contact=contact)),
            _stage_change_entry,
        ),
        _order_source(actor, Q(contact=contact)),
        _Source("task", _tasks(actor, Q(contact=contact)), _task_entry),
    ]
    return _page(sources, cursor=cursor, limit=limit, types=types)


def timeline_for_company(
    *,
    actor: Actor,
    company_id: int,
    cursor: str | None = None,
    limit: int = TIMELINE_DEFAULT_LIMIT,
    channels: Collection[str] | None = None,
    types: Collection[str] | None = None,
) -> TimelinePage:
    """A company's history, newest first: interactions filed under it and those of its current people,
    the stage changes of its deals, its orders and its tasks. NotFound when the company is not visible.

    The people's interactions are a source of their own (read through the participants' copy of the
    time), not an OR in the company's query, so that both stay bounded range reads; an interaction
    that both find is shown once.
    """
    company = company_get(actor=actor, pk=company_id)
    return company_timeline(
        actor=actor, company=company, cursor=cursor, limit=limit, channels=channels, types=types
    )


def company_timeline(
    *,
    actor: Actor,
    company: Company,
    cursor: str | None = None,
    limit: int = TIMELINE_DEFAULT_LIMIT,
    channels: Collection[str] | None = None,
    types: Collection[str] | None = None,
) -> TimelinePage:
    """``timeline_for_company`` for a company already read through ``company_get``."""
    people = Employment.objects.filter(company=company, is_current=True).values("contact_id")
    through_people = _interactions(
        actor, Q(participants__contact_id__in=people), "participants__occurred_at", channels
    ).distinct()  # two of its people in one meeting would otherwise list the meeting twice
    sources = [
        _Source(
            "interaction",
            _interactions(actor, Q(company=company), "occurred_at", channels),
            _interaction_entry,
        ),
        _Source("interaction", through_people, _interaction_entry),
        _Source("stage_change", _stage_changes(actor, Q(deal__company=company)), _stage_change_entry),
        _order_source(actor, Q(company=company)),
        _Source("task", _tasks(actor, Q(company=company)), _task_entry),
    ]
    return _page(sources, cursor=cursor, limit=limit, types=types)


# ---------------------------------------------------------------- a customer's tasks (the 360 page)

CUSTOMER_TASKS_LIMIT = 10


@dataclass(frozen=True)
class CustomerTasks:
    """A customer's pending tasks, soonest due first (those without a due date last), at most a panel's
    worth; the counts cover all of them."""

    pending: list[Task]
    pending_count: int
    overdue_count: int


def customer_tasks(
    *,
    actor: Actor,
    contact: Contact | None = None,
    company: Company | None = None,
    limit: int = CUSTOMER_TASKS_LIMIT,
    now: dt.datetime | None = None,
) -> CustomerTasks:
    """The pending (open or in progress) tasks the actor may see about a contact or a company, as the
    timeline files them (a company's own tasks, not its people's): two queries whatever their number."""
    now = now or timezone.now()
    condition = Q(contact=contact) if contact is not None else Q(company=company)
    pending = visible_to(actor, Task.objects.all()).filter(condition, status__in=PENDING_STATUSES)
    counts = pending.aggregate(
        pending_count=Count("pk"), overdue_count=Count("pk", filter=overdue_condition(now))
    )
    rows = list(pending.select_related("assignee").order_by(F("due_at").asc(nulls_last=True), "id")[:limit])
    for task in rows:
        task.is_overdue = task_is_overdue(task, now)  # type: ignore[attr-defined]
    return CustomerTasks(
        pending=rows, pending_count=counts["pending_count"], overdue_count=counts["overdue_count"]
    )
