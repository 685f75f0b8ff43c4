"""Reads of duplicate handling, scoped like every read: a pair is listed only when the actor can see
both of its records; a merge only when they can see its survivor."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from accord.core.actors import Actor
from accord.core.errors import NotFound, ValidationFailed
from accord.core.permissions import get_visible, hidden_keys, require_view, visible_to
from accord.customers.models import Company, Contact
from accord.dedupe.models import DuplicateCandidate, MergeRecord

MODELS: dict[str, type[Model]] = {"contact": Contact, "company": Company}


def model_of(object_type: str) -> type[Model]:
    model = MODELS.get(object_type)
    if model is None:
        raise ValidationFailed({"object_type": ["Choose contact or company."]})
    return model


def candidate_list(
    *, actor: Actor, object_type: str, status: str = DuplicateCandidate.Status.OPEN
) -> QuerySet[DuplicateCandidate]:
    """Pairs of ``object_type`` with ``status``, best first, whose records the actor can both see."""
    model = model_of(object_type)
    require_view(actor, model)
    visible = visible_to(actor, model._default_manager.all()).values("pk")
    return DuplicateCandidate.objects.filter(
        object_type=object_type, status=status, first_id__in=visible, second_id__in=visible
    ).order_by("-score", "id")


def candidate_get(*, actor: Actor, pk: int) -> DuplicateCandidate:
    candidate = DuplicateCandidate.objects.filter(pk=pk).first()
    if candidate is not None:
        model = model_of(candidate.object_type)
        visible = visible_to(
            actor, model._default_manager.filter(pk__in=[candidate.first_id, candidate.second_id])
        )
        if visible.count() == 2:
            return candidate
    raise NotFound(f"No duplicate pair with id {pk}.")


def records_get(*, actor: Actor, object_type: str, ids: list[int]) -> list[Any]:
    """The records in the order given; 404 for the first one the actor cannot see."""
    model = model_of(object_type)
    return [get_visible(actor, model._default_manager.all(), pk) for pk in ids]


def merge_get(*, actor: Actor, pk: int) -> MergeRecord:
    merge = MergeRecord.objects.filter(pk=pk).first()
    if merge is not None:
        model = model_of(merge.object_type)
        if visible_to(actor, model._default_manager.filter(pk=merge.survivor_id)).exists():
            return merge
    raise NotFound(f"No merge with id {pk}.")


def merges_of(*, actor: Actor, object_type: str, survivor_id: int) -> QuerySet[MergeRecord]:
    """The merges into a record the actor can see, newest first (for its page's "undo")."""
    get_visible(actor, model_of(object_type)._default_manager.all(), survivor_id)
    return MergeRecord.objects.filter(object_type=object_type, survivor_id=survivor_id).order_by("-merged_at")


# Evidence that would show a field the actor's role hides (a marketer does not see contacts' phones).
EVIDENCE_FIELDS = {("contact", "phone"): "phones", ("company", "phone"): "phone"}


def visible_evidence(actor: Actor, object_type: str, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    hidden = hidden_keys(actor, model_of(object_type))
    return [
        {**item, "text": "same phone (hidden)"}
        if EVIDENCE_FIELDS.get((object_type, str(item.get("kind")))) in hidden
        else item
        for item in evidence
    ]


def pair_records(
    actor: Actor, object_type: str, candidates: list[DuplicateCandidate]
) -> dict[int, dict[str, Any]]:
    """What the review queue shows of each record of the pairs, by id, in a fixed number of queries;
    fields the actor's role hides are left out."""
    ids = sorted({pk for pair in candidates for pk in (pair.first_id, pair.second_id)})
    hidden = hidden_keys(actor, model_of(object_type))
    return {
        pk: {key: value for key, value in row.items() if key not in hidden}
        for pk, row in _rows(object_type, ids).items()
    }


def _rows(object_type: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    if object_type == "company":
        return {
            row["id"]: {**row, "label": row["name"]}
            for row in Company.objects.filter(pk__in=ids).values(
                "id", "name", "domain", "phone", "city", "country", "industry", "version"
            )
        }
    contacts = Contact.objects.filter(pk__in=ids).prefetch_related("emails", "phones", "employments__company")
    return {
        contact.pk: {
            "id": contact.pk,
            "label": contact.full_name,
            "given_name": contact.given_name,
            "family_name": contact.family_name,
            "job_title": contact.job_title,
            "emails": ", ".join(email.email for email in contact.emails.all()),
            "phones": ", ".join(phone.number for phone in contact.phones.all()),
            "companies": ", ".join(job.company.name for job in contact.employments.all() if job.is_current),
            "version": contact.version,
        }
        for contact in contacts
    }


def open_pairs_involving(object_type: str, ids: list[int]) -> QuerySet[DuplicateCandidate]:
    return DuplicateCandidate.objects.filter(
        Q(first_id__in=ids) | Q(second_id__in=ids), object_type=object_type, status="open"
    )
