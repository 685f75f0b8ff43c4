"""Likely duplicates of one record, new or existing: the create warning, import matching and the
incremental check after a write. A few indexed lookups (same email, same phone, same domain, same name,
same company) gather candidates among the records in scope; they are scored exactly as the full scan
scores its pairs (``accord.dedupe.scoring``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.errors import ValidationFailed
from accord.core.normalize import normalize_domain, normalize_email, normalize_phone
from accord.core.permissions import visible_to
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment, person_name
from accord.dedupe.models import DuplicateCandidate
from accord.dedupe.names import company_key, fold, local_part, person_key, says_more_than_name
from accord.dedupe.scoring import DEFAULT_THRESHOLD, evidence_of, name_similarity, scores

# Candidates read per lookup: enough for any real duplicate, bounded for a name shared by thousands.
LOOKUP_LIMIT = 200
MODELS: dict[str, type[Model]] = {"contact": Contact, "company": Company}


@dataclass(frozen=True)
class Match:
    """A record that looks like the given one."""

    object_type: str
    id: int
    name: str
    score: int
    evidence: list[dict[str, object]]

    @property
    def pk(self) -> int:  # pages link to it as to any record
        return self.id


@dataclass
class Profile:
    """What a record is compared on; the same shape for the given record and each candidate."""

    id: int | None
    name: str  # as shown
    compared: str  # folded, as compared
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    companies: dict[int, str] = field(default_factory=dict)  # contacts: current employers
    domain: str = ""
    city: str = ""


def _clean(normalize: Any, values: Iterable[Any]) -> set[str]:
    """Normalised values; ones that do not parse are left out (the create service reports them)."""
    cleaned = set()
    for value in values:
        if isinstance(value, str) and value.strip():
            try:
                cleaned.add(normalize(value))
            except ValidationFailed:
                continue
    return cleaned


def _items(data: Mapping[str, Any], collection: str, key: str) -> list[Any]:
    items = data.get(collection) or []
    return [item.get(key) if isinstance(item, Mapping) else item for item in items]


def _spellings(text: str) -> list[str]:
    """The ways a name is usually stored, for an exact (indexed) lookup."""
    text = text.strip()
    return sorted({text, text.lower(), text.upper(), text.title(), text.capitalize()} - {""})


# ---------------------------------------------------------------------------------------------- contacts


def _contact_profile(data: Mapping[str, Any]) -> Profile:
    given, family = str(data.get("given_name") or ""), str(data.get("family_name") or "")
    companies = [value for value in _items(data, "employments", "company_id") if isinstance(value, int)]
    return Profile(
        id=None,
        name=person_name(given.strip(), family.strip()),
        compared=person_key(given, family),
        emails=_clean(normalize_email, _items(data, "emails", "email")),
        phones=_clean(normalize_phone, _items(data, "phones", "number")),
        companies=dict.fromkeys(companies, ""),
    )


def _contact_candidates(probe: Profile, given: str, family: str, scope: QuerySet[Any]) -> set[int]:
    ids: set[int] = set()
    in_scope = scope.values("pk")
    if probe.emails:
        ids |= set(
            ContactEmail.objects.filter(email__in=probe.emails, contact__in=in_scope).values_list(
                "contact_id", flat=True
            )[:LOOKUP_LIMIT]
        )
    if probe.phones:
        ids |= set(
            ContactPhone.objects.filter(number__in=probe.phones, contact__in=in_scope).values_list(
                "contact_id", flat=True
            )[:LOOKUP_LIMIT]
        )
    if probe.companies:
        ids |= set(
            Employment.objects.filter(
                company_id__in=list(probe.companies), is_current=True, contact__in=in_scope
            ).values_list("contact_id", flat=True)[:LOOKUP_LIMIT]
        )
    names = Q()
    if family.strip():
        names |= Q(family_name__in=_spellings(family))
        if given.strip():  # typed the wrong way round
            names |= Q(given_name__in=_spellings(family), family_name__in=_spellings(given))
    elif given.strip():
        names |= Q(given_name__in=_spellings(given), family_name="")
    if names:
        ids |= set(scope.filter(names).values_list("pk", flat=True)[:LOOKUP_LIMIT])
    return ids


def _contact_profiles(ids: set[int]) -> list[Profile]:
    profiles = {
        pk: Profile(id=pk, name=person_name(given, family), compared=person_key(given, family))
        for pk, given, family in Contact.objects.filter(pk__in=ids).values_list(
            "pk", "given_name", "family_name"
        )
    }
    for contact_id, email in ContactEmail.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "email"
    ):
        profiles[contact_id].emails.add(email)
    for contact_id, number in ContactPhone.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "number"
    ):
        profiles[contact_id].phones.add(number)
    for contact_id, company_id, name in Employment.objects.filter(
        contact_id__in=ids, is_current=True
    ).values_list("contact_id", "company_id", "company__name"):
        profiles[contact_id].companies[company_id] = name
    return sorted(profiles.values(), key=lambda profile: profile.id or 0)


def _contact_flags(probe: Profile, other: Profile) -> tuple[dict[str, bool], dict[str, str]]:
    emails = sorted(probe.emails & other.emails)
    phones = sorted(probe.phones & other.phones)
    locals_ = sorted(
        local
        for local in {local_part(email) for email in probe.emails}
        & {local_part(email) for email in other.emails}
        if local and says_more_than_name(local, probe.name, other.name)
    )
    companies = sorted(set(probe.companies) & set(other.companies))
    flags = {
        "email": bool(emails),
        "phone": bool(phones),
        "local_part": bool(locals_) and not emails,
        "company": bool(companies),
        "other_emails": bool(probe.emails and other.emails and not emails),
        "other_phones": bool(probe.phones and other.phones and not phones),
    }
    values = {
        "email": emails[0] if emails else "",
        "phone": phones[0] if phones else "",
        "local_part": locals_[0] if locals_ else "",
        "company": other.companies.get(companies[0], "") if companies else "",
    }
    return flags, values


# --------------------------------------------------------------------------------------------- companies


def _company_profile(data: Mapping[str, Any]) -> Profile:
    name = str(data.get("name") or "")
    return Profile(
        id=None,
        name=name.strip(),
        compared=company_key(name),
        phones=_clean(normalize_phone, [data.get("phone")]),
        domain=next(iter(_clean(normalize_domain, [data.get("domain")])), ""),
        city=fold(str(data.get("city") or "")),
    )


def _company_candidates(probe: Profile, name: str, scope: QuerySet[Any]) -> set[int]:
    lookups = Q()
    if probe.domain:
        lookups |= Q(domain=probe.domain)
    if probe.phones:
        lookups |= Q(phone__in=probe.phones)
    if name.strip():
        lookups |= Q(name__in=_spellings(name))
        # "ACME GmbH" and "Acme Inc.": names starting with the same first word, as an index range.
        first_word = name.strip().split()[0]
        for spelling in _spellings(first_word):
            lookups |= Q(name__gte=spelling, name__lt=spelling + "\U0010ffff")
    if not lookups:
        return set()
    return set(scope.filter(lookups).values_list("pk", flat=True)[: LOOKUP_LIMIT * 2])


def _company_profiles(ids: set[int]) -> list[Profile]:
    return [
        Profile(
            id=pk,
            name=name,
            compared=company_key(name),
            phones={phone} if phone else set(),
            domain=domain,
            city=fold(city),
        )
        for pk, name, domain, phone, city in Company.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "name", "domain", "phone", "city")
    ]


def _company_flags(probe: Profile, other: Profile) -> tuple[dict[str, bool], dict[str, str]]:
    phones = sorted(probe.phones & other.phones)
    flags = {
        "domain": bool(probe.domain) and probe.domain == other.domain,
        "phone": bool(phones),
        "city": bool(probe.city) and probe.city == other.city,
        "other_domains": bool(probe.domain and other.domain and probe.domain != other.domain),
    }
    values = {"domain": probe.domain, "phone": phones[0] if phones else "", "city": other.city.title()}
    return flags, values


# ------------------------------------------------------------------------------------------------ matching


def matches_for(
    object_type: str,
    data: Mapping[str, Any],
    *,
    scope: QuerySet[Any],
    exclude: int | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[Match]:
    """The records in ``scope`` that look like ``data`` (a create body), best first."""
    if object_type == "contact":
        probe = _contact_profile(data)
        ids = _contact_candidates(
            probe, str(data.get("given_name") or ""), str(data.get("family_name") or ""), scope
        )
        flag_pair = _contact_flags
    elif object_type == "company":
        probe = _company_profile(data)
        ids = _company_candidates(probe, str(data.get("name") or ""), scope)
        flag_pair = _company_flags
    else:
        raise ValueError(f"No duplicate detection for {object_type!r}.")
    if exclude is not None:
        ids.discard(exclude)
    if not ids or not probe.compared:
        return []
    others = _contact_profiles(ids) if object_type == "contact" else _company_profiles(ids)
    similarity = name_similarity([probe.compared] * len(others), [other.compared for other in others])
    pair_flags = [flag_pair(probe, other) for other in others]
    kinds = list(pair_flags[0][0])
    flag_arrays = {kind: np.array([flags[kind] for flags, _ in pair_flags], dtype=bool) for kind in kinds}
    score = scores(object_type, similarity, flag_arrays)
    found = [
        Match(
            object_type=object_type,
            id=int(other.id or 0),
            name=other.name,
            score=int(score[index]),
            evidence=evidence_of(
                object_type,
                similarity=float(similarity[index]),
                names=(probe.name, other.name),
                flags=pair_flags[index][0],
                values=pair_flags[index][1],
            ),
        )
        for index, other in enumerate(others)
        if score[index] >= threshold
    ]
    return sorted(found, key=lambda match: (-match.score, match.id))


def likely_duplicates(*, actor: Actor, object_type: str, data: Mapping[str, Any]) -> list[Match]:
    """The records the actor can see that ``data`` (a create body) would likely duplicate, best first."""
    model = MODELS[object_type]
    return matches_for(object_type, data, scope=visible_to(actor, model._default_manager.all()))


def record_data(object_type: str, pk: int) -> dict[str, Any]:
    """An existing record as a create body, for comparing it with the others."""
    if object_type == "company":
        company = Company.objects.get(pk=pk)
        return {"name": company.name, "domain": company.domain, "phone": company.phone, "city": company.city}
    contact = Contact.objects.get(pk=pk)
    return {
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "emails": [{"email": email} for email in contact.emails.values_list("email", flat=True)],
        "phones": [{"number": number} for number in contact.phones.values_list("number", flat=True)],
        "employments": [
            {"company_id": company_id}
            for company_id in contact.employments.filter(is_current=True).values_list("company_id", flat=True)
        ],
    }


@transaction.atomic
def duplicate_check(*, object_type: str, pk: int) -> list[DuplicateCandidate]:
    """The incremental check of one record against all others (after a create, an update, an import
    row): its likely duplicates are stored as open candidates, or refreshed if already known."""
    model = MODELS[object_type]
    if not model._default_manager.filter(pk=pk).exists():
        return []
    found = matches_for(
        object_type, record_data(object_type, pk), scope=model._default_manager.all(), exclude=pk
    )
    now = timezone.now()
    rows = [
        DuplicateCandidate(
            object_type=object_type,
            first_id=min(pk, match.id),
            second_id=max(pk, match.id),
            score=match.score,
            evidence=match.evidence,
            detected_at=now,
        )
        for match in found
    ]
    DuplicateCandidate.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["object_type", "first_id", "second_id"],
        update_fields=["score", "evidence", "detected_at"],
    )
    return list(
        DuplicateCandidate.objects.filter(
            Q(first_id=pk) | Q(second_id=pk), object_type=object_type, detected_at=now
        ).order_by("-score", "id")
    )
