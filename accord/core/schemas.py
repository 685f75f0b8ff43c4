"""Schema bases shared by every app's schemas (kept apart from the API plumbing in ``core.api``)."""

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail
