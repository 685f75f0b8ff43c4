"""Periodic jobs: the declarations in code are mirrored as ``Schedule`` rows, and every worker's loop
enqueues the runs that are due. Moving a schedule's ``next_run_at`` forward is a compare-and-set in the
same transaction as the insert of its job, so of several workers exactly one enqueues each due run."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.core.actors import Actor
from accord.jobs.models import Schedule
from accord.jobs.registry import (
    ScheduleDeclaration,
    UnknownJob,
    declared_schedules,
    definition_for,
    discover,
)

logger = logging.getLogger(__name__)

# Scheduled jobs belong to no user: administrators see them.
SCHEDULER = Actor(user=None, via="job")


def first_run(every: dt.timedelta, at: dt.time | None, now: dt.datetime) -> dt.datetime:
    """The first due time of a new schedule: the next ``at`` of the day, else one period from now."""
    if at is None:
        return now + every
    candidate = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), at))
    return candidate if candidate > now else following_run(candidate, every, at, now)


def following_run(due: dt.datetime, every: dt.timedelta, at: dt.time | None, now: dt.datetime) -> dt.datetime:
    """The due time after ``due`` that is still ahead of ``now``: runs missed while no worker was up are
    not caught up one by one, the schedule runs once and goes on."""
    step = 1
    while True:
        if at is None:
            candidate = due + every * step
        else:
            # In calendar days of the server's time zone, so 03:00 stays 03:00 across a DST change.
            day = timezone.localdate(due) + every * step
            candidate = timezone.make_aware(dt.datetime.combine(day, at))
        if candidate > now:
            return candidate
        step += 1


def sync_schedules() -> None:
    """Create, update or delete the rows so they match the declarations (run when a worker starts)."""
    discover()
    now = timezone.now()
    declarations = declared_schedules()
    for declaration in declarations:
        module = definition_for(declaration.job_name).module
        wanted = _fields(declaration, module)
        row = Schedule.objects.filter(name=declaration.name).first()
        if row is None:
            try:
                with transaction.atomic():
                    Schedule.objects.create(
                        name=declaration.name,
                        next_run_at=first_run(declaration.every, declaration.at, now),
                        **wanted,
                    )
            except IntegrityError:
                pass  # another worker created it at the same moment
        elif any(getattr(row, key) != value for key, value in wanted.items()):
            Schedule.objects.filter(pk=row.pk).update(
                next_run_at=first_run(declaration.every, declaration.at, now), **wanted
            )
    Schedule.objects.exclude(name__in=[declaration.name for declaration in declarations]).delete()


def _fields(declaration: ScheduleDeclaration, module: str) -> dict[str, object]:
    return {
        "job_name": declaration.job_name,
        "module": module,
        "arguments": declaration.arguments,
        "every_seconds": int(declaration.every.total_seconds()),
        "at": declaration.at,
    }


def enqueue_due() -> int:
    """Enqueue every due run whose schedule this worker moves forward first; the number enqueued."""
    now = timezone.now()
    enqueued = 0
    for row in Schedule.objects.filter(next_run_at__lte=now):
        try:
            definition = definition_for(row.job_name, row.module)
        except UnknownJob as error:
            logger.warning("Schedule %s: %s", row.name, error)
            continue
        following = following_run(row.next_run_at, dt.timedelta(seconds=row.every_seconds), row.at, now)
        with transaction.atomic():
            won = Schedule.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
                next_run_at=following, last_run_at=now
            )
            if not won:
                continue
            job = definition.using(label=definition.label or f"Scheduled: {row.name}").enqueue(
                SCHEDULER, **row.arguments
            )
            Schedule.objects.filter(pk=row.pk).update(last_job=job)
            enqueued += 1
    return enqueued
