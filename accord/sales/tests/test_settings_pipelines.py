"""Pipeline and stage settings pages: lists in a fixed number of queries, create and edit pipelines, add,
edit and delete stages, reorder them by drag (the whole order) or by the move buttons, with htmx
(the stage panel only) and without JavaScript (post and redirect). Every write is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accord.core.actors import Actor
from accord.sales.models import Pipeline, Stage
from accord.sales.services import deal_create, pipeline_create
from accord.users.tests.settings_world import audit_after, field_errors, last_audit_id, queries_of

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def names_in_order(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.order_by("position", "id").values_list("name", flat=True))


def ids_in_order(pipeline: Pipeline) -> list[int]:
    return list(pipeline.stages.order_by("position", "id").values_list("pk", flat=True))


def make_pipelines(actor: Actor, start: int, count: int) -> None:
    for number in range(start, start + count):
        stages = [{"name": f"Stage {index}"} for index in range(number % 5 + 1)]
        pipeline_create(
            actor=actor, data={"name": f"Pipeline {number:02}", "position": number, "stages": stages}
        )


# ---------------------------------------------------------------- pipelines


def test_the_list_takes_the_same_queries_for_3_and_for_30_pipelines(
    admin_client: Client, actor: Actor, django_assert_num_queries
) -> None:
    make_pipelines(actor, 0, 3)
    small = queries_of(admin_client, "/settings/pipelines/")
    make_pipelines(actor, 3, 27)
    with django_assert_num_queries(small):
        response = admin_client.get("/settings/pipelines/")
    assert len(response.context["pipelines"]) == 30
    assert "Stage 0 <span" in response.content.decode()


def test_the_empty_list_says_what_a_pipeline_is(admin_client: Client) -> None:
    assert "No pipelines yet." in admin_client.get("/settings/pipelines/").content.decode()


def test_the_pipeline_page_takes_the_same_queries_for_3_and_for_30_stages(
    admin_client: Client, actor: Actor, django_assert_num_queries
) -> None:
    pipeline = pipeline_create(
        actor=actor, data={"name": "Big", "stages": [{"name": f"Stage {index}"} for index in range(3)]}
    )
    url = f"/settings/pipelines/{pipeline.pk}/"
    small = queries_of(admin_client, url)
    for index in range(3, 30):
        Stage.objects.create(pipeline=pipeline, name=f"Stage {index}", position=index)
    with django_assert_num_queries(small):
        response = admin_client.get(url)
    assert len(response.context["stages"]) == 30


def test_create_a_pipeline_with_its_stages(admin_client: Client) -> None:
    before = last_audit_id()
    response = admin_client.post(
        "/settings/pipelines/new/",
        {"name": "Renewals", "is_default": "on", "stages": "Contact\n\nOffer\nSigned"},
    )
    pipeline = Pipeline.objects.get(name="Renewals")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/pipelines/{pipeline.pk}/"
    assert pipeline.is_default
    assert names_in_order(pipeline) == ["Contact", "Offer", "Signed"]
    assert [(action, object_type) for action, object_type, _ in audit_after(before)] == [
        ("create", "sales.pipeline"),
        ("create", "sales.stage"),
        ("create", "sales.stage"),
        ("create", "sales.stage"),
    ]


def test_pipeline_errors_are_shown_beside_the_field(admin_client: Client, pipeline: Pipeline) -> None:
    before = last_audit_id()
    taken = admin_client.post("/settings/pipelines/new/", {"name": pipeline.name})
    assert field_errors(taken) == {"name": ["Another pipeline has this name."]}
    twice = admin_client.post("/settings/pipelines/new/", {"name": "Other", "stages": "One\nTwo\nOne"})
    assert field_errors(twice) == {"stages": ["Line 3: This name is listed twice."]}
    assert field_errors(admin_client.post("/settings/pipelines/new/", {"name": " "})) == {
        "name": ["This field is required."]
    }
    assert audit_after(before) == []


def test_edit_a_pipeline(admin_client: Client, pipeline: Pipeline, other_pipeline: Pipeline) -> None:
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/pipelines/{other_pipeline.pk}/",
        {"name": "Renewals 2", "position": 3, "is_default": "on", "version": other_pipeline.version},
    )
    assert response.status_code == 302
    other_pipeline.refresh_from_db()
    pipeline.refresh_from_db()
    assert (other_pipeline.name, other_pipeline.position, other_pipeline.is_default) == (
        "Renewals 2",
        3,
        True,
    )
    assert not pipeline.is_default
    assert [
        (action, object_type, changes.get("is_default"))
        for action, object_type, changes in audit_after(before)
    ] == [
        ("update", "sales.pipeline", [True, False]),
        ("update", "sales.pipeline", [False, True]),
    ]


def test_a_position_too_large_is_a_form_error(admin_client: Client, pipeline: Pipeline) -> None:
    response = admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/", {"name": "X", "position": 2**40, "version": pipeline.version}
    )
    assert set(field_errors(response)) == {"position"}


def test_a_pipeline_with_deals_cannot_be_deleted(
    admin_client: Client, actor: Actor, pipeline: Pipeline, deal_data: dict[str, Any]
) -> None:
    deal_create(actor=actor, data=deal_data)
    response = admin_client.post(f"/settings/pipelines/{pipeline.pk}/delete/")
    assert response.status_code == 200
    assert "Cannot delete: it is still used by deal stage changes, deals." in response.content.decode()
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_delete_a_pipeline(admin_client: Client, other_pipeline: Pipeline) -> None:
    before = last_audit_id()
    assert admin_client.post(f"/settings/pipelines/{other_pipeline.pk}/delete/").status_code == 302
    assert not Pipeline.objects.filter(pk=other_pipeline.pk).exists()
    assert [action for action, _, _ in audit_after(before)] == ["delete"]


# ---------------------------------------------------------------- stages


def test_add_a_stage_without_javascript(admin_client: Client, pipeline: Pipeline) -> None:
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/",
        {"stage-name": "Negotiate", "stage-probability": 70, "stage-kind": "open"},
    )
    assert response.status_code == 302
    assert names_in_order(pipeline)[-1] == "Negotiate"
    assert [(action, object_type) for action, object_type, _ in audit_after(before)] == [
        ("create", "sales.stage")
    ]


def test_add_a_stage_with_htmx_returns_the_panel(admin_client: Client, pipeline: Pipeline) -> None:
    response = admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/",
        {"stage-name": "Negotiate", "stage-probability": 70, "stage-kind": "open"},
        headers=HTMX,
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="stages-panel"' in content
    assert "Negotiate" in content
    assert 'id="stage-status" class="visually-hidden" aria-live="polite" hx-swap-oob="true"' in content
    assert "Stage “Negotiate” added." in content


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"stage-name": "Qualify"}, {"name": ["This pipeline already has a stage with this name."]}),
        ({"stage-name": "Later", "stage-probability": 120}, {"probability"}),
        ({"stage-name": "", "stage-kind": "maybe"}, {"name", "kind"}),
        ({"stage-name": "Later", "stage-probability": "lots"}, {"probability"}),
    ],
)
def test_bad_stages_are_shown_beside_the_field(
    admin_client: Client, pipeline: Pipeline, data: dict[str, Any], errors: Any
) -> None:
    before = last_audit_id()
    for headers in ({}, HTMX):
        response = admin_client.post(
            f"/settings/pipelines/{pipeline.pk}/stages/",
            {"stage-probability": 10, "stage-kind": "open", **data},
            headers=headers,
        )
        assert response.status_code == 200
        found = {name: list(messages) for name, messages in response.context["stage_form"].errors.items()}
        assert (found if isinstance(errors, dict) else set(found)) == errors
        assert 'class="field-error" id="id_stage-' in response.content.decode()
    assert audit_after(before) == []


def test_edit_a_stage(admin_client: Client, pipeline: Pipeline, stages: dict[str, Stage]) -> None:
    stage = stages["Propose"]
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/{stage.pk}/",
        {"name": "Proposal", "probability": 60, "kind": "open", "version": stage.version},
    )
    assert response.status_code == 302
    assert audit_after(before) == [
        ("update", "sales.stage", {"name": ["Propose", "Proposal"], "probability": [50, 60]})
    ]


def test_the_kind_of_a_stage_with_deals_cannot_change(
    admin_client: Client,
    actor: Actor,
    pipeline: Pipeline,
    stages: dict[str, Stage],
    deal_data: dict[str, Any],
) -> None:
    deal_create(actor=actor, data=deal_data)  # in Qualify
    stage = stages["Qualify"]
    response = admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/{stage.pk}/",
        {"name": "Qualify", "probability": 10, "kind": "won", "version": stage.version},
    )
    assert field_errors(response) == {
        "kind": ["Deals are in this stage: move them out before changing its kind."]
    }


def test_a_stage_with_deals_cannot_be_deleted(
    admin_client: Client,
    actor: Actor,
    pipeline: Pipeline,
    stages: dict[str, Stage],
    deal_data: dict[str, Any],
) -> None:
    deal_create(actor=actor, data=deal_data)
    busy = admin_client.post(f"/settings/pipelines/{pipeline.pk}/stages/{stages['Qualify'].pk}/delete/")
    assert "Cannot delete: it is still used by deal stage changes, deals." in busy.content.decode()
    before = last_audit_id()
    done = admin_client.post(f"/settings/pipelines/{pipeline.pk}/stages/{stages['Lost'].pk}/delete/")
    assert done.status_code == 302
    assert names_in_order(pipeline) == ["Qualify", "Propose", "Won"]
    assert [action for action, _, _ in audit_after(before)] == ["delete"]


# ---------------------------------------------------------------- reordering


def test_drag_and_drop_posts_the_whole_order(admin_client: Client, pipeline: Pipeline) -> None:
    old = ids_in_order(pipeline)
    new = [old[1], old[2], old[0], old[3]]
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/order/", {"stage_ids": new}, headers=HTMX
    )
    assert response.status_code == 200
    assert ids_in_order(pipeline) == new
    assert [stage.pk for stage in response.context["stages"]] == new
    assert "Stage order saved." in response.content.decode()
    assert audit_after(before) == [("stage_reorder", "sales.pipeline", {"stage_order": [old, new]})]


def test_move_buttons_move_one_step_and_keep_the_focus(admin_client: Client, pipeline: Pipeline) -> None:
    ids = ids_in_order(pipeline)
    url = f"/settings/pipelines/{pipeline.pk}/stages/order/"
    response = admin_client.post(url, {"stage_ids": ids, "move": f"{ids[1]}:up"}, headers=HTMX)
    assert names_in_order(pipeline) == ["Propose", "Qualify", "Won", "Lost"]
    content = response.content.decode()
    assert "“Propose” moved to position 1 of 4." in content
    # At the top the up button is disabled, so the keyboard stays on the down button.
    assert (response.context["focus_stage"], response.context["focus_direction"]) == (ids[1], "down")
    assert f'id="move-{ids[1]}-down"' in content
    assert "autofocus data-focus" in content

    response = admin_client.post(
        url, {"stage_ids": ids_in_order(pipeline), "move": f"{ids[2]}:down"}, headers=HTMX
    )
    assert names_in_order(pipeline) == ["Propose", "Qualify", "Lost", "Won"]
    assert (response.context["focus_stage"], response.context["focus_direction"]) == (ids[2], "up")


def test_move_buttons_work_without_javascript(admin_client: Client, pipeline: Pipeline) -> None:
    ids = ids_in_order(pipeline)
    response = admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/order/",
        {"stage_ids": ids, "move": f"{ids[0]}:down"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/settings/pipelines/{pipeline.pk}/", 302)]
    assert "“Qualify” moved to position 2 of 4." in response.content.decode()
    assert names_in_order(pipeline) == ["Propose", "Qualify", "Won", "Lost"]


def test_moving_past_the_end_changes_nothing(admin_client: Client, pipeline: Pipeline) -> None:
    ids = ids_in_order(pipeline)
    before = last_audit_id()
    admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/order/", {"stage_ids": ids, "move": f"{ids[0]}:up"}
    )
    assert ids_in_order(pipeline) == ids
    assert audit_after(before) == []


@pytest.mark.parametrize("change", ["missing", "unknown", "not_a_number", "bad_move", "empty"])
def test_a_stale_or_broken_order_shows_the_current_one(
    admin_client: Client, pipeline: Pipeline, change: str
) -> None:
    ids = ids_in_order(pipeline)
    cases: dict[str, dict[str, Any]] = {
        "missing": {"stage_ids": ids[:-1]},
        "unknown": {"stage_ids": [*ids, 987654]},
        "not_a_number": {"stage_ids": [*ids[:-1], "x"]},
        "bad_move": {"stage_ids": ids, "move": "first:sideways"},
        "empty": {},
    }
    data = cases[change]
    before = last_audit_id()
    response = admin_client.post(f"/settings/pipelines/{pipeline.pk}/stages/order/", data, headers=HTMX)
    assert response.status_code == 200
    assert "changed meanwhile" in response.context["order_error"]
    assert [stage.pk for stage in response.context["stages"]] == ids
    assert ids_in_order(pipeline) == ids
    assert audit_after(before) == []
