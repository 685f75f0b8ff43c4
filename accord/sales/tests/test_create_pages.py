"""The new lead and new deal pages: who may open them, what they create (one record, one audit entry via
the web, through the same services as the API), errors beside the inputs, stage choices that follow the
pipeline, the company and people pickers, and a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create
from accord.customers.tests.create_support import (
    created_entries,
    custom_fields,
    custom_role,
    error_beside,
    input_tag,
    text,
)
from accord.sales.models import Deal, DealStageChange, Lead, Pipeline, Stage
from accord.sales.services import pipeline_create
from accord.users.models import User
from accord.web.tests.builders import HTMX, STAGES, browser, make_user, private

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep() -> User:
    return make_user("rita")


@pytest.fixture
def client(rep: User) -> Client:
    return browser(rep)


@pytest.fixture
def pipeline() -> Pipeline:
    return pipeline_create(actor=SYSTEM, data={"name": "New business", "is_default": True, "stages": STAGES})


@pytest.fixture
def renewals(pipeline: Pipeline) -> Pipeline:
    return pipeline_create(
        actor=SYSTEM,
        data={
            "name": "Renewals",
            "position": 1,
            "stages": [{"name": "Due"}, {"name": "Renewed", "kind": "won"}],
        },
    )


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


def company_of(owner: User, name: str = "Acme Robotics") -> Company:
    return company_create(actor=SYSTEM, data={"name": name, "owner_id": owner.pk})


def contact_of(owner: User, given: str = "Ada", family: str = "Lovelace") -> Contact:
    return contact_create(
        actor=SYSTEM, data={"given_name": given, "family_name": family, "owner_id": owner.pk}
    )


def lead_form(owner: User, **data: Any) -> dict[str, Any]:
    return {
        "given_name": "Katherine",
        "family_name": "Johnson",
        "email": "katherine@nasa.example",
        "company_name": "NASA",
        "status": "new",
        "owner_id": str(owner.pk),
        **data,
    }


def deal_form(owner: User, pipeline: Pipeline, **data: Any) -> dict[str, Any]:
    return {
        "name": "Engine upgrade",
        "amount": "2500.50",
        "currency": "EUR",
        "pipeline_id": str(pipeline.pk),
        "stage_id": str(stage(pipeline, "Propose").pk),
        "owner_id": str(owner.pk),
        **data,
    }


# ---------------------------------------------------------------- who may open the pages


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("administrator", "/leads/new/", 200),
        ("sales_rep", "/leads/new/", 200),
        ("marketer", "/leads/new/", 200),
        ("external_partner", "/leads/new/", 200),
        ("support_agent", "/leads/new/", 403),
        ("analyst", "/leads/new/", 403),
        ("read_only", "/leads/new/", 403),
        ("administrator", "/deals/new/", 200),
        ("sales_manager", "/deals/new/", 200),
        ("sales_rep", "/deals/new/", 200),
        ("marketer", "/deals/new/", 403),
        ("external_partner", "/deals/new/", 403),
        ("read_only", "/deals/new/", 403),
    ],
)
def test_the_page_answers_by_the_role_s_create_right(
    pipeline: Pipeline, role: str, path: str, status: int
) -> None:
    response = browser(make_user("someone", role)).get(path)

    assert response.status_code == status
    if status == 403:
        assert "Your role may not create" in text(response)


def test_a_role_without_create_right_cannot_post_either(pipeline: Pipeline) -> None:
    analyst = make_user("ann", "analyst")
    marketer = make_user("mia", "marketer")

    assert browser(analyst).post("/leads/new/", lead_form(analyst)).status_code == 403
    assert browser(marketer).post("/deals/new/", deal_form(marketer, pipeline)).status_code == 403
    assert not Lead.objects.exists()
    assert not Deal.objects.exists()


# ---------------------------------------------------------------- leads


def test_creating_a_lead_leads_to_its_conversion_page(client: Client, rep: User) -> None:
    before = AuditEntry.objects.count()

    response = client.post(
        "/leads/new/",
        lead_form(
            rep,
            phone="+1 415 555 2671",
            company_domain="https://nasa.example/",
            tags="space",
            notes="Met at the fair",
        ),
    )

    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/convert/"
    assert (lead.email, lead.phone, lead.company_domain, lead.status, lead.notes, lead.owner_id) == (
        "katherine@nasa.example",
        "+14155552671",
        "nasa.example",
        "new",
        "Met at the fair",
        rep.pk,
    )
    assert [tag.name for tag in lead.tags.all()] == ["space"]
    assert AuditEntry.objects.count() == before + 1
    [entry] = created_entries(Lead, lead.pk)
    assert (entry.action, entry.via, entry.actor_id) == ("create", "web", rep.pk)


def test_the_lead_page_offers_every_status_but_converted(client: Client) -> None:
    response = client.get("/leads/new/")
    status = input_tag(response, "id_status")

    assert status.startswith("<select")
    assert 'value="disqualified"' in text(response)
    assert 'value="converted"' not in text(response)
    assert '<button class="primary" type="submit">Create lead</button>' in text(response)


@pytest.mark.parametrize(
    ("data", "input_id", "message"),
    [
        (
            {"given_name": "", "family_name": "", "email": "", "company_name": ""},
            "id_family_name",
            "A lead needs a name, a company name or an email.",
        ),
        ({"email": "katherine@@nasa"}, "id_email", ""),
        ({"phone": "12"}, "id_phone", "'12' is not a valid phone number."),
        ({"status": "disqualified"}, "id_disqualified_reason", "Say why the lead is disqualified."),
        ({"status": "converted"}, "id_status", ""),
        ({"company_domain": "not a domain"}, "id_company_domain", "'not a domain' is not a website domain."),
    ],
)
def test_lead_errors_appear_beside_their_inputs(
    client: Client, rep: User, data: dict[str, str], input_id: str, message: str
) -> None:
    response = client.post("/leads/new/", lead_form(rep, **data))

    assert response.status_code == 422
    shown = error_beside(response, input_id)
    assert shown == message if message else shown
    assert not Lead.objects.exists()


def test_a_role_that_may_not_see_lead_phones_gets_no_phone_input() -> None:
    role = custom_role("fair_staff", {"lead": ["view", "create"]}, hidden={"lead": ["phone"]})
    staff = make_user("fay", role.key)

    page = browser(staff).get("/leads/new/")
    created = browser(staff).post("/leads/new/", lead_form(staff, phone="+14155552671"))

    assert page.status_code == 200
    assert not input_tag(page, "id_phone")
    assert input_tag(page, "id_email")
    assert created.status_code == 302
    assert Lead.objects.get().phone == ""


# ---------------------------------------------------------------- deals


def test_creating_a_deal_for_a_company_and_people(client: Client, rep: User, pipeline: Pipeline) -> None:
    acme = company_of(rep)
    ada, grace = contact_of(rep), contact_of(rep, "Grace", "Hopper")
    before = AuditEntry.objects.count()

    response = client.post(
        "/deals/new/",
        deal_form(
            rep,
            pipeline,
            currency="usd",
            expected_close_date="2026-06-30",
            company_id=str(acme.pk),
            contact_ids=[str(ada.pk), str(grace.pk)],
            tags="q2",
        ),
    )

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert (deal.name, deal.amount, deal.currency, deal.stage.name, deal.company_id, deal.owner_id) == (
        "Engine upgrade",
        Decimal("2500.50"),
        "USD",
        "Propose",
        acme.pk,
        rep.pk,
    )
    assert deal.expected_close_date == dt.date(2026, 6, 30)
    assert sorted(deal.contacts.values_list("pk", flat=True)) == sorted([ada.pk, grace.pk])
    assert [tag.name for tag in deal.tags.all()] == ["q2"]
    assert DealStageChange.objects.filter(deal=deal, from_stage=None, to_stage=deal.stage).count() == 1
    assert AuditEntry.objects.count() == before + 1
    [entry] = created_entries(Deal, deal.pk)
    assert (entry.action, entry.via, entry.actor_id) == ("create", "web", rep.pk)


def test_the_deal_page_opens_in_the_default_pipeline_s_first_stage(
    client: Client, pipeline: Pipeline, renewals: Pipeline
) -> None:
    response = client.get("/deals/new/")
    body = text(response)

    assert f'<option value="{pipeline.pk}" selected>New business</option>' in body
    assert f'<option value="{stage(pipeline, "Qualify").pk}" selected>Qualify (10 % likely)</option>' in body
    assert "Due" not in body  # the other pipeline's stages are not offered
    assert 'hx-get="/deals/new/stages/"' in input_tag(response, "id_pipeline_id")
    assert '<div id="deal-stage" class="deal-stage" aria-live="polite">' in body


def test_a_blank_amount_and_stage_take_the_service_s_defaults(
    client: Client, rep: User, pipeline: Pipeline
) -> None:
    response = client.post("/deals/new/", deal_form(rep, pipeline, amount="", stage_id=""))

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.amount, deal.stage.name) == (Decimal("0"), "Qualify")


def test_the_stage_choices_follow_the_pipeline(
    client: Client, pipeline: Pipeline, renewals: Pipeline
) -> None:
    response = client.get("/deals/new/stages/", {"pipeline_id": str(renewals.pk)}, **HTMX)

    assert response.status_code == 200
    body = text(response)
    assert f'<option value="{stage(renewals, "Due").pk}" selected>Due (0 % likely)</option>' in body
    assert "Renewed (closes the deal as won)" in body
    assert "Qualify" not in body
    assert "<html" not in body


@pytest.mark.parametrize(
    ("value", "status"), [("", 400), ("abc", 400), ("99999", 404), ("99999999999999999999", 400)]
)
def test_stage_choices_of_a_pipeline_that_does_not_exist(
    client: Client, pipeline: Pipeline, value: str, status: int
) -> None:
    assert client.get("/deals/new/stages/", {"pipeline_id": value}).status_code == status


def test_stage_choices_need_the_deal_create_right(pipeline: Pipeline) -> None:
    response = browser(make_user("mia", "marketer")).get(
        "/deals/new/stages/", {"pipeline_id": str(pipeline.pk)}
    )

    assert response.status_code == 403


def test_a_stage_of_another_pipeline_is_refused_beside_the_stage(
    client: Client, rep: User, pipeline: Pipeline, renewals: Pipeline
) -> None:
    """Without JavaScript, the stage list does not follow a new pipeline until the form is sent back."""
    data = deal_form(rep, pipeline, pipeline_id=str(renewals.pk))

    response = client.post("/deals/new/", data)

    assert response.status_code == 422
    assert error_beside(response, "id_stage_id") == "Choose one of the stages of the pipeline “Renewals”."
    assert "Due (0 % likely)" in text(response)  # now the chosen pipeline's stages
    assert not Deal.objects.exists()


def test_show_the_pipeline_s_stages_without_javascript(
    client: Client, rep: User, pipeline: Pipeline, renewals: Pipeline
) -> None:
    data = deal_form(rep, pipeline, pipeline_id=str(renewals.pk), _refresh="stages")

    response = client.post("/deals/new/", data)

    assert response.status_code == 200
    assert f'<option value="{stage(renewals, "Due").pk}" selected>Due (0 % likely)</option>' in text(response)
    assert 'value="Engine upgrade"' in input_tag(response, "id_name")
    assert not error_beside(response, "id_stage_id")
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("data", "input_id", "message"),
    [
        ({"name": ""}, "id_name", "This field is required."),
        ({"amount": "-5"}, "id_amount", ""),
        ({"amount": "lots"}, "id_amount", "Enter a number."),
        ({"currency": "E1"}, "id_currency", "Use a three-letter ISO 4217 currency code, e.g. EUR."),
        ({"expected_close_date": "next week"}, "id_expected_close_date", "Enter a valid date."),
        ({"stage_id": "abc"}, "id_stage_id", "Enter a whole number."),
        ({"pipeline_id": "abc"}, "id_pipeline_id", ""),
        ({"contact_ids": ["abc"]}, "id_contact_ids", "Choose records from the list."),
    ],
)
def test_deal_errors_appear_beside_their_inputs(
    client: Client, rep: User, pipeline: Pipeline, data: dict[str, Any], input_id: str, message: str
) -> None:
    response = client.post("/deals/new/", deal_form(rep, pipeline, **data))

    assert response.status_code == 422
    shown = error_beside(response, input_id)
    assert shown == message if message else shown
    assert not Deal.objects.exists()


def test_a_lost_stage_needs_a_reason(client: Client, rep: User, pipeline: Pipeline) -> None:
    lost = str(stage(pipeline, "Lost").pk)

    refused = client.post("/deals/new/", deal_form(rep, pipeline, stage_id=lost))
    created = client.post("/deals/new/", deal_form(rep, pipeline, stage_id=lost, lost_reason="Budget cut"))

    assert refused.status_code == 422
    assert error_beside(refused, "id_lost_reason") == "Say why the deal is lost."
    assert created.status_code == 302
    assert Deal.objects.get().lost_reason == "Budget cut"


def test_people_the_user_cannot_see_are_refused_and_never_named(
    client: Client, rep: User, pipeline: Pipeline
) -> None:
    private("contact")
    hidden = contact_of(make_user("carol"), "Zq", "Secret")
    mine = contact_of(rep)

    response = client.post(
        "/deals/new/", deal_form(rep, pipeline, contact_ids=[str(mine.pk), str(hidden.pk)])
    )

    assert response.status_code == 422
    assert error_beside(response, "id_contact_ids") == f"No contact with id {hidden.pk}."
    assert f'<input type="checkbox" name="contact_ids" value="{mine.pk}" checked> Ada Lovelace' in text(
        response
    )
    assert "Secret" not in text(response)
    assert not Deal.objects.exists()


def test_the_people_picker_lists_only_people_the_user_sees(client: Client, rep: User) -> None:
    private("contact")
    mine = contact_of(rep, "Zq", "Mine")
    contact_of(make_user("carol"), "Zq", "Theirs")

    response = client.get("/new/choose/contact_ids/", {"contact_ids_query": "zq"}, **HTMX)

    assert f'<input type="checkbox" name="contact_ids" value="{mine.pk}">' in text(response)
    assert "Theirs" not in text(response)


def test_company_and_person_in_the_query_string(client: Client, rep: User, pipeline: Pipeline) -> None:
    acme, ada = company_of(rep), contact_of(rep)

    response = client.get("/deals/new/", {"company": str(acme.pk), "contact": str(ada.pk)})

    assert response.status_code == 200
    assert f'<input type="radio" name="company_id" value="{acme.pk}" checked> Acme Robotics' in text(response)
    assert f'<input type="checkbox" name="contact_ids" value="{ada.pk}" checked> Ada Lovelace' in text(
        response
    )
    assert f'href="/companies/{acme.pk}/">Cancel</a>' in text(response)


def test_a_prefilled_person_the_user_cannot_see_answers_404(client: Client, pipeline: Pipeline) -> None:
    private("contact")
    hidden = contact_of(make_user("carol"), "Zq", "Secret")

    assert client.get("/deals/new/", {"contact": str(hidden.pk)}).status_code == 404
    assert client.get("/deals/new/", {"contact": "x"}).status_code == 400


def test_a_role_that_may_not_see_amounts_gets_no_amount_input(pipeline: Pipeline) -> None:
    role = custom_role(
        "closer",
        {"deal": ["view", "create"], "pipeline": ["view"], "company": ["view"], "contact": ["view"]},
        hidden={"deal": ["amount"]},
    )
    closer = make_user("cleo", role.key)

    page = browser(closer).get("/deals/new/")
    created = browser(closer).post("/deals/new/", deal_form(closer, pipeline, amount="999"))

    assert page.status_code == 200
    assert not input_tag(page, "id_amount")
    assert input_tag(page, "id_name")
    assert created.status_code == 302
    assert Deal.objects.get().amount == Decimal("0")


def test_custom_fields_of_deals(client: Client, rep: User, pipeline: Pipeline) -> None:
    custom_fields("deal")

    refused = client.post("/deals/new/", deal_form(rep, pipeline, **{"cf-tier": "bronze"}))
    created = client.post(
        "/deals/new/", deal_form(rep, pipeline, **{"cf-nickname": "Big one", "cf-tier": "gold"})
    )

    assert refused.status_code == 422
    assert error_beside(refused, "id_cf-nickname") == "This field is required."
    assert error_beside(refused, "id_cf-tier").startswith("Select a valid choice.")
    assert created.status_code == 302
    assert Deal.objects.get().custom_fields == {"nickname": "Big one", "tier": "gold"}


def test_without_any_pipeline_the_page_says_so(client: Client, rep: User) -> None:
    page = client.get("/deals/new/")
    refused = client.post("/deals/new/", {"name": "Lonely", "currency": "EUR", "owner_id": str(rep.pk)})

    assert page.status_code == 200
    assert "There is no pipeline you can see yet" in text(page)
    assert refused.status_code == 422
    assert "There is no pipeline yet" in text(refused)
    assert not Deal.objects.exists()


# ---------------------------------------------------------------- a fixed number of queries


def _rows(size: int, owner: User) -> None:
    """``size`` colleagues, companies, contacts, and pipelines of four stages each."""
    for index in range(size):
        make_user(f"colleague{index:02d}")
        company_of(owner, f"Zq Company {index:02d}")
        contact_of(owner, "Zq", f"Person {index:02d}")
        pipeline_create(
            actor=SYSTEM, data={"name": f"Pipeline {index:02d}", "position": index + 1, "stages": STAGES}
        )


# Session, user and role (3) + custom fields (1) + the user directory (1); pipelines are a catalogue, so
# no access rules are read.
LEAD_PAGE = 5
# … + pipelines and their stages (2).
DEAL_PAGE = LEAD_PAGE + 2
# … + access rules (1) + the checks of ``?company=`` and ``?contact=`` (2) + the chosen company's and
# people's names (2).
PREFILLED_DEAL_PAGE = DEAL_PAGE + 1 + 2 + 2
# Session, user and role (3) + pipelines and their stages (2).
STAGE_CHOICES = 3 + 2


@pytest.mark.parametrize("size", [3, 30])
def test_the_pages_cost_the_same_queries_whatever_the_number_of_rows(
    size: int, rep: User, client: Client, pipeline: Pipeline, django_assert_num_queries: Any
) -> None:
    _rows(size, rep)
    acme = Company.objects.get(name="Zq Company 00")
    ada = Contact.objects.get(family_name="Person 00")

    with django_assert_num_queries(LEAD_PAGE):
        assert client.get("/leads/new/").status_code == 200
    with django_assert_num_queries(DEAL_PAGE):
        assert client.get("/deals/new/").status_code == 200
    with django_assert_num_queries(PREFILLED_DEAL_PAGE):
        assert client.get("/deals/new/", {"company": str(acme.pk), "contact": str(ada.pk)}).status_code == 200
    with django_assert_num_queries(STAGE_CHOICES):
        assert client.get("/deals/new/stages/", {"pipeline_id": str(pipeline.pk)}).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_a_refused_deal_costs_a_bounded_number_of_queries(
    size: int, rep: User, client: Client, pipeline: Pipeline, django_assert_max_num_queries: Any
) -> None:
    _rows(size, rep)
    contacts = [str(pk) for pk in Contact.objects.values_list("pk", flat=True)[:3]]

    # The page's reads (8), the service's checks (pipeline, stage, people, company, owner, custom fields:
    # at most 8), the chosen people's names (1) and the picker's search (at most 3).
    with django_assert_max_num_queries(20):
        response = client.post(
            "/deals/new/",
            deal_form(rep, pipeline, currency="E1", contact_ids=contacts, company_id_query="zq"),
        )
    assert response.status_code == 422
