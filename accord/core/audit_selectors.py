"""Reads of the audit trail: the whole trail for administrators, a record's history for whoever may
see the record. Entries are only ever read here; nothing in Accord edits or deletes them."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model
from ninja import FilterSchema

from accord.access.rules import rule_for
from accord.core.actors import Actor
from accord.core.errors import NotFound
from accord.core.models import AuditEntry
from accord.core.pagination import Page, paginate
from accord.core.permissions import get_visible, hidden_keys, require_admin

# What a change of a field hidden from the reader's role shows instead of its values.
MASK = "***"
NEWEST_FIRST = "-occurred_at"


def audit_list(
    *, actor: Actor, filters: FilterSchema | None, cursor: str | None, limit: int
) -> Page[AuditEntry]:
    """The whole trail, newest first, for administrators."""
    require_admin(actor)
    entries = AuditEntry.objects.select_related("actor")
    if filters is not None:
        entries = entries.filter(filters.get_filter_expression())
    return paginate(entries, sort=NEWEST_FIRST, cursor=cursor, limit=limit)


def audit_history(
    *, actor: Actor, object_type: str, object_id: int, cursor: str | None, limit: int
) -> Page[AuditEntry]:
    """One record's history, newest first.

    Other users read the history of the customer records they can see (404 otherwise, so that
    existence does not leak), with the values of fields hidden from their role masked. Administrators
    read any record's history, including a deleted record's.
    """
    model = _audited_model(object_type)
    entries = AuditEntry.objects.select_related("actor").filter(
        object_type=model._meta.label_lower, object_id=object_id
    )
    if actor.access.is_admin:
        return paginate(entries, sort=NEWEST_FIRST, cursor=cursor, limit=limit)
    if _permission_type(model) is None:
        # Users, tokens, tags, settings: their history (sign-ins, addresses, roles) is for administrators.
        raise NotFound(f"No history for {object_type} {object_id}.")
    get_visible(actor, model._default_manager.all(), object_id)
    page = paginate(entries, sort=NEWEST_FIRST, cursor=cursor, limit=limit)
    hidden = hidden_keys(actor, model)
    for entry in page.items:
        # Only the in-memory copies are masked; entries are never saved from here.
        entry.changes = {
            name: [MASK, MASK] if name in hidden else pair for name, pair in entry.changes.items()
        }
    return page


def _audited_model(object_type: str) -> type[Model]:
    """The model named by an entry's ``object_type`` ('customers.contact'); NotFound for anything else."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        raise NotFound(f"No record type '{object_type}'.") from None


def _permission_type(model: type[Model]) -> str | None:
    """The object type whose rights govern the model; None for models outside the record rules."""
    try:
        return rule_for(model).object_type
    except LookupError:
        return None
