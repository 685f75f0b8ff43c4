"""Forms of the customer 360 pages: one inline editor per profile field, and the quick actions.

Forms only parse and check the shape of what a person typed (types, lengths, choices), mirroring the
API's input schemas; every rule about the data itself (names, emails, phones, custom fields, owners,
permissions) stays in the services, whose field errors are shown beside the field they name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

from accord.activities.models import Interaction, Task
from accord.core.errors import ValidationFailed
from accord.core.forms import (
    CUSTOM_FIELD_PREFIX,
    EMPTY,
    ListInput,
    custom_field_input,
    custom_field_value,
)
from accord.core.models import CustomField
from accord.customers.models import Company, Contact

# The bounds of the API's input schemas, so that the web refuses what the API refuses (with a message
# beside the field rather than an error from the database).
MAX_VERSION = 2**31 - 1
MAX_DURATION_MINUTES = 31 * 24 * 60
MAX_LONG_TEXT = 100_000


# ---------------------------------------------------------------- inline editing of profile fields


class InlineField:
    """One editable field of a contact or company profile: how it is shown, edited and sent to the
    record's update service. ``name`` is the field's name in URLs (``cf-<key>`` for custom fields)."""

    def __init__(self, name: str, label: str) -> None:
        self.name = name
        self.label = label

    def form_field(self) -> forms.Field:
        raise NotImplementedError

    def current(self, record: models.Model) -> Any:
        """The record's value, in the form the field's ``clean`` returns."""
        return getattr(record, self.name)

    def initial(self, value: Any) -> Any:
        return value

    def display(self, value: Any) -> str:
        return _text(value)

    def display_current(self, record: models.Model) -> str:
        return self.display(self.current(record))

    def payload(self, value: Any, record: models.Model) -> dict[str, Any]:
        """The update service's ``data`` for a new value."""
        return {self.name: value}

    def owns_error(self, key: str) -> bool:
        """Whether a service error about ``key`` (``emails.1.email``) concerns this field."""
        return key == self.name or key.startswith(f"{self.name}.")


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


class ModelField(InlineField):
    """A plain column: the model field's own form field gives its type, length and choices."""

    def __init__(self, model: type[models.Model], name: str, *, required: bool | None = None) -> None:
        model_field = model._meta.get_field(name)
        assert isinstance(model_field, models.Field), name
        self.model_field: models.Field[Any, Any] = model_field
        super().__init__(name, str(model_field.verbose_name).capitalize())
        self.required = required
        self.choices = dict(getattr(self.model_field, "choices", None) or ())

    def form_field(self) -> forms.Field:
        field = self.model_field.formfield()
        assert field is not None, self.name
        if self.required is not None:
            field.required = self.required
        if isinstance(field, forms.DecimalField):
            field.validators.append(_not_negative)
        return field

    def display(self, value: Any) -> str:
        if value in self.choices and value != "":
            return str(self.choices[value])
        return _text(value)


def _not_negative(value: Decimal | None) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError("This is zero or more.")


class OwnerField(InlineField):
    """The owner, chosen among active users; ``users`` is read only when the editor opens."""

    def __init__(self, users: Callable[[], list[tuple[int, str]]]) -> None:
        super().__init__("owner_id", "Owner")
        self._users = users

    def form_field(self) -> forms.Field:
        return forms.TypedChoiceField(
            choices=[("", "Nobody"), *self._users()], coerce=int, empty_value=None, required=False
        )

    def display(self, value: Any) -> str:
        return dict(self._users()).get(value, EMPTY) if value is not None else EMPTY

    def display_current(self, record: models.Model) -> str:
        owner = record.owner  # type: ignore[attr-defined]
        return owner.display_name if owner is not None else EMPTY


class LinesField(InlineField):
    """A list edited as one item per line (emails, phones) or separated by commas (tags)."""

    def __init__(
        self,
        name: str,
        label: str,
        *,
        item_length: int,
        help_text: str,
        comma_separated: bool = False,
        items: Callable[[models.Model], list[str]],
    ) -> None:
        super().__init__(name, label)
        self.item_length = item_length
        self.help_text = help_text
        self.comma_separated = comma_separated
        self._items = items

    def form_field(self) -> forms.Field:
        widget: forms.Widget = (
            forms.TextInput() if self.comma_separated else forms.Textarea(attrs={"rows": 3})
        )
        return ListInput(
            required=False,
            widget=widget,
            help_text=self.help_text,
            separator="," if self.comma_separated else "\n",
            item_length=self.item_length,
        )

    def current(self, record: models.Model) -> list[str]:
        return self._items(record)

    def initial(self, value: Any) -> str:
        return (", " if self.comma_separated else "\n").join(value)


class ChannelLines(LinesField):
    def __init__(self, name: str, label: str, *, key: str, item_length: int, help_text: str) -> None:
        super().__init__(
            name,
            label,
            item_length=item_length,
            help_text=help_text,
            items=lambda record: [getattr(item, key) for item in getattr(record, name).all()],
        )
        self.key = key

    def payload(self, value: Any, record: models.Model) -> dict[str, Any]:
        """Emails or phones for the service: the first line is the primary one; the labels of the
        values that stay are kept."""
        labels = {getattr(item, self.key): item.label for item in getattr(record, self.name).all()}
        return {
            self.name: [
                {self.key: item, "label": labels.get(item, ""), "is_primary": index == 0}
                for index, item in enumerate(value)
            ]
        }


class CustomValue(InlineField):
    """An administrator-defined field; its value lives in the record's ``custom_fields``."""

    def __init__(self, definition: CustomField) -> None:
        super().__init__(f"{CUSTOM_FIELD_PREFIX}{definition.key}", definition.label)
        self.definition = definition

    def form_field(self) -> forms.Field:
        return custom_field_input(self.definition)

    def current(self, record: models.Model) -> Any:
        return (record.custom_fields or {}).get(self.definition.key)  # type: ignore[attr-defined]

    def initial(self, value: Any) -> Any:
        return value

    def payload(self, value: Any, record: models.Model) -> dict[str, Any]:
        return {"custom_fields": {self.definition.key: custom_field_value(value)}}

    def owns_error(self, key: str) -> bool:
        return key == f"custom_fields.{self.definition.key}"


def _tags(record: Any) -> list[str]:
    return [tag.name for tag in record.tags.all()]


TAGS_HELP = "Separate tags with commas."


def contact_fields(
    *, hidden: frozenset[str], definitions: list[CustomField], users: Callable[[], list[tuple[int, str]]]
) -> list[InlineField]:
    """A contact's editable fields, less those the actor's role may not see."""
    fields: list[InlineField] = [
        ModelField(Contact, "given_name"),
        ModelField(Contact, "family_name"),
        ModelField(Contact, "job_title"),
        ModelField(Contact, "lifecycle_stage"),
        ChannelLines(
            "emails",
            "Emails",
            key="email",
            item_length=254,
            help_text="One per line; the first is the primary one.",
        ),
        ChannelLines(
            "phones",
            "Phones",
            key="number",
            item_length=40,
            help_text="One per line; the first is the primary one.",
        ),
        ModelField(Contact, "acquisition_source"),
        ModelField(Contact, "acquisition_channel"),
        OwnerField(users),
        LinesField("tags", "Tags", item_length=60, help_text=TAGS_HELP, comma_separated=True, items=_tags),
        *(CustomValue(definition) for definition in definitions),
    ]
    return [field for field in fields if field.name not in hidden]


def company_fields(
    *, hidden: frozenset[str], definitions: list[CustomField], users: Callable[[], list[tuple[int, str]]]
) -> list[InlineField]:
    """A company's editable fields, less those the actor's role may not see."""
    fields: list[InlineField] = [
        ModelField(Company, "name"),
        ModelField(Company, "domain"),
        ModelField(Company, "industry"),
        ModelField(Company, "size_band"),
        ModelField(Company, "annual_revenue"),
        ModelField(Company, "currency"),
        ModelField(Company, "phone"),
        ModelField(Company, "street"),
        ModelField(Company, "postal_code"),
        ModelField(Company, "city"),
        ModelField(Company, "region"),
        ModelField(Company, "country"),
        OwnerField(users),
        LinesField("tags", "Tags", item_length=60, help_text=TAGS_HELP, comma_separated=True, items=_tags),
        *(CustomValue(definition) for definition in definitions),
    ]
    return [field for field in fields if field.name not in hidden]


class InlineEditForm(forms.Form):
    """The editor of one field: its new value and the record version it was read at."""

    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)

    def __init__(
        self,
        field: InlineField,
        data: Mapping[str, Any] | None = None,
        *,
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}), auto_id=f"edit-{field.name}-%s")
        self.inline = field
        value = field.form_field()
        value.label = field.label
        value.widget.attrs.setdefault("autofocus", True)
        self.fields["value"] = value


# ---------------------------------------------------------------- quick actions


class QuickActionForm(forms.Form):
    """Base of the quick actions: errors from the service land beside the field they name."""

    # Service field -> form field, where their names differ.
    service_names: Mapping[str, str] = {}

    def add_service_errors(self, error: ValidationFailed) -> None:
        for key, messages in error.fields.items():
            name = self.service_names.get(key, key)
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message if target else f"{key}: {message}")


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class InteractionForm(QuickActionForm):
    """Log a call, an email, a meeting or a note. The times a person types are in the server's zone."""

    service_names = {"duration_seconds": "duration_minutes"}

    subject = forms.CharField(max_length=300, required=False)
    body = forms.CharField(
        label="Notes", max_length=MAX_LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_at = forms.DateTimeField(label="When", widget=_datetime_input())
    direction = forms.ChoiceField(
        choices=[
            (Interaction.Direction.OUTBOUND, "Outbound (we reached out)"),
            (Interaction.Direction.INBOUND, "Inbound (they reached us)"),
        ]
    )
    channel = forms.ChoiceField(
        label="Where",
        choices=[
            (Interaction.Channel.IN_PERSON, "In person"),
            (Interaction.Channel.VIDEO, "Video call"),
            (Interaction.Channel.PHONE, "Phone"),
        ],
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=0, max_value=MAX_DURATION_MINUTES, required=False
    )
    outcome = forms.CharField(
        max_length=100, required=False, help_text="e.g. connected, voicemail, interested"
    )

    # Which inputs each kind shows, and the channel of the kinds that have only one.
    KIND_FIELDS = {
        "call": ("subject", "occurred_at", "direction", "duration_minutes", "outcome", "body"),
        "email": ("subject", "occurred_at", "direction", "body"),
        "meeting": ("subject", "occurred_at", "channel", "duration_minutes", "outcome", "body"),
        "note": ("subject", "occurred_at", "body"),
    }
    KIND_CHANNELS = {
        "call": Interaction.Channel.PHONE,
        "email": Interaction.Channel.EMAIL,
        "note": Interaction.Channel.INTERNAL,
    }

    def __init__(self, kind: str, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(data, prefix=kind, initial={"occurred_at": _now_local()})
        self.kind = kind
        for name in list(self.fields):
            if name not in self.KIND_FIELDS[kind]:
                del self.fields[name]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        minutes = data.get("duration_minutes")
        payload: dict[str, Any] = {
            "kind": self.kind,
            "channel": data.get("channel") or self.KIND_CHANNELS[self.kind],
            "direction": data.get("direction") or Interaction.Direction.INTERNAL,
            "subject": data.get("subject", ""),
            "body": data.get("body", ""),
            "occurred_at": data["occurred_at"],
            "outcome": data.get("outcome", ""),
        }
        if minutes is not None:
            payload["duration_seconds"] = minutes * 60
        return payload


class TaskForm(QuickActionForm):
    title = forms.CharField(max_length=300)
    due_at = forms.DateTimeField(label="Due", required=False, widget=_datetime_input())
    priority = forms.ChoiceField(choices=Task.Priority.choices, initial=Task.Priority.NORMAL)
    notes = forms.CharField(
        max_length=MAX_LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(data, prefix="task")

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "due_at": data["due_at"],
            "priority": data["priority"],
            "notes": data["notes"],
        }


class DealForm(QuickActionForm):
    """Open a deal; without ``amount`` for roles that may not see deal amounts, and in the default
    pipeline's first stage unless another pipeline is chosen."""

    name = forms.CharField(max_length=200)
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, required=False, initial=0)
    currency = forms.CharField(max_length=3, min_length=3, initial="EUR")
    pipeline_id = forms.TypedChoiceField(label="Pipeline", coerce=int, required=False, empty_value=None)
    expected_close_date = forms.DateField(
        label="Expected close", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        pipelines: list[tuple[int, str]],
        show_amount: bool,
        currency: str = "EUR",
    ) -> None:
        super().__init__(data, prefix="deal", initial={"currency": currency, "amount": 0})
        if not show_amount:
            del self.fields["amount"]
        if pipelines:
            pipeline_field = self.fields["pipeline_id"]
            assert isinstance(pipeline_field, forms.TypedChoiceField)
            pipeline_field.choices = [("", "Default pipeline"), *pipelines]
        else:
            del self.fields["pipeline_id"]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {"name": data["name"], "currency": data["currency"]}
        if data.get("amount") is not None:
            payload["amount"] = data["amount"]
        if data.get("pipeline_id") is not None:
            payload["pipeline_id"] = data["pipeline_id"]
        if data.get("expected_close_date") is not None:
            payload["expected_close_date"] = data["expected_close_date"]
        return payload
