"""Filters of the analysis' own lists (the contact list's score filters live with the contacts, in
``accord.customers.filters``, by string lookups through the ``score`` relation)."""

from __future__ import annotations

from typing import Annotated

from ninja import FilterLookup, FilterSchema

from accord.analytics.models import AnalyticsRun


class AnalyticsRunFilter(FilterSchema):
    status: Annotated[AnalyticsRun.Status | None, FilterLookup("status")] = None
