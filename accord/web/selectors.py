"""Reads for the cross-domain pages: the home page ("my day") and global search.

Every read starts from the domain selectors the API uses (``task_list``, ``deal_list``,
``interaction_list``, ``search``), which scope by ``visible_to``; this module only narrows them to
"mine" and to the time window of each panel. Records linked from a row (a task's contact, an
interaction's company) are read through ``visible_to`` as well, so a page never names a record the
user may not see. Each panel is a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Model, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accord.activities.models import Interaction, InteractionContact, Task
from accord.activities.rules import PENDING_STATUSES, overdue_condition, task_is_overdue
from accord.activities.selectors import interaction_list, task_list
from accord.core.actors import Actor
from accord.core.permissions import hidden_keys, visible_to
from accord.core.search import SearchHit, search
from accord.customers.models import Company, Contact, person_name
from accord.sales.filters import DealFilter
from accord.sales.models import Deal, Lead, Stage
from accord.sales.selectors import deal_list

HOME_ROWS = 10
RECENT_INTERACTION_DAYS = 30
WON_HISTORY_MONTHS = 6

# The search kinds in the order the results are grouped, with their headings.
SEARCH_GROUPS = (("company", "Companies"), ("contact", "Contacts"), ("lead", "Leads"), ("deal", "Deals"))
SEARCH_MAX_QUERY_LENGTH = 200
SEARCH_POPUP_LIMIT = 20
SEARCH_PAGE_LIMIT = 50


# ---------------------------------------------------------------- links to record pages


@dataclass(frozen=True)
class Link:
    """A record a row points to, as the page shows it."""

    kind: str
    label: str
    url: str


def record_url(kind: str, pk: int) -> str:
    """The page of a record: the 360 pages for customers, the deal page, and a lead's conversion page."""
    paths = {
        "company": "/companies/{}/",
        "contact": "/contacts/{}/",
        "lead": "/leads/{}/convert/",
        "deal": "/deals/{}/",
    }
    return paths[kind].format(pk)


def _link(kind: str, record: Model | None) -> Link | None:
    if record is None:
        return None
    if isinstance(record, Contact):
        label = person_name(record.given_name, record.family_name) or f"Contact {record.pk}"
    else:
        label = str(record)
    return Link(kind=kind, label=label, url=record_url(kind, record.pk))


def _visible_prefetch(actor: Actor, lookup: str, queryset: QuerySet[Any]) -> Prefetch:
    """Prefetch a foreign key through the actor's scope: a related record they may not see reads as None.

    ``visible_to`` answers an empty queryset for a type the role may not view, and Django runs no query
    for it, so the row simply shows no link.
    """
    return Prefetch(lookup, queryset=visible_to(actor, queryset))


# ---------------------------------------------------------------- tasks


@dataclass(frozen=True)
class TaskRow:
    task: Task
    is_overdue: bool
    about: Link | None


@dataclass(frozen=True)
class TaskPanel:
    rows: list[TaskRow]
    open_count: int
    overdue_count: int


def _task_about(task: Task) -> Link | None:
    for kind, record in (("deal", task.deal), ("contact", task.contact), ("company", task.company)):
        if record is not None:
            return _link(kind, record)
    return _link("lead", task.lead)


def my_tasks(*, actor: Actor, now: dt.datetime, limit: int = HOME_ROWS) -> TaskPanel:
    """The actor's open and in-progress tasks, earliest due first (no due date last), with the count of
    all of them and of the overdue ones."""
    mine = task_list(actor=actor).filter(assignee_id=actor.user_id, status__in=PENDING_STATUSES)
    counts = mine.order_by().aggregate(
        open_count=Count("id"), overdue_count=Count("id", filter=overdue_condition(now))
    )
    rows = mine.prefetch_related(
        _visible_prefetch(actor, "contact", Contact.objects.only("id", "given_name", "family_name")),
        _visible_prefetch(actor, "company", Company.objects.only("id", "name")),
        _visible_prefetch(actor, "deal", Deal.objects.only("id", "name")),
        _visible_prefetch(actor, "lead", Lead.objects.all()),
    ).order_by(F("due_at").asc(nulls_last=True), "id")[:limit]
    return TaskPanel(
        rows=[TaskRow(task, task_is_overdue(task, now), _task_about(task)) for task in rows],
        open_count=counts["open_count"],
        overdue_count=counts["overdue_count"],
    )


# ---------------------------------------------------------------- deals


def month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``today``'s month."""
    first = today.replace(day=1)
    return first, add_months(first, 1) - dt.timedelta(days=1)


def add_months(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class DealRow:
    deal: Deal
    is_late: bool  # its expected close date has passed and it is still open
    company: Link | None


def my_deals_closing(*, actor: Actor, today: dt.date, limit: int = HOME_ROWS) -> list[DealRow]:
    """The actor's open deals expected to close this month, soonest first."""
    first, last = month_bounds(today)
    filters = DealFilter(
        owner_id=actor.user_id, stage_kind="open", expected_close_after=first, expected_close_before=last
    )
    deals = (
        deal_list(actor=actor, filters=filters)
        .prefetch_related(None)
        .select_related("stage")
        .prefetch_related(_visible_prefetch(actor, "company", Company.objects.only("id", "name")))
        .order_by("expected_close_date", "id")[:limit]
    )
    return [
        DealRow(
            deal=deal,
            is_late=deal.expected_close_date is not None and deal.expected_close_date < today,
            company=_link("company", deal.company),
        )
        for deal in deals
    ]


# ---------------------------------------------------------------- interactions


@dataclass(frozen=True)
class InteractionRow:
    interaction: Interaction
    about: list[Link]


def my_recent_interactions(*, actor: Actor, now: dt.datetime, limit: int = HOME_ROWS) -> list[InteractionRow]:
    """The latest interactions of the last 30 days on the actor's records: those on a deal, a company or a
    contact they own, and those they logged themselves. Newest first; the window keeps the read a bounded
    range of the time index however long the history is."""
    me = actor.user_id
    on_my_contacts = InteractionContact.objects.filter(contact__owner_id=me).values("interaction_id")
    mine = Q(owner_id=me) | Q(deal__owner_id=me) | Q(company__owner_id=me) | Q(pk__in=on_my_contacts)
    since = now - dt.timedelta(days=RECENT_INTERACTION_DAYS)
    people = InteractionContact.objects.filter(contact__in=visible_to(actor, Contact.objects.all()))
    interactions = (
        interaction_list(actor=actor)
        .filter(mine, occurred_at__gte=since, occurred_at__lte=now)
        .prefetch_related(None)
        .prefetch_related(
            _visible_prefetch(actor, "deal", Deal.objects.only("id", "name")),
            _visible_prefetch(actor, "company", Company.objects.only("id", "name")),
            Prefetch(
                "participants",
                queryset=people.select_related("contact")
                .only("interaction_id", "contact__id", "contact__given_name", "contact__family_name")
                .order_by("id"),
            ),
        )
        .order_by("-occurred_at", "-id")[:limit]
    )
    rows = []
    for interaction in interactions:
        about = [
            link
            for link in (_link("deal", interaction.deal), _link("company", interaction.company))
            if link is not None
        ]
        about += [
            link
            for participant in interaction.participants.all()
            if (link := _link("contact", participant.contact)) is not None
        ]
        rows.append(InteractionRow(interaction=interaction, about=about))
    return rows


# ---------------------------------------------------------------- key figures


@dataclass(frozen=True)
class StageFigure:
    """The actor's open deals in one stage (in one currency)."""

    label: str
    probability: int
    count: int
    amount: Decimal | None  # None when the role may not see deal amounts
    weighted: Decimal | None


@dataclass(frozen=True)
class MonthFigure:
    month: dt.date
    count: int
    amount: Decimal | None


@dataclass(frozen=True)
class CurrencyFigures:
    """The key figures in one currency: amounts in different currencies are never added together."""

    currency: str
    open_count: int
    open_value: Decimal | None
    weighted_forecast: Decimal | None
    won_count: int
    won_value: Decimal | None
    stages: list[StageFigure] = field(default_factory=list)
    months: list[MonthFigure] = field(default_factory=list)


@dataclass(frozen=True)
class KeyFigures:
    show_amounts: bool
    currencies: list[CurrencyFigures]  # the default currency first

    @property
    def main(self) -> CurrencyFigures | None:
        return self.currencies[0] if self.currencies else None


def _stage_label(row: dict[str, Any], several_pipelines: bool) -> str:
    return f"{row['pipeline__name']} · {row['stage__name']}" if several_pipelines else row["stage__name"]


def my_key_figures(*, actor: Actor, today: dt.date) -> KeyFigures:
    """Open pipeline value, weighted forecast (the sum of amount × stage win probability) and deals won
    this month, for the actor's own deals, per currency; with the open deals per stage and the deals won
    in each of the last six months behind the charts. Two aggregate queries."""
    show_amounts = "amount" not in hidden_keys(actor, Deal)
    mine = deal_list(actor=actor, filters=DealFilter(owner_id=actor.user_id)).prefetch_related(None)
    open_rows: list[dict[str, Any]] = [
        dict(row)
        for row in mine.filter(stage__kind=Stage.Kind.OPEN)
        .order_by()
        .values(
            "currency",
            "stage_id",
            "stage__name",
            "stage__position",
            "stage__probability",
            "pipeline_id",
            "pipeline__name",
            "pipeline__position",
        )
        .annotate(count=Count("id"), amount=Sum("amount"))
    ]
    first_month = add_months(month_bounds(today)[0], 1 - WON_HISTORY_MONTHS)
    won_rows: list[dict[str, Any]] = [
        dict(row)
        for row in mine.filter(stage__kind=Stage.Kind.WON, closed_at__gte=_start_of_day(first_month))
        .annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("currency", "month")
        .annotate(count=Count("id"), amount=Sum("amount"))
    ]
    months = [add_months(first_month, index) for index in range(WON_HISTORY_MONTHS)]
    # Pipelines are named only when there are several and the role may see them (a partner's may not).
    several_pipelines = len({row["pipeline_id"] for row in open_rows}) > 1 and actor.access.can(
        "view", "pipeline"
    )
    open_rows.sort(key=lambda row: (row["pipeline__position"], row["pipeline_id"], row["stage__position"]))

    stages: dict[str, list[StageFigure]] = defaultdict(list)
    for row in open_rows:
        amount = row["amount"] or Decimal("0")
        stages[row["currency"]].append(
            StageFigure(
                label=_stage_label(row, several_pipelines),
                probability=row["stage__probability"],
                count=row["count"],
                amount=amount if show_amounts else None,
                weighted=(amount * row["stage__probability"] / 100).quantize(Decimal("0.01"))
                if show_amounts
                else None,
            )
        )
    won: dict[str, dict[dt.date, tuple[int, Decimal]]] = defaultdict(dict)
    for won_row in won_rows:
        month = won_row["month"]
        day = (timezone.localtime(month) if timezone.is_aware(month) else month).date().replace(day=1)
        count, amount = won[won_row["currency"]].get(day, (0, Decimal("0")))
        won[won_row["currency"]][day] = (
            count + won_row["count"],
            amount + (won_row["amount"] or Decimal("0")),
        )

    default_currency = settings.ACCORD_DEFAULT_CURRENCY
    currencies = sorted(set(stages) | set(won), key=lambda code: (code != default_currency, code))
    figures = []
    for currency in currencies:
        history = [
            MonthFigure(
                month=month,
                count=won[currency].get(month, (0, Decimal("0")))[0],
                amount=won[currency].get(month, (0, Decimal("0")))[1] if show_amounts else None,
            )
            for month in months
        ]
        this_month = history[-1]
        figures.append(
            CurrencyFigures(
                currency=currency,
                open_count=sum(stage.count for stage in stages[currency]),
                open_value=_total(stage.amount for stage in stages[currency]) if show_amounts else None,
                weighted_forecast=_total(stage.weighted for stage in stages[currency])
                if show_amounts
                else None,
                won_count=this_month.count,
                won_value=this_month.amount,
                stages=stages[currency],
                months=history,
            )
        )
    return KeyFigures(show_amounts=show_amounts, currencies=figures)


def _total(values: Any) -> Decimal:
    return sum((value or Decimal("0") for value in values), Decimal("0"))


# ---------------------------------------------------------------- the home page


@dataclass(frozen=True)
class MyDay:
    """What the home page shows; a panel is None when the role may not view its type of record."""

    tasks: TaskPanel | None
    deals_closing: list[DealRow] | None
    interactions: list[InteractionRow] | None
    figures: KeyFigures | None
    month_start: dt.date
    month_end: dt.date


def my_day(*, actor: Actor, now: dt.datetime | None = None) -> MyDay:
    """The signed-in user's day: their open tasks, their deals closing this month, recent interactions on
    their records and the key figures of their pipeline. "Mine" is what the user owns (a task: what is
    assigned to them), always within what they may see."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    can_view = actor.access.can
    can_see_deals = can_view("view", "deal")
    first, last = month_bounds(today)
    return MyDay(
        tasks=my_tasks(actor=actor, now=now) if can_view("view", "task") else None,
        deals_closing=my_deals_closing(actor=actor, today=today) if can_see_deals else None,
        interactions=my_recent_interactions(actor=actor, now=now)
        if can_view("view", "interaction")
        else None,
        figures=my_key_figures(actor=actor, today=today) if can_see_deals else None,
        month_start=first,
        month_end=last,
    )


# ---------------------------------------------------------------- global search


@dataclass(frozen=True)
class SearchGroup:
    kind: str
    heading: str
    hits: list[tuple[SearchHit, str]]  # each hit with the URL of its page


@dataclass(frozen=True)
class SearchResults:
    query: str
    was_trimmed: bool
    groups: list[SearchGroup]

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def clean_search_query(raw: str) -> tuple[str, bool]:
    """The text to search for and whether it was cut: at most 200 characters (as in the API), without
    NUL characters, which no database stores or matches."""
    text = " ".join(raw.replace("\x00", " ").split())
    return text[:SEARCH_MAX_QUERY_LENGTH].strip(), len(text) > SEARCH_MAX_QUERY_LENGTH


def global_search(*, actor: Actor, raw_query: str, limit: int) -> SearchResults:
    """The best hits among the records the actor may see, grouped by kind (companies, contacts, leads,
    deals); groups without hits are left out."""
    query, was_trimmed = clean_search_query(raw_query)
    hits: Sequence[SearchHit] = search(query, actor=actor, limit=limit) if query else []
    by_kind: dict[str, list[tuple[SearchHit, str]]] = defaultdict(list)
    for hit in hits:
        by_kind[hit.kind].append((hit, record_url(hit.kind, hit.object_id)))
    groups = [
        SearchGroup(kind=kind, heading=heading, hits=by_kind[kind])
        for kind, heading in SEARCH_GROUPS
        if by_kind.get(kind)
    ]
    return SearchResults(query=query, was_trimmed=was_trimmed, groups=groups)
