"""Forms of the new lead and new deal pages (the shared base is ``accord.customers.create_forms``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.urls import reverse

from accord.core.forms import MAX_ID
from accord.customers.create_forms import CreateForm, Section, default_currency, not_negative
from accord.sales.models import Deal, Lead, Pipeline, Stage

PHONE_HELP = "With the country code, e.g. +44 20 7946 0958."


class LeadCreateForm(CreateForm):
    model = Lead
    columns = (
        "given_name",
        "family_name",
        "job_title",
        "email",
        "phone",
        "company_name",
        "company_domain",
        "source",
        "status",
        "disqualified_reason",
        "notes",
    )
    sections = (
        Section("Person", ("given_name", "family_name", "job_title")),
        Section("Reach them", ("email", "phone")),
        Section("Their company", ("company_name", "company_domain")),
        Section("Qualification", ("source", "status", "disqualified_reason", "notes")),
        Section("Ownership", ("owner_id", "tags")),
    )

    def setup(self, **options: Any) -> None:
        fields = self.fields
        fields["given_name"].widget.attrs.update({"autofocus": True, "autocomplete": "given-name"})
        fields["family_name"].widget.attrs["autocomplete"] = "family-name"
        fields["email"].widget.attrs.update({"inputmode": "email", "autocomplete": "email"})
        fields["company_domain"].label = "Company website"
        fields[
            "company_domain"
        ].help_text = "Its domain, e.g. example.com: conversion finds the company by it."
        fields["company_name"].label = "Company name"
        fields["disqualified_reason"].label = "Why disqualified"
        fields["disqualified_reason"].help_text = "Only for a disqualified lead."
        status = fields["status"]
        assert isinstance(status, forms.ChoiceField)
        # Only a conversion makes a lead converted.
        status.choices = [choice for choice in Lead.Status.choices if choice[0] != Lead.Status.CONVERTED]
        if "phone" in fields:
            # The column holds the normalised number (E.164); the input takes it as a person types it.
            fields["phone"] = forms.CharField(
                label="Phone", required=False, max_length=40, help_text=PHONE_HELP
            )
            fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})


class DealCreateForm(CreateForm):
    """A deal in a stage of a pipeline (the default pipeline's first stage unless chosen), for a company
    and people already in Accord. The stage choices are those of the chosen pipeline; the page asks for
    them again (htmx) when the pipeline changes."""

    model = Deal
    columns = ("name", "amount", "currency", "expected_close_date", "lost_reason")
    pickers = ("company_id", "contact_ids")
    service_names = {"contacts": "contact_ids"}
    sections = (
        Section("Deal", ("name", "amount", "currency", "expected_close_date")),
        Section("Pipeline and stage", ("pipeline",)),
        Section("Customer", ("company_id", "contact_ids")),
        Section("Ownership", ("owner_id", "tags")),
    )

    pipeline_id = forms.TypedChoiceField(label="Pipeline", coerce=int, required=False, empty_value=None)
    stage_id = forms.IntegerField(
        label="Stage", required=False, min_value=1, max_value=MAX_ID, widget=forms.Select
    )

    def setup(self, **options: Any) -> None:
        pipelines: list[Pipeline] = options.get("pipelines") or []
        fields = self.fields
        fields["name"].widget.attrs["autofocus"] = True
        fields["expected_close_date"] = forms.DateField(
            label="Expected close date", required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        fields["currency"].initial = default_currency()
        fields["currency"].help_text = "Three letters (ISO 4217), e.g. EUR."
        fields["lost_reason"].label = "Why lost"
        fields["lost_reason"].help_text = "Only for a deal created in a lost stage."
        if "amount" in fields:
            fields["amount"].required = False
            fields["amount"].validators.append(not_negative)
            fields["amount"].widget.attrs["inputmode"] = "decimal"
        self.pipelines = {pipeline.pk: pipeline for pipeline in pipelines}
        if not pipelines:
            del fields["pipeline_id"], fields["stage_id"]
            return
        pipeline_field = fields["pipeline_id"]
        assert isinstance(pipeline_field, forms.TypedChoiceField)
        pipeline_field.choices = [(pipeline.pk, pipeline.name) for pipeline in pipelines]
        pipeline_field.widget.attrs.update(
            {
                "hx-get": reverse("sales_create:deal-new-stages"),
                "hx-trigger": "change",
                "hx-target": "#deal-stage",
                "hx-include": "this",
                "aria-controls": "deal-stage",
            }
        )
        default = next((pipeline for pipeline in pipelines if pipeline.is_default), pipelines[0])
        chosen = self._chosen_pipeline_id()
        self.pipeline = self.pipelines.get(chosen, default) if chosen is not None else default
        stages: list[Stage] = list(self.pipeline.stages.all())
        stage_field = fields["stage_id"]
        stage_field.widget.choices = [(stage.pk, stage_label(stage)) for stage in stages]
        if not self.is_bound:
            self.initial["pipeline_id"] = self.pipeline.pk
            if stages and as_id(self.initial.get("stage_id")) not in {stage.pk for stage in stages}:
                self.initial["stage_id"] = stages[0].pk

    def _chosen_pipeline_id(self) -> int | None:
        return as_id(self.data.get("pipeline_id") if self.is_bound else self.initial.get("pipeline_id"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        stage_id = cleaned.get("stage_id")
        if stage_id is not None and self.pipelines:
            pipeline = self.pipelines.get(cleaned.get("pipeline_id") or self.pipeline.pk, self.pipeline)
            if stage_id not in {stage.pk for stage in pipeline.stages.all()}:
                self.add_error("stage_id", f"Choose one of the stages of the pipeline “{pipeline.name}”.")
        return cleaned

    def extra_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if "company_id" in self.fields:
            payload["company_id"] = data.get("company_id")
        if "contact_ids" in self.fields:
            payload["contacts"] = [{"contact_id": pk} for pk in data.get("contact_ids") or []]
        for name in ("pipeline_id", "stage_id"):
            if data.get(name) is not None:
                payload[name] = data[name]
        return payload

    def payload(self) -> dict[str, Any]:
        payload = super().payload()
        # Blank optional inputs are left out, so that the service's defaults apply (amount 0, no reason).
        for name in ("amount", "lost_reason"):
            if payload.get(name) in (None, ""):
                payload.pop(name, None)
        return payload


def as_id(value: Any) -> int | None:
    """A record id from what a form holds (text or a number), or None."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID else None


def stage_label(stage: Stage) -> str:
    """A stage as the choice reads: its win probability, or what a closing stage does."""
    if stage.kind == Stage.Kind.WON:
        return f"{stage.name} (closes the deal as won)"
    if stage.kind == Stage.Kind.LOST:
        return f"{stage.name} (closes the deal as lost: say why below)"
    return f"{stage.name} ({stage.probability} % likely)"
