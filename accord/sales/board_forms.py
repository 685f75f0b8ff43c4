"""Forms of the deal board, the deal page and the lead conversion: they parse and check what a browser
sends (types, lengths, bounds, known choices); the services then apply the business rules, and their field
errors are put back beside the fields they name (``add_service_errors``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser

from accord.core.actors import Actor
from accord.core.forms import MAX_ID
from accord.sales.filters import DealFilter
from accord.sales.models import Deal, Pipeline, Stage

# Versions as the database holds them: a larger number would overflow the driver (a 500).
MAX_VERSION = 2**31 - 1
# "Show more" reads pages of a column; deeper than this, the list view (keyset pagination) is the tool.
MAX_OFFSET = 10_000


def user_label(user: AbstractBaseUser) -> str:
    return str(getattr(user, "display_name", None) or user.get_username())


def owner_options(owners: Iterable[AbstractBaseUser]) -> list[tuple[str, str]]:
    return [(str(user.pk), user_label(user)) for user in owners]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def add_service_errors(
    form: forms.Form, fields: Mapping[str, Sequence[str]], names: Mapping[str, str]
) -> None:
    """Put a service's field errors beside the form's fields (``names`` maps service names to form
    names); an error on a field the form does not show goes to the top of the form."""
    for name, messages in fields.items():
        field = names.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


# ---------------------------------------------------------------- the board


class BoardFilterForm(forms.Form):
    """The board's filters, from the query string: owner and expected close date range."""

    # Any user id is accepted (the directory offered may be capped); the select offers the directory.
    owner = forms.CharField(label="Owner", required=False, widget=forms.Select)
    close_after = forms.DateField(label="Closing from", required=False, widget=DateInput())
    close_before = forms.DateField(label="Closing until", required=False, widget=DateInput())

    def __init__(self, data: Mapping[str, Any] | None, *, owners: Iterable[AbstractBaseUser]) -> None:
        super().__init__(data)
        cast(forms.Select, self.fields["owner"].widget).choices = [
            ("", "Anyone"),
            ("me", "Me"),
            *owner_options(owners),
        ]

    def clean_owner(self) -> str:
        value = str(self.cleaned_data.get("owner") or "")
        if value in ("", "me") or (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID):
            return value
        raise forms.ValidationError("Choose an owner from the list.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        after, before = cleaned.get("close_after"), cleaned.get("close_before")
        if after and before and after > before:
            self.add_error("close_before", "This date is before the “from” date.")
        return cleaned

    def deal_filter(self, actor: Actor) -> DealFilter:
        """The list filter the board applies (call only on a valid form)."""
        owner = self.cleaned_data.get("owner") or ""
        owner_id = actor.user_id if owner == "me" else (int(owner) if owner else None)
        return DealFilter(
            owner_id=owner_id,
            expected_close_after=self.cleaned_data.get("close_after"),
            expected_close_before=self.cleaned_data.get("close_before"),
        )

    def query_string(self) -> str:
        """The valid filters as a query string, carried along to moves and "show more"."""
        if not self.is_valid():
            return ""
        pairs: dict[str, str] = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, dt.date):
                pairs[name] = value.isoformat()
            elif value:
                pairs[name] = str(value)
        return urlencode(pairs)


class OffsetForm(forms.Form):
    offset = forms.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)


def stage_label(stage: Stage) -> str:
    """A stage's name, and its kind when the name does not say it ("Signed (won)", but "Won")."""
    kind = str(stage.get_kind_display()).lower()
    if stage.kind == Stage.Kind.OPEN or kind in stage.name.lower():
        return stage.name
    return f"{stage.name} ({kind})"


def stage_options(stages: Iterable[Stage]) -> list[tuple[int, str]]:
    return [(stage.pk, stage_label(stage)) for stage in stages]


class MoveForm(forms.Form):
    """Move a deal to another stage of its pipeline; a lost stage takes a reason."""

    stage_id = forms.TypedChoiceField(label="Move to stage", coerce=int)
    lost_reason = forms.CharField(
        label="Lost reason",
        required=False,
        max_length=300,
        help_text="Needed when the deal goes to a lost stage.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, stages: Iterable[Stage], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["stage_id"]).choices = stage_options(stages)


# ---------------------------------------------------------------- the deal page


class DealEditForm(forms.Form):
    """The fields edited on the deal page; the amount is left out for roles that may not see it."""

    name = forms.CharField(label="Name", max_length=200)
    amount = forms.DecimalField(label="Amount", min_value=Decimal(0), max_digits=14, decimal_places=2)
    currency = forms.CharField(
        label="Currency", min_length=3, max_length=3, help_text="ISO 4217 code, e.g. EUR"
    )
    expected_close_date = forms.DateField(label="Expected close date", required=False, widget=DateInput())
    owner = forms.ChoiceField(label="Owner", required=False)
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)

    SERVICE_NAMES = {"owner_id": "owner"}

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        owners: Iterable[AbstractBaseUser],
        amount_visible: bool,
        current_owner: AbstractBaseUser | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        # The deal's owner is always a choice, even beyond the directory's cap, so that an edit of another
        # field never unassigns the deal.
        offered = list(owners)
        if current_owner is not None and all(user.pk != current_owner.pk for user in offered):
            offered.append(current_owner)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", "No owner"), *owner_options(offered)]
        if not amount_visible:
            del self.fields["amount"]

    @classmethod
    def initial_for(cls, deal: Deal) -> dict[str, Any]:
        return {
            "name": deal.name,
            "amount": deal.amount,
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
            "owner": str(deal.owner_id or ""),
            "version": deal.version,
        }

    def service_data(self) -> dict[str, Any]:
        """What ``deal_update`` takes (call only on a valid form)."""
        data = {name: self.cleaned_data[name] for name in ("name", "currency", "expected_close_date")}
        if "amount" in self.fields:
            data["amount"] = self.cleaned_data["amount"]
        owner = self.cleaned_data.get("owner")
        data["owner_id"] = int(owner) if owner else None
        return data


# ---------------------------------------------------------------- lead conversion


class LeadConvertForm(forms.Form):
    """Convert a lead, optionally opening a deal in a pipeline and stage of the user's choice."""

    open_deal = forms.BooleanField(label="Open a deal", required=False)
    deal_name = forms.CharField(
        label="Deal name", required=False, max_length=200, help_text="Defaults to the company's name."
    )
    stage = forms.TypedChoiceField(label="Pipeline and stage", required=False, coerce=int, empty_value=None)
    amount = forms.DecimalField(
        label="Amount", required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    expected_close_date = forms.DateField(label="Expected close date", required=False, widget=DateInput())
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)

    SERVICE_NAMES = {
        "create_deal.name": "deal_name",
        "create_deal.stage_id": "stage",
        "create_deal.pipeline_id": "stage",
        "create_deal.amount": "amount",
        "create_deal.expected_close_date": "expected_close_date",
    }

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        pipelines: Sequence[Pipeline],
        amount_visible: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        if not pipelines:
            for name in ("open_deal", "deal_name", "stage", "amount", "expected_close_date"):
                del self.fields[name]
            return
        grouped: list[tuple[Any, Any]] = [("", "First stage of the default pipeline")]
        grouped += [(pipeline.name, stage_options(pipeline.stages.all())) for pipeline in pipelines]
        cast(forms.ChoiceField, self.fields["stage"]).choices = grouped
        if not amount_visible:
            del self.fields["amount"]

    @property
    def offers_deal(self) -> bool:
        return "open_deal" in self.fields

    def create_deal(self) -> dict[str, Any] | None:
        """The ``create_deal`` argument of ``lead_convert`` (call only on a valid form)."""
        if not self.offers_deal or not self.cleaned_data.get("open_deal"):
            return None
        deal: dict[str, Any] = {
            "name": self.cleaned_data.get("deal_name") or None,
            "stage_id": self.cleaned_data.get("stage"),
            "expected_close_date": self.cleaned_data.get("expected_close_date"),
        }
        if self.cleaned_data.get("amount") is not None:
            deal["amount"] = self.cleaned_data["amount"]
        return deal
