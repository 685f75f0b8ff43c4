"""Reads of leads, pipelines, stages, deals, products and orders, always scoped by ``visible_to``; and the
matching that decides which existing contact and company a lead conversion reuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Model, Prefetch, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from accord.core.actors import Actor
from accord.core.compound import union_all
from accord.core.errors import NotFound
from accord.core.permissions import get_visible, hidden_keys, require_view, visible_to
from accord.core.selectors import filtered_list
from accord.customers.models import Company, Contact
from accord.sales.filters import (
    DealFilter,
    LeadFilter,
    OrderFilter,
    PipelineFilter,
    ProductFilter,
    StageFilter,
)
from accord.sales.models import Deal, DealContact, DealStageChange, Lead, Order, Pipeline, Product, Stage

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

ModelT = TypeVar("ModelT", bound=Model)

# Addresses at these providers say nothing about the employer, so their domain never matches a company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com", "fastmail.com", "free.fr", "gmail.com", "gmx.at", "gmx.ch", "gmx.de", "gmx.net",
        "googlemail.com", "hey.com", "hotmail.co.uk", "hotmail.com", "hotmail.de", "hotmail.fr", "icloud.com",
        "laposte.net", "libero.it", "live.com", "mac.com", "mail.com", "mail.ru", "me.com", "msn.com",
        "orange.fr", "outlook.com", "outlook.de", "pm.me", "proton.me", "protonmail.com", "qq.com", "163.com",
        "t-online.de", "web.de", "yahoo.co.uk", "yahoo.com", "yahoo.de", "yahoo.fr", "yandex.ru", "ymail.com",
        "zoho.com",
    }
)  # fmt: skip


# ---------------------------------------------------------------- leads


def lead_queryset() -> QuerySet[Lead]:
    return Lead.objects.prefetch_related("tags")


def lead_list(
    *,
    actor: Actor,
    filters: LeadFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Lead]:
    return filtered_list(
        actor, lead_queryset(), filters=filters, query=query, params=params, part=part,
        search_kind="lead", custom_field_object="lead",
    )  # fmt: skip


def lead_get(*, actor: Actor, pk: int) -> Lead:
    return get_visible(actor, lead_queryset(), pk)


@dataclass(frozen=True)
class RecordRef(Generic[ModelT]):
    """A record as the conversion payloads show it: its id and display name."""

    record: ModelT

    @property
    def id(self) -> int:
        return int(self.record.pk)

    @property
    def name(self) -> str:
        return str(self.record)


@dataclass(frozen=True)
class Match(RecordRef[ModelT]):
    """An existing record a conversion would reuse, and why it was chosen."""

    matched_by: str  # "email", "domain", "email_domain" or "name"


def email_domain(email: str) -> str:
    """The domain of an address when it can name an employer; blank for free-mail providers."""
    domain = email.rpartition("@")[2]
    return "" if domain in FREE_MAIL_DOMAINS else domain


def lead_contact_match(*, actor: Actor, lead: Lead) -> Match[Contact] | None:
    """The contact that already has the lead's (normalised) email; the oldest when several do."""
    if not lead.email:
        return None
    contact = visible_to(actor, Contact.objects.all()).filter(emails__email=lead.email).order_by("id").first()
    return Match(contact, "email") if contact else None


def lead_company_match(*, actor: Actor, lead: Lead) -> Match[Company] | None:
    """The company a lead belongs to: by its company domain, else by its email's domain unless that
    is a free-mail provider, else by exact case-insensitive name. A name match skips companies whose
    domain differs from the lead's, because two firms may share a name but never a website."""
    companies = visible_to(actor, Company.objects.all()).order_by("id")
    known_domain = lead.company_domain or email_domain(lead.email)
    candidates = [("domain", lead.company_domain), ("email_domain", email_domain(lead.email))]
    for matched_by, domain in candidates:
        company = companies.filter(domain=domain).first() if domain else None
        if company is not None:
            return Match(company, matched_by)
    if lead.company_name:
        same_site = Q(domain="") | Q(domain=known_domain) if known_domain else Q()
        company = companies.filter(same_site, name__iexact=lead.company_name).first()
        if company is not None:
            return Match(company, "name")
    return None


def lead_creates_company(lead: Lead) -> bool:
    """Whether converting the lead creates a company when none matches: it needs a name or a domain."""
    return bool(lead.company_name or lead.company_domain)


@dataclass(frozen=True)
class ConversionPreview:
    contact: Match[Contact] | None
    company: Match[Company] | None
    creates_contact: bool
    creates_company: bool
    is_converted: bool


def lead_conversion_preview(*, actor: Actor, lead: Lead) -> ConversionPreview:
    """What converting the lead now would reuse and what it would create."""
    contact = lead_contact_match(actor=actor, lead=lead)
    company = lead_company_match(actor=actor, lead=lead)
    return ConversionPreview(
        contact=contact,
        company=company,
        creates_contact=contact is None,
        creates_company=company is None and lead_creates_company(lead),
        is_converted=lead.status == Lead.Status.CONVERTED,
    )


# ---------------------------------------------------------------- pipelines and stages


def pipeline_queryset() -> QuerySet[Pipeline]:
    return Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    )


def pipeline_list(
    *,
    actor: Actor,
    filters: PipelineFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Pipeline]:
    return filtered_list(
        actor, pipeline_queryset(), filters=filters, query=query, part=part, text_fields=("name",)
    )


def pipeline_get(*, actor: Actor, pk: int) -> Pipeline:
    return get_visible(actor, pipeline_queryset(), pk)


def stage_list(
    *,
    actor: Actor,
    filters: StageFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Stage]:
    return filtered_list(
        actor, Stage.objects.all(), filters=filters, query=query, part=part, text_fields=("name",)
    )


def stage_get(*, actor: Actor, pk: int) -> Stage:
    return get_visible(actor, Stage.objects.all(), pk)


# ---------------------------------------------------------------- deals


def deal_queryset() -> QuerySet[Deal]:
    return Deal.objects.select_related("stage").prefetch_related(
        "tags",
        Prefetch("deal_contacts", queryset=DealContact.objects.select_related("contact").order_by("id")),
    )


def deal_list(
    *,
    actor: Actor,
    filters: DealFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Deal]:
    return filtered_list(
        actor, deal_queryset(), filters=filters, query=query, params=params, part=part,
        search_kind="deal", custom_field_object="deal",
    )  # fmt: skip


def deal_get(*, actor: Actor, pk: int) -> Deal:
    return get_visible(actor, deal_queryset(), pk)


def deal_stage_history(*, actor: Actor, pk: int) -> QuerySet[DealStageChange]:
    """The stage changes of a visible deal, for ``paginate`` (newest first by ``-changed_at``)."""
    deal = get_visible(actor, Deal.objects.all(), pk)
    return DealStageChange.objects.filter(deal=deal).select_related("from_stage", "to_stage")


# ---------------------------------------------------------------- the deal board and the deal page

# Cards read per column; the column's count and totals stay exact (read by an aggregate), and "show more"
# reads the next cards. 2,000 open deals over six stages would otherwise be a 300-card page per column.
BOARD_CARDS_PER_STAGE = 25
# Stage changes shown on the deal page (newest first); the API pages through all of them.
DEAL_PAGE_HISTORY = 50
# Owners offered by the board's filter and the deal form (the user directory; active users only).
OWNER_CHOICES_LIMIT = 500

# Soonest expected close first (those without a date last), then oldest deal: the order of work.
BOARD_CARD_ORDER = (F("expected_close_date").asc(nulls_last=True), F("id").asc())


def board_card_queryset() -> QuerySet[Deal]:
    """What a card shows, and no more: the board reads hundreds of cards per page."""
    return Deal.objects.select_related("company", "owner").only(
        "id", "version", "name", "amount", "currency", "expected_close_date", "pipeline_id", "stage_id",
        "company__id", "company__name",
        "owner__id", "owner__username", "owner__first_name", "owner__last_name",
    )  # fmt: skip


@dataclass(frozen=True)
class ColumnTotals:
    """The deals of one stage that match the board's filters: their number and, per currency, the sum of
    their amounts (empty when the role may not see amounts)."""

    count: int = 0
    amounts: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    totals: ColumnTotals
    cards: list[Deal]

    @property
    def has_more(self) -> bool:
        return len(self.cards) < self.totals.count


@dataclass(frozen=True)
class DealBoard:
    pipeline: Pipeline
    pipelines: list[Pipeline]
    columns: list[BoardColumn]
    amounts_visible: bool

    @property
    def count(self) -> int:
        return sum(column.totals.count for column in self.columns)


def amounts_visible(actor: Actor) -> bool:
    """Whether the actor's role may see deal amounts (the board's totals are hidden along with them)."""
    return "amount" not in hidden_keys(actor, Deal)


def board_pipelines(*, actor: Actor) -> list[Pipeline]:
    """The pipelines with their stages, the default one first (403 for a role that may not view them)."""
    return list(pipeline_list(actor=actor).order_by("-is_default", "position", "id"))


def _board_scope(actor: Actor, pipeline: Pipeline, filters: DealFilter | None) -> QuerySet[Deal]:
    """The pipeline's deals the actor sees that match the filters (403 for a role without deal view)."""
    return filtered_list(actor, board_card_queryset(), filters=filters).filter(pipeline_id=pipeline.pk)


def board_totals(
    *, actor: Actor, pipeline: Pipeline, filters: DealFilter | None, stage_ids: list[int] | None = None
) -> dict[int, ColumnTotals]:
    """Count and amount totals per stage in one aggregate query, grouped by stage and currency (amounts
    in different currencies are never added together)."""
    rows = _board_scope(actor, pipeline, filters).values("stage_id", "currency").order_by()
    if stage_ids is not None:
        rows = rows.filter(stage_id__in=stage_ids)
    with_amounts = amounts_visible(actor)
    aggregates: dict[str, Any] = {"deals": Count("id")}
    if with_amounts:
        aggregates["total"] = Sum("amount")
    counts: dict[int, int] = {}
    amounts: dict[int, list[tuple[str, Decimal]]] = {}
    grouped: list[dict[str, Any]] = list(rows.annotate(**aggregates))  # type: ignore[arg-type]
    for row in grouped:
        stage_id = row["stage_id"]
        counts[stage_id] = counts.get(stage_id, 0) + row["deals"]
        if with_amounts:
            amounts.setdefault(stage_id, []).append((row["currency"], row["total"] or Decimal(0)))
    return {
        stage_id: ColumnTotals(count, tuple(sorted(amounts.get(stage_id, []))))
        for stage_id, count in counts.items()
    }


def board_cards(
    *, actor: Actor, pipeline: Pipeline, filters: DealFilter | None, stage_ids: list[int], limit: int
) -> dict[int, list[Deal]]:
    """The first ``limit`` cards of each stage, in one query whatever the number of deals: each stage's ids
    come from ordered, limited subqueries that read an index range of (pipeline, stage, expected close date)
    in order, joined by UNION ALL (one ``id IN (…) OR id IN (…)`` per stage made PostgreSQL scan every deal:
    60 ms for a board of 2,000 open deals among 200,000). Dated and undated deals are read apart because
    "no date last" is not the index's order on SQLite (NULL sorts first there): one subquery would sort
    every deal of a large won or lost column."""
    if not stage_ids:
        return {}
    scope = _board_scope(actor, pipeline, filters)
    arms = []
    for stage_id in stage_ids:
        stage = scope.filter(stage_id=stage_id)
        dated = stage.filter(expected_close_date__isnull=False).order_by("expected_close_date", "id")
        undated = stage.filter(expected_close_date__isnull=True).order_by("id")
        arms += [dated.values("pk")[:limit], undated.values("pk")[:limit]]
    per_stage = RawSQL(*union_all(arms))
    cards: dict[int, list[Deal]] = {stage_id: [] for stage_id in stage_ids}
    for deal in board_card_queryset().filter(pk__in=per_stage).order_by(*BOARD_CARD_ORDER):
        if len(cards[deal.stage_id]) < limit:
            cards[deal.stage_id].append(deal)
    return cards


def deal_board(
    *,
    actor: Actor,
    pipeline_id: int | None,
    filters: DealFilter | None = None,
    limit: int = BOARD_CARDS_PER_STAGE,
) -> DealBoard:
    """The board of a pipeline (the default one when ``pipeline_id`` is None): a column per stage in
    order, with exact totals and its first cards. A fixed number of queries whatever the number of deals."""
    require_view(actor, Deal)
    pipelines = board_pipelines(actor=actor)
    pipeline = next((p for p in pipelines if pipeline_id is None or p.pk == pipeline_id), None)
    if pipeline is None:
        if pipeline_id is None:
            raise NotFound("There is no pipeline yet: an administrator creates one in the settings.")
        raise NotFound(f"No pipeline with id {pipeline_id}.")
    stages = list(pipeline.stages.all())
    totals = board_totals(actor=actor, pipeline=pipeline, filters=filters)
    cards = board_cards(
        actor=actor, pipeline=pipeline, filters=filters, stage_ids=[s.pk for s in stages], limit=limit
    )
    columns = [BoardColumn(s, totals.get(s.pk, ColumnTotals()), cards[s.pk]) for s in stages]
    return DealBoard(pipeline, pipelines, columns, amounts_visible(actor))


def board_stage(*, actor: Actor, pipeline_id: int, stage_id: int) -> Stage:
    """A stage of the pipeline (404 otherwise), with its pipeline."""
    require_view(actor, Deal)
    stage = get_visible(actor, Stage.objects.select_related("pipeline"), stage_id)
    if stage.pipeline_id != pipeline_id:
        raise NotFound(f"No stage with id {stage_id} in pipeline {pipeline_id}.")
    return stage


def board_column_page(
    *, actor: Actor, stage: Stage, filters: DealFilter | None, offset: int, limit: int = BOARD_CARDS_PER_STAGE
) -> BoardColumn:
    """More cards of one column ("show more"), with the column's totals."""
    scope = _board_scope(actor, stage.pipeline, filters).filter(stage_id=stage.pk)
    cards = list(scope.order_by(*BOARD_CARD_ORDER)[offset : offset + limit])
    totals = board_totals(actor=actor, pipeline=stage.pipeline, filters=filters, stage_ids=[stage.pk])
    return BoardColumn(stage, totals.get(stage.pk, ColumnTotals()), cards)


def board_card(*, actor: Actor, pk: int) -> Deal:
    """One card as the board shows it (after a move, or to put it back after a refusal)."""
    return get_visible(actor, board_card_queryset(), pk)


def owner_choices(*, actor: Actor) -> list[AbstractBaseUser]:
    """Active users by name: the owners a filter or a form offers (the directory every user may read)."""
    users = get_user_model().objects.filter(is_active=True)
    users = users.only("id", "username", "first_name", "last_name").order_by(
        "first_name", "last_name", "username"
    )
    return list(visible_to(actor, users)[:OWNER_CHOICES_LIMIT])


@dataclass(frozen=True)
class DealPage:
    deal: Deal
    stages: list[Stage]  # of the deal's pipeline, in order (empty for a role that may not view pipelines)
    history: list[DealStageChange]  # newest first, at most DEAL_PAGE_HISTORY
    history_is_complete: bool
    amounts_visible: bool


def deal_page(*, actor: Actor, pk: int) -> DealPage:
    """A deal with its people, company, owner, its pipeline's stages and its latest stage changes."""
    require_view(actor, Deal)
    deal = get_visible(actor, deal_queryset().select_related("company", "owner", "pipeline"), pk)
    stages = list(
        visible_to(actor, Stage.objects.filter(pipeline_id=deal.pipeline_id)).order_by("position", "id")
    )
    changes = deal_stage_history(actor=actor, pk=pk).select_related("changed_by")[: DEAL_PAGE_HISTORY + 1]
    history = list(changes)
    return DealPage(
        deal=deal,
        stages=stages,
        history=history[:DEAL_PAGE_HISTORY],
        history_is_complete=len(history) <= DEAL_PAGE_HISTORY,
        amounts_visible=amounts_visible(actor),
    )


@dataclass(frozen=True)
class LeadConversionPage:
    lead: Lead
    preview: ConversionPreview
    pipelines: list[Pipeline]  # where the conversion may open a deal; empty when the role may not


def lead_conversion_page(*, actor: Actor, pk: int) -> LeadConversionPage:
    """A lead, what converting it would reuse or create, and the pipelines a deal could be opened in."""
    require_view(actor, Lead)
    lead = lead_get(actor=actor, pk=pk)
    may_open_deal = actor.access.can("create", "deal") and actor.access.can("view", "pipeline")
    return LeadConversionPage(
        lead=lead,
        preview=lead_conversion_preview(actor=actor, lead=lead),
        pipelines=board_pipelines(actor=actor) if may_open_deal else [],
    )


# ---------------------------------------------------------------- products and orders


def product_list(
    *,
    actor: Actor,
    filters: ProductFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Product]:
    return filtered_list(
        actor, Product.objects.all(), filters=filters, query=query, part=part, text_fields=("name", "sku")
    )


def product_get(*, actor: Actor, pk: int) -> Product:
    return get_visible(actor, Product.objects.all(), pk)


def order_queryset() -> QuerySet[Order]:
    return Order.objects.prefetch_related("lines")


def order_list(
    *,
    actor: Actor,
    filters: OrderFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Order]:
    return filtered_list(
        actor, order_queryset(), filters=filters, query=query, part=part, text_fields=("number",)
    )


def order_get(*, actor: Actor, pk: int) -> Order:
    return get_visible(actor, order_queryset(), pk)


# ---------------------------------------------------------------- a customer's deals and purchases (the 360 page)

CUSTOMER_DEALS_LIMIT = 10
CUSTOMER_ORDERS_LIMIT = 10


@dataclass(frozen=True)
class MoneyTotal:
    """A sum of money in one currency: amounts in different currencies are never added together."""

    currency: str
    amount: Decimal


def _customer_condition(contact: Contact | None, company: Company | None, *, through_people: str) -> Q:
    if contact is not None:
        return Q(**{through_people: contact})
    return Q(company=company)


@dataclass(frozen=True)
class CustomerDeals:
    """A customer's open deals (soonest expected close first) and closed ones (latest closed first), a
    panel's worth of each; counts and values cover all of them."""

    open: list[Deal]
    closed: list[Deal]
    open_count: int
    won_count: int
    lost_count: int
    open_value: list[MoneyTotal]
    won_value: list[MoneyTotal]


def customer_deals(
    *,
    actor: Actor,
    contact: Contact | None = None,
    company: Company | None = None,
    limit: int = CUSTOMER_DEALS_LIMIT,
) -> CustomerDeals:
    """The deals the actor may see that a contact is involved in, or that belong to a company: three
    queries (open, closed, and the counts and values per currency in SQL) whatever their number."""
    condition = _customer_condition(contact, company, through_people="deal_contacts__contact")
    deals = visible_to(actor, Deal.objects.all()).filter(condition)
    is_open, is_won, is_lost = (
        Q(stage__kind=Stage.Kind.OPEN),
        Q(stage__kind=Stage.Kind.WON),
        Q(stage__kind=Stage.Kind.LOST),
    )
    listed = deals.select_related("stage", "pipeline")
    open_deals = list(
        listed.filter(is_open).order_by(F("expected_close_date").asc(nulls_last=True), "id")[:limit]
    )
    closed = list(listed.exclude(is_open).order_by(F("closed_at").desc(nulls_last=True), "-id")[:limit])
    per_currency = list(
        deals.order_by()
        .values("currency")
        .annotate(
            open_count=Count("pk", filter=is_open),
            won_count=Count("pk", filter=is_won),
            lost_count=Count("pk", filter=is_lost),
            open_value=Sum("amount", filter=is_open),
            won_value=Sum("amount", filter=is_won),
        )
        .order_by("currency")
    )
    return CustomerDeals(
        open=open_deals,
        closed=closed,
        open_count=sum(row["open_count"] for row in per_currency),
        won_count=sum(row["won_count"] for row in per_currency),
        lost_count=sum(row["lost_count"] for row in per_currency),
        open_value=[
            MoneyTotal(row["currency"], row["open_value"]) for row in per_currency if row["open_count"]
        ],
        won_value=[MoneyTotal(row["currency"], row["won_value"]) for row in per_currency if row["won_count"]],
    )


@dataclass(frozen=True)
class PurchaseHistory:
    """A customer's latest orders (a panel's worth) and, over all of them, what they spent: paid orders
    only (refunded and cancelled ones are no purchase), per currency, and when they last bought."""

    recent: list[Order]
    order_count: int
    paid_count: int
    spend: list[MoneyTotal]
    last_purchase_at: dt.datetime | None


def customer_purchases(
    *,
    actor: Actor,
    contact: Contact | None = None,
    company: Company | None = None,
    limit: int = CUSTOMER_ORDERS_LIMIT,
) -> PurchaseHistory:
    """The orders the actor may see of a contact or a company: two queries (the latest orders, and the
    counts, spend and last purchase per currency in SQL) whatever their number."""
    condition = _customer_condition(contact, company, through_people="contact")
    orders = visible_to(actor, Order.objects.all()).filter(condition)
    is_paid = Q(status=Order.Status.PAID)
    recent = list(orders.order_by("-ordered_at", "-id")[:limit])
    per_currency = list(
        orders.order_by()
        .values("currency")
        .annotate(
            order_count=Count("pk"),
            paid_count=Count("pk", filter=is_paid),
            spent=Sum("total", filter=is_paid),
            last_purchase_at=Max("ordered_at", filter=is_paid),
        )
        .order_by("currency")
    )
    last_purchases = [row["last_purchase_at"] for row in per_currency if row["last_purchase_at"]]
    return PurchaseHistory(
        recent=recent,
        order_count=sum(row["order_count"] for row in per_currency),
        paid_count=sum(row["paid_count"] for row in per_currency),
        spend=[MoneyTotal(row["currency"], row["spent"]) for row in per_currency if row["paid_count"]],
        last_purchase_at=max(last_purchases, default=None),
    )
