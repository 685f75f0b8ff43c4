"""Reads of companies and contacts, always scoped by ``visible_to``."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Prefetch, QuerySet

from accord.core.actors import Actor
from accord.core.permissions import get_visible
from accord.core.selectors import filtered_list
from accord.customers.filters import CompanyFilter, ContactFilter
from accord.customers.models import Company, Contact, Employment


def company_queryset() -> QuerySet[Company]:
    return Company.objects.prefetch_related("tags")


def contact_queryset() -> QuerySet[Contact]:
    return Contact.objects.prefetch_related(
        "emails",
        "phones",
        "tags",
        Prefetch(
            "employments", queryset=Employment.objects.select_related("company").order_by("-is_current", "id")
        ),
    )


def company_list(
    *,
    actor: Actor,
    filters: CompanyFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
) -> QuerySet[Company]:
    return filtered_list(
        actor,
        company_queryset(),
        filters=filters,
        query=query,
        params=params,
        search_kind="company",
        custom_field_object="company",
    )


def company_get(*, actor: Actor, pk: int) -> Company:
    return get_visible(actor, company_queryset(), pk)


def contact_list(
    *,
    actor: Actor,
    filters: ContactFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
) -> QuerySet[Contact]:
    return filtered_list(
        actor,
        contact_queryset(),
        filters=filters,
        query=query,
        params=params,
        search_kind="contact",
        custom_field_object="contact",
    )


def contact_get(*, actor: Actor, pk: int) -> Contact:
    return get_visible(actor, contact_queryset(), pk)
