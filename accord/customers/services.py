"""Writes on companies and contacts. Each runs in one transaction, validates every field, writes its
audit entry and refreshes the record's search entry."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from accord.core.actors import Actor
from accord.core.custom_fields import custom_fields_from
from accord.core.errors import FieldErrors, ValidationFailed
from accord.core.normalize import normalize_currency, normalize_domain, normalize_email, normalize_phone
from accord.core.permissions import require_create
from accord.core.search import SearchFields, search_index_upsert
from accord.core.services import (
    check_references,
    get_related,
    record_create,
    record_delete,
    record_locked,
    record_save,
    validated,
)
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment
from accord.customers.summaries import SUMMARY_FIELDS, contact_summaries_refresh, contacts_at_company

Data = Mapping[str, Any]


def owner_from(actor: Actor, data: Data, *, errors: FieldErrors, default_to_actor: bool) -> dict[str, Any]:
    """``owner_id`` checked against active users; a new record belongs to its creator by default."""
    if "owner_id" not in data:
        return {"owner_id": actor.user_id} if default_to_actor else {}
    owner_id = data["owner_id"]
    if owner_id is not None and not get_user_model().objects.filter(pk=owner_id, is_active=True).exists():
        errors.add("owner_id", f"No active user with id {owner_id}.")
    return {"owner_id": owner_id}


# ---------------------------------------------------------------- companies


def _company_fields(
    actor: Actor, data: Data, *, instance: Company | None, errors: FieldErrors
) -> dict[str, Any]:
    plain = (
        "external_id", "name", "industry", "size_band", "annual_revenue", "street", "city", "region",
        "postal_code",
    )  # fmt: skip
    fields: dict[str, Any] = {name: data[name] for name in plain if name in data and data[name] is not None}
    if "name" in fields and not fields["name"].strip():
        errors.add("name", "A company needs a name.")
    if "annual_revenue" in data:
        fields["annual_revenue"] = data["annual_revenue"]
    with errors.collect():
        if data.get("domain") is not None:
            fields["domain"] = normalize_domain(data["domain"])
    with errors.collect():
        if data.get("phone") is not None:
            fields["phone"] = normalize_phone(data["phone"]) if data["phone"].strip() else ""
    with errors.collect():
        if data.get("currency") is not None:
            fields["currency"] = normalize_currency(data["currency"])
    if data.get("country") is not None:
        country = data["country"].strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            errors.add("country", "Use a two-letter ISO 3166 country code, e.g. DE.")
        fields["country"] = country
    if "parent_id" in data:
        with errors.collect():
            parent = get_related(actor, Company.objects.all(), data["parent_id"], field="parent_id")
            if parent is not None and instance is not None and _is_same_or_descendant(parent, instance):
                raise ValidationFailed({"parent_id": ["A company cannot be its own parent or ancestor."]})
            fields["parent_id"] = data["parent_id"]
    fields.update(owner_from(actor, data, errors=errors, default_to_actor=instance is None))
    fields.update(custom_fields_from("company", data, instance, errors))
    return fields


def _is_same_or_descendant(candidate: Company, company: Company) -> bool:
    """Whether ``candidate`` is ``company`` or below it, which would make a cycle of parents."""
    seen: set[int] = set()
    node: Company | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == company.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def company_search_fields(company: Company) -> SearchFields:
    return SearchFields(
        company.name, company.domain or company.city, [company.domain, company.phone, company.city]
    )


def company_index(company: Company) -> None:
    search_index_upsert(
        kind="company",
        object_id=company.pk,
        owner_id=company.owner_id,
        **company_search_fields(company)._asdict(),
    )


@transaction.atomic
def company_create(*, actor: Actor, data: Data) -> Company:
    require_create(actor, Company, data)
    fields = validated(_company_fields, actor, data, instance=None)
    company = record_create(Company(**fields), actor=actor, data=data, tags=data.get("tags"))
    company_index(company)
    return company


@transaction.atomic
def company_update(
    *, actor: Actor, instance: Company, data: Data, expected_version: int | None = None
) -> Company:
    company = record_locked(Company, instance, expected_version, actor=actor, data=data)
    fields = validated(_company_fields, actor, data, instance=company)
    record_save(company, fields, actor=actor, tags=data.get("tags"))
    company_index(company)
    return company


@transaction.atomic
def company_delete(*, actor: Actor, instance: Company, expected_version: int | None = None) -> None:
    # Its people's lists show their next current employer, if they have one.
    people = contacts_at_company(instance.pk)
    record_delete(Company, instance, actor=actor, expected_version=expected_version, search_kind="company")
    contact_summaries_refresh(people)


# ---------------------------------------------------------------- contacts


def _primary_flags(items: list[dict[str, Any]], *, field: str, errors: FieldErrors) -> None:
    """Exactly one primary among several: the first when none is marked, an error when several are."""
    if not items:
        return
    primaries = [index for index, item in enumerate(items) if item.get("is_primary")]
    if len(primaries) > 1:
        errors.add(field, "Only one can be primary.")
    elif not primaries:
        items[0]["is_primary"] = True


def _clean_channel(
    raw: list[Mapping[str, Any]],
    *,
    collection: str,
    key: str,
    normalize: Callable[..., str],
    errors: FieldErrors,
) -> list[dict[str, Any]]:
    """Emails or phones: each normalised, none listed twice, exactly one primary."""
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        field = f"{collection}.{index}.{key}"
        with errors.collect():
            value = normalize(item[key], field=field)
            if value in seen:
                raise ValidationFailed({field: [f"{value} is listed twice."]})
            seen.add(value)
            cleaned.append(
                {key: value, "label": item.get("label", ""), "is_primary": item.get("is_primary", False)}
            )
    _primary_flags(cleaned, field=collection, errors=errors)
    return cleaned


def _clean_employments(
    actor: Actor, raw: list[Mapping[str, Any]], errors: FieldErrors
) -> list[dict[str, Any]]:
    accepted = check_references(
        actor,
        Company.objects.all(),
        [item["company_id"] for item in raw],
        field=lambda index: f"employments.{index}.company_id",
        errors=errors,
    )
    return [
        {
            "company_id": item["company_id"],
            "role": item.get("role", ""),
            "is_current": item.get("is_current", True),
        }
        for item, keep in zip(raw, accepted, strict=True)
        if keep
    ]


def _contact_fields(
    actor: Actor, data: Data, *, instance: Contact | None, errors: FieldErrors
) -> dict[str, Any]:
    plain = (
        "external_id",
        "given_name",
        "family_name",
        "job_title",
        "lifecycle_stage",
        "acquisition_source",
        "acquisition_channel",
    )
    fields: dict[str, Any] = {name: data[name].strip() for name in plain if data.get(name) is not None}
    given = fields.get("given_name", instance.given_name if instance else "")
    family = fields.get("family_name", instance.family_name if instance else "")
    if not given and not family:
        errors.add("family_name", "A contact needs a given name or a family name.")
    fields.update(owner_from(actor, data, errors=errors, default_to_actor=instance is None))
    fields.update(custom_fields_from("contact", data, instance, errors))
    return fields


def _replace_children(
    contact: Contact,
    *,
    emails: list[dict[str, Any]] | None,
    phones: list[dict[str, Any]] | None,
    employments: list[dict[str, Any]] | None,
) -> dict[str, tuple[Any, Any]]:
    """Replace the given child collections; returns their (old, new) summaries for the audit entry."""
    changes: dict[str, tuple[Any, Any]] = {}
    if emails is not None:
        old = [email.email for email in contact.emails.all()]
        contact.emails.all().delete()
        ContactEmail.objects.bulk_create([ContactEmail(contact=contact, **item) for item in emails])
        if old != [item["email"] for item in emails]:
            changes["emails"] = (old, [item["email"] for item in emails])
    if phones is not None:
        old = [phone.number for phone in contact.phones.all()]
        contact.phones.all().delete()
        ContactPhone.objects.bulk_create([ContactPhone(contact=contact, **item) for item in phones])
        if old != [item["number"] for item in phones]:
            changes["phones"] = (old, [item["number"] for item in phones])
    if employments is not None:
        old_ids = [(job.company_id, job.role, job.is_current) for job in contact.employments.all()]
        contact.employments.all().delete()
        Employment.objects.bulk_create([Employment(contact=contact, **item) for item in employments])
        new_ids = [(item["company_id"], item["role"], item["is_current"]) for item in employments]
        if old_ids != new_ids:
            changes["employments"] = ([list(job) for job in old_ids], [list(job) for job in new_ids])
    if (emails, phones, employments) != (None, None, None):
        contact_summaries_refresh([contact.pk])
        # The caller saves this instance whole afterwards: it must hold the new summary, not the old.
        contact.refresh_from_db(fields=SUMMARY_FIELDS)
    return changes


def contact_search_fields(
    full_name: str, emails: Sequence[str], phones: Sequence[str], companies: Sequence[str]
) -> SearchFields:
    """A contact's entry from its name, its emails and phones (primary first) and its current companies."""
    subtitle = " · ".join(
        part for part in [emails[0] if emails else "", companies[0] if companies else ""] if part
    )
    return SearchFields(full_name, subtitle, [*emails, *phones])


def contact_index(contact: Contact) -> None:
    emails = list(contact.emails.values_list("email", flat=True))
    phones = list(contact.phones.values_list("number", flat=True))
    companies = list(contact.employments.filter(is_current=True).values_list("company__name", flat=True))
    fields = contact_search_fields(contact.full_name, emails, phones, companies)
    search_index_upsert(kind="contact", object_id=contact.pk, owner_id=contact.owner_id, **fields._asdict())


def _clean_children(actor: Actor, data: Data, errors: FieldErrors) -> dict[str, list[dict[str, Any]] | None]:
    return {
        "emails": _clean_channel(
            data["emails"], collection="emails", key="email", normalize=normalize_email, errors=errors
        )
        if data.get("emails") is not None
        else None,
        "phones": _clean_channel(
            data["phones"], collection="phones", key="number", normalize=normalize_phone, errors=errors
        )
        if data.get("phones") is not None
        else None,
        "employments": (
            _clean_employments(actor, data["employments"], errors)
            if data.get("employments") is not None
            else None
        ),
    }


@transaction.atomic
def contact_create(*, actor: Actor, data: Data) -> Contact:
    require_create(actor, Contact, data)
    errors = FieldErrors()
    fields = _contact_fields(actor, data, instance=None, errors=errors)
    children = _clean_children(actor, data, errors)
    errors.raise_if_any()
    contact = record_create(Contact(**fields), actor=actor, data=data, tags=data.get("tags"))
    _replace_children(contact, **children)
    contact_index(contact)
    return contact


@transaction.atomic
def contact_update(
    *, actor: Actor, instance: Contact, data: Data, expected_version: int | None = None
) -> Contact:
    contact = record_locked(Contact, instance, expected_version, actor=actor, data=data)
    errors = FieldErrors()
    fields = _contact_fields(actor, data, instance=contact, errors=errors)
    children = _clean_children(actor, data, errors)
    errors.raise_if_any()
    record_save(
        contact, fields, actor=actor, tags=data.get("tags"), extra=_replace_children(contact, **children)
    )
    contact_index(contact)
    return contact


@transaction.atomic
def contact_delete(*, actor: Actor, instance: Contact, expected_version: int | None = None) -> None:
    record_delete(Contact, instance, actor=actor, expected_version=expected_version, search_kind="contact")
