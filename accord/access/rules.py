"""The access rules: what a user may do with a type of record, which records they see and may change,
and which fields are hidden from them. docs/security.md states the same rules in plain words.

Everything here is computed from one ``Access`` per request (its role, teams and the organisation-wide
defaults are read once, lazily). ``accord.core.permissions`` applies these rules to querysets and records;
no other module decides visibility.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Model

from accord.access.models import RecordShare, Role, SharingDefault, Team, TeamMembership, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

DEFAULT_VISIBILITY = Visibility.TEAM
PUBLIC = {Visibility.PUBLIC_READ, Visibility.PUBLIC_READ_WRITE}

# The fields a role may hide, per object type. Some are shown under more than one key (a contact's list
# summary shows its primary phone); ``HIDDEN_KEYS`` names every key a hidden field removes from output.
SENSITIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "company": ("annual_revenue",),
    "contact": ("phones",),
    "lead": ("phone",),
    "deal": ("amount",),
    "order": ("subtotal", "discount_total", "tax_total", "total", "lines"),
}
HIDDEN_KEYS: dict[tuple[str, str], tuple[str, ...]] = {("contact", "phones"): ("phones", "primary_phone")}
# Keys of one type computed from another type's sensitive field: a contact's lifetime value (in its list
# summary, from accord.analytics) is a forecast of order totals, so it goes where order totals go.
DERIVED_KEYS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("order", "total"): {"contact": ("lifetime_value",)},
}


@dataclass(frozen=True)
class ModelRule:
    """How one model is scoped.

    ``object_type`` is the type whose permissions apply (None: the model is reference data every
    signed-in user reads, like tags). ``owner_field`` decides record visibility by its owner; None means
    every user whose role may view the type sees every record (catalogues: products, pipelines).
    ``follows`` names a foreign key whose record this one follows: a child row (a deal's stage changes)
    always, and with ``follows_only_when_set`` only when the key is set (an interaction follows its deal
    if it has one, otherwise its own owner).
    """

    object_type: str | None
    owner_field: str | None = "owner"
    follows: str | None = None
    follows_only_when_set: bool = False


OPEN = ModelRule(object_type=None, owner_field=None)

# Keyed by ``Model._meta.label_lower`` so that this app needs no import of the domain apps above it.
MODEL_RULES: dict[str, ModelRule] = {
    "customers.company": ModelRule("company"),
    "customers.contact": ModelRule("contact"),
    "sales.lead": ModelRule("lead"),
    "sales.deal": ModelRule("deal"),
    "sales.order": ModelRule("order"),
    "activities.interaction": ModelRule("interaction", follows="deal", follows_only_when_set=True),
    "activities.task": ModelRule("task", owner_field="assignee"),
    "sales.product": ModelRule("product", owner_field=None),
    "sales.pipeline": ModelRule("pipeline", owner_field=None),
    "sales.stage": ModelRule("pipeline", owner_field=None),
    "sales.dealstagechange": ModelRule("deal", owner_field=None, follows="deal"),
    "sales.orderline": ModelRule("order", owner_field=None, follows="order"),
    "users.user": OPEN,
    # Administration (guarded by require_admin) and shares (read through the record they concern)
    "access.role": OPEN,
    "access.team": OPEN,
    "access.sharingdefault": OPEN,
    "access.recordshare": OPEN,  # the directory of colleagues, for owners and assignees
    "core.tag": OPEN,
    "core.customfield": OPEN,
    "core.searchentry": OPEN,  # search results are scoped per kind by accord.core.search
}


# The model holding each object type's records (the search index and exports use the type's name).
TYPE_MODELS: dict[str, str] = {
    "company": "customers.company",
    "contact": "customers.contact",
    "lead": "sales.lead",
    "deal": "sales.deal",
    "order": "sales.order",
    "interaction": "activities.interaction",
    "task": "activities.task",
    "product": "sales.product",
    "pipeline": "sales.pipeline",
}


def rule_for(model: type[Model]) -> ModelRule:
    rule = MODEL_RULES.get(model._meta.label_lower)
    if rule is None:
        # A new model must be given a rule before anyone can read it: fail closed, loudly.
        raise LookupError(f"No access rule for {model._meta.label_lower}; add one to MODEL_RULES.")
    return rule


class Access:
    """What one user may do. Build it once per request (``Access.of(user)``) and reuse it."""

    def __init__(self, user: AbstractBaseUser | None, *, system: bool = False) -> None:
        """``system``: Accord itself (command line, migrations, demo data), which may do everything."""
        self.system = system
        self.user = user if user is not None and user.is_active else None
        self.user_id: int | None = self.user.pk if self.user is not None else None
        self.role: Role | None = getattr(self.user, "role", None) if self.user is not None else None
        superuser = bool(getattr(self.user, "is_superuser", False))
        self.is_admin = system or superuser or bool(self.role and self.role.is_admin)
        self.is_external = bool(self.role and self.role.is_external) and not self.is_admin
        # Values that layers above derive from this access and reuse for the rest of the request
        # (``accord.core.permissions.scope_parts``): a list page asks for its scope's parts once per part.
        self.derived: dict[Hashable, Any] = {}

    # ------------------------------------------------------------------ role: actions and fields

    def can(self, action: str, object_type: str | None) -> bool:
        """Whether the role grants ``action`` on the type (reference data: any signed-in user may read)."""
        if self.is_admin:
            return True
        if self.user is None:
            return False
        if object_type is None:
            return action == "view"
        return self.role is not None and action in self.role.permissions.get(object_type, ())

    def hidden_fields(self, object_type: str) -> frozenset[str]:
        if self.is_admin or self.role is None:
            return frozenset()
        allowed = SENSITIVE_FIELDS.get(object_type, ())
        return frozenset(name for name in self.role.hidden_fields.get(object_type, ()) if name in allowed)

    def hidden_keys(self, object_type: str) -> frozenset[str]:
        """The output keys to leave out for this type: the hidden fields and the keys derived from them."""
        keys: set[str] = set()
        for name in self.hidden_fields(object_type):
            keys.update(HIDDEN_KEYS.get((object_type, name), (name,)))
        for (source_type, source_field), derived in DERIVED_KEYS.items():
            if object_type in derived and source_field in self.hidden_fields(source_type):
                keys.update(derived[object_type])
        return frozenset(keys)

    # ------------------------------------------------------------------ teams and defaults

    @cached_property
    def _context(self) -> _Context:
        """The organisation-wide defaults, my teams, my teammates, the members of the teams I manage and
        the records shared with me or my teams.

        One query for all of it (a UNION ALL): a scoped request would otherwise pay several round trips
        before its real work, and shares are few per user, so reading them up front lets lists use their
        ids directly rather than a subquery that keeps the database from reading an index in order.
        """
        defaults_table = SharingDefault._meta.db_table
        membership_table = TeamMembership._meta.db_table
        team_table = Team._meta.db_table
        share_table = RecordShare._meta.db_table
        my_teams = f"SELECT team_id FROM {membership_table} WHERE user_id = %s"
        sql = (
            f"SELECT 'default', object_type, visibility, NULL FROM {defaults_table} "
            "UNION ALL "
            f"SELECT 'member', CAST(m.team_id AS TEXT), CAST(m.user_id AS TEXT), CAST(t.manager_id AS TEXT) "
            f"FROM {membership_table} m JOIN {team_table} t ON t.id = m.team_id "
            f"WHERE t.manager_id = %s OR m.team_id IN ({my_teams}) "
            "UNION ALL "
            f"SELECT 'share', object_type, CAST(object_id AS TEXT), access FROM {share_table} "
            f"WHERE user_id = %s OR team_id IN ({my_teams})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.user_id] * 4)
            rows = cursor.fetchall()
        me = str(self.user_id)
        memberships = [
            (int(team), int(user), manager) for kind, team, user, manager in rows if kind == "member"
        ]
        teams = frozenset(team for team, user, _ in memberships if user == self.user_id)
        shares: dict[str, dict[int, str]] = {}
        for kind, object_type, object_id, access in rows:
            if kind == "share":
                granted = shares.setdefault(object_type, {})
                # Shared with me and with my team: the wider access counts.
                if granted.get(int(object_id)) != RecordShare.Access.EDIT:
                    granted[int(object_id)] = access
        return _Context(
            defaults={key: value for kind, key, value, _ in rows if kind == "default"},
            teams=teams,
            teammates=frozenset(user for team, user, _ in memberships if team in teams),
            managed=frozenset(user for _, user, manager in memberships if manager == me),
            shares=shares,
        )

    def visibility(self, object_type: str) -> str:
        return self._context.defaults.get(object_type, DEFAULT_VISIBILITY)

    @property
    def team_ids(self) -> frozenset[int]:
        return self._context.teams

    @property
    def _colleagues(self) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
        """(my teams, users who share a team with me, users in teams I manage)."""
        context = self._context
        return context.teams, context.teammates, context.managed

    def owners_visible(self, object_type: str) -> frozenset[int] | None:
        """The owners whose records of this type I see; None means every record (public or admin)."""
        if self.is_admin or (not self.is_external and self.visibility(object_type) in PUBLIC):
            return None
        if self.user_id is None:
            return frozenset()
        owners = {self.user_id}
        if not self.is_external:
            _, teammates, managed = self._colleagues
            owners |= managed
            if self.visibility(object_type) == Visibility.TEAM:
                owners |= teammates
        return frozenset(owners)

    def owners_editable(self, object_type: str) -> frozenset[int] | None:
        """The owners whose records of this type I may change (None: any record I see)."""
        if self.is_admin or (
            not self.is_external and self.visibility(object_type) == Visibility.PUBLIC_READ_WRITE
        ):
            return None
        if self.user_id is None:
            return frozenset()
        owners = {self.user_id}
        if not self.is_external:
            _, teammates, managed = self._colleagues
            owners |= managed
            if self.visibility(object_type) != Visibility.PRIVATE:
                owners |= teammates  # teammates work each other's records together from team level up
        return frozenset(owners)

    def owners_deletable(self) -> frozenset[int] | None:
        if self.is_admin:
            return None
        if self.user_id is None:
            return frozenset()
        return frozenset({self.user_id} | (self._colleagues[2] if not self.is_external else frozenset()))

    # ------------------------------------------------------------------ explicit shares

    def shared(self, object_type: str) -> dict[int, str]:
        """The records of this type shared with me or my teams, with the access granted."""
        return self._context.shares.get(object_type, {}) if self.user_id is not None else {}

    def shared_ids(self, object_type: str, ids: Iterable[int], *, edit: bool = False) -> set[int]:
        """Which of ``ids`` are shared with me (to edit, with ``edit``)."""
        shared = self.shared(object_type)
        return {pk for pk in ids if pk in shared and (not edit or shared[pk] == RecordShare.Access.EDIT)}


@dataclass(frozen=True)
class _Context:
    defaults: dict[str, str]
    teams: frozenset[int]
    teammates: frozenset[int]
    managed: frozenset[int]
    shares: dict[str, dict[int, str]]
