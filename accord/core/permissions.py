"""The one scoping function every read goes through, and the checks every write goes through.

Lists, details, search, counts, timelines, exports and reports all start from ``visible_to``; a record
outside it answers 404 so that its existence does not leak. Services call ``require_create``,
``require_edit`` and ``require_delete`` (through the shared steps in ``accord.core.services``), so the
rules hold for the API, the web pages, the command line and imports alike. The rules themselves
(roles, teams, defaults, shares) are in ``accord.access.rules``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, Literal, NamedTuple, TypeVar

from django.apps import apps
from django.db.models import Model, Q, QuerySet

from accord.access.rules import TYPE_MODELS, Access, ModelRule, rule_for
from accord.core.actors import Actor
from accord.core.errors import NotFound, PermissionDenied
from accord.core.models import SearchEntry

ModelT = TypeVar("ModelT", bound=Model)
# A condition on a model's rows: None for every row, False for none.
Condition = Q | Literal[False] | None


def visible_to(actor: Actor, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """The records of ``queryset`` the actor may see."""
    condition = _visible(actor.access, queryset.model)
    if condition is None:
        return queryset
    if condition is False:
        return queryset.none()
    return queryset.filter(condition)


def require_view(actor: Actor, model: type[Model]) -> None:
    """Lists, counts and exports of a type the role may not view answer 403: a type's existence is no
    secret, and a clear refusal beats an empty list that looks like missing data."""
    if not actor.access.can("view", rule_for(model).object_type):
        raise PermissionDenied(f"Your role may not view {model._meta.verbose_name_plural}.")


def get_visible(actor: Actor, queryset: QuerySet[ModelT], pk: int) -> ModelT:
    """The record if the actor may see it; otherwise NotFound, so that existence does not leak."""
    instance = visible_to(actor, queryset).filter(pk=pk).first()
    if instance is None:
        raise NotFound(f"No {queryset.model._meta.verbose_name} with id {pk}.")
    return instance


def _visible(access: Access, model: type[Model]) -> Condition:
    """The condition on ``model`` for what ``access`` sees: None for everything, False for nothing."""
    rule = rule_for(model)
    if not access.can("view", rule.object_type):
        return False
    if rule.follows is None:
        return _owned(access, rule)
    parent_model: type[Model] = model._meta.get_field(rule.follows).related_model  # type: ignore[assignment]
    parent = _visible(access, parent_model)
    if parent is None or parent is False:
        follows: Condition = parent
    else:
        follows = Q(**{f"{rule.follows}__in": parent_model._default_manager.filter(parent).values("pk")})
    if not rule.follows_only_when_set:
        return follows
    return _either(
        _both(Q(**{f"{rule.follows}__isnull": False}), follows),
        _both(Q(**{f"{rule.follows}__isnull": True}), _owned(access, rule)),
    )


def _owned(access: Access, rule: ModelRule) -> Condition:
    if rule.owner_field is None or rule.object_type is None:
        return None
    owners = access.owners_visible(rule.object_type)
    if owners is None:
        return None
    owned = _owned_by(f"{rule.owner_field}_id", owners)
    shared = access.shared(rule.object_type)
    return owned | Q(pk__in=sorted(shared)) if shared else owned


def _owned_by(owner_field: str, owners: frozenset[int]) -> Q:
    # ``owner = x`` rather than ``owner IN (x)``: SQLite reads an (owner, sort) index in order only for
    # an equality, so a single owner's page needs no sort of all their records.
    if len(owners) == 1:
        return Q(**{owner_field: next(iter(owners))})
    return Q(**{f"{owner_field}__in": sorted(owners)})


# Up to this many owners, a list reads each owner's records as its own part (see ``scope_parts``).
MAX_OWNER_PARTS = 8


def scope_parts(actor: Actor, model: type[Model]) -> list[Q] | None:
    """The actor's scope on ``model`` as disjoint parts that can each be read in index order: the records
    of the owners they see, and the ones shared with them (when there are any). None when the scope is
    one condition already. A list page reads each part with its own ordered, limited query and merges
    them, because one query with ``owner IN (…) OR id IN (…)`` makes the database collect and sort every
    visible row to find the first page (measured in benchmarks/scoping.py).

    Computed once per request (a list page asks for each part's records, and each asks again)."""
    key = ("scope_parts", model)
    if key not in actor.access.derived:
        actor.access.derived[key] = _scope_parts(actor, model)
    parts: list[Q] | None = actor.access.derived[key]
    return parts


def _scope_parts(actor: Actor, model: type[Model]) -> list[Q] | None:
    access = actor.access
    rule = rule_for(model)
    if rule.follows is not None or rule.owner_field is None or rule.object_type is None:
        return None
    if not access.can("view", rule.object_type):
        return None
    owners = access.owners_visible(rule.object_type)
    if owners is None:
        return None
    shared = access.shared(rule.object_type)
    owner_field = f"{rule.owner_field}_id"
    if len(owners) <= MAX_OWNER_PARTS:
        # A few owners (a rep, a small team): one index range each, merged in order.
        parts = [_owned_by(owner_field, frozenset({owner})) for owner in sorted(owners)]
    else:
        # Many owners (a manager of a large team): their records are a large share of the table, so the
        # database finds a page quickly by walking the sort index and checking the owner.
        parts = [_owned_by(owner_field, owners)]
    if shared:
        parts.append(Q(pk__in=sorted(shared)) & ~_owned_by(owner_field, owners))
    return parts if len(parts) > 1 else None


def _both(left: Q, right: Condition) -> Q | Literal[False]:
    if right is None:
        return left
    if right is False:
        return False
    return left & right


def _either(left: Q | Literal[False], right: Q | Literal[False]) -> Condition:
    if left is False:
        return right
    if right is False:
        return left
    return left | right


class SearchArm(NamedTuple):
    """A condition on the search index (aliased ``e``) and its parameters. ``listed`` arms name their
    records by id (shares): a search reads those few entries first and checks the text of each, rather
    than walking the text index for matches of which almost none are in the list."""

    sql: str
    params: list[Any]
    listed: bool = False


def search_scope(actor: Actor, kinds: Iterable[str]) -> list[SearchArm] | None:
    """The entries of ``kinds`` the actor may see in the search index (aliased ``e``), as conditions
    with their parameters ("arms") whose union is the scope; None when they may see none. The same rules
    as ``visible_to``, on the owner id that every search entry carries, so that a search never shows
    what a list would not.

    Each arm is searched by a query of its own: ``owner_id IN (…) AND <text matches>`` is answered by
    walking the owner's entries in the (owner, text) index and stops at the limit, whereas one query
    with ``owner_id IN (…) OR object_id IN (…)`` made PostgreSQL collect every match of a common word
    first (a sales rep's search took 35 ms at 1,000,000 contacts). Arms may overlap (a shared record
    of a teammate); the search drops repeated entries.
    """
    access = actor.access
    every_record: list[str] = []  # kinds seen in full
    by_owners: dict[frozenset[int], list[str]] = {}
    shared: list[tuple[str, list[int]]] = []
    for kind in kinds:
        rule = rule_for(apps.get_model(TYPE_MODELS[kind]))
        assert rule.object_type is not None, kind
        if not access.can("view", rule.object_type):
            continue
        owners = access.owners_visible(rule.object_type)
        if owners is None:
            every_record.append(kind)
            continue
        by_owners.setdefault(frozenset(owners), []).append(kind)
        if records := sorted(access.shared(rule.object_type)):
            shared.append((kind, records))
    arms: list[SearchArm] = []
    if every_record:
        if set(every_record) >= set(SearchEntry.Kind.values):
            arms.append(
                SearchArm("1 = 1", [])
            )  # every record of every kind (administrators, public defaults)
        else:
            arms.append(SearchArm(f"e.kind IN ({_marks(every_record)})", list(every_record)))
    for owners, owned_kinds in by_owners.items():
        if not owners:
            continue
        condition = f"e.kind IN ({_marks(owned_kinds)}) AND e.owner_id IN ({_marks(owners)})"
        arms.append(SearchArm(condition, [*owned_kinds, *sorted(owners)]))
    for kind, records in shared:
        arms.append(
            SearchArm(f"e.kind = %s AND e.object_id IN ({_marks(records)})", [kind, *records], listed=True)
        )
    return arms or None


def _marks(values: Collection[object]) -> str:
    return ", ".join(["%s"] * len(values))


# ---------------------------------------------------------------------------- writes


def require_create(actor: Actor, model: type[Model], data: Iterable[str] = ()) -> None:
    """The actor's role may create this type and set every field in ``data``. Create services call it
    before validating, so that a forbidden create answers 403 rather than field errors."""
    rule = rule_for(model)
    if rule.follows is not None and not rule.follows_only_when_set:
        return  # a child row: its service checked the edit right on the parent
    if not actor.access.can("create", rule.object_type):
        raise PermissionDenied(f"Your role may not create {model._meta.verbose_name_plural}.")
    require_writable_fields(actor, rule, data)


def require_edit(actor: Actor, instance: Model, data: Iterable[str] = ()) -> None:
    """The actor may change this record (which they can see) and set every field in ``data``."""
    rule = rule_for(type(instance))
    if not _may_edit(actor.access, instance, rule):
        raise PermissionDenied(f"You may view this {instance._meta.verbose_name} but not change it.")
    require_writable_fields(actor, rule, data)


def require_delete(actor: Actor, instance: Model) -> None:
    access = actor.access
    rule = rule_for(type(instance))
    name = instance._meta.verbose_name
    if not access.can("delete", rule.object_type):
        raise PermissionDenied(f"Your role may not delete {instance._meta.verbose_name_plural}.")
    parent = _followed_parent(instance, rule)
    if parent is not None:
        allowed = _may_edit(access, parent, rule_for(type(parent)))
    elif rule.owner_field is None or rule.object_type is None:
        allowed = True
    else:
        owners = access.owners_deletable()
        allowed = owners is None or getattr(instance, f"{rule.owner_field}_id") in owners
    if not allowed:
        raise PermissionDenied(f"Only its owner, their manager or an administrator may delete this {name}.")


def require_export(actor: Actor, model: type[Model]) -> None:
    """Exports take the role's export right on top of the view right that scopes their rows."""
    if not actor.access.can("export", rule_for(model).object_type):
        raise PermissionDenied(f"Your role may not export {model._meta.verbose_name_plural}.")


def require_share(actor: Actor, instance: Model) -> None:
    """Sharing a record is for its owner, the owner's managers and administrators."""
    rule = rule_for(type(instance))
    name = instance._meta.verbose_name
    if rule.owner_field is None or rule.object_type is None or _followed_parent(instance, rule) is not None:
        raise PermissionDenied(f"This {name} is not shared on its own; share the record it belongs to.")
    owners = actor.access.owners_deletable()
    if owners is not None and getattr(instance, f"{rule.owner_field}_id") not in owners:
        raise PermissionDenied(f"Only its owner, their manager or an administrator may share this {name}.")


def require_writable_fields(actor: Actor, rule: ModelRule, data: Iterable[str]) -> None:
    """Fields hidden from the actor's role are not writable either."""
    if rule.object_type is None:
        return
    hidden = sorted(actor.access.hidden_fields(rule.object_type) & set(data))
    if hidden:
        raise PermissionDenied(f"Your role may not see or set: {', '.join(hidden)}.")


def _may_edit(access: Access, instance: Model, rule: ModelRule) -> bool:
    if not access.can("edit", rule.object_type):
        return False
    parent = _followed_parent(instance, rule)
    if parent is not None:
        return _may_edit(access, parent, rule_for(type(parent)))
    if rule.owner_field is None or rule.object_type is None:
        return True
    owners = access.owners_editable(rule.object_type)
    if owners is None or getattr(instance, f"{rule.owner_field}_id") in owners:
        return True
    return instance.pk in access.shared_ids(rule.object_type, [instance.pk], edit=True)


def _followed_parent(instance: Model, rule: ModelRule) -> Model | None:
    if rule.follows is None or getattr(instance, f"{rule.follows}_id") is None:
        return None
    parent: Model = getattr(instance, rule.follows)
    return parent


def hidden_keys(actor: Actor, model: type[Model]) -> frozenset[str]:
    """Output keys of this model that the actor's role may not see."""
    object_type = rule_for(model).object_type
    return actor.access.hidden_keys(object_type) if object_type else frozenset()


def require_admin(actor: Actor) -> None:
    """Administration (users, roles, teams, sharing defaults, custom fields) is for administrators only."""
    if not actor.access.is_admin:
        raise PermissionDenied("Only administrators can do this.")
