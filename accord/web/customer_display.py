"""How the 360 pages word what the selectors return: timeline entries and audit entries as rows of text.

Pure functions of their input (no queries), so that each page's query count is the selectors' alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from accord.activities.models import Interaction, Task
from accord.activities.selectors import TimelineEntry
from accord.core.audit_selectors import MASK
from accord.core.models import AuditEntry
from accord.sales.models import Order

TYPE_LABELS = {"interaction": "Interaction", "stage_change": "Deal stage", "order": "Order", "task": "Task"}
CHANNEL_LABELS = dict(Interaction.Channel.choices)
KIND_LABELS = dict(Interaction.Kind.choices)
DIRECTION_LABELS = dict(Interaction.Direction.choices)
TASK_STATUS_LABELS = dict(Task.Status.choices)
PRIORITY_LABELS = dict(Task.Priority.choices)
ORDER_STATUS_LABELS = dict(Order.Status.choices)
VIA_LABELS = dict(AuditEntry.Via.choices)
ACTION_LABELS = {"create": "Created", "update": "Changed", "delete": "Deleted", "share": "Shared"}


@dataclass(frozen=True)
class TimelineRow:
    entry: TimelineEntry
    badge: str  # what kind of event, in words: "Call", "Deal stage", "Order", "Task"
    details: list[str]  # channel, direction, status, priority…

    @property
    def css_type(self) -> str:
        return self.entry.kind or self.entry.type


def timeline_rows(entries: Iterable[TimelineEntry]) -> list[TimelineRow]:
    rows = []
    for entry in entries:
        details: list[str] = []
        badge = TYPE_LABELS[entry.type]
        if entry.type == "interaction":
            badge = KIND_LABELS.get(entry.kind or "", badge)
            details = [
                CHANNEL_LABELS.get(entry.channel or "", ""),
                DIRECTION_LABELS.get(entry.direction or "", ""),
            ]
        elif entry.type == "task":
            details = [
                TASK_STATUS_LABELS.get(entry.status or "", ""),
                f"{PRIORITY_LABELS.get(entry.priority or '', '')} priority",
            ]
        rows.append(TimelineRow(entry=entry, badge=badge, details=[detail for detail in details if detail]))
    return rows


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str
    is_masked: bool


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    action: str
    who: str
    via: str
    changes: list[Change]


def _value(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    return str(value)


def history_rows(entries: Iterable[AuditEntry], labels: Mapping[str, str]) -> list[HistoryRow]:
    """Audit entries as rows; the values of fields hidden from the reader arrive masked (``MASK``) from
    ``audit_history`` and are shown as hidden, never guessed at."""
    rows = []
    for entry in entries:
        changes = []
        for name, pair in (entry.changes or {}).items():
            old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            masked = old == MASK and new == MASK
            changes.append(
                Change(
                    field=labels.get(name, name.replace("_", " ").capitalize()),
                    old="hidden" if masked else _value(old),
                    new="hidden" if masked else _value(new),
                    is_masked=masked,
                )
            )
        rows.append(
            HistoryRow(
                entry=entry,
                action=ACTION_LABELS.get(entry.action, entry.action.replace("_", " ").capitalize()),
                who=entry.actor.username if entry.actor is not None else "Accord",
                via=VIA_LABELS.get(entry.via, entry.via),
                changes=changes,
            )
        )
    return rows
