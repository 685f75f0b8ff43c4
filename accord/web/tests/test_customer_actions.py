"""Quick actions on the 360 pages: each creates its record through the service (with its audit entry),
filed on the customer, and the timeline (and the tasks or deals panel) come back to update in place."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accord.access.models import Role
from accord.activities.models import Interaction, Task
from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry
from accord.customers.models import Company, Contact
from accord.sales.models import Deal
from accord.sales.services import pipeline_create
from accord.users.models import User
from accord.web.tests.builders import HTMX, browser, make_user
from accord.web.tests.customer_fixtures import company_of, contact_of, pipeline

pytestmark = pytest.mark.django_db

WHEN = "2026-03-02T09:30"


@pytest.fixture(autouse=True)
def sales_pipeline() -> None:
    pipeline()


@pytest.fixture
def rep() -> User:
    return make_user("rita", "sales_rep")


@pytest.fixture
def client(rep: User) -> Client:
    return browser(rep)


@pytest.fixture
def contact(rep: User) -> Contact:
    return contact_of(rep)


@pytest.fixture
def company(rep: User) -> Company:
    return company_of(rep)


def text(response: Any) -> str:
    return str(response.content.decode())


def post(
    client: Client, record: Contact | Company, action: str, data: dict[str, Any], *, htmx: bool = True
) -> Any:
    plural = "contacts" if isinstance(record, Contact) else "companies"
    prefixed = {f"{action}-{name}": value for name, value in data.items()}
    return client.post(f"/{plural}/{record.pk}/actions/{action}/", prefixed, **(HTMX if htmx else {}))


def created(model: type[Any], pk: int) -> AuditEntry:
    return AuditEntry.objects.get(object_type=model._meta.label_lower, object_id=pk, action="create")


INTERACTIONS = [
    (
        "call",
        {
            "subject": "Intro call",
            "occurred_at": WHEN,
            "direction": "outbound",
            "duration_minutes": "15",
            "outcome": "connected",
        },
        "phone",
    ),
    ("email", {"subject": "Sent the brochure", "occurred_at": WHEN, "direction": "inbound"}, "email"),
    (
        "meeting",
        {"subject": "Demo", "occurred_at": WHEN, "channel": "video", "duration_minutes": "45"},
        "video",
    ),
    ("note", {"subject": "Prefers mornings", "occurred_at": WHEN, "body": "Call before ten."}, "internal"),
]


@pytest.mark.parametrize(("action", "data", "channel"), INTERACTIONS)
def test_logging_an_interaction_creates_it_on_the_contact_with_its_audit_entry(
    client: Client, contact: Contact, rep: User, action: str, data: dict[str, str], channel: str
) -> None:
    response = post(client, contact, action, data)

    body = text(response)
    interaction = Interaction.objects.get()
    assert response.status_code == 200
    assert interaction.kind == action
    assert interaction.channel == channel
    assert list(interaction.participants.values_list("contact_id", flat=True)) == [contact.pk]
    assert interaction.owner_id == rep.pk
    assert interaction.subject == data["subject"]
    entry = created(Interaction, interaction.pk)
    assert entry.via == "web"
    assert entry.actor_id == rep.pk
    # The timeline comes back to replace the page's (out of band), with the new entry.
    assert 'id="timeline"' in body
    assert 'hx-swap-oob="true"' in body
    assert data["subject"] in body.split('id="timeline"')[1]
    assert "c360-done" in body


def test_durations_are_stored_in_seconds_and_times_are_the_servers_zone(
    client: Client, contact: Contact
) -> None:
    post(client, contact, "call", INTERACTIONS[0][1])

    interaction = Interaction.objects.get()
    assert interaction.duration_seconds == 15 * 60
    assert interaction.occurred_at.isoformat() == "2026-03-02T09:30:00+00:00"  # TIME_ZONE is UTC in tests
    assert interaction.direction == "outbound"
    assert interaction.outcome == "connected"


def test_logging_on_a_company_files_the_interaction_under_it(client: Client, company: Company) -> None:
    response = post(client, company, "note", {"subject": "Board changed", "occurred_at": WHEN})

    interaction = Interaction.objects.get()
    assert response.status_code == 200
    assert interaction.company_id == company.pk
    assert interaction.direction == "internal"
    assert "Board changed" in text(response)


@pytest.mark.parametrize("customer", ["contact", "company"])
def test_adding_a_task_files_it_on_the_customer_and_refreshes_the_tasks_panel(
    client: Client, contact: Contact, company: Company, rep: User, customer: str
) -> None:
    record = contact if customer == "contact" else company

    response = post(
        client, record, "task", {"title": "Send the quote", "due_at": WHEN, "priority": "high", "notes": ""}
    )

    task = Task.objects.get()
    body = text(response)
    assert response.status_code == 200
    assert getattr(task, f"{customer}_id") == record.pk
    assert task.assignee_id == rep.pk
    assert task.priority == "high"
    assert created(Task, task.pk).via == "web"
    assert '<section id="tasks"' in body
    assert "Send the quote" in body.split('id="tasks"')[1]


@pytest.mark.parametrize("customer", ["contact", "company"])
def test_opening_a_deal_files_it_on_the_customer_and_refreshes_the_deals_panel(
    client: Client, contact: Contact, company: Company, customer: str
) -> None:
    record = contact if customer == "contact" else company

    response = post(client, record, "deal", {"name": "Engine upgrade", "amount": "2500", "currency": "eur"})

    deal = Deal.objects.get()
    body = text(response)
    assert response.status_code == 200
    if customer == "contact":
        assert list(deal.deal_contacts.values_list("contact_id", flat=True)) == [contact.pk]
    else:
        assert deal.company_id == company.pk
    assert deal.stage.name == "Qualify"
    assert str(deal.amount) == "2500.00"
    assert deal.currency == "EUR"
    assert created(Deal, deal.pk).via == "web"
    assert '<section id="deals"' in body
    assert "Engine upgrade" in body.split('id="deals"')[1]
    # The deal's opening is a stage change: the timeline shows it.
    assert "Deal opened in Qualify." in body


def test_a_deal_can_be_opened_in_another_pipeline(client: Client, contact: Contact) -> None:
    renewals = pipeline_create(actor=SYSTEM, data={"name": "Renewals", "stages": [{"name": "Due"}]})

    form = text(client.get(f"/contacts/{contact.pk}/actions/deal/", **HTMX))
    response = post(
        client, contact, "deal", {"name": "Renewal", "currency": "EUR", "pipeline_id": str(renewals.pk)}
    )

    assert "Renewals" in form
    assert response.status_code == 200
    assert Deal.objects.get().stage.name == "Due"


def test_the_form_of_an_action_comes_alone_for_htmx_and_in_the_page_otherwise(
    client: Client, contact: Contact
) -> None:
    partial = client.get(f"/contacts/{contact.pk}/actions/call/", **HTMX)
    page = client.get(f"/contacts/{contact.pk}/actions/call/")
    linked = client.get(f"/contacts/{contact.pk}/?action=call")

    assert partial.status_code == page.status_code == linked.status_code == 200
    assert "<html" not in text(partial)
    assert 'name="call-subject"' in text(partial)
    for full in (page, linked):
        assert "<html" in text(full)
        assert 'name="call-subject"' in text(full)
    assert '<label for="id_call-occurred_at">When</label>' in text(partial)


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("task", {"title": "", "priority": "normal"}, "task-title"),
        ("call", {"subject": "x", "occurred_at": "yesterday", "direction": "outbound"}, "call-occurred_at"),
        ("call", {"subject": "x", "occurred_at": WHEN, "direction": "sideways"}, "call-direction"),
        (
            "meeting",
            {"occurred_at": WHEN, "channel": "video", "duration_minutes": "-5"},
            "meeting-duration_minutes",
        ),
        ("deal", {"name": "Big", "amount": "-1", "currency": "EUR"}, "deal-amount"),
        ("deal", {"name": "Big", "currency": "E1R"}, "deal-currency"),  # refused by the service
        ("note", {"subject": "x" * 301, "occurred_at": WHEN}, "note-subject"),
    ],
)
def test_invalid_input_is_shown_beside_the_field_and_creates_nothing(
    client: Client, contact: Contact, action: str, data: dict[str, str], field: str
) -> None:
    response = post(client, contact, action, data)

    body = text(response)
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in body
    assert Interaction.objects.count() == Task.objects.count() == Deal.objects.count() == 0


def test_without_htmx_an_action_redirects_to_the_page_with_a_message(
    client: Client, contact: Contact
) -> None:
    response = post(client, contact, "note", {"subject": "Likes tea", "occurred_at": WHEN}, htmx=False)

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/#timeline"
    page = text(client.get(response["Location"]))
    assert "Note added." in page
    assert "Likes tea" in page


def test_an_invalid_action_without_htmx_renders_the_page_with_the_form(
    client: Client, contact: Contact
) -> None:
    response = post(client, contact, "task", {"title": ""}, htmx=False)

    assert response.status_code == 422
    assert "<html" in text(response)
    assert 'id="id_task-title_error"' in text(response)


def test_actions_the_role_may_not_take_are_not_offered_and_refused() -> None:
    agent = make_user("sam", "support_agent")  # may log interactions and tasks, may not see deals
    contact = contact_of(agent)
    client = browser(agent)

    page = text(client.get(f"/contacts/{contact.pk}/"))
    response = post(client, contact, "deal", {"name": "Sneaky", "currency": "EUR"})

    assert "Log a call" in page
    assert "Open a deal" not in page
    assert response.status_code == 403
    assert Deal.objects.count() == 0


def test_an_unknown_action_answers_404(client: Client, contact: Contact) -> None:
    assert client.get(f"/contacts/{contact.pk}/actions/launch/").status_code == 404
    assert post(client, contact, "launch", {}).status_code == 404


def test_the_deal_form_leaves_out_the_amount_for_roles_that_may_not_see_it() -> None:
    role = Role.objects.create(
        key="deal_opener",
        name="Deal opener",
        permissions={"contact": ["view"], "deal": ["view", "create"], "pipeline": ["view"]},
        hidden_fields={"deal": ["amount"]},
    )
    user = User.objects.create_user(username="dora", role=role)
    contact = contact_of(user)
    client = browser(user)

    form = text(client.get(f"/contacts/{contact.pk}/actions/deal/", **HTMX))
    response = post(client, contact, "deal", {"name": "Quiet deal", "currency": "EUR", "amount": "98765.43"})

    assert 'name="deal-amount"' not in form
    assert response.status_code == 200
    deal = Deal.objects.get()
    assert deal.amount == 0  # an amount sent anyway is ignored: the form has no such field
    assert "98765.43" not in text(response)
    assert "0.00" not in text(response).split('id="deals"')[1]
