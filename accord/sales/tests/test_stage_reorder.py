"""stage_reorder: the whole order at once, checked against the pipeline's stages, audited on the pipeline."""

from __future__ import annotations

import pytest

from accord.access.models import Role
from accord.core.actors import Actor
from accord.core.errors import PermissionDenied, ValidationFailed
from accord.core.models import AuditEntry
from accord.sales.models import Pipeline, Stage
from accord.sales.services import stage_create, stage_reorder
from accord.users.models import User

pytestmark = pytest.mark.django_db


def order_of(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.order_by("position", "id").values_list("name", flat=True))


def test_reorder_sets_positions_bumps_moved_versions_and_audits_once(
    actor: Actor, pipeline: Pipeline, stages: dict[str, Stage]
) -> None:
    old = [stages[name].pk for name in ("Qualify", "Propose", "Won", "Lost")]
    new = [stages[name].pk for name in ("Propose", "Qualify", "Won", "Lost")]
    versions = {stage.pk: stage.version for stage in stages.values()}
    before = AuditEntry.objects.count()

    result = stage_reorder(actor=actor, pipeline=pipeline, stage_ids=new)

    assert [stage.name for stage in result] == ["Propose", "Qualify", "Won", "Lost"]
    assert order_of(pipeline) == ["Propose", "Qualify", "Won", "Lost"]
    after = {stage.pk: (stage.position, stage.version) for stage in Stage.objects.filter(pipeline=pipeline)}
    assert after[stages["Propose"].pk] == (0, versions[stages["Propose"].pk] + 1)
    assert after[stages["Qualify"].pk] == (1, versions[stages["Qualify"].pk] + 1)
    assert after[stages["Won"].pk] == (2, versions[stages["Won"].pk])  # did not move
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id, entry.via) == (
        "stage_reorder",
        "sales.pipeline",
        pipeline.pk,
        "api",
    )
    assert entry.changes == {"stage_order": [old, new]}


def test_the_same_order_writes_nothing(actor: Actor, pipeline: Pipeline, stages: dict[str, Stage]) -> None:
    same = [stage.pk for stage in pipeline.stages.order_by("position", "id")]
    before = AuditEntry.objects.count()
    stage_reorder(actor=actor, pipeline=pipeline, stage_ids=same)
    assert AuditEntry.objects.count() == before


def test_positions_are_renumbered_from_zero_after_gaps(actor: Actor, pipeline: Pipeline) -> None:
    added = stage_create(actor=actor, data={"pipeline_id": pipeline.pk, "name": "Late", "position": 40})
    ids = [stage.pk for stage in pipeline.stages.order_by("position", "id")]
    stage_reorder(actor=actor, pipeline=pipeline, stage_ids=[added.pk, *ids[:-1]])
    assert list(pipeline.stages.order_by("position").values_list("position", flat=True)) == [0, 1, 2, 3, 4]
    assert order_of(pipeline)[0] == "Late"


@pytest.mark.parametrize("change", ["missing", "extra", "twice", "other_pipeline"])
def test_an_order_that_does_not_name_each_stage_once_is_refused(
    actor: Actor, pipeline: Pipeline, other_pipeline: Pipeline, change: str
) -> None:
    ids = [stage.pk for stage in pipeline.stages.order_by("position", "id")]
    foreign = other_pipeline.stages.first()
    assert foreign is not None
    wrong = {
        "missing": ids[:-1],
        "extra": [*ids, 987654],
        "twice": [ids[0], *ids[:-1]],
        "other_pipeline": [*ids[:-1], foreign.pk],
    }[change]
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        stage_reorder(actor=actor, pipeline=pipeline, stage_ids=wrong)
    assert list(refused.value.fields) == ["stage_ids"]
    assert [stage.pk for stage in pipeline.stages.order_by("position", "id")] == ids
    assert AuditEntry.objects.count() == before


def test_a_role_without_edit_on_pipelines_may_not_reorder(pipeline: Pipeline) -> None:
    rep = User.objects.create_user("rex", role=Role.objects.get(key="sales_rep"))
    ids = [stage.pk for stage in pipeline.stages.order_by("position", "id")]
    with pytest.raises(PermissionDenied):
        stage_reorder(actor=Actor(user=rep, via="web"), pipeline=pipeline, stage_ids=ids[::-1])
    manager = User.objects.create_user("meg", role=Role.objects.get(key="sales_manager"))
    stage_reorder(actor=Actor(user=manager, via="web"), pipeline=pipeline, stage_ids=ids[::-1])
    assert [stage.pk for stage in pipeline.stages.order_by("position", "id")] == ids[::-1]
