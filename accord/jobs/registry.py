"""Declaring jobs and schedules: ``@job("area.name")`` registers a function, ``.enqueue(actor, …)`` queues a
run of it, ``schedule(...)`` runs it periodically.

The shape follows Django 6's ``django.tasks`` (a decorator that registers a function, ``.using(...)`` for
per-call options, ``.enqueue(...)``), so moving to it later is a change of imports and of the backend.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from accord.core.actors import Actor

if TYPE_CHECKING:
    from accord.jobs.context import JobContext
    from accord.jobs.models import Job

JobFunction = Callable[..., Any]
DEFAULT_QUEUE = "default"
# Only Accord's own modules are imported from a job row, never an arbitrary name.
IMPORTABLE_PREFIX = "accord."


class TransientError(Exception):
    """Raise from a job for a failure that may pass (a remote service down, a lock): the job is retried
    with exponential backoff until its last attempt. ``retry_after`` (seconds) overrides the backoff."""

    def __init__(self, message: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class JobStopped(Exception):
    """Raised by ``JobContext.stop_if_requested``: the job saved its checkpoint and stops because it was
    cancelled (it ends cancelled) or its worker is shutting down (it is queued again for another)."""


class UnknownJob(LookupError):
    pass


@dataclasses.dataclass(frozen=True)
class JobDefinition:
    """A registered job function and its defaults; ``using`` returns a copy with other options."""

    name: str
    function: JobFunction
    queue: str = DEFAULT_QUEUE
    priority: int = 0
    max_attempts: int = 3
    label: str = ""
    run_after: dt.datetime | None = None

    @property
    def module(self) -> str:
        return self.function.__module__

    def using(
        self,
        *,
        queue: str | None = None,
        priority: int | None = None,
        run_after: dt.datetime | None = None,
        label: str | None = None,
    ) -> JobDefinition:
        return dataclasses.replace(
            self,
            queue=self.queue if queue is None else queue,
            priority=self.priority if priority is None else priority,
            run_after=self.run_after if run_after is None else run_after,
            label=self.label if label is None else label,
        )

    def enqueue(self, actor: Actor, /, **arguments: Any) -> Job:
        """Insert the job in the caller's transaction: it runs only once that transaction commits,
        and never when it rolls back. ``actor`` is whom the job acts as (``JobContext.actor``)."""
        from accord.jobs.models import Job

        # Round-tripped through JSON now, so the function later gets exactly what the caller gave.
        encoded = json.loads(json.dumps(arguments))
        return Job.objects.create(
            name=self.name,
            module=self.module,
            label=self.label[:200],
            arguments=encoded,
            queue=self.queue,
            priority=self.priority,
            max_attempts=self.max_attempts,
            run_after=self.run_after or timezone.now(),
            created_by_id=actor.user_id,
        )

    def __call__(self, context: JobContext, **arguments: Any) -> Any:
        return self.function(context, **arguments)


_jobs: dict[str, JobDefinition] = {}


def job(
    name: str, *, queue: str = DEFAULT_QUEUE, priority: int = 0, max_attempts: int = 3, label: str = ""
) -> Callable[[JobFunction], JobDefinition]:
    """Register ``function(context, **arguments)`` under ``name`` (``area.what``, unique)."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def register(function: JobFunction) -> JobDefinition:
        definition = JobDefinition(
            name=name,
            function=function,
            queue=queue,
            priority=priority,
            max_attempts=max_attempts,
            label=label,
        )
        existing = _jobs.get(name)
        if existing is not None and existing.module != definition.module:
            raise ValueError(f"Job '{name}' is already registered by {existing.module}.")
        _jobs[name] = definition
        return definition

    return register


def definition_for(name: str, module: str = "") -> JobDefinition:
    """The registered job; its module (as stored on the row) is imported first when it is not yet."""
    if name not in _jobs and module.startswith(IMPORTABLE_PREFIX):
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    try:
        return _jobs[name]
    except KeyError:
        raise UnknownJob(f"No job is registered as '{name}' (module {module or 'unknown'}).") from None


def discover() -> None:
    """Import every app's ``tasks`` module and the modules named in ``ACCORD_JOBS_MODULES``, so that the
    jobs and schedules they declare are registered before a worker starts."""
    autodiscover_modules("tasks")
    for module in settings.ACCORD_JOBS_MODULES:
        importlib.import_module(module)


@dataclasses.dataclass(frozen=True)
class ScheduleDeclaration:
    """A job run every ``every``; with ``at``, at that time of day (``every`` in whole days)."""

    name: str
    job_name: str
    every: dt.timedelta
    at: dt.time | None
    arguments: dict[str, Any]


_schedules: dict[str, ScheduleDeclaration] = {}


def schedule(
    job_name: str,
    *,
    every: dt.timedelta,
    at: dt.time | None = None,
    arguments: dict[str, Any] | None = None,
    name: str = "",
) -> ScheduleDeclaration:
    """Declare a periodic run of a registered job; ``name`` defaults to the job's name."""
    if every < dt.timedelta(seconds=1):
        raise ValueError("A schedule runs at most once a second.")
    if at is not None and every % dt.timedelta(days=1):
        raise ValueError("A schedule with a time of day runs every whole number of days.")
    declaration = ScheduleDeclaration(
        name=name or job_name,
        job_name=job_name,
        every=every,
        at=at,
        arguments=json.loads(json.dumps(arguments or {})),
    )
    _schedules[declaration.name] = declaration
    return declaration


def declared_schedules() -> list[ScheduleDeclaration]:
    return list(_schedules.values())
