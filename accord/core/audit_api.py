"""REST endpoints of the audit trail: read only, there is no way to change or delete an entry."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from pydantic import Field

from accord.core import audit_selectors
from accord.core.crud import ERRORS, actor_of, page_schema
from accord.core.models import AuditEntry
from accord.core.pagination import Page
from accord.core.schemas import IsoDateTime, RecordId

Limit = Annotated[int, Field(ge=1, le=200)]


class AuditFilter(FilterSchema):
    actor_id: Annotated[RecordId | None, FilterLookup("actor_id")] = None
    object_type: Annotated[
        str | None, Field(max_length=60, description="e.g. customers.contact"), FilterLookup("object_type")
    ] = None
    object_id: Annotated[RecordId | None, FilterLookup("object_id")] = None
    action: Annotated[str | None, Field(max_length=40), FilterLookup("action")] = None
    via: Annotated[AuditEntry.Via | None, FilterLookup("via")] = None
    occurred_after: Annotated[IsoDateTime | None, FilterLookup("occurred_at__gte")] = None
    occurred_before: Annotated[IsoDateTime | None, FilterLookup("occurred_at__lt")] = None


class AuditEntryOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor_id: int | None = Field(description="null: Accord itself, or nobody known (a failed sign-in)")
    actor_username: str | None
    token_id: int | None = Field(description="The API token the actor used, if any")
    via: str
    action: str
    object_type: str
    object_id: int | None
    object_repr: str
    changes: dict[str, Any] = Field(
        description='Per field [old, new]; "***" for both when the field is hidden from your role'
    )

    @staticmethod
    def resolve_actor_username(obj: AuditEntry) -> str | None:
        return obj.actor.username if obj.actor is not None else None


audit_router = Router(tags=["Audit trail"])
AuditPage = page_schema(AuditEntryOut, "audit")


def _page(page: Page[AuditEntry]) -> dict[str, Any]:
    return {"items": page.items, "next_cursor": page.next_cursor}


@audit_router.get(
    "",
    response={200: AuditPage, **ERRORS},
    operation_id="list_audit_entries",
    summary="The audit trail, newest first (administrators)",
)
def list_audit_entries(
    request: HttpRequest,
    filters: AuditFilter = Query(...),
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    return _page(
        audit_selectors.audit_list(actor=actor_of(request), filters=filters, cursor=cursor, limit=limit)
    )


@audit_router.get(
    "/{object_type}/{int:object_id}",
    response={200: AuditPage, **ERRORS},
    operation_id="get_record_history",
    summary="One record's history, newest first (for whoever may see the record)",
)
def get_record_history(
    request: HttpRequest,
    object_type: str,
    object_id: RecordId,
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    return _page(
        audit_selectors.audit_history(
            actor=actor_of(request), object_type=object_type, object_id=object_id, cursor=cursor, limit=limit
        )
    )
