"""The job queue's tables: one row per job (the queue itself) and one per periodic schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Job(models.Model):
    """One run of a registered job function, from enqueue to its end.

    The row is the queue: workers claim the next due ``queued`` row by setting ``status=running``,
    their ``worker_id`` and a lease (``lease_expires_at``) that a heartbeat renews while the function
    runs. A row still ``running`` after its lease expired belongs to a worker that died; it is queued
    again and its attempt counts (accord.jobs.queue).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    name = models.CharField(max_length=100, help_text="The registered name, e.g. imports.run")
    # Where the function is defined: a worker that has not imported it yet imports it from here.
    module = models.CharField(max_length=200)
    label = models.CharField(max_length=200, blank=True, help_text="What people see, e.g. Import of a.csv")
    arguments = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=50, default="default")
    priority = models.SmallIntegerField(default=0, help_text="Higher runs first")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    run_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    last_error = models.TextField(blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    progress_message = models.CharField(max_length=300, blank=True)
    # What a job saved to resume from after a crash, written in the job's own transactions.
    checkpoint = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The claim: the next due queued job, by priority then age (only queued rows are in it, so
            # a worker limited to some queues filters the few there are).
            models.Index(
                fields=["-priority", "run_after", "id"],
                condition=Q(status="queued"),
                name="job_claim",
            ),
            # Finding running jobs whose worker died (lease expired).
            models.Index(fields=["lease_expires_at"], condition=Q(status="running"), name="job_lease"),
            # A user's jobs, newest first (the pages and the API).
            models.Index(fields=["created_by", "-id"], name="job_owner"),
            # Pruning finished jobs.
            models.Index(
                fields=["finished_at"], condition=~Q(status__in=["queued", "running"]), name="job_prune"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed", "cancelled"]),
                name="job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.name} (job {self.pk})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def progress_fraction(self) -> float | None:
        """Done / total between 0 and 1; None while the total is unknown."""
        if self.status == self.Status.SUCCEEDED:
            return 1.0
        if not self.progress_total:
            return None
        return max(0.0, min(1.0, self.progress_done / self.progress_total))


class Schedule(models.Model):
    """A periodic job declared in code (``accord.jobs.schedule``), mirrored here so that every worker
    shares one ``next_run_at``: the worker that moves it forward (a compare-and-set) enqueues that run,
    so with several workers each due run is enqueued exactly once."""

    name = models.CharField(max_length=100, unique=True)
    job_name = models.CharField(max_length=100)
    module = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict, blank=True)
    every_seconds = models.PositiveIntegerField()
    at = models.TimeField(null=True, blank=True, help_text="Time of day (server time zone) for daily runs")
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.name
