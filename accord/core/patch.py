"""What ``null`` means in a PATCH body: the field is cleared, as in JSON Merge Patch (RFC 7396).

A field left out keeps its value. ``null`` empties it the way its column allows: NULL for a nullable
column or link, "" for optional text, no items for a list (tags, emails, a deal's contacts). A field that
cannot be empty (a name, a deal's stage, custom field values, which take ``null`` per key instead)
answers 422 naming the field, rather than being ignored or failing in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from accord.core.errors import FieldErrors

CANNOT_BE_EMPTY = "This field cannot be emptied: leave it out to keep its value."


def nulls_as_cleared(model: type[models.Model], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with each ``null`` replaced by the field's empty value; ValidationFailed for fields that
    have none."""
    errors = FieldErrors()
    cleared: dict[str, Any] = {}
    for name, value in data.items():
        if value is not None:
            cleared[name] = value
            continue
        empty = _empty_value(model, name)
        if empty is _NO_EMPTY_VALUE:
            errors.add(name, CANNOT_BE_EMPTY)
        else:
            cleared[name] = empty
    errors.raise_if_any()
    return cleared


_NO_EMPTY_VALUE = object()


def _empty_value(model: type[models.Model], name: str) -> Any:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        try:
            field = model._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            return _NO_EMPTY_VALUE
    if field.one_to_many or field.many_to_many:
        return []
    if getattr(field, "null", False):
        return None
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        return ""
    return _NO_EMPTY_VALUE
