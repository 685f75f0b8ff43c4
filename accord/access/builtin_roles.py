"""The built-in roles. They are written to the database on every migrate and cannot be edited;
docs/security.md has the same table in plain words (a test keeps the two in step)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.access.models import Action, ObjectType

ALL_ACTIONS = [action.value for action in Action]
CUSTOMER_RECORDS = ["company", "contact", "lead", "deal", "order", "interaction", "task"]
CATALOG = ["product", "pipeline"]
VIEW = ["view"]
VIEW_EDIT = ["view", "create", "edit"]
WORK = ["view", "create", "edit", "delete"]


@dataclass(frozen=True)
class BuiltinRole:
    key: str
    name: str
    description: str
    permissions: dict[str, list[str]]
    hidden_fields: dict[str, list[str]] = field(default_factory=dict)
    is_admin: bool = False
    is_external: bool = False


def _grant(types: list[str], actions: list[str]) -> dict[str, list[str]]:
    return {object_type: list(actions) for object_type in types}


BUILTIN_ROLES: tuple[BuiltinRole, ...] = (
    BuiltinRole(
        key="administrator",
        name="Administrator",
        description="Everything, including users, roles, teams, sharing defaults and custom fields.",
        permissions=_grant([t.value for t in ObjectType], ALL_ACTIONS),
        is_admin=True,
    ),
    BuiltinRole(
        key="sales_manager",
        name="Sales manager",
        description="Runs a sales team: all actions on customer records, maintains products and pipelines.",
        permissions={**_grant(CUSTOMER_RECORDS, ALL_ACTIONS), **_grant(CATALOG, ["view", "create", "edit"])},
    ),
    BuiltinRole(
        key="sales_rep",
        name="Sales representative",
        description="Works companies, contacts, leads and deals; cannot delete customers or export.",
        permissions={
            **_grant(["company", "contact", "deal"], VIEW_EDIT),
            **_grant(["lead", "interaction", "task"], WORK),
            "order": ["view", "create"],
            **_grant(CATALOG, VIEW),
        },
    ),
    BuiltinRole(
        key="support_agent",
        name="Support agent",
        description="Helps customers: reads companies and orders, updates contacts, logs interactions and tasks.",
        permissions={
            "company": VIEW,
            "contact": ["view", "edit"],
            "order": VIEW,
            **_grant(["interaction", "task"], WORK),
            "product": VIEW,
        },
        hidden_fields={"company": ["annual_revenue"]},
    ),
    BuiltinRole(
        key="marketer",
        name="Marketer",
        description="Builds audiences: companies, contacts and leads, with export; no deals or orders.",
        permissions={
            **_grant(["company", "contact", "lead"], ["view", "create", "edit", "export"]),
            "interaction": VIEW,
            "task": WORK,
            "product": VIEW,
        },
        hidden_fields={"contact": ["phones"], "company": ["annual_revenue"]},
    ),
    BuiltinRole(
        key="analyst",
        name="Analyst",
        description="Reads and exports everything for analysis; changes nothing; no personal phone numbers.",
        permissions=_grant([t.value for t in ObjectType], ["view", "export"]),
        hidden_fields={"contact": ["phones"], "lead": ["phone"]},
    ),
    BuiltinRole(
        key="read_only",
        name="Read only",
        description="Reads customer records; no amounts, revenues or phone numbers.",
        permissions=_grant([t.value for t in ObjectType], VIEW),
        hidden_fields={
            "company": ["annual_revenue"],
            "contact": ["phones"],
            "lead": ["phone"],
            "deal": ["amount"],
            "order": ["subtotal", "discount_total", "tax_total", "total", "lines"],
        },
    ),
    BuiltinRole(
        key="external_partner",
        name="External partner",
        description="A reseller: registers leads and follows its own deals; sees only its own and shared records.",
        permissions={
            "lead": VIEW_EDIT,
            "deal": ["view", "edit"],
            **_grant(["company", "contact"], VIEW),
            "interaction": VIEW_EDIT,
            "product": VIEW,
        },
        hidden_fields={"company": ["annual_revenue"], "contact": ["phones"]},
        is_external=True,
    ),
)


def sync_builtin_roles(**_: Any) -> None:
    """Create or refresh the built-in roles (connected to ``post_migrate``)."""
    from accord.access.models import Role

    for definition in BUILTIN_ROLES:
        Role.objects.update_or_create(
            key=definition.key,
            defaults={
                "name": definition.name,
                "description": definition.description,
                "is_builtin": True,
                "is_admin": definition.is_admin,
                "is_external": definition.is_external,
                "permissions": definition.permissions,
                "hidden_fields": definition.hidden_fields,
            },
        )
