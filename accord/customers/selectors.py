"""Reads of companies and contacts, always scoped by ``visible_to``."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from accord.core.actors import Actor
from accord.core.permissions import get_visible
from accord.core.selectors import filtered_list
from accord.customers.filters import CompanyFilter, ContactFilter
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment


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


def contact_summary_queryset() -> QuerySet[Contact]:
    """Contacts with their primary email and phone and current company as columns of one query.

    Lists show a summary rather than every email, phone and employment: correlated subqueries on
    indexed child tables cost the database little, whereas prefetching four relations cost Django
    most of a list request's time (measured in benchmarks/api.py).
    """
    current_job = Employment.objects.filter(contact=OuterRef("pk"), is_current=True).order_by("id")
    return Contact.objects.annotate(
        primary_email=Subquery(
            ContactEmail.objects.filter(contact=OuterRef("pk"), is_primary=True).values("email")[:1]
        ),
        primary_phone=Subquery(
            ContactPhone.objects.filter(contact=OuterRef("pk"), is_primary=True).values("number")[:1]
        ),
        company_id=Subquery(current_job.values("company_id")[:1]),
        company_name=Subquery(current_job.values("company__name")[:1]),
    )


def attach_tag_names(records: list[Contact] | list[Company]) -> None:
    """Set ``tag_names`` on a page of records with one query on the tag link table (no prefetch
    machinery: a related manager per row was a measurable share of a list request)."""
    if not records:
        return
    model = type(records[0])
    through = model.tags.through
    source = f"{model._meta.model_name}_id"
    names: dict[int, list[str]] = {record.pk: [] for record in records}
    rows = through.objects.filter(**{f"{source}__in": list(names)}).values_list(source, "tag__name")
    for record_id, name in rows.order_by("tag__name"):
        names[record_id].append(name)
    for record in records:
        record.tag_names = names[record.pk]  # type: ignore[union-attr]


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
        contact_summary_queryset(),
        filters=filters,
        query=query,
        params=params,
        search_kind="contact",
        custom_field_object="contact",
    )


def contact_get(*, actor: Actor, pk: int) -> Contact:
    return get_visible(actor, contact_queryset(), pk)
