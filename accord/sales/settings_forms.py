"""Forms of the pipeline and stage settings pages; the sales services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.core.errors import AccordError, ValidationFailed
from accord.sales.models import Pipeline, Stage
from accord.users.settings_forms import MAX_ID, ServiceForm, VersionField, values_of

# Positions are ordinary integers in the database; a larger number is bad input, not an overflow.
MAX_POSITION = 1_000_000


class PipelineCreateForm(ServiceForm):
    name = forms.CharField(max_length=100, label="Name")
    is_default = forms.BooleanField(
        required=False, label="Default pipeline (new deals go here unless another is chosen)"
    )
    stages = forms.CharField(
        required=False,
        max_length=10_000,
        label="Stages",
        help_text="Optional: one stage name per line, in order. Set probabilities and won/lost stages next.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def service_data(self) -> dict[str, Any]:
        names = [line.strip() for line in self.cleaned_data["stages"].splitlines() if line.strip()]
        return {
            "name": self.cleaned_data["name"],
            "is_default": self.cleaned_data["is_default"],
            "stages": [{"name": name} for name in names],
        }

    def add_service_error(self, error: AccordError) -> None:
        # ``stages.2.name`` is the third non-blank line of the text box.
        if isinstance(error, ValidationFailed):
            for key, messages in error.fields.items():
                parts = key.split(".")
                if parts[0] == "stages" and len(parts) > 1 and parts[1].isdigit():
                    for message in messages:
                        self.add_error("stages", f"Line {int(parts[1]) + 1}: {message}")
                else:
                    super().add_service_error(ValidationFailed({key: messages}))
            return
        super().add_service_error(error)


class PipelineEditForm(ServiceForm):
    name = forms.CharField(max_length=100, label="Name")
    position = forms.IntegerField(
        min_value=0, max_value=MAX_POSITION, label="Position", help_text="Pipelines are listed by position."
    )
    is_default = forms.BooleanField(
        required=False, label="Default pipeline (new deals go here unless another is chosen)"
    )
    version = VersionField()


def pipeline_initial(pipeline: Pipeline) -> dict[str, Any]:
    return values_of(pipeline, "name", "position", "is_default")


class StageForm(ServiceForm):
    name = forms.CharField(max_length=100, label="Stage name")
    probability = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=0,
        label="Win probability (%)",
        help_text="Weights the forecast: a deal in this stage counts for this share of its amount.",
    )
    kind = forms.ChoiceField(
        choices=Stage.Kind.choices,
        initial=Stage.Kind.OPEN,
        label="Kind",
        help_text="Deals in a won or lost stage are closed.",
    )
    version = VersionField()

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "probability", "kind")}


def stage_initial(stage: Stage) -> dict[str, Any]:
    return values_of(stage, "name", "probability", "kind")


class StageOrderForm(forms.Form):
    """The stages in the order the page shows them (drag and drop moves the inputs), and optionally one
    stage to move a step (the keyboard's move up / move down buttons): ``<stage id>:up`` or ``:down``."""

    stage_ids = forms.TypedMultipleChoiceField(coerce=int, required=True)
    move = forms.RegexField(regex=r"^\d{1,19}:(up|down)$", required=False)

    def __init__(self, *args: Any, stage_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage_ids"].choices = [(pk, pk) for pk in stage_ids]  # type: ignore[attr-defined]

    def order(self) -> list[int]:
        """The order asked for: the order sent, with the moved stage a step up or down."""
        order: list[int] = list(self.cleaned_data["stage_ids"])
        move = self.cleaned_data.get("move")
        if move:
            pk_text, direction = move.split(":")
            pk = int(pk_text)
            if pk <= MAX_ID and pk in order:
                index = order.index(pk)
                target = index - 1 if direction == "up" else index + 1
                if 0 <= target < len(order):
                    order[index], order[target] = order[target], order[index]
        return order

    def moved(self) -> tuple[int, str] | None:
        move = self.cleaned_data.get("move")
        if not move:
            return None
        pk_text, direction = move.split(":")
        return int(pk_text), direction
