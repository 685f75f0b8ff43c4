"""REST endpoints of duplicate handling: the check before a create, the review queue, merge and undo."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Status

from accord.core.crud import ERRORS, actor_of
from accord.core.errors import ValidationFailed
from accord.core.permissions import require_view
from accord.customers.schemas import CompanyIn, ContactIn
from accord.dedupe import selectors, services
from accord.dedupe.matching import likely_duplicates
from accord.dedupe.models import DuplicateCandidate, MergeRecord
from accord.dedupe.schemas import (
    CandidateOut,
    CandidatePage,
    MatchesOut,
    MergeIn,
    MergeOut,
    ObjectTypeParam,
    StatusParam,
)

router = Router(tags=["Duplicates"])


def _matches(request: HttpRequest, object_type: str, data: dict[str, Any]) -> dict[str, Any]:
    actor = actor_of(request)
    require_view(actor, selectors.model_of(object_type))
    found = likely_duplicates(actor=actor, object_type=object_type, data=data)
    return {
        "items": [
            {
                "id": match.id,
                "name": match.name,
                "score": match.score,
                "evidence": selectors.visible_evidence(actor, object_type, match.evidence),
            }
            for match in found
        ]
    }


@router.post(
    "/contacts/duplicates",
    response={200: MatchesOut, **ERRORS},
    operation_id="find_contact_duplicates",
    summary="Contacts you can see that a new contact with this body would likely duplicate",
)
def contact_duplicates(request: HttpRequest, payload: ContactIn) -> dict[str, Any]:
    return _matches(request, "contact", payload.dict(exclude_unset=True))


@router.post(
    "/companies/duplicates",
    response={200: MatchesOut, **ERRORS},
    operation_id="find_company_duplicates",
    summary="Companies you can see that a new company with this body would likely duplicate",
)
def company_duplicates(request: HttpRequest, payload: CompanyIn) -> dict[str, Any]:
    return _matches(request, "company", payload.dict(exclude_unset=True))


def _candidate_json(request: HttpRequest, candidate: DuplicateCandidate) -> dict[str, Any]:
    evidence = selectors.visible_evidence(actor_of(request), candidate.object_type, candidate.evidence)
    return {
        "id": candidate.pk,
        "object_type": candidate.object_type,
        "first_id": candidate.first_id,
        "second_id": candidate.second_id,
        "score": candidate.score,
        "evidence": evidence,
        "status": candidate.status,
        "detected_at": candidate.detected_at,
    }


def _after(cursor: str | None) -> Q:
    """Keyset position after ``score.id`` in the queue's order (score descending, then id)."""
    if not cursor:
        return Q()
    score, _, pk = cursor.partition(".")
    if not (score.isdigit() and pk.isdigit()) or len(cursor) > 40:
        raise ValidationFailed({"cursor": ["Pass back the next_cursor of the previous page."]})
    return Q(score__lt=int(score)) | Q(score=int(score), id__gt=int(pk))


@router.get(
    "/duplicates",
    response={200: CandidatePage, **ERRORS},
    operation_id="list_duplicates",
    summary="The review queue: candidate pairs whose records you can both see, best first",
)
def list_duplicates(
    request: HttpRequest,
    object_type: ObjectTypeParam = "contact",
    status: StatusParam = "open",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    pairs = selectors.candidate_list(actor=actor_of(request), object_type=object_type, status=status)
    page = list(pairs.filter(_after(cursor))[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [_candidate_json(request, pair) for pair in page],
        "next_cursor": f"{page[-1].score}.{page[-1].pk}" if more else None,
    }


@router.post(
    "/duplicates/{int:candidate_id}/dismiss",
    response={200: CandidateOut, **ERRORS},
    operation_id="dismiss_duplicate",
    summary="Mark a pair as not a duplicate (later scans leave it out of the queue)",
)
def dismiss_duplicate(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    candidate = selectors.candidate_get(actor=actor, pk=candidate_id)
    return _candidate_json(request, services.candidate_dismiss(actor=actor, candidate=candidate))


def _versions(raw: dict[str, int]) -> dict[int, int]:
    if any(not key.isdigit() for key in raw):
        raise ValidationFailed({"expected_versions": ["Keys are record ids."]})
    return {int(key): value for key, value in raw.items()}


def _merge(request: HttpRequest, object_type: str, payload: MergeIn) -> MergeRecord:
    actor = actor_of(request)
    records = selectors.records_get(
        actor=actor, object_type=object_type, ids=[payload.survivor_id, *payload.other_ids]
    )
    return services.record_merge(
        actor=actor,
        object_type=object_type,
        survivor=records[0],
        others=records[1:],
        field_choices=payload.field_choices,
        expected_versions=_versions(payload.expected_versions),
    )


@router.post(
    "/contacts/merge",
    response={201: MergeOut, **ERRORS},
    operation_id="merge_contacts",
    summary="Merge contacts into one (you must be allowed to edit each; undo with /merges/{id}/undo)",
)
def merge_contacts(request: HttpRequest, payload: MergeIn) -> Status[MergeRecord]:
    return Status(201, _merge(request, "contact", payload))


@router.post(
    "/companies/merge",
    response={201: MergeOut, **ERRORS},
    operation_id="merge_companies",
    summary="Merge companies into one (you must be allowed to edit each; undo with /merges/{id}/undo)",
)
def merge_companies(request: HttpRequest, payload: MergeIn) -> Status[MergeRecord]:
    return Status(201, _merge(request, "company", payload))


@router.get(
    "/merges/{int:merge_id}",
    response={200: MergeOut, **ERRORS},
    operation_id="get_merge",
    summary="Read a merge",
)
def get_merge(request: HttpRequest, merge_id: int) -> MergeRecord:
    return selectors.merge_get(actor=actor_of(request), pk=merge_id)


@router.post(
    "/merges/{int:merge_id}/undo",
    response={200: MergeOut, **ERRORS},
    operation_id="undo_merge",
    summary="Undo a merge: the merged records come back with their ids and their related records",
)
def undo_merge(request: HttpRequest, merge_id: int) -> MergeRecord:
    actor = actor_of(request)
    return services.merge_undo(actor=actor, merge=selectors.merge_get(actor=actor, pk=merge_id))
