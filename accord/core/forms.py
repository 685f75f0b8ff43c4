"""Form pieces every page shares: the inputs of administrator-defined custom fields, lists typed as text
(tags, emails, phones), and the marks that tie an input to its error for screen readers.

Forms only parse and check the shape of what a person typed (types, lengths, choices), mirroring the
API's input schemas; every rule about the data itself stays in the services, whose field errors the
pages show beside the field they name. Used by the 360 pages' inline editors and the "new record" pages,
so a custom field is typed, shown and sent the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms

from accord.core.models import CustomField

EMPTY = "—"
# The bounds of the API's input schemas, so that the web refuses what the API refuses (with a message
# beside the field rather than an error from the database).
MAX_LIST_ITEMS = 50
MAX_CUSTOM_TEXT = 1000
# Ids as the database holds them: a larger number would overflow the driver (a 500), so no record has it.
MAX_ID = 2**63 - 1
# A custom field's input is named ``cf-<key>``; the services name its errors ``custom_fields.<key>``.
CUSTOM_FIELD_PREFIX = "cf-"


class ListInput(forms.CharField):
    """Text holding a list: trimmed items, blanks dropped, each and the count bounded."""

    def __init__(self, *, separator: str, item_length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.separator = separator
        self.item_length = item_length

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        items = [item.strip() for item in text.replace("\r", "").split(self.separator) if item.strip()]
        if len(items) > MAX_LIST_ITEMS:
            raise forms.ValidationError(f"At most {MAX_LIST_ITEMS} items.")
        too_long = [item for item in items if len(item) > self.item_length]
        if too_long:
            raise forms.ValidationError(
                f"Each item is at most {self.item_length} characters: {too_long[0][:40]}…"
            )
        return items


def custom_field_input(definition: CustomField) -> forms.Field:
    """The input of one custom field, by its type; ``custom_field_value`` turns what it cleans into the
    value the services take."""
    kind = CustomField.FieldType
    required = definition.is_required
    field_type = definition.field_type
    field: forms.Field
    if field_type == kind.NUMBER:
        field = forms.DecimalField(required=required, max_digits=30, decimal_places=10)
    elif field_type == kind.DATE:
        field = forms.DateField(required=required, widget=forms.DateInput(attrs={"type": "date"}))
    elif field_type == kind.BOOLEAN:
        field = forms.NullBooleanField(required=False, widget=forms.NullBooleanSelect)
    elif field_type == kind.CHOICE:
        choices = [("", EMPTY), *((str(choice), str(choice)) for choice in definition.choices)]
        field = forms.ChoiceField(required=required, choices=choices)
    else:
        field = forms.CharField(required=required, max_length=MAX_CUSTOM_TEXT)
    field.label = definition.label
    return field


def custom_field_value(value: Any) -> Any:
    """A cleaned custom field input as the services take it (JSON types): whole numbers as integers,
    dates as ISO text, an empty input as None (which clears the value)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return None if value == "" else value


def add_custom_field_inputs(form: forms.Form, definitions: Iterable[CustomField]) -> None:
    """One input per custom field, named ``cf-<key>``, at the end of the form."""
    for definition in definitions:
        form.fields[f"{CUSTOM_FIELD_PREFIX}{definition.key}"] = custom_field_input(definition)


def custom_field_values(form: forms.Form) -> dict[str, Any]:
    """The custom fields of a valid form, as the services' ``custom_fields``."""
    return {
        name.removeprefix(CUSTOM_FIELD_PREFIX): custom_field_value(value)
        for name, value in form.cleaned_data.items()
        if name.startswith(CUSTOM_FIELD_PREFIX)
    }


def custom_field_input_name(service_key: str) -> str | None:
    """The input a service error about ``custom_fields.<key>`` belongs to."""
    prefix = "custom_fields."
    return (
        f"{CUSTOM_FIELD_PREFIX}{service_key.removeprefix(prefix)}" if service_key.startswith(prefix) else None
    )


def mark_invalid(form: forms.Form) -> None:
    """Point each invalid input at its message, for screen readers (``form_field.html`` prints it with
    the id ``<input id>_error``), and still at its help text (``<input id>_helptext``) when it has one."""
    for name in form.errors:
        if name in form.fields:
            bound = form[name]
            described_by = f"{bound.auto_id}_error"
            if form.fields[name].help_text:
                described_by += f" {bound.auto_id}_helptext"
            form.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": described_by})
