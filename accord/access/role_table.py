"""The built-in roles as a Markdown table, for docs/security.md (a test keeps the two in step)."""

from __future__ import annotations

from accord.access.builtin_roles import BUILTIN_ROLES
from accord.access.models import Action, ObjectType

_LETTERS = {"view": "V", "create": "C", "edit": "E", "delete": "D", "export": "X"}


def role_table() -> str:
    """One row per role, one column per object type: V(iew) C(reate) E(dit) D(elete) (e)X(port),
    then the fields the role hides."""
    types = [object_type.value for object_type in ObjectType]
    lines = [
        "| role | " + " | ".join(types) + " | hidden fields |",
        "|---|" + "---|" * len(types) + "---|",
    ]
    for role in BUILTIN_ROLES:
        cells = []
        for object_type in types:
            granted = Action.values if role.is_admin else role.permissions.get(object_type, [])
            cells.append("".join(_LETTERS[action] for action in Action.values if action in granted) or "–")
        hidden = ", ".join(
            f"{object_type}.{name}"
            for object_type, names in sorted(role.hidden_fields.items())
            for name in names
        )
        lines.append(f"| {role.name} | " + " | ".join(cells) + f" | {hidden or '–'} |")
    return "\n".join(lines)
