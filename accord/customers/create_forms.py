"""Forms of the "new record" pages: ``CreateForm`` (shared with the lead and deal pages) and the company and
contact forms.

A form checks the shape of what a person typed (types, lengths, choices, as the API's input schemas do) and
turns it into the ``data`` the record's create service takes; the service applies every rule about the data
(names, emails, phones, references, custom fields, permissions). Its field errors come back by the
service's names, dotted for nested items (``emails.1.email``), and ``add_service_errors`` puts each beside
the input it concerns. Inputs carry the service's names where they can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.conf import settings

from accord.core.errors import ValidationFailed
from accord.core.forms import (
    ListInput,
    add_custom_field_inputs,
    custom_field_input_name,
    custom_field_values,
)
from accord.core.models import CustomField
from accord.customers.create_pickers import PICKERS, Picker, add_picker, check_picker_searches
from accord.customers.models import Company, Contact

TAGS_HELP = "Separate tags with commas."
NOT_GIVEN = "Not given"
LINES_HELP = "One per line; the first is the primary one."


@dataclass(frozen=True)
class Section:
    """A group of inputs under a heading; ``names`` may name pickers and the page's own parts."""

    title: str
    names: tuple[str, ...]


class CreateForm(forms.Form):
    """Base of the new-record forms: owner and tags, the custom fields of the type, pickers of existing
    records, inputs the actor's role may not set left out, and the service's errors put back in place."""

    # The inputs of the model's own columns, named as the service names them.
    model: ClassVar[type[Any]]
    columns: ClassVar[Sequence[str]] = ()
    pickers: ClassVar[Sequence[str]] = ()
    sections: ClassVar[Sequence[Section]] = ()
    # Lists typed one item per line, whose items the service names by index (``emails.1.email``).
    line_lists: ClassVar[Sequence[str]] = ()
    # Service field -> input, where their names differ (``employments`` -> ``company_id``).
    service_names: ClassVar[Mapping[str, str]] = {}

    owner_id = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None)
    tags = ListInput(
        label="Tags", required=False, separator=",", item_length=60, help_text=TAGS_HELP, max_length=4000
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        hidden: Iterable[str],
        definitions: Iterable[CustomField],
        users: list[tuple[int, str]],
        initial: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}))
        self.options = {"hidden": hidden, "definitions": definitions, "users": users, **options}
        for name in self.columns:
            self.fields[name] = self.column(name)
        self.order_fields([*self.columns, "owner_id", "tags"])
        for name in self.pickers:
            add_picker(self, PICKERS[name])
        owner = self.fields["owner_id"]
        assert isinstance(owner, forms.TypedChoiceField)
        owner.choices = list(users)
        for name in set(hidden) & set(self.fields):
            del self.fields[name]
        self.custom_definitions = list(definitions)
        add_custom_field_inputs(self, self.custom_definitions)
        self.setup(**options)

    def setup(self, **options: Any) -> None:
        """What a subclass adds once the common inputs exist."""

    def column(self, name: str) -> forms.Field:
        """The input of a model column: its type, length and choices come from the model."""
        model_field = self.model._meta.get_field(name)
        field = model_field.formfield()
        assert field is not None, name
        field.label = str(model_field.verbose_name).capitalize()
        if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 3
        if isinstance(field, forms.ChoiceField):
            # The blank choice reads as words rather than Django's dashes.
            field.choices = [
                (value, NOT_GIVEN if value == "" else label) for value, label in cast(Any, field.choices)
            ]
        return field

    def quiet_copy(self) -> CreateForm:
        """The same form with what was typed and no errors, for the buttons that only send it back."""
        initial = {name: self[name].value() for name in self.fields}
        return type(self)(None, initial=initial, **self.options)

    @property
    def picker_list(self) -> list[Picker]:
        return [PICKERS[name] for name in self.pickers if name in self.fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_picker_searches(self, self.picker_list)
        return cleaned

    # ------------------------------------------------------------ to the service and back

    def payload(self) -> dict[str, Any]:
        """The create service's ``data`` from a valid form."""
        data = self.cleaned_data
        payload: dict[str, Any] = {name: data[name] for name in self.columns if name in data}
        payload["owner_id"] = data["owner_id"]
        payload["tags"] = data.get("tags") or []
        if self.custom_definitions:
            payload["custom_fields"] = custom_field_values(self)
        return {**payload, **self.extra_payload(data)}

    def extra_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def input_for(self, service_key: str) -> tuple[str | None, str]:
        """The input a service error key belongs to, and a prefix for its message (the item concerned
        in a list typed one per line)."""
        custom = custom_field_input_name(service_key)
        if custom is not None:
            return (custom if custom in self.fields else None), ""
        head, _, rest = service_key.partition(".")
        if head in self.line_lists and head in self.fields:
            index = rest.partition(".")[0]
            items = self.cleaned_data.get(head) or []
            if index.isdigit() and int(index) < len(items):
                return head, f"{items[int(index)]}: "
            return head, ""
        name = self.service_names.get(head, self.service_names.get(service_key, service_key))
        return (name if name in self.fields else None), ""

    def add_service_errors(self, error: ValidationFailed) -> None:
        """Each of the service's field errors beside its input; one about something the form does not
        show goes above the form, naming the field."""
        for key, messages in error.fields.items():
            name, prefix = self.input_for(key)
            for message in messages:
                if name is None:
                    self.add_error(None, f"{key.replace('_', ' ')}: {message}")
                else:
                    self.add_error(name, f"{prefix}{message}")


def lines(label: str, *, item_length: int, inputmode: str, help_text: str = LINES_HELP) -> ListInput:
    return ListInput(
        label=label,
        required=False,
        separator="\n",
        item_length=item_length,
        help_text=help_text,
        max_length=MAX_LINES_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": inputmode, "autocomplete": "off"}),
    )


MAX_LINES_TEXT = 20_000


def default_currency() -> str:
    return str(settings.ACCORD_DEFAULT_CURRENCY)


# ---------------------------------------------------------------- companies


class CompanyCreateForm(CreateForm):
    model = Company
    columns = (
        "name",
        "domain",
        "industry",
        "size_band",
        "annual_revenue",
        "currency",
        "phone",
        "street",
        "postal_code",
        "city",
        "region",
        "country",
    )
    pickers = ("parent_id",)
    sections = (
        Section("Company", ("name", "domain", "industry", "size_band", "annual_revenue", "currency")),
        Section("Address and phone", ("phone", "street", "postal_code", "city", "region", "country")),
        Section("Belongs to", ("parent_id",)),
        Section("Ownership", ("owner_id", "tags")),
    )

    def setup(self, **options: Any) -> None:
        self.fields["name"].widget.attrs.update({"autofocus": True, "autocomplete": "organization"})
        hints = {
            "domain": "Its website, e.g. example.com.",
            "phone": "With the country code, e.g. +44 20 7946 0958.",
            "country": "Two letters (ISO 3166), e.g. DE.",
            "currency": "Three letters (ISO 4217), e.g. EUR.",
        }
        for name, hint in hints.items():
            if name in self.fields:
                self.fields[name].help_text = hint
        if "phone" in self.fields:
            # The column holds the normalised number (E.164, at most 20 characters); the input takes it
            # as a person types it, with spaces and brackets.
            self.fields["phone"] = forms.CharField(
                label="Phone", required=False, max_length=40, help_text=hints["phone"]
            )
            self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        if "annual_revenue" in self.fields:
            self.fields["annual_revenue"].validators.append(not_negative)
        self.fields["currency"].initial = default_currency()

    def extra_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"parent_id": data.get("parent_id")} if "parent_id" in self.fields else {}


def not_negative(value: Any) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError("This is zero or more.")


# ---------------------------------------------------------------- contacts


class ContactCreateForm(CreateForm):
    model = Contact
    columns = (
        "given_name",
        "family_name",
        "job_title",
        "lifecycle_stage",
        "acquisition_source",
        "acquisition_channel",
    )
    pickers = ("company_id",)
    line_lists = ("emails", "phones")
    service_names = {"employments": "company_id"}
    sections = (
        Section("Person", ("given_name", "family_name", "job_title")),
        Section("Reach them", ("emails", "phones")),
        Section("Works at", ("company_id",)),
        Section(
            "Sales", ("lifecycle_stage", "acquisition_source", "acquisition_channel", "owner_id", "tags")
        ),
    )

    emails = lines("Emails", item_length=254, inputmode="email")
    phones = lines(
        "Phones", item_length=40, inputmode="tel", help_text=f"{LINES_HELP} With the country code."
    )

    def setup(self, **options: Any) -> None:
        self.fields["given_name"].widget.attrs.update({"autofocus": True, "autocomplete": "given-name"})
        self.fields["family_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["acquisition_source"].label = "Source"
        self.fields["acquisition_channel"].label = "Channel"

    def extra_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {"emails": [{"email": email} for email in data.get("emails") or []]}
        if "phones" in self.fields:
            payload["phones"] = [{"number": number} for number in data.get("phones") or []]
        if data.get("company_id") is not None:
            # The job title is the role at the company, as a lead conversion files it.
            job = {"company_id": data["company_id"], "role": data.get("job_title", ""), "is_current": True}
            payload["employments"] = [job]
        return payload
