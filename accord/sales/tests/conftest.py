"""Fixtures of the sales tests: pipelines with one stage of each kind, built through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accord.core.actors import Actor
from accord.sales.models import Pipeline, Stage
from accord.sales.services import pipeline_create
from accord.sales.tests.board_support import Org, build_org
from accord.users.tests.settings_world import admin, admin_client, rep, rep_client  # noqa: F401 (fixtures of the settings page tests)
from accord.web.tests.builders import STAGES, browser


def stages_of(pipeline: Pipeline) -> dict[str, Stage]:
    return {stage.name: stage for stage in pipeline.stages.all()}


@pytest.fixture
def pipeline(actor: Actor) -> Pipeline:
    return pipeline_create(actor=actor, data={"name": "New business", "is_default": True, "stages": STAGES})


@pytest.fixture
def stages(pipeline: Pipeline) -> dict[str, Stage]:
    return stages_of(pipeline)


@pytest.fixture
def other_pipeline(actor: Actor) -> Pipeline:
    return pipeline_create(actor=actor, data={"name": "Renewals", "position": 1, "stages": STAGES[:3]})


@pytest.fixture
def deal_data(stages: dict[str, Stage]) -> dict[str, Any]:
    return {"name": "Big deal", "amount": Decimal("1200.00"), "stage_id": stages["Qualify"].pk}


@pytest.fixture
def org() -> Org:
    """The board tests' organisation (``board_support``)."""
    return build_org()


@pytest.fixture
def alice(org: Org) -> Client:
    return browser(org.alice)
