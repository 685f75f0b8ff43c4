"""Writes on leads, pipelines, stages, deals, products and orders. Each runs in one transaction,
validates every field (naming it, dotted for nested items), writes its audit entry and keeps the
search index of leads and deals in step."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.custom_fields import custom_fields_from
from accord.core.errors import Conflict, FieldErrors, ValidationFailed
from accord.core.normalize import normalize_currency, normalize_domain, normalize_email, normalize_phone
from accord.core.permissions import require_create, require_edit, visible_to
from accord.core.search import SearchFields, search_index_upsert
from accord.core.services import (
    assign_fields,
    check_references,
    create_audited,
    get_related,
    lock_for_update,
    record_create,
    record_delete,
    record_locked,
    record_save,
    save_changes,
    validated,
)
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create, contact_update, owner_from
from accord.sales.models import (
    Deal,
    DealContact,
    DealStageChange,
    Lead,
    Order,
    OrderLine,
    Pipeline,
    Product,
    Stage,
)
from accord.sales.selectors import (
    Match,
    RecordRef,
    email_domain,
    lead_company_match,
    lead_contact_match,
    lead_creates_company,
)

Data = Mapping[str, Any]
ModelT = TypeVar("ModelT", bound=models.Model)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The largest amount the money columns (14 digits, 2 decimals) hold; a larger one is a field error, not a 500.
MAX_MONEY = Decimal("999999999999.99")
PLACES = {"quantity": Decimal("0.001"), "unit_price": CENT, "discount": CENT, "tax_rate": CENT}


# ---------------------------------------------------------------- helpers shared by every resource


def _text_fields(data: Data, names: Sequence[str]) -> dict[str, Any]:
    """The given text fields, trimmed; ``None`` (absent in a PATCH) leaves a field unchanged."""
    return {name: data[name].strip() for name in names if data.get(name) is not None}


def _given_fields(data: Data, names: Sequence[str]) -> dict[str, Any]:
    return {name: data[name] for name in names if data.get(name) is not None}


def _normalized(
    data: Data, name: str, normalize: Callable[..., str], errors: FieldErrors, *, allow_blank: bool = True
) -> dict[str, str]:
    """``{name: normalised value}`` when the field is given; a blank value clears it where allowed."""
    if data.get(name) is None:
        return {}
    value = data[name].strip()
    if not value and allow_blank:
        return {name: ""}
    with errors.collect():
        return {name: normalize(value, field=name)}
    return {}


def _require(
    fields: Mapping[str, Any], name: str, message: str, errors: FieldErrors, *, creating: bool
) -> None:
    """A required field may not be blank, nor missing from a new record."""
    if (name in fields or creating) and fields.get(name) in ("", None):
        errors.add(name, message)


def _check_unique(
    fields: Mapping[str, Any],
    name: str,
    queryset: QuerySet[Any],
    instance: models.Model | None,
    errors: FieldErrors,
    *,
    message: str,
    prefix: str = "",
) -> None:
    """A field error instead of a 409 from the database when another record already holds the value."""
    if not fields.get(name):
        return
    others = queryset.filter(**{name: fields[name]})
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        errors.add(f"{prefix}{name}", message)


def _not_negative(
    fields: Mapping[str, Any], names: Sequence[str], errors: FieldErrors, prefix: str = ""
) -> None:
    for name in names:
        if fields.get(name) is not None and fields[name] < 0:
            errors.add(f"{prefix}{name}", "This is zero or more.")


def _references(
    actor: Actor, data: Data, models_by_field: Mapping[str, type[models.Model]], errors: FieldErrors
) -> dict[str, Any]:
    """The given foreign keys, each naming a record the actor may see; ``None`` clears one."""
    fields: dict[str, Any] = {}
    for name, model in models_by_field.items():
        if name in data:
            with errors.collect():
                get_related(actor, model._default_manager.all(), data[name], field=name)
                fields[name] = data[name]
    return fields


def _prefixed(error: ValidationFailed, prefix: str) -> ValidationFailed:
    return ValidationFailed({f"{prefix}{field}": messages for field, messages in error.fields.items()})


# ---------------------------------------------------------------- leads

LEAD_TEXT = (
    "external_id", "given_name", "family_name", "job_title", "company_name", "source", "disqualified_reason",
    "notes",
)  # fmt: skip


def _lead_fields(actor: Actor, data: Data, *, instance: Lead | None, errors: FieldErrors) -> dict[str, Any]:
    fields = _text_fields(data, LEAD_TEXT)
    fields.update(_normalized(data, "email", normalize_email, errors))
    fields.update(_normalized(data, "phone", normalize_phone, errors))
    fields.update(_normalized(data, "company_domain", normalize_domain, errors))
    if len(fields.get("company_domain", "")) > 253:
        errors.add("company_domain", "A domain is at most 253 characters long.")
    status = data.get("status")
    if status is not None:
        current = instance.status if instance is not None else None
        if Lead.Status.CONVERTED in (status, current) and status != current:
            errors.add("status", "Only a conversion makes a lead converted, and a converted lead stays so.")
        fields["status"] = status

    def merged(name: str) -> Any:
        if name in fields:
            return fields[name]
        return getattr(instance, name) if instance is not None else {"status": Lead.Status.NEW}.get(name, "")

    identity = ("given_name", "family_name", "company_name", "email")
    if not any(merged(name) for name in identity) and "email" not in errors.fields:
        errors.add("family_name", "A lead needs a name, a company name or an email.")
    if merged("status") == Lead.Status.DISQUALIFIED and not merged("disqualified_reason"):
        errors.add("disqualified_reason", "Say why the lead is disqualified.")
    fields.update(owner_from(actor, data, errors=errors, default_to_actor=instance is None))
    fields.update(custom_fields_from("lead", data, instance, errors))
    return fields


def lead_search_fields(lead: Lead) -> SearchFields:
    return SearchFields(
        str(lead),
        lead.company_name or lead.email,
        [lead.email, lead.phone, lead.company_name, lead.company_domain],
    )


def lead_index(lead: Lead) -> None:
    search_index_upsert(
        kind="lead", object_id=lead.pk, owner_id=lead.owner_id, **lead_search_fields(lead)._asdict()
    )


@transaction.atomic
def lead_create(*, actor: Actor, data: Data) -> Lead:
    require_create(actor, Lead, data)
    fields = validated(_lead_fields, actor, data, instance=None)
    lead = record_create(Lead(**fields), actor=actor, data=data, tags=data.get("tags"))
    lead_index(lead)
    return lead


@transaction.atomic
def lead_update(*, actor: Actor, instance: Lead, data: Data, expected_version: int | None = None) -> Lead:
    lead = record_locked(Lead, instance, expected_version, actor=actor, data=data)
    record_save(lead, validated(_lead_fields, actor, data, instance=lead), actor=actor, tags=data.get("tags"))
    lead_index(lead)
    return lead


@transaction.atomic
def lead_delete(*, actor: Actor, instance: Lead, expected_version: int | None = None) -> None:
    record_delete(Lead, instance, actor=actor, expected_version=expected_version, search_kind="lead")


@dataclass(frozen=True)
class Converted(RecordRef[ModelT]):
    """A record a conversion ended with, and whether the conversion created it or reused it."""

    created: bool


@dataclass(frozen=True)
class LeadConversion:
    lead: Lead
    contact: Converted[Contact]
    company: Converted[Company] | None
    deal: Converted[Deal] | None
    employment_created: bool

    @property
    def version(self) -> int:
        """The converted lead's version, which the response's ETag carries."""
        return self.lead.version


def _lead_owner(lead: Lead) -> dict[str, Any]:
    """The records a conversion creates belong to the lead's owner, or else to whoever converts it."""
    return {"owner_id": lead.owner_id} if lead.owner_id is not None else {}


def _explicit_or_matched(
    actor: Actor, lead: Lead, model: type[ModelT], pk: int | None, match: Callable[..., Match[ModelT] | None]
) -> ModelT | None:
    """The record the client named by ``<model>_id`` (checked to be visible), else the one the lead matches."""
    if pk is not None:
        field = f"{model._meta.model_name}_id"
        return get_related(actor, model._default_manager.all(), pk, field=field)
    found = match(actor=actor, lead=lead)
    return found.record if found is not None else None


def _conversion_company(actor: Actor, lead: Lead, company_id: int | None) -> Converted[Company] | None:
    company = _explicit_or_matched(actor, lead, Company, company_id, lead_company_match)
    if company is not None:
        return Converted(company, created=False)
    if not lead_creates_company(lead):
        return None
    # The email's domain becomes the website too, so that the next lead from it matches this company.
    domain = lead.company_domain or email_domain(lead.email)
    data = {"name": lead.company_name or domain, "domain": domain, **_lead_owner(lead)}
    return Converted(company_create(actor=actor, data=data), created=True)


def _conversion_contact(
    actor: Actor, lead: Lead, contact_id: int | None, company: Company | None
) -> tuple[Converted[Contact], bool]:
    """The contact (created or reused) and whether an employment at ``company`` was added to it."""
    contact = _explicit_or_matched(actor, lead, Contact, contact_id, lead_contact_match)
    job = {"company_id": company.pk, "role": lead.job_title, "is_current": True} if company else None
    if contact is not None:
        jobs = [
            {
                "company_id": employment.company_id,
                "role": employment.role,
                "is_current": employment.is_current,
            }
            for employment in contact.employments.order_by("id")
        ]
        if job is None or any(item["company_id"] == job["company_id"] for item in jobs):
            return Converted(contact, created=False), False
        # Through the contact service, so the new employment is versioned, audited and searchable.
        contact = contact_update(actor=actor, instance=contact, data={"employments": [*jobs, job]})
        return Converted(contact, created=False), True
    data: dict[str, Any] = {
        "given_name": lead.given_name,
        "family_name": lead.family_name,
        "job_title": lead.job_title,
        "acquisition_source": lead.source,
        "emails": [{"email": lead.email}] if lead.email else [],
        "phones": [{"number": lead.phone}] if lead.phone else [],
        "employments": [job] if job else [],
        "tags": [tag.name for tag in lead.tags.all()],
        **_lead_owner(lead),
    }
    return Converted(contact_create(actor=actor, data=data), created=True), job is not None


@transaction.atomic
def lead_convert(
    *,
    actor: Actor,
    instance: Lead,
    contact_id: int | None = None,
    company_id: int | None = None,
    create_deal: Data | None = None,
    expected_version: int | None = None,
) -> LeadConversion:
    """Turn a lead into a contact and (when it names one) a company, optionally opening a deal.

    Existing records are reused rather than duplicated: the contact holding the lead's email, the
    company matched by ``lead_company_match``, or the ones the client names. Everything happens in
    this one transaction, so a failure at any step (say the deal) leaves nothing written. The lead
    row is locked first, so two concurrent conversions cannot both pass the "already converted" check.
    """
    lead = record_locked(Lead, instance, expected_version, actor=actor)
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict("This lead is already converted.")
    company = _conversion_company(actor, lead, company_id)
    contact, employment_created = _conversion_contact(
        actor, lead, contact_id, company.record if company else None
    )
    deal = None
    if create_deal is not None:
        deal_data = {
            "name": str(company.record if company else contact.record),
            "currency": company.record.currency if company else "EUR",
            **{name: value for name, value in create_deal.items() if value is not None},
            "company_id": company.id if company else None,
            "contacts": [{"contact_id": contact.id}],
            **_lead_owner(lead),
        }
        try:
            deal = Converted(deal_create(actor=actor, data=deal_data), created=True)
        except ValidationFailed as error:
            raise _prefixed(error, "create_deal.") from error
    fields = {
        "status": Lead.Status.CONVERTED,
        "converted_at": timezone.now(),
        "converted_contact_id": contact.id,
        "converted_company_id": company.id if company else None,
        "converted_deal_id": deal.id if deal else None,
    }
    save_changes(lead, assign_fields(lead, fields), actor=actor, action="convert")
    lead_index(lead)
    return LeadConversion(lead, contact, company, deal, employment_created)


# ---------------------------------------------------------------- pipelines and stages


def _stage_fields(
    data: Data, *, pipeline_id: int | None, instance: Stage | None, errors: FieldErrors, prefix: str = ""
) -> dict[str, Any]:
    """Checked stage fields; ``prefix`` names nested stages (``stages.0.``) in errors."""
    fields = {**_text_fields(data, ("name",)), **_given_fields(data, ("position", "probability", "kind"))}
    if "name" in fields and not fields["name"]:
        errors.add(f"{prefix}name", "A stage needs a name.")
    if pipeline_id is not None:
        message = "This pipeline already has a stage with this name."
        siblings = Stage.objects.filter(pipeline_id=pipeline_id)
        _check_unique(fields, "name", siblings, instance, errors, message=message, prefix=prefix)
    if not 0 <= fields.get("probability", 0) <= 100:
        errors.add(f"{prefix}probability", "A probability is a percentage from 0 to 100.")
    _not_negative(fields, ["position"], errors, prefix)
    if fields.get("kind", Stage.Kind.OPEN) not in Stage.Kind.values:
        errors.add(f"{prefix}kind", f"Use one of: {', '.join(Stage.Kind.values)}.")
    kind_changes = instance is not None and fields.get("kind", instance.kind) != instance.kind
    if kind_changes and Deal.objects.filter(stage=instance).exists():
        # The closing date and lost reason of the deals in it follow the kind they entered.
        errors.add(f"{prefix}kind", "Deals are in this stage: move them out before changing its kind.")
    return fields


def _pipeline_fields(data: Data, *, instance: Pipeline | None, errors: FieldErrors) -> dict[str, Any]:
    fields = {**_text_fields(data, ("name",)), **_given_fields(data, ("position", "is_default"))}
    _require(fields, "name", "A pipeline needs a name.", errors, creating=instance is None)
    _check_unique(
        fields, "name", Pipeline.objects.all(), instance, errors, message="Another pipeline has this name."
    )
    _not_negative(fields, ["position"], errors)
    return fields


def _take_default(actor: Actor, pipeline: Pipeline | None) -> None:
    """Unset the current default pipeline before ``pipeline`` becomes it (at most one may be)."""
    others = Pipeline.objects.select_for_update().filter(is_default=True)
    if pipeline is not None:
        others = others.exclude(pk=pipeline.pk)
    for other in others:
        save_changes(other, assign_fields(other, {"is_default": False}), actor=actor)


@transaction.atomic
def pipeline_create(*, actor: Actor, data: Data) -> Pipeline:
    """A pipeline, with the given stages in order (their position defaults to their place in the list)."""
    require_create(actor, Pipeline, data)
    errors = FieldErrors()
    fields = _pipeline_fields(data, instance=None, errors=errors)
    stages = []
    names: set[str] = set()
    for index, item in enumerate(data.get("stages") or []):
        prefix = f"stages.{index}."
        stage = _stage_fields(item, pipeline_id=None, instance=None, errors=errors, prefix=prefix)
        if stage.get("name") in names:
            errors.add(f"{prefix}name", "This name is listed twice.")
        names.add(stage.get("name", ""))
        stages.append({"position": index, **stage})
    errors.raise_if_any()
    if fields.get("is_default"):
        _take_default(actor, None)
    pipeline = record_create(Pipeline(**fields), actor=actor)
    for stage in stages:
        record_create(Stage(pipeline=pipeline, **stage), actor=actor)
    return pipeline


@transaction.atomic
def pipeline_update(
    *, actor: Actor, instance: Pipeline, data: Data, expected_version: int | None = None
) -> Pipeline:
    pipeline = record_locked(Pipeline, instance, expected_version, actor=actor, data=data)
    fields = validated(_pipeline_fields, data, instance=pipeline)
    if fields.get("is_default"):
        _take_default(actor, pipeline)
    record_save(pipeline, fields, actor=actor)
    return pipeline


@transaction.atomic
def pipeline_delete(*, actor: Actor, instance: Pipeline, expected_version: int | None = None) -> None:
    record_delete(Pipeline, instance, actor=actor, expected_version=expected_version)


@transaction.atomic
def stage_create(*, actor: Actor, data: Data) -> Stage:
    """A stage appended to its pipeline unless a position is given."""
    require_create(actor, Stage, data)
    errors = FieldErrors()
    pipeline = None
    with errors.collect():
        pipeline = get_related(actor, Pipeline.objects.all(), data.get("pipeline_id"), field="pipeline_id")
        if pipeline is None:
            errors.add("pipeline_id", "This field is required.")
    fields = _stage_fields(data, pipeline_id=pipeline.pk if pipeline else None, instance=None, errors=errors)
    errors.raise_if_any()
    if "position" not in fields:
        last = pipeline.stages.aggregate(last=models.Max("position"))["last"]  # type: ignore[union-attr]
        fields["position"] = 0 if last is None else last + 1
    return record_create(Stage(pipeline=pipeline, **fields), actor=actor)


@transaction.atomic
def stage_update(*, actor: Actor, instance: Stage, data: Data, expected_version: int | None = None) -> Stage:
    stage = record_locked(Stage, instance, expected_version, actor=actor, data=data)
    record_save(
        stage, validated(_stage_fields, data, pipeline_id=stage.pipeline_id, instance=stage), actor=actor
    )
    return stage


@transaction.atomic
def stage_delete(*, actor: Actor, instance: Stage, expected_version: int | None = None) -> None:
    record_delete(Stage, instance, actor=actor, expected_version=expected_version)


@transaction.atomic
def stage_reorder(*, actor: Actor, pipeline: Pipeline, stage_ids: Sequence[int]) -> list[Stage]:
    """Put a pipeline's stages in the order of ``stage_ids``, which must name each of its stages once.

    The order is one fact about the pipeline, so the pipeline's audit trail records it (``stage_reorder``,
    old and new order of stage ids) rather than one entry per stage. Each stage that moves gets a new
    position and version, so a client holding its old version cannot overwrite it unknowingly. Sending
    the full order (rather than "move X up") makes a retry harmless; a list that no longer matches the
    stages (someone added or removed one meanwhile) is refused instead of guessed at.
    """
    locked = lock_for_update(Pipeline, pipeline.pk)
    require_edit(actor, locked)
    stages = list(Stage.objects.select_for_update().filter(pipeline=locked).order_by("position", "id"))
    old = [stage.pk for stage in stages]
    new = list(stage_ids)
    if sorted(new) != sorted(old) or len(set(new)) != len(new):
        raise ValidationFailed(
            {"stage_ids": ["The stages of this pipeline changed meanwhile; reload the page and try again."]}
        )
    by_id = {stage.pk: stage for stage in stages}
    now = timezone.now()
    moved = []
    for position, pk in enumerate(new):
        stage = by_id[pk]
        if stage.position != position:
            stage.position, stage.version, stage.updated_at = position, stage.version + 1, now
            moved.append(stage)
    Stage.objects.bulk_update(moved, ["position", "version", "updated_at"])
    if old != new:
        audit_write(actor=actor, action="stage_reorder", instance=locked, changes={"stage_order": (old, new)})
    return [by_id[pk] for pk in new]


# ---------------------------------------------------------------- deals


def _deal_contacts(
    actor: Actor, raw: list[Mapping[str, Any]] | None, errors: FieldErrors
) -> list[dict[str, Any]] | None:
    """The people of a deal: each contact visible to the actor and listed once, with a trimmed role."""
    if raw is None:
        return None
    accepted = check_references(
        actor,
        Contact.objects.all(),
        [item["contact_id"] for item in raw],
        field=lambda index: f"contacts.{index}.contact_id",
        errors=errors,
    )
    return [
        {"contact_id": item["contact_id"], "role": (item.get("role") or "").strip()}
        for item, keep in zip(raw, accepted, strict=True)
        if keep
    ]


def _replace_deal_contacts(deal: Deal, contacts: list[dict[str, Any]] | None) -> dict[str, tuple[Any, Any]]:
    if contacts is None:
        return {}
    old = [[item.contact_id, item.role] for item in deal.deal_contacts.order_by("id")]
    deal.deal_contacts.all().delete()
    DealContact.objects.bulk_create([DealContact(deal=deal, **item) for item in contacts])
    new = [[item["contact_id"], item["role"]] for item in contacts]
    return {"contacts": (old, new)} if old != new else {}


def _deal_fields(actor: Actor, data: Data, *, instance: Deal | None, errors: FieldErrors) -> dict[str, Any]:
    """Every deal field except its place (pipeline, stage, closing), which ``_entering`` decides."""
    fields = {**_text_fields(data, ("name", "external_id")), **_given_fields(data, ("amount",))}
    _require(fields, "name", "A deal needs a name.", errors, creating=instance is None)
    _not_negative(fields, ["amount"], errors)
    fields.update(_normalized(data, "currency", normalize_currency, errors, allow_blank=False))
    if "expected_close_date" in data:
        fields["expected_close_date"] = data["expected_close_date"]
    fields.update(_references(actor, data, {"company_id": Company}, errors))
    fields.update(owner_from(actor, data, errors=errors, default_to_actor=instance is None))
    fields.update(custom_fields_from("deal", data, instance, errors))
    return fields


def _check_stage_pipeline(stage: Stage, pipeline_id: int, *, explicit: bool) -> None:
    if stage.pipeline_id != pipeline_id:
        hint = "" if explicit else "; send its pipeline_id to move the deal to that pipeline"
        raise ValidationFailed(
            {"stage_id": [f"This stage belongs to another pipeline than {pipeline_id}{hint}."]}
        )


def _first_stage(actor: Actor, pipeline: Pipeline | None) -> Stage:
    """The first stage of ``pipeline``, or of the default pipeline (else the first one) when none is given."""
    if pipeline is None:
        pipeline = visible_to(actor, Pipeline.objects.order_by("-is_default", "position", "id")).first()
        if pipeline is None:
            raise ValidationFailed({"pipeline_id": ["There is no pipeline yet: create one with its stages."]})
    stage = pipeline.stages.order_by("position", "id").first()
    if stage is None:
        raise ValidationFailed({"stage_id": [f"The pipeline '{pipeline}' has no stages yet."]})
    return stage


def _target_stage(actor: Actor, data: Data, *, deal: Deal | None, errors: FieldErrors) -> Stage | None:
    """The stage a deal goes to: ``stage_id`` within the deal's pipeline, or within ``pipeline_id``
    when given (the only way to change pipeline); on creation the pipeline's first stage by default."""
    with errors.collect():
        pipeline = get_related(actor, Pipeline.objects.all(), data.get("pipeline_id"), field="pipeline_id")
        stage = get_related(actor, Stage.objects.all(), data.get("stage_id"), field="stage_id")
        if stage is None and deal is not None:
            raise ValidationFailed({"stage_id": ["Give the stage to move the deal to."]})
        if stage is None:
            return _first_stage(actor, pipeline)
        if pipeline is not None:
            _check_stage_pipeline(stage, pipeline.pk, explicit=True)
        elif deal is not None:
            _check_stage_pipeline(stage, deal.pipeline_id, explicit=False)
        return stage
    return None


def _entering(
    deal: Deal | None, stage: Stage, lost_reason: str | None, errors: FieldErrors
) -> dict[str, Any]:
    """The fields of a deal entering ``stage``: a won or lost stage closes it (a lost one needs a
    reason, kept only while lost); an open stage reopens it."""
    previous_kind = deal.stage.kind if deal is not None else None
    reason = (lost_reason if lost_reason is not None else (deal.lost_reason if deal else "")).strip()
    fields: dict[str, Any] = {"pipeline_id": stage.pipeline_id, "stage_id": stage.pk, "lost_reason": ""}
    if stage.kind == Stage.Kind.OPEN:
        fields["closed_at"] = None
    elif stage.kind != previous_kind:
        fields["closed_at"] = timezone.now()
    if stage.kind == Stage.Kind.LOST:
        if not reason:
            errors.add("lost_reason", "Say why the deal is lost.")
        fields["lost_reason"] = reason
    elif lost_reason and lost_reason.strip():
        errors.add("lost_reason", "Only a deal in a lost stage has a lost reason.")
    return fields


def _record_stage_change(actor: Actor, deal: Deal, from_stage_id: int | None) -> None:
    DealStageChange.objects.create(
        deal=deal, from_stage_id=from_stage_id, to_stage_id=deal.stage_id, changed_by_id=actor.user_id
    )


def deal_search_fields(name: str, company_name: str) -> SearchFields:
    return SearchFields(name, company_name, [company_name])


def deal_index(deal: Deal) -> None:
    company_name = deal.company.name if deal.company_id else ""  # type: ignore[union-attr]
    fields = deal_search_fields(deal.name, company_name)
    search_index_upsert(kind="deal", object_id=deal.pk, owner_id=deal.owner_id, **fields._asdict())


@transaction.atomic
def deal_create(*, actor: Actor, data: Data) -> Deal:
    """A deal in its first stage (or the given one), with the first row of its stage history."""
    require_create(actor, Deal, data)
    errors = FieldErrors()
    fields = _deal_fields(actor, data, instance=None, errors=errors)
    contacts = _deal_contacts(actor, data.get("contacts"), errors)
    stage = _target_stage(actor, data, deal=None, errors=errors)
    if stage is not None:
        fields.update(_entering(None, stage, data.get("lost_reason"), errors))
    errors.raise_if_any()
    deal = record_create(Deal(**fields), actor=actor, data=data, tags=data.get("tags"))
    _record_stage_change(actor, deal, None)
    _replace_deal_contacts(deal, contacts)
    deal_index(deal)
    return deal


@transaction.atomic
def deal_move(
    *,
    actor: Actor,
    instance: Deal,
    stage_id: int,
    pipeline_id: int | None = None,
    lost_reason: str | None = None,
    expected_version: int | None = None,
) -> Deal:
    """Move a deal to another stage: history row, audit entry ``stage_move``, closing date and lost
    reason. Moving into another pipeline needs that ``pipeline_id`` and one of its stages. Moving to
    the stage the deal is in changes nothing but the lost reason."""
    deal = record_locked(Deal, instance, expected_version, actor=actor)
    errors = FieldErrors()
    data = {"stage_id": stage_id, "pipeline_id": pipeline_id}
    stage = _target_stage(actor, data, deal=deal, errors=errors)
    fields = _entering(deal, stage, lost_reason, errors) if stage is not None else {}
    errors.raise_if_any()
    from_stage_id = deal.stage_id
    changes = assign_fields(deal, fields)
    if from_stage_id != deal.stage_id:
        _record_stage_change(actor, deal, from_stage_id)
    save_changes(deal, changes, actor=actor, action="stage_move")
    return deal


def _is_move(deal: Deal, data: Data) -> bool:
    return any(name in data and data[name] != getattr(deal, name) for name in ("stage_id", "pipeline_id"))


@transaction.atomic
def deal_update(*, actor: Actor, instance: Deal, data: Data, expected_version: int | None = None) -> Deal:
    """Update a deal; a new ``stage_id``/``pipeline_id`` goes through ``deal_move`` so that no stage
    change escapes the history. A lost reason may be given only for a deal in (or entering) a lost stage."""
    deal = record_locked(Deal, instance, expected_version, actor=actor, data=data)
    errors = FieldErrors()
    fields = _deal_fields(actor, data, instance=deal, errors=errors)
    contacts = _deal_contacts(actor, data.get("contacts"), errors)
    moving = _is_move(deal, data)
    if moving:
        # Checked here as well so that one response names every bad field, the move's included.
        stage = _target_stage(actor, data, deal=deal, errors=errors)
        if stage is not None:
            _entering(deal, stage, data.get("lost_reason"), errors)
    elif data.get("lost_reason") is not None:
        fields.update(_entering(deal, deal.stage, data["lost_reason"], errors))
    errors.raise_if_any()
    if moving:
        deal = deal_move(
            actor=actor,
            instance=deal,
            stage_id=data.get("stage_id") or deal.stage_id,
            pipeline_id=data.get("pipeline_id"),
            lost_reason=data.get("lost_reason"),
        )
    record_save(
        deal, fields, actor=actor, tags=data.get("tags"), extra=_replace_deal_contacts(deal, contacts)
    )
    deal_index(deal)
    return deal


@transaction.atomic
def deal_delete(*, actor: Actor, instance: Deal, expected_version: int | None = None) -> None:
    record_delete(Deal, instance, actor=actor, expected_version=expected_version, search_kind="deal")


# ---------------------------------------------------------------- products


def _product_fields(data: Data, *, instance: Product | None, errors: FieldErrors) -> dict[str, Any]:
    fields = {
        **_text_fields(data, ("name", "sku", "description")),
        **_given_fields(data, ("unit_price", "is_active")),
    }
    _require(fields, "name", "A product needs a name.", errors, creating=instance is None)
    _require(fields, "sku", "A product needs a SKU.", errors, creating=instance is None)
    _require(fields, "unit_price", "A product needs a price.", errors, creating=instance is None)
    _check_unique(
        fields, "sku", Product.objects.all(), instance, errors, message="Another product has this SKU."
    )
    _not_negative(fields, ["unit_price"], errors)
    fields.update(_normalized(data, "currency", normalize_currency, errors, allow_blank=False))
    return fields


@transaction.atomic
def product_create(*, actor: Actor, data: Data) -> Product:
    require_create(actor, Product, data)
    return record_create(Product(**validated(_product_fields, data, instance=None)), actor=actor, data=data)


@transaction.atomic
def product_update(
    *, actor: Actor, instance: Product, data: Data, expected_version: int | None = None
) -> Product:
    product = record_locked(Product, instance, expected_version, actor=actor, data=data)
    record_save(product, validated(_product_fields, data, instance=product), actor=actor)
    return product


@transaction.atomic
def product_delete(*, actor: Actor, instance: Product, expected_version: int | None = None) -> None:
    record_delete(Product, instance, actor=actor, expected_version=expected_version)


# ---------------------------------------------------------------- orders


def cents(value: Decimal) -> Decimal:
    """Money rounded to the cent, halves away from zero as invoices do (not banker's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    """The money of one order line: ``net = gross − discount`` (the stored ``line_total``) and the
    tax on ``net``, each rounded to the cent so that the order's totals add up exactly."""

    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, discount: Decimal, tax_rate: Decimal
) -> LineAmounts:
    gross = cents(quantity * unit_price)
    net = gross - cents(discount)
    return LineAmounts(gross=gross, discount=cents(discount), net=net, tax=cents(net * tax_rate / HUNDRED))


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def order_totals(lines: Sequence[LineAmounts]) -> OrderTotals:
    """``total = subtotal − discount_total + tax_total``; sums of the per-line amounts, never client input."""
    subtotal = sum((line.gross for line in lines), Decimal("0.00"))
    discount_total = sum((line.discount for line in lines), Decimal("0.00"))
    tax_total = sum((line.tax for line in lines), Decimal("0.00"))
    return OrderTotals(subtotal, discount_total, tax_total, subtotal - discount_total + tax_total)


def _clean_line(
    actor: Actor, item: Mapping[str, Any], *, currency: str, prefix: str, errors: FieldErrors
) -> dict[str, Any] | None:
    """One line with its price defaulted from the product and its ``line_total``; None when invalid."""
    before = len(errors.fields)
    product = None
    with errors.collect():
        product = get_related(
            actor, Product.objects.all(), item.get("product_id"), field=f"{prefix}product_id"
        )
    defaults: dict[str, Any] = {
        "quantity": Decimal(1),
        "unit_price": None,
        "discount": Decimal(0),
        "tax_rate": Decimal(0),
    }
    values = {name: default if item.get(name) is None else item[name] for name, default in defaults.items()}
    if values["unit_price"] is None and product is not None:
        if product.currency != currency:
            message = (
                f"The product is priced in {product.currency} and the order is in {currency}: give a price."
            )
            errors.add(f"{prefix}unit_price", message)
        values["unit_price"] = product.unit_price
    elif values["unit_price"] is None:
        errors.add(f"{prefix}unit_price", "Give a price, or a product to take it from.")
    if values["quantity"] <= 0:
        errors.add(f"{prefix}quantity", "A quantity is more than zero.")
    _not_negative(values, ["unit_price", "discount", "tax_rate"], errors, prefix)
    if values["tax_rate"] > 100:
        errors.add(f"{prefix}tax_rate", "A tax rate is a percentage from 0 to 100.")
    description = (item.get("description") or "").strip() or (product.name if product else "")
    if not description:
        errors.add(f"{prefix}description", "Describe the line, or give a product.")
    if len(errors.fields) > before:
        return None
    # Stored with the columns' decimal places, so that comparing with the saved lines is exact.
    values = {name: value.quantize(PLACES[name], rounding=ROUND_HALF_UP) for name, value in values.items()}
    amounts = line_amounts(**values)
    if amounts.net < 0:
        errors.add(f"{prefix}discount", "The discount is larger than the line's amount.")
    if amounts.gross > MAX_MONEY:
        errors.add(f"{prefix}quantity", "This line's amount is too large.")
    line = {"product_id": product.pk if product else None, "description": description, **values}
    return {**line, "line_total": amounts.net, "amounts": amounts}


def _clean_lines(
    actor: Actor, raw: list[Mapping[str, Any]] | None, *, currency: str, errors: FieldErrors
) -> list[dict[str, Any]] | None:
    if raw is None:
        return None
    if not raw:
        errors.add("lines", "An order needs at least one line.")
    lines = [
        _clean_line(actor, item, currency=currency, prefix=f"lines.{index}.", errors=errors)
        for index, item in enumerate(raw)
    ]
    cleaned = [line for line in lines if line is not None]
    if max(_totals_of(cleaned).values()) > MAX_MONEY:
        errors.add("lines", "The order's total is too large.")
    return cleaned


def _totals_of(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    return asdict(order_totals([line["amounts"] for line in lines]))


def _write_lines(order: Order, lines: list[dict[str, Any]]) -> None:
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, **{name: value for name, value in line.items() if name != "amounts"})
            for line in lines
        ]
    )


def _line_summary(line: Mapping[str, Any]) -> list[Any]:
    names = ("product_id", "description", "quantity", "unit_price", "discount", "tax_rate")
    return [str(line[name]) if isinstance(line[name], Decimal) else line[name] for name in names]


def _replace_lines(order: Order, lines: list[dict[str, Any]] | None) -> dict[str, tuple[Any, Any]]:
    """Replace the lines and recompute the stored totals; the (old, new) changes for the audit entry."""
    if lines is None:
        return {}
    old = [_line_summary(vars(line)) for line in order.lines.order_by("id")]
    order.lines.all().delete()
    _write_lines(order, lines)
    changes = assign_fields(order, _totals_of(lines))
    new = [_line_summary(line) for line in lines]
    if old != new:
        changes["lines"] = (old, new)
    return changes


def _order_fields(actor: Actor, data: Data, *, instance: Order | None, errors: FieldErrors) -> dict[str, Any]:
    fields = {**_text_fields(data, ("number",)), **_given_fields(data, ("ordered_at",))}
    _require(fields, "number", "An order number cannot be blank.", errors, creating=False)
    _check_unique(
        fields, "number", Order.objects.all(), instance, errors, message="Another order has this number."
    )
    for name, choices in (("status", Order.Status), ("sales_channel", Order.Channel)):
        if data.get(name) is not None:
            if data[name] not in choices.values:
                errors.add(name, f"Use one of: {', '.join(choices.values)}.")
            fields[name] = data[name]
    fields.update(_normalized(data, "currency", normalize_currency, errors, allow_blank=False))
    fields.update(
        _references(actor, data, {"contact_id": Contact, "company_id": Company, "deal_id": Deal}, errors)
    )
    customer = [fields.get(name, getattr(instance, name, None)) for name in ("contact_id", "company_id")]
    if not any(customer):
        errors.add("contact_id", "An order is placed by a contact or a company: give one of them.")
    fields.update(owner_from(actor, data, errors=errors, default_to_actor=instance is None))
    return fields


ORDER_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read out over the phone


def new_order_number(ordered_at: dt.datetime) -> str:
    """``ORD-20260314-K7P2QX``: the date, then six random characters (a billion per day), drawn
    again in the unlikely case of a clash; a clash racing past this check answers 409."""
    while True:
        token = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(6))
        number = f"ORD-{ordered_at:%Y%m%d}-{token}"
        if not Order.objects.filter(number=number).exists():
            return number


@transaction.atomic
def order_create(*, actor: Actor, data: Data) -> Order:
    """An order with its lines; the totals are computed from the lines, never taken from the client."""
    require_create(actor, Order, data)
    errors = FieldErrors()
    fields = _order_fields(actor, data, instance=None, errors=errors)
    lines = _clean_lines(
        actor, data.get("lines") or [], currency=fields.get("currency", "EUR"), errors=errors
    )
    errors.raise_if_any()
    fields.setdefault("ordered_at", timezone.now())
    if "number" not in fields:
        fields["number"] = new_order_number(fields["ordered_at"])
    order = create_audited(Order(**fields, **_totals_of(lines or [])), actor=actor, data=data)
    _write_lines(order, lines or [])
    return order


@transaction.atomic
def order_update(*, actor: Actor, instance: Order, data: Data, expected_version: int | None = None) -> Order:
    """Update an order; new ``lines`` replace all of them and the totals are computed again."""
    order = record_locked(Order, instance, expected_version, actor=actor, data=data)
    errors = FieldErrors()
    fields = _order_fields(actor, data, instance=order, errors=errors)
    currency = fields.get("currency", order.currency)
    lines = _clean_lines(actor, data.get("lines"), currency=currency, errors=errors)
    errors.raise_if_any()
    record_save(order, fields, actor=actor, extra=_replace_lines(order, lines))
    return order


@transaction.atomic
def order_delete(*, actor: Actor, instance: Order, expected_version: int | None = None) -> None:
    record_delete(Order, instance, actor=actor, expected_version=expected_version)
