"""The import pages' forms: the upload, and the mapping step (one select per file column, the parse
options, the match rule, a template to save).

They check the shape of what was chosen and tie each problem to its control (two columns on one field:
beside both selects; a required field unmapped: above the columns); the services check the rest (rights,
the match key's column), and the views show those errors beside their controls too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, cast

import phonenumbers
from django import forms
from django.conf import settings

from accord.core.models import CustomField
from accord.imports.fields import CUSTOM_PREFIX, ImportKind
from accord.imports.mapping import is_multi_value
from accord.imports.models import ImportRun
from accord.imports.running import clean_options, time_zones

COLUMN_PREFIX = "column-"
DONT_IMPORT = ("", "Don't import")
DAY_FIRST, MONTH_FIRST = "day", "month"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    file = forms.FileField(
        label="File",
        help_text="CSV (any encoding and delimiter) or Excel (.xlsx), with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"}),
    )

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = list(kinds)


@cache
def region_choices() -> list[tuple[str, str]]:
    from phonenumbers.geodata.locale import LOCALE_DATA

    def english(code: str) -> str:
        names = LOCALE_DATA.get(code, {})
        name = names.get("en", "")
        if name.startswith("*"):
            name = names.get(name[1:], "")
        return name or code

    regions = sorted(phonenumbers.SUPPORTED_REGIONS, key=english)
    return [(code, f"{english(code)} ({code})") for code in regions]


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(time_zones())]


def field_choices(
    kind: ImportKind, custom_fields: Sequence[CustomField], hidden: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The fields a column may go to, less those the role may not write (``hidden``, import field names)."""
    choices = [(field.name, field.label) for field in kind.fields if field.name not in hidden]
    choices += [(f"{CUSTOM_PREFIX}{field.key}", f"{field.label} (custom)") for field in custom_fields]
    return choices


class MappingForm(forms.Form):
    day_order = forms.ChoiceField(
        label="Dates like 03/04/2025 are",
        choices=[(DAY_FIRST, "Day first: 3 April 2025"), (MONTH_FIRST, "Month first: 4 March 2025")],
        widget=forms.RadioSelect,
    )
    default_region = forms.ChoiceField(label="Phone numbers without a country code are from")
    time_zone = forms.ChoiceField(label="Times without a time zone are in")
    decimal_comma = forms.BooleanField(required=False, label="Numbers use a decimal comma (1.234,50)")
    match_key = forms.ChoiceField(label="Find existing records by")
    on_duplicate = forms.ChoiceField(
        label="When a row matches an existing record", choices=ImportRun.OnDuplicate.choices
    )
    mapping_name = forms.CharField(required=False, max_length=100, label="Template name")
    template_shared = forms.BooleanField(required=False, label="Share it with my teams")

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        kind: ImportKind,
        headers: Sequence[str],
        choices: Sequence[tuple[str, str]],
        mapping: Mapping[str, str | None],
        day_first: bool | None,
    ) -> None:
        initial = {
            "day_order": DAY_FIRST if day_first else MONTH_FIRST,
            "default_region": settings.ACCORD_DEFAULT_PHONE_REGION.upper(),
            "time_zone": settings.TIME_ZONE,
            "match_key": ImportRun.MatchKey.NONE,
            "on_duplicate": ImportRun.OnDuplicate.SKIP,
        }
        super().__init__(data, initial=initial)
        self.kind = kind
        self.headers = list(headers)
        self.day_first_detected = day_first  # None: the file's dates do not tell
        self.field_labels = dict(choices)
        known = set(self.field_labels)
        cast(forms.ChoiceField, self.fields["default_region"]).choices = region_choices()
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = time_zone_choices()
        keys = [*kind.match_keys, ImportRun.MatchKey.NONE]
        cast(forms.ChoiceField, self.fields["match_key"]).choices = [
            (key, label) for key, label in ImportRun.MatchKey.choices if key in keys
        ]
        for index, header in enumerate(self.headers):
            suggested = mapping.get(header) or ""
            self.fields[f"{COLUMN_PREFIX}{index}"] = forms.ChoiceField(
                label=header,
                required=False,
                choices=[DONT_IMPORT, *choices],
                initial=suggested if suggested in known else "",
            )

    def column(self, index: int) -> forms.BoundField:
        return self[f"{COLUMN_PREFIX}{index}"]

    def mapping(self) -> dict[str, str | None]:
        """Header -> field (None: not imported), from a valid form."""
        return {
            header: self.cleaned_data.get(f"{COLUMN_PREFIX}{index}") or None
            for index, header in enumerate(self.headers)
        }

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return clean_options(
            day_first=data["day_order"] == DAY_FIRST,
            default_region=data["default_region"],
            time_zone=data["time_zone"],
            decimal_comma=data["decimal_comma"],
        )

    def clean(self) -> dict[str, Any]:
        """Two columns on one single-value field: an error beside each of them."""
        data = super().clean() or {}
        columns_of: dict[str, list[int]] = {}
        for index in range(len(self.headers)):
            name = data.get(f"{COLUMN_PREFIX}{index}")
            if name:
                columns_of.setdefault(name, []).append(index)
        for name, indexes in columns_of.items():
            if len(indexes) > 1 and not is_multi_value(self.kind, name):
                others = ", ".join(f"'{self.headers[index]}'" for index in indexes)
                for index in indexes:
                    self.add_error(
                        f"{COLUMN_PREFIX}{index}",
                        f"{self.field_labels.get(name, name)} takes one column, but {others} are mapped to it.",
                    )
        return data

    def check_complete(self) -> bool:
        """Before a run: every required field, and one of each "at least one of" group, is mapped."""
        mapped = {name for name in self.mapping().values() if name}
        for field in self.kind.fields:
            if field.required and field.name not in mapped:
                self.add_error(None, f"Required: map a column to {field.label}.")
        for group in self.kind.requires_any:
            if not mapped & set(group):
                labels = ", ".join(self.kind.field(name).label for name in group)
                self.add_error(None, f"Map a column to at least one of: {labels}.")
        return not self.errors


class TemplateChoiceForm(forms.Form):
    """``?template=<id>`` on the mapping step: start from a saved mapping."""

    template = forms.IntegerField(min_value=1, max_value=2**63 - 1)
