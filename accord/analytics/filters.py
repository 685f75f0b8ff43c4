"""Filters of the analysis' own lists (the contact list's score filters live with the contacts, in
``accord.customers.filters``, by string lookups through the ``score`` relation)."""

from __future__ import annotations

from typing import Annotated

from ninja import FilterLookup, FilterSchema

from accord.analytics.schemas import RunStatus


class AnalyticsRunFilter(FilterSchema):
    status: Annotated[RunStatus | None, FilterLookup("status")] = None
