"""When a task counts as overdue: one definition for the list filter, the API output and the services."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from accord.activities.models import Task

# Done and cancelled tasks are never overdue, whatever their due date says.
PENDING_STATUSES = (Task.Status.OPEN, Task.Status.IN_PROGRESS)


def overdue_condition(now: dt.datetime) -> Q:
    return Q(due_at__lt=now, status__in=PENDING_STATUSES)


def task_is_overdue(task: Task, now: dt.datetime) -> bool:
    return task.due_at is not None and task.due_at < now and task.status in PENDING_STATUSES
