"""API shapes of duplicate handling."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from accord.core.schemas import InputSchema, RecordId


class EvidenceOut(Schema):
    kind: str
    points: int
    text: str


class MatchOut(Schema):
    id: int
    name: str
    score: int = Field(description="0–100; 70 and more is a likely duplicate")
    evidence: list[EvidenceOut]


class MatchesOut(Schema):
    items: list[MatchOut]


class CandidateOut(Schema):
    id: int
    object_type: str
    first_id: int
    second_id: int
    score: int
    evidence: list[EvidenceOut]
    status: str
    detected_at: dt.datetime


class CandidatePage(Schema):
    items: list[CandidateOut]
    next_cursor: str | None = None


class MergeIn(InputSchema):
    survivor_id: RecordId
    other_ids: list[RecordId] = Field(min_length=1, max_length=9)
    field_choices: dict[str, RecordId] = Field(
        default_factory=dict,
        description=(
            "Field name (or `custom_fields.<key>`) -> id of the record whose value the survivor keeps. "
            "Fields left out keep the survivor's value, or the first other record's when the survivor has none. "
            "Emails, phones, tags, employments and every related record are united on the survivor."
        ),
    )
    expected_versions: dict[str, int] = Field(
        default_factory=dict,
        description="Record id -> the version you read; 412 when a record changed since.",
    )


class MergeOut(Schema):
    id: int
    object_type: str
    survivor_id: int
    merged_ids: list[int]
    merged_at: dt.datetime
    undone_at: dt.datetime | None = None


ObjectTypeParam = Literal["contact", "company"]
StatusParam = Literal["open", "dismissed", "merged"]
Json = dict[str, Any]
