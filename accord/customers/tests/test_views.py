"""The company and contact lists: the checks every list passes, and what is particular to these two."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import Role
from accord.access.tests.world import build_world
from accord.core.actors import SYSTEM
from accord.core.listing import ListSpec
from accord.core.models import CustomField
from accord.core.tests.list_checks import *  # noqa: F403  (the checks every list passes)
from accord.core.tests.list_checks import shown_ids, signed_in
from accord.customers.services import company_create, contact_create
from accord.customers.views import COMPANIES, CONTACTS
from accord.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[COMPANIES, CONTACTS], ids=lambda spec: spec.key)
def spec(request: pytest.FixtureRequest) -> ListSpec:
    return request.param


def test_contacts_filter_by_stage_tag_and_custom_field(user: User) -> None:
    CustomField.objects.create(
        object_type="contact", key="region", label="Region", field_type="choice", choices=["north", "south"]
    )
    wanted = contact_create(
        actor=SYSTEM,
        data={
            "given_name": "Ann",
            "family_name": "Lee",
            "lifecycle_stage": "customer",
            "tags": ["vip"],
            "custom_fields": {"region": "north"},
        },
    )
    contact_create(
        actor=SYSTEM,
        data={"given_name": "Bo", "family_name": "Ng", "lifecycle_stage": "customer", "tags": ["vip"]},
    )
    contact_create(
        actor=SYSTEM, data={"given_name": "Cy", "family_name": "Ode", "custom_fields": {"region": "north"}}
    )
    client = signed_in(user)
    response = client.get("/contacts/?lifecycle_stage=customer&tag=vip&cf.region=north")
    assert shown_ids(response) == {wanted.pk}
    page = response.content.decode()
    assert 'name="cf.region"' in page  # the custom field is a filter of the form
    assert '<option value="north" selected>' in page
    assert client.get("/contacts/?cf.region=west").status_code == 400
    # A parameter the form does not offer (a custom field since deleted, say) is ignored.
    assert len(shown_ids(client.get("/contacts/?cf.unknown=1"))) == 3


def test_search_as_you_type_and_chosen_columns(user: User) -> None:
    ann = contact_create(
        actor=SYSTEM,
        data={"given_name": "Annabel", "family_name": "Lee", "emails": [{"email": "ann@lee.example"}]},
    )
    contact_create(actor=SYSTEM, data={"given_name": "Bo", "family_name": "Ng"})
    client = signed_in(user)
    response = client.get("/contacts/?q=annab&columns=name&columns=email", HTTP_HX_REQUEST="true")
    assert shown_ids(response) == {ann.pk}
    page = response.content.decode()
    assert "ann@lee.example" in page
    assert ">Lifecycle stage<" not in page  # only the chosen columns
    # Sorting keeps the search and the columns; the link is the shareable view.
    assert "/contacts/?q=annab&amp;sort=-family_name&amp;columns=name&amp;columns=email" in page


def test_a_contacts_company_is_named_only_for_those_who_may_see_it() -> None:
    world = build_world("sales_rep", ("contact",))
    hidden_company = company_create(
        actor=SYSTEM, data={"name": "Secret Holdings", "owner_id": world.carol.pk}
    )
    contact_create(
        actor=SYSTEM,
        data={
            "given_name": "Zq",
            "family_name": "Works",
            "owner_id": world.alice.pk,
            "employments": [{"company_id": hidden_company.pk}],
        },
    )
    page = signed_in(world.alice).get("/contacts/").content.decode()
    assert "Zq Works" in page
    assert "Secret Holdings" not in page


def test_company_revenue_is_a_column_only_for_roles_that_see_it(user: User) -> None:
    company_create(actor=SYSTEM, data={"name": "Rich", "annual_revenue": "987654.00", "currency": "EUR"})
    page = signed_in(user).get("/companies/?columns=name&columns=revenue").content.decode()
    assert "987,654.00 EUR" in page
    reader = User.objects.create_user("reader", role=Role.objects.get(key="read_only"))
    hidden = signed_in(reader).get("/companies/?columns=name&columns=revenue").content.decode()
    assert "987,654" not in hidden
    assert 'value="revenue"' not in hidden


def test_bulk_tagging_adds_to_the_tags_a_record_has(user: User) -> None:
    company = company_create(actor=SYSTEM, data={"name": "Tagged", "tags": ["old"]})
    client = signed_in(user)
    client.post(
        "/companies/bulk/", {"action": "tag", "tag": "new", "ids": [f"{company.pk}:{company.version}"]}
    )
    company.refresh_from_db()
    assert sorted(tag.name for tag in company.tags.all()) == ["new", "old"]
    assert company.version == 2


def test_the_page_works_without_javascript(client: Client, user: User) -> None:
    client.force_login(user)
    page = client.get("/contacts/").content.decode()
    assert 'method="get" action="/contacts/"' in page  # the filter form submits as a plain GET
    assert '<button type="submit" class="button">Apply</button>' in page
