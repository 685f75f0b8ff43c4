"""Schema bases shared by every app's schemas (kept apart from the API plumbing in ``core.api``)."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field


class InputSchema(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


# Ids as clients send them: a positive 64-bit integer. Larger numbers would overflow the database
# driver (SQLite raises OverflowError) and turn bad input into a 500.
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def sensitive(description: str = "") -> Any:
    """A field that a role may hide (``accord.access.rules.SENSITIVE_FIELDS``): not required in the
    schema, because responses leave it out for such roles."""
    note = "Left out of the response when your role may not see it."
    return Field(None, description=f"{description} {note}".strip())


class RecordOut(Schema):
    """Fields every versioned record carries in API output."""

    id: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
