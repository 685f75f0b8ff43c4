"""Reads of companies and contacts, always scoped by ``visible_to``."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from accord.core.actors import Actor
from accord.core.aggregates import JSONArrayAgg
from accord.core.batch_query import BatchQuery
from accord.core.models import Tag
from accord.core.permissions import get_visible, hidden_keys, visible_to
from accord.core.selectors import filtered_list
from accord.customers.filters import CompanyFilter, ContactFilter
from accord.customers.models import Company, Contact, Employment, person_name


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


def _contact_summaries(ids: list[int]) -> QuerySet[Contact, dict[str, Any]]:
    """Contacts with their primary email and phone, current company and tag names as columns of one query.

    The first three are copies kept on the contact's row (``accord.customers.summaries``); the tags are
    one correlated subquery on an indexed table.
    """
    return (
        Contact.objects.filter(pk__in=ids)
        .order_by()
        .values(*CONTACT_SUMMARY_FIELDS, "primary_email", "primary_phone")
        .annotate(
            company_id=F("current_company_id"),
            company_name=F("current_company__name"),
            # The latest value scores (accord.analytics, by name: a layer above); a left join on its key.
            rfm_segment=F("score__rfm_segment"),
            lifetime_value=F("score__lifetime_value"),
            churn_risk=F("score__churn_risk"),
            probability_alive=F("score__probability_alive"),
            tags=Subquery(
                Contact.tags.through.objects.filter(contact_id=OuterRef("pk"))
                .order_by()
                .values("contact_id")
                # A scalar subquery per tag rather than a join: PostgreSQL otherwise plans a hash join
                # that scans the tag table once per contact (0.21 against 0.14 ms for 50 contacts).
                .annotate(
                    names=JSONArrayAgg(Subquery(Tag.objects.filter(pk=OuterRef("tag_id")).values("name")))
                )
                .values("names")  # type: ignore[misc]  # django-stubs misses annotations on through models
            ),
        )
    )


CONTACT_SUMMARY_FIELDS = (
    "id",
    "version",
    "created_at",
    "updated_at",
    "external_id",
    "given_name",
    "family_name",
    "job_title",
    "lifecycle_stage",
    "acquisition_source",
    "acquisition_channel",
    "owner_id",
    "custom_fields",
)


def _finish_contact_row(row: dict[str, Any]) -> None:
    row["full_name"] = person_name(row["given_name"], row["family_name"])
    row["tags"] = sorted(row["tags"] or ())


# The list summaries of contacts already found by a scoped query (``load_rows``): called with ids, in
# their order; ``accord.core.pagination.paginate_rows`` reads a page of them with its keys.
contact_rows = BatchQuery(_contact_summaries, finish=_finish_contact_row)


def company_list(
    *,
    actor: Actor,
    filters: CompanyFilter | None = None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    part: Q | None = None,
) -> QuerySet[Company]:
    return filtered_list(
        actor,
        company_queryset(),
        filters=filters,
        query=query,
        params=params,
        part=part,
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
    part: Q | None = None,
) -> QuerySet[Contact]:
    if filters is not None and filters.min_lifetime_value is not None and _lifetime_value_hidden(actor):
        # Filtering by a value the role may not see would reveal it: for them the filter does not exist.
        filters = filters.model_copy(update={"min_lifetime_value": None})
    return filtered_list(
        actor,
        Contact.objects.all(),
        filters=filters,
        query=query,
        params=params,
        part=part,
        search_kind="contact",
        custom_field_object="contact",
    )


def _lifetime_value_hidden(actor: Actor) -> bool:
    return "lifetime_value" in hidden_keys(actor, Contact)


def contact_get(*, actor: Actor, pk: int) -> Contact:
    return get_visible(actor, contact_queryset(), pk)


# ---------------------------------------------------------------- a company's people (the 360 page)

COMPANY_PEOPLE_LIMIT = 20


@dataclass(frozen=True)
class CompanyPeople:
    """The people at a company that the actor may see, current and past, a panel's worth of each (by
    family name), as contacts annotated with ``role`` and ``primary_email``; counts cover all of them."""

    current: list[Contact]
    past: list[Contact]
    current_count: int
    past_count: int


def company_people(*, actor: Actor, company: Company, limit: int = COMPANY_PEOPLE_LIMIT) -> CompanyPeople:
    """Three queries whatever the number of people: current, past, and both counts.

    Read from the company's employments (one index range) joined to the visible contacts, rather than
    from every contact the actor may see: a sales representative may see a large share of them.
    """
    visible = visible_to(actor, Contact.objects.all())

    def at_company(*, is_current: bool) -> QuerySet[Contact]:
        # One filter() call, so that both conditions hold for the same employment, and F() reuses its
        # join: (contact, company) is unique, so there is one row per person.
        return (
            visible.filter(employments__company=company, employments__is_current=is_current)
            .annotate(
                role=F("employments__role"),
            )
            .order_by("family_name", "given_name", "id")
        )

    counts = visible.filter(employments__company=company).aggregate(
        current_count=Count("pk", filter=Q(employments__is_current=True)),
        past_count=Count("pk", filter=Q(employments__is_current=False)),
    )
    return CompanyPeople(
        current=list(at_company(is_current=True)[:limit]),
        past=list(at_company(is_current=False)[:limit]),
        current_count=counts["current_count"],
        past_count=counts["past_count"],
    )


def visible_company_names(*, actor: Actor, ids: Collection[int]) -> dict[int, str]:
    """The names of those of ``ids`` that the actor may see (to link a contact's employers or a
    company's parent only when the link leads somewhere): one query, none for no ids."""
    if not ids:
        return {}
    companies = visible_to(actor, Company.objects.filter(pk__in=sorted(ids)))
    return dict(companies.values_list("pk", "name"))


def visible_contact_names(*, actor: Actor, ids: Collection[int]) -> dict[int, str]:
    """The full names of those of ``ids`` that the actor may see (the people a form has picked): one
    query, none for no ids."""
    if not ids:
        return {}
    contacts = visible_to(actor, Contact.objects.filter(pk__in=sorted(ids)))
    return {
        pk: person_name(given, family)
        for pk, given, family in contacts.values_list("pk", "given_name", "family_name")
    }
