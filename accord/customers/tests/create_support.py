"""Helpers of the new-record page tests (companies, contacts, leads, deals). Users, browsers and sharing
defaults come from ``accord.web.tests.builders``."""

from __future__ import annotations

import html
import re
from typing import Any

from django.db.models import Model

from accord.access.models import Role
from accord.core.models import AuditEntry, CustomField


def custom_role(
    key: str, permissions: dict[str, list[str]], hidden: dict[str, list[str]] | None = None
) -> Role:
    return Role.objects.create(key=key, name=key.title(), permissions=permissions, hidden_fields=hidden or {})


def custom_fields(object_type: str) -> None:
    """One custom field of each type on ``object_type``, the text one required."""
    CustomField.objects.bulk_create(
        [
            CustomField(
                object_type=object_type, key="nickname", label="Nickname", field_type="text", is_required=True
            ),
            CustomField(object_type=object_type, key="employees", label="Employees", field_type="number"),
            CustomField(object_type=object_type, key="met_on", label="Met on", field_type="date"),
            CustomField(object_type=object_type, key="newsletter", label="Newsletter", field_type="boolean"),
            CustomField(
                object_type=object_type,
                key="tier",
                label="Tier",
                field_type="choice",
                choices=["gold", "silver"],
            ),
        ]
    )


def text(response: Any) -> str:
    return str(response.content.decode())


def error_beside(response: Any, input_id: str) -> str:
    """The messages shown beside an input (``<p class="field-error" id="<input id>_error">``), joined."""
    found = re.findall(
        rf'<p class="field-error" id="{re.escape(input_id)}_error">([^<]*)</p>', text(response)
    )
    return html.unescape(" ".join(found))


def input_tag(response: Any, input_id: str) -> str:
    """The opening tag of the input (or textarea, select) with this id, or ``""``."""
    match = re.search(rf'<(?:input|textarea|select)\b[^>]*\bid="{re.escape(input_id)}"[^>]*>', text(response))
    return match.group(0) if match else ""


def created_entries(model: type[Model], pk: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=model._meta.label_lower, object_id=pk))


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
