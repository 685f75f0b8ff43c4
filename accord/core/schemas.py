"""Schema bases shared by every app's schemas (kept apart from the API plumbing in ``core.api``)."""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, Strict, field_validator
from pydantic_core import PydanticCustomError

NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)."


def contains_nul(value: Any) -> bool:
    """Whether a string, or any key or string inside a list or dict, holds a NUL character: PostgreSQL
    cannot store one in text or JSON (it fails with a 500), so no database is given one."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


class InputSchema(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped, and every value
    must have the JSON type the schema gives it (strict): ``"3"`` is not an integer, ``0`` is not
    ``false``. Dates, times and decimals arrive as text, so their fields use ``IsoDateTime``,
    ``IsoDate`` and ``DecimalValue``, which convert it. No text may hold a NUL character (see
    ``contains_nul``; ``accord.core.api.ApiParser`` refuses it in query strings)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if contains_nul(value):
            raise PydanticCustomError("string_nul", NUL_MESSAGE)
        return value


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


# Ids as clients send them: a positive 64-bit integer. Larger numbers would overflow the database
# driver (SQLite raises OverflowError) and turn bad input into a 500.
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# A record's id in the system it came from (imports match on it).
ExternalId = Annotated[str, Field(max_length=100)]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    """Pydantic would also read a number, or the digits of a query string, as seconds since 1970: a
    client that sends ``due_before=5`` gets a 422, not tasks due before 00:00:05 on 1 January 1970."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise PydanticCustomError("iso_8601", "Use ISO 8601, e.g. 2026-03-01 or 2026-03-01T09:30:00+01:00.")


def _true_or_false(value: Any) -> Any:
    """Pydantic would also read 0, 1, yes, no, on, off, t and f; the schema says true or false."""
    if isinstance(value, bool) or value in ("true", "false"):
        return value
    raise PydanticCustomError("bool_type", "Use true or false.")


# Types whose JSON form is text or a number, for request bodies (strict, see ``InputSchema``) and query
# strings alike. ``Strict(False)`` lets them convert text even in a strict model.
IsoDateTime = Annotated[dt.datetime, Strict(False), BeforeValidator(_iso_text)]
IsoDate = Annotated[dt.date, Strict(False), BeforeValidator(_iso_text)]
DecimalValue = Annotated[Decimal, Strict(False)]  # a JSON number or a decimal string
QueryBool = Annotated[bool, BeforeValidator(_true_or_false)]


def _expressible_in_utc(value: dt.datetime) -> dt.datetime:
    """Near year 1 or 9999 an offset can push the instant out of Python's range once in UTC, which the
    database layer does: refuse it here (422) rather than fail there (500)."""
    if value.tzinfo is not None:
        try:
            value.astimezone(dt.UTC)
        except OverflowError:
            raise PydanticCustomError("date_out_of_range", "This date is out of range.") from None
    return value


def _filter_instant(value: dt.datetime) -> dt.datetime:
    """A filter bound; a bare date or naive time is read as UTC, the zone Accord stores."""
    return _expressible_in_utc(value if value.tzinfo else value.replace(tzinfo=dt.UTC))


# Naive values pass: the services refuse them with a message saying which offset to add.
DateTime = Annotated[IsoDateTime, AfterValidator(_expressible_in_utc)]
FilterDateTime = Annotated[IsoDateTime, AfterValidator(_filter_instant)]


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
