"""Saved views of the web lists: reads and writes, scoped to their owner and the owner's teams.

A saved view belongs to one user; shared with one of that user's teams, every member of the team may
apply it, but only its owner replaces or deletes it. The stored query is the list's own query string
(search, filters, sort, columns), so applying a view is following a link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import Q, QuerySet

from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import FieldErrors, NotFound, PermissionDenied
from accord.core.models import SavedView
from accord.core.schemas import NUL_MESSAGE, contains_nul
from accord.core.services import assign_fields, check_version, lock_for_update, save_changes, save_unique

NAME_LENGTH = 100
# The most values a view keeps per parameter, and parameters per view: query strings, not documents.
MAX_VALUES = 50


def saved_view_list(*, actor: Actor, list_key: str) -> QuerySet[SavedView]:
    """The views of a list the actor may apply: their own, and those shared with a team of theirs."""
    if actor.user_id is None:
        return SavedView.objects.none()
    teams = sorted(actor.access.team_ids)
    mine_or_my_teams = (
        Q(owner_id=actor.user_id) | Q(team_id__in=teams) if teams else Q(owner_id=actor.user_id)
    )
    return SavedView.objects.filter(mine_or_my_teams, list_key=list_key).select_related("team", "owner")


def saved_view_get(*, actor: Actor, list_key: str, pk: int) -> SavedView:
    view = saved_view_list(actor=actor, list_key=list_key).filter(pk=pk).first()
    if view is None:
        raise NotFound(f"No saved view with id {pk}.")
    return view


def _clean(
    actor: Actor, name: str, team_id: int | None, query: Mapping[str, Sequence[str]]
) -> dict[str, object]:
    errors = FieldErrors()
    name = name.strip()
    if not name:
        errors.add("name", "Give the view a name.")
    elif len(name) > NAME_LENGTH:
        errors.add("name", f"At most {NAME_LENGTH} characters.")
    if contains_nul(name):
        errors.add("name", NUL_MESSAGE)
    if contains_nul(dict(query)) or contains_nul([value for values in query.values() for value in values]):
        errors.add("query", NUL_MESSAGE)
    if team_id is not None and team_id not in actor.access.team_ids:
        errors.add("team", "Share a view only with a team you belong to.")
    errors.raise_if_any()
    kept = {key: [str(value) for value in values][:MAX_VALUES] for key, values in query.items() if values}
    return {"name": name, "team_id": team_id, "query": dict(list(kept.items())[:MAX_VALUES])}


@transaction.atomic
def saved_view_save(
    *, actor: Actor, list_key: str, name: str, team_id: int | None, query: Mapping[str, Sequence[str]]
) -> SavedView:
    """Save the current query of a list under a name; the actor's view of that name is replaced."""
    if actor.user_id is None:
        raise PermissionDenied("Only a signed-in user has saved views.")
    fields = _clean(actor, name, team_id, query)
    existing = SavedView.objects.filter(
        owner_id=actor.user_id, list_key=list_key, name=fields["name"]
    ).first()
    if existing is None:
        view = SavedView(owner_id=actor.user_id, list_key=list_key, **fields)
        save_unique(view)
        audit_write(actor=actor, action="create", instance=view)
        return view
    view = lock_for_update(SavedView, existing.pk)
    return save_changes(view, assign_fields(view, fields), actor=actor)


@transaction.atomic
def saved_view_delete(*, actor: Actor, instance: SavedView, expected_version: int | None = None) -> None:
    """Only the owner deletes a view; team members who may apply it may not."""
    if instance.owner_id != actor.user_id:
        raise PermissionDenied("Only the person who saved this view may delete it.")
    view = lock_for_update(SavedView, instance.pk)
    check_version(view, expected_version)
    audit_write(actor=actor, action="delete", instance=view)
    view.delete()
