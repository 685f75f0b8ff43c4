"""The lead, deal and order lists: the checks every list passes, and what is particular to these."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accord.access.models import Role
from accord.core.actors import SYSTEM
from accord.core.listing import ListSpec
from accord.core.tests.list_checks import *  # noqa: F403  (the checks every list passes)
from accord.core.tests.list_checks import csv_rows, shown_ids, signed_in
from accord.sales.models import Pipeline, Stage
from accord.sales.services import deal_create, lead_create
from accord.sales.views import DEALS, LEADS, ORDERS
from accord.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[LEADS, DEALS, ORDERS], ids=lambda spec: spec.key)
def spec(request: pytest.FixtureRequest) -> ListSpec:
    return request.param


def test_deals_filter_by_pipeline_and_stage_as_the_board_links_them(
    user: User,
    pipeline: Pipeline,
    other_pipeline: Pipeline,
    stages: dict[str, Stage],
    deal_data: dict[str, Any],
) -> None:
    here = deal_create(actor=SYSTEM, data=deal_data)
    there = deal_create(actor=SYSTEM, data={"name": "Renewal", "pipeline_id": other_pipeline.pk})
    client = signed_in(user)
    assert shown_ids(client.get(f"/deals/?pipeline={other_pipeline.pk}")) == {there.pk}
    assert shown_ids(client.get(f"/deals/?pipeline_id={pipeline.pk}")) == {here.pk}
    page = client.get(f"/deals/?stage_id={stages['Qualify'].pk}")
    assert shown_ids(page) == {here.pk}
    assert "New business · Qualify" in page.content.decode()
    assert shown_ids(client.get("/deals/?stage_kind=won")) == set()


def test_deal_amounts_stay_hidden_from_roles_that_may_not_see_them(
    user: User, stages: dict[str, Stage], deal_data: dict[str, Any]
) -> None:
    deal_create(actor=SYSTEM, data={**deal_data, "amount": Decimal("4321.00")})
    assert "4,321.00 EUR" in signed_in(user).get("/deals/").content.decode()
    reader = User.objects.create_user("reader", role=Role.objects.get(key="read_only"))
    client = signed_in(reader)
    page = client.get("/deals/?columns=name&columns=amount&sort=-amount&amount_min=1").content.decode()
    assert "4,321" not in page
    assert 'name="amount_min"' not in page  # no filter on a hidden field either
    assert 'aria-sort="descending"' not in page  # nor a sort by it


def test_leads_link_to_their_conversion_and_filter_by_status(user: User) -> None:
    new = lead_create(actor=SYSTEM, data={"given_name": "Nia", "family_name": "New"})
    lead_create(actor=SYSTEM, data={"given_name": "Wes", "family_name": "Working", "status": "working"})
    response = signed_in(user).get("/leads/?status=new")
    assert shown_ids(response) == {new.pk}
    assert f'href="/leads/{new.pk}/convert/"' in response.content.decode()


def test_an_analyst_exports_leads_without_their_phone(user: User) -> None:
    analyst = User.objects.create_user("analyst", role=Role.objects.get(key="analyst"))
    lead_create(
        actor=SYSTEM,
        data={"given_name": "Pia", "family_name": "Phone", "phone": "+14155552671", "owner_id": analyst.pk},
    )
    rows = csv_rows(signed_in(analyst).get("/leads/export/?columns=name&columns=phone&columns=email"))
    assert len(rows) == 1
    assert list(rows[0]) == ["ID", "Name", "Email"]
