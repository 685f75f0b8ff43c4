"""Pipeline, stage and deal services: stage rules, moves and the stage history."""

from decimal import Decimal
from typing import Any

import pytest

from accord.core.actors import Actor
from accord.core.errors import Conflict, PreconditionFailed, ValidationFailed
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.services import company_create, contact_create
from accord.sales.models import Deal, DealContact, DealStageChange, Pipeline, Stage
from accord.sales.services import (
    deal_create,
    deal_delete,
    deal_move,
    deal_update,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_update,
)

pytestmark = pytest.mark.django_db


def _history(deal: Deal) -> list[tuple[str | None, str]]:
    changes = (
        DealStageChange.objects.filter(deal=deal).order_by("id").select_related("from_stage", "to_stage")
    )
    return [
        (change.from_stage.name if change.from_stage else None, change.to_stage.name) for change in changes
    ]


# ---------------------------------------------------------------- pipelines and stages


def test_pipeline_create_with_stages_in_order(actor: Actor, pipeline: Pipeline) -> None:
    stages = list(pipeline.stages.order_by("position").values_list("name", "position", "probability", "kind"))
    assert stages == [
        ("Qualify", 0, 10, "open"),
        ("Propose", 1, 50, "open"),
        ("Won", 2, 100, "won"),
        ("Lost", 3, 0, "lost"),
    ]
    assert AuditEntry.objects.filter(action="create", object_type="sales.stage").count() == 4


def test_pipeline_validation_names_nested_stage_fields(actor: Actor, pipeline: Pipeline) -> None:
    with pytest.raises(ValidationFailed) as error:
        pipeline_create(
            actor=actor,
            data={
                "name": "New business",
                "stages": [
                    {"name": "A", "probability": 101},
                    {"name": "A", "kind": "maybe"},
                    {"name": " "},
                ],
            },
        )
    assert error.value.fields == {
        "name": ["Another pipeline has this name."],
        "stages.0.probability": ["A probability is a percentage from 0 to 100."],
        "stages.1.name": ["This name is listed twice."],
        "stages.1.kind": ["Use one of: open, won, lost."],
        "stages.2.name": ["A stage needs a name."],
    }
    assert Pipeline.objects.count() == 1


def test_only_one_pipeline_is_the_default(actor: Actor, pipeline: Pipeline) -> None:
    other = pipeline_create(actor=actor, data={"name": "Partners", "is_default": True})
    pipeline.refresh_from_db()
    assert (pipeline.is_default, pipeline.version, other.is_default) == (False, 2, True)
    pipeline_update(actor=actor, instance=pipeline, data={"is_default": True})
    assert list(Pipeline.objects.filter(is_default=True)) == [pipeline]


def test_stage_create_appends_and_checks_its_name(actor: Actor, pipeline: Pipeline) -> None:
    stage = stage_create(
        actor=actor, data={"pipeline_id": pipeline.pk, "name": "Negotiate", "probability": 80}
    )
    assert (stage.position, stage.kind) == (4, "open")
    with pytest.raises(ValidationFailed) as error:
        stage_create(actor=actor, data={"pipeline_id": pipeline.pk, "name": "Negotiate"})
    assert error.value.fields == {"name": ["This pipeline already has a stage with this name."]}
    with pytest.raises(ValidationFailed) as error:
        stage_create(actor=actor, data={"pipeline_id": 999, "name": "X"})
    assert list(error.value.fields) == ["pipeline_id"]


def test_stage_kind_is_fixed_while_deals_are_in_it(actor: Actor, stages: dict, deal_data: dict) -> None:
    deal_create(actor=actor, data=deal_data)
    with pytest.raises(ValidationFailed) as error:
        stage_update(actor=actor, instance=stages["Qualify"], data={"kind": "won"})
    assert list(error.value.fields) == ["kind"]
    updated = stage_update(
        actor=actor, instance=stages["Qualify"], data={"probability": 20}, expected_version=1
    )
    assert (updated.probability, updated.version) == (20, 2)
    assert stage_update(actor=actor, instance=stages["Propose"], data={"kind": "won"}).kind == "won"


def test_stages_and_pipelines_in_use_cannot_be_deleted(
    actor: Actor, pipeline: Pipeline, stages: dict, deal_data: dict
) -> None:
    deal_create(actor=actor, data=deal_data)
    with pytest.raises(Conflict):
        stage_delete(actor=actor, instance=stages["Qualify"])
    with pytest.raises(Conflict):
        pipeline_delete(actor=actor, instance=pipeline)
    stage_delete(actor=actor, instance=stages["Propose"])
    assert not Stage.objects.filter(name="Propose").exists()


# ---------------------------------------------------------------- deals


def test_deal_create_writes_the_first_history_row_audits_and_indexes(
    actor: Actor, pipeline: Pipeline, stages: dict[str, Stage]
) -> None:
    company = company_create(actor=actor, data={"name": "Acme"})
    contact = contact_create(actor=actor, data={"family_name": "Lovelace"})
    deal = deal_create(
        actor=actor,
        data={
            "name": " Renewal 2027 ",
            "amount": Decimal("1200.50"),
            "currency": "usd",
            "company_id": company.pk,
            "contacts": [{"contact_id": contact.pk, "role": "Champion"}],
            "tags": ["q3"],
        },
    )
    assert (deal.name, deal.currency, deal.pipeline, deal.stage) == (
        "Renewal 2027",
        "USD",
        pipeline,
        stages["Qualify"],
    )
    assert (deal.owner_id, deal.closed_at, deal.lost_reason) == (actor.user_id, None, "")
    assert list(DealContact.objects.values_list("contact", "role")) == [(contact.pk, "Champion")]
    change = DealStageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.changed_by_id) == (
        None,
        stages["Qualify"],
        actor.user_id,
    )
    entry = SearchEntry.objects.get(kind="deal")
    assert (entry.title, entry.subtitle, entry.text) == ("Renewal 2027", "Acme", "renewal 2027 acme")
    assert AuditEntry.objects.filter(object_type="sales.deal").get().action == "create"


def test_deal_create_in_a_lost_stage_needs_a_reason_and_is_closed(actor: Actor, stages: dict) -> None:
    with pytest.raises(ValidationFailed) as error:
        deal_create(actor=actor, data={"name": "X", "stage_id": stages["Lost"].pk})
    assert error.value.fields == {"lost_reason": ["Say why the deal is lost."]}
    deal = deal_create(
        actor=actor, data={"name": "X", "stage_id": stages["Lost"].pk, "lost_reason": "Budget"}
    )
    assert (deal.lost_reason, deal.closed_at is not None) == ("Budget", True)


def test_deal_validation_names_every_bad_field(actor: Actor, stages: dict, other_pipeline: Pipeline) -> None:
    with pytest.raises(ValidationFailed) as error:
        deal_create(
            actor=actor,
            data={
                "name": "",
                "amount": Decimal("-1"),
                "currency": "euro",
                "pipeline_id": stages["Qualify"].pipeline_id,
                "stage_id": other_pipeline.stages.first().pk,  # type: ignore[union-attr]
                "company_id": 999,
                "owner_id": 999,
                "contacts": [{"contact_id": 999}],
                "custom_fields": {"nope": True},
            },
        )
    assert set(error.value.fields) == {
        "name", "amount", "currency", "stage_id", "company_id", "owner_id", "contacts.0.contact_id",
        "custom_fields.nope",
    }  # fmt: skip
    assert not Deal.objects.exists()


def test_deal_defaults_to_the_stage_pipeline_or_the_default_pipeline(
    actor: Actor, pipeline: Pipeline, other_pipeline: Pipeline
) -> None:
    renewal_stage = other_pipeline.stages.get(name="Propose")
    assert (
        deal_create(actor=actor, data={"name": "A", "stage_id": renewal_stage.pk}).pipeline == other_pipeline
    )
    deal = deal_create(actor=actor, data={"name": "B", "pipeline_id": other_pipeline.pk})
    assert (deal.pipeline, deal.stage.name) == (other_pipeline, "Qualify")
    assert deal_create(actor=actor, data={"name": "C"}).pipeline == pipeline


def test_deal_create_without_any_pipeline(actor: Actor) -> None:
    with pytest.raises(ValidationFailed) as error:
        deal_create(actor=actor, data={"name": "A"})
    assert list(error.value.fields) == ["pipeline_id"]
    empty = pipeline_create(actor=actor, data={"name": "Empty"})
    with pytest.raises(ValidationFailed) as error:
        deal_create(actor=actor, data={"name": "A", "pipeline_id": empty.pk})
    assert list(error.value.fields) == ["stage_id"]


def test_deal_move_writes_history_audit_and_closing(
    actor: Actor, stages: dict[str, Stage], deal_data: dict
) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    deal = deal_move(actor=actor, instance=deal, stage_id=stages["Won"].pk, expected_version=1)
    assert (deal.stage, deal.version, deal.lost_reason) == (stages["Won"], 2, "")
    won_at = deal.closed_at
    assert won_at is not None
    entry = AuditEntry.objects.get(action="stage_move")
    assert entry.changes["stage_id"] == [stages["Qualify"].pk, stages["Won"].pk]

    deal = deal_move(actor=actor, instance=deal, stage_id=stages["Propose"].pk)
    assert deal.closed_at is None  # reopened

    with pytest.raises(ValidationFailed) as error:
        deal_move(actor=actor, instance=deal, stage_id=stages["Lost"].pk)
    assert error.value.fields == {"lost_reason": ["Say why the deal is lost."]}
    deal = deal_move(actor=actor, instance=deal, stage_id=stages["Lost"].pk, lost_reason=" Too expensive ")
    assert (deal.lost_reason, deal.closed_at is not None) == ("Too expensive", True)

    deal = deal_move(actor=actor, instance=deal, stage_id=stages["Qualify"].pk)
    assert (deal.lost_reason, deal.closed_at) == ("", None)
    assert _history(deal) == [
        (None, "Qualify"),
        ("Qualify", "Won"),
        ("Won", "Propose"),
        ("Propose", "Lost"),
        ("Lost", "Qualify"),
    ]
    assert set(DealStageChange.objects.values_list("changed_by", flat=True)) == {actor.user_id}


def test_moving_to_the_same_stage_writes_no_history(actor: Actor, stages: dict, deal_data: dict) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    deal = deal_move(actor=actor, instance=deal, stage_id=stages["Qualify"].pk)
    assert (deal.version, DealStageChange.objects.count()) == (1, 1)
    with pytest.raises(ValidationFailed) as error:
        deal_move(actor=actor, instance=deal, stage_id=stages["Qualify"].pk, lost_reason="Nope")
    assert list(error.value.fields) == ["lost_reason"]


def test_deal_move_refuses_stale_versions(actor: Actor, stages: dict, deal_data: dict) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    deal_move(actor=actor, instance=deal, stage_id=stages["Propose"].pk)
    with pytest.raises(PreconditionFailed):
        deal_move(actor=actor, instance=deal, stage_id=stages["Won"].pk, expected_version=1)
    assert DealStageChange.objects.count() == 2


def test_a_move_across_pipelines_needs_the_pipeline_id(
    actor: Actor, stages: dict, deal_data: dict, other_pipeline: Pipeline
) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    renewal = other_pipeline.stages.get(name="Propose")
    with pytest.raises(ValidationFailed) as error:
        deal_move(actor=actor, instance=deal, stage_id=renewal.pk)
    assert list(error.value.fields) == ["stage_id"]
    assert "send its pipeline_id" in error.value.fields["stage_id"][0]
    with pytest.raises(ValidationFailed) as error:
        deal_move(actor=actor, instance=deal, stage_id=stages["Propose"].pk, pipeline_id=other_pipeline.pk)
    assert list(error.value.fields) == ["stage_id"]
    deal = deal_move(actor=actor, instance=deal, stage_id=renewal.pk, pipeline_id=other_pipeline.pk)
    assert (deal.pipeline, deal.stage) == (other_pipeline, renewal)
    assert _history(deal)[-1] == ("Qualify", "Propose")


def test_patching_the_stage_goes_through_the_move(
    actor: Actor, stages: dict[str, Stage], deal_data: dict
) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    deal = deal_update(
        actor=actor,
        instance=deal,
        data={"stage_id": stages["Lost"].pk, "lost_reason": "Chose a rival", "name": "Lost deal"},
        expected_version=1,
    )
    assert (deal.stage, deal.lost_reason, deal.name) == (stages["Lost"], "Chose a rival", "Lost deal")
    assert deal.closed_at is not None
    assert _history(deal) == [(None, "Qualify"), ("Qualify", "Lost")]
    actions = list(
        AuditEntry.objects.filter(object_type="sales.deal").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "stage_move", "update"]
    assert deal.version == 3


def test_a_patch_reports_move_errors_with_the_other_fields(
    actor: Actor, stages: dict, deal_data: dict
) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    with pytest.raises(ValidationFailed) as error:
        deal_update(actor=actor, instance=deal, data={"stage_id": stages["Lost"].pk, "name": ""})
    assert set(error.value.fields) == {"lost_reason", "name"}
    with pytest.raises(ValidationFailed) as error:
        deal_update(actor=actor, instance=deal, data={"stage_id": None})
    assert list(error.value.fields) == ["stage_id"]
    assert _history(deal) == [(None, "Qualify")]


def test_lost_reason_can_change_only_while_lost(actor: Actor, stages: dict, deal_data: dict) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    with pytest.raises(ValidationFailed):
        deal_update(actor=actor, instance=deal, data={"lost_reason": "Why?"})
    deal = deal_move(actor=actor, instance=deal, stage_id=stages["Lost"].pk, lost_reason="Price")
    closed_at = deal.closed_at
    deal = deal_update(actor=actor, instance=deal, data={"lost_reason": "Price and timing"})
    assert (deal.lost_reason, deal.closed_at) == ("Price and timing", closed_at)
    with pytest.raises(ValidationFailed):
        deal_update(actor=actor, instance=deal, data={"lost_reason": ""})


def test_deal_update_replaces_contacts_and_audits_them(actor: Actor, deal_data: dict[str, Any]) -> None:
    first = contact_create(actor=actor, data={"family_name": "First"})
    second = contact_create(actor=actor, data={"family_name": "Second"})
    deal = deal_create(actor=actor, data={**deal_data, "contacts": [{"contact_id": first.pk}]})
    deal = deal_update(
        actor=actor, instance=deal, data={"contacts": [{"contact_id": second.pk, "role": "Buyer"}]}
    )
    assert list(deal.deal_contacts.values_list("contact", "role")) == [(second.pk, "Buyer")]
    entry = AuditEntry.objects.get(action="update", object_type="sales.deal")
    assert entry.changes == {"contacts": [[[first.pk, ""]], [[second.pk, "Buyer"]]]}
    with pytest.raises(ValidationFailed) as error:
        deal_update(
            actor=actor,
            instance=deal,
            data={"contacts": [{"contact_id": first.pk}, {"contact_id": first.pk}]},
        )
    assert list(error.value.fields) == ["contacts.1.contact_id"]


def test_deal_delete_removes_history_and_search_entry(actor: Actor, deal_data: dict) -> None:
    deal = deal_create(actor=actor, data=deal_data)
    deal_delete(actor=actor, instance=deal)
    assert (Deal.objects.count(), DealStageChange.objects.count(), SearchEntry.objects.count()) == (0, 0, 0)
