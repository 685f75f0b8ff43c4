"""Reads of leads, pipelines, stages, deals, products and orders, always scoped by ``visible_to``; and the
matching that decides which existing contact and company a lead conversion reuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, Prefetch, Q, QuerySet

from accord.core.actors import Actor
from accord.core.permissions import get_visible, visible_to
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
