"""What the API shows of a job."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from accord.jobs.models import Job


class JobProgressOut(Schema):
    done: int
    total: int | None = Field(description="null while the job does not know its total")
    fraction: float | None = Field(
        description="done / total between 0 and 1; null while the total is unknown"
    )
    message: str


class JobOut(Schema):
    id: int
    name: str = Field(description="The registered job, e.g. jobs.prune")
    label: str
    queue: str
    status: Job.Status
    progress: JobProgressOut
    attempts: int
    max_attempts: int
    cancel_requested: bool
    result: Any = Field(description="What the job returned (JSON), once it succeeded")
    error: str = Field(description="The last error (a trimmed traceback); empty when none")
    created_by_id: int | None = Field(description="null: a scheduled job")
    created_at: dt.datetime
    run_after: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_progress(obj: Job) -> dict[str, Any]:
        return {
            "done": obj.progress_done,
            "total": obj.progress_total,
            "fraction": obj.progress_fraction,
            "message": obj.progress_message,
        }

    @staticmethod
    def resolve_cancel_requested(obj: Job) -> bool:
        return obj.cancel_requested_at is not None

    @staticmethod
    def resolve_error(obj: Job) -> str:
        return obj.last_error
