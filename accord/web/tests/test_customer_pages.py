"""The customer 360 pages: what they show, to whom (404 for a customer out of scope, 403 for a role that
may not view the type), each related item scoped, hidden fields never rendered, the timeline's filters
and paging, the record history tab, and 400 for malformed query strings."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accord.access.models import Role
from accord.activities.models import Interaction
from accord.activities.tests.factories import InteractionFactory, OrderFactory, TaskFactory, at
from accord.core.actors import SYSTEM
from accord.core.models import CustomField
from accord.customers.models import Employment
from accord.customers.services import company_update, contact_update
from accord.sales.models import Deal
from accord.users.models import User
from accord.web.tests.builders import HTMX, browser, make_team, make_user, private
from accord.web.tests.customer_fixtures import (
    company_of,
    contact_of,
    fill_history,
    open_deal,
    order_for,
    pipeline,
)

pytestmark = pytest.mark.django_db

PHONE = "+14155552671"


@pytest.fixture(autouse=True)
def sales_pipeline() -> None:
    pipeline()


@pytest.fixture
def admin() -> User:
    return make_user("root", "administrator")


@pytest.fixture
def admin_client(admin: User) -> Client:
    return browser(admin)


def text(response: Any) -> str:
    return str(response.content.decode())


# ---------------------------------------------------------------- what the pages show


def test_contact_page_shows_profile_custom_fields_and_every_panel(admin: User, admin_client: Client) -> None:
    CustomField.objects.create(object_type="contact", key="shoe_size", label="Shoe size", field_type="number")
    company = company_of(admin, name="Analytical Engines Ltd")
    contact = contact_of(
        admin,
        job_title="Countess",
        emails=[{"email": "ada@example.com"}],
        phones=[{"number": PHONE}],
        custom_fields={"shoe_size": 38},
        employments=[{"company_id": company.pk, "role": "Analyst"}],
    )
    fill_history(owner=admin, contact=contact, size=3)

    page = admin_client.get(f"/contacts/{contact.pk}/")

    assert page.status_code == 200
    body = text(page)
    for expected in ("Ada Lovelace", "Countess", "ada@example.com", PHONE, "Shoe size", "38"):
        assert expected in body
    assert f'href="/companies/{company.pk}/"' in body  # the employer, linked
    for panel in (
        'id="deals"',
        'id="purchases"',
        'id="tasks"',
        'id="scores"',
        'id="timeline"',
        'id="quick-actions"',
    ):
        assert panel in body
    assert "No analysis yet." in body  # the value-scores panel before the first refresh
    assert "Call 2" in body
    assert "Task 0" in body
    assert "Deal Qualify 1" in body
    assert "Deal Won 0" in body
    # Totals are computed over every order: three paid orders of 50.00.
    assert "150.00 EUR" in body
    assert 'aria-live="polite"' in body


def test_company_page_lists_current_and_past_people(admin: User, admin_client: Client) -> None:
    company = company_of(admin, domain="engines.example", industry="Machinery")
    fill_history(owner=admin, company=company, size=4)  # people 000 and 002 current, 001 and 003 past

    body = text(admin_client.get(f"/companies/{company.pk}/"))

    current, past = body.split("Past")
    assert "Person 000" in current
    assert "Person 002" in current
    assert "Person 001" in past
    assert "Person 003" in past
    assert "engines.example" in body
    assert "Machinery" in body
    assert 'id="people"' in body
    assert "Call 3" in body


def test_a_person_is_listed_by_their_employment_at_this_company(admin: User, admin_client: Client) -> None:
    here, elsewhere = company_of(admin, name="Here"), company_of(admin, name="Elsewhere")
    person = contact_of(admin, family_name="Mover")
    Employment.objects.create(contact=person, company=here, role="Former engineer", is_current=False)
    Employment.objects.create(contact=person, company=elsewhere, role="Director", is_current=True)

    body = text(admin_client.get(f"/companies/{here.pk}/"))

    people = body.split('id="people"')[1]
    assert "Nobody works here now." in people
    assert 'Past <span class="muted">(1)</span>' in people
    assert "Former engineer" in people
    assert "Director" not in people


def test_a_new_customer_shows_an_empty_state_in_every_panel(admin: User, admin_client: Client) -> None:
    contact = contact_of(admin)
    company = company_of(admin)

    contact_page = text(admin_client.get(f"/contacts/{contact.pk}/"))
    company_page = text(admin_client.get(f"/companies/{company.pk}/"))

    for body in (contact_page, company_page):
        assert "No history yet" in body
        assert "No deals yet" in body
        assert "No orders yet" in body
        assert "No open tasks" in body
    assert "Not linked to a company" in contact_page
    assert "No people recorded at this company yet" in company_page


def test_deal_and_purchase_totals_are_per_currency_and_count_paid_orders_only(
    admin: User, admin_client: Client
) -> None:
    contact = contact_of(admin)
    open_deal(contact, admin, amount="1000")
    open_deal(contact, admin, name="Second", amount="234.50")
    order_for(contact, total="100.00", when=at(1))
    order_for(contact, total="40.00", status="refunded", when=at(2))

    body = text(admin_client.get(f"/contacts/{contact.pk}/"))

    assert "1234.50 EUR" in body  # open pipeline value
    assert "100.00 EUR" in body  # total spend: the refunded order is no purchase
    assert "140.00 EUR" not in body
    assert "2 Mar 2026" in body  # the last purchase is the paid order's date
    assert "of 2</span>" in body  # one paid order of two


# ---------------------------------------------------------------- permissions


@pytest.fixture
def reps() -> tuple[User, User]:
    """alice (team East) and carol (team West), sales representatives."""
    alice, carol = make_user("alice", "sales_rep"), make_user("carol", "sales_rep")
    make_team("East", alice)
    make_team("West", carol)
    return alice, carol


CUSTOMER_PATHS = ("", "history/", "timeline/", "fields/job_title/", "fields/job_title/edit/", "actions/call/")


@pytest.mark.parametrize("suffix", CUSTOMER_PATHS)
def test_another_teams_private_contact_answers_404_on_every_path(
    reps: tuple[User, User], suffix: str
) -> None:
    alice, carol = reps
    private("contact")
    theirs = contact_of(carol)
    client = browser(alice)

    assert client.get(f"/contacts/{theirs.pk}/{suffix}").status_code == 404
    assert client.get(f"/contacts/{theirs.pk}/{suffix}", **HTMX).status_code == 404
    if suffix.startswith(("fields/job_title/", "actions/")) and not suffix.endswith("edit/"):
        response = client.post(f"/contacts/{theirs.pk}/{suffix}", {"value": "x", "version": 1}, **HTMX)
        assert response.status_code == 404
    assert Interaction.objects.count() == 0


def test_another_teams_company_answers_404(reps: tuple[User, User]) -> None:
    alice, carol = reps
    theirs = company_of(carol)  # the default (team) hides another team's records

    assert browser(alice).get(f"/companies/{theirs.pk}/").status_code == 404
    assert browser(carol).get(f"/companies/{theirs.pk}/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/contacts/999999/", "/companies/999999/history/", "/contacts/99999999999999999999/"]
)
def test_unknown_and_out_of_range_ids_answer_404(admin_client: Client, path: str) -> None:
    assert admin_client.get(path).status_code == 404


def test_a_role_that_may_not_view_contacts_gets_403() -> None:
    role = Role.objects.create(key="companies_only", name="Companies only", permissions={"company": ["view"]})
    user = User.objects.create_user(username="cora", role=role)
    contact = contact_of(user)
    company = company_of(user)
    client = browser(user)

    assert client.get(f"/contacts/{contact.pk}/").status_code == 403
    assert client.get(f"/contacts/{contact.pk}/history/").status_code == 403
    page = client.get(f"/companies/{company.pk}/")
    assert page.status_code == 200
    # The panels of the types the role may not view are left out, not shown empty.
    assert 'id="deals"' not in text(page)
    assert 'id="people"' not in text(page)


def test_related_items_are_each_scoped(reps: tuple[User, User]) -> None:
    """alice's contact, with carol's interaction, deal, order and task on it: alice sees only hers."""
    alice, carol = reps
    contact = contact_of(alice)
    for owner in (alice, carol):
        name = owner.username
        InteractionFactory.create(
            contacts=[contact], owner=owner, subject=f"Call by {name}", occurred_at=at(1)
        )
        open_deal(contact, owner, name=f"Deal of {name}")
        OrderFactory.create(contact=contact, owner=owner, number=f"SO-{name}", ordered_at=at(2))
        TaskFactory.create(contact=contact, assignee=owner, title=f"Task of {name}")

    body = text(browser(alice).get(f"/contacts/{contact.pk}/"))

    for visible in ("Call by alice", "Deal of alice", "SO-alice", "Task of alice"):
        assert visible in body
    for hidden in ("Call by carol", "Deal of carol", "SO-carol", "Task of carol"):
        assert hidden not in body


def test_people_the_user_may_not_see_are_left_out_of_a_company(reps: tuple[User, User]) -> None:
    alice, carol = reps
    company = company_of(alice)
    Employment.objects.create(company=company, contact=contact_of(alice, family_name="Visible"))
    Employment.objects.create(company=company, contact=contact_of(carol, family_name="Invisible"))

    body = text(browser(alice).get(f"/companies/{company.pk}/"))

    assert "Ada Visible" in body
    assert "Invisible" not in body
    assert 'Current <span class="muted">(1)</span>' in body


def test_hidden_fields_are_never_rendered() -> None:
    """The read-only role hides phones, annual revenue, deal amounts and order totals."""
    reader = make_user("reader", "read_only")
    contact = contact_of(reader, phones=[{"number": PHONE}])
    company = company_of(reader, annual_revenue=Decimal("98765.00"))
    open_deal(contact, reader, amount="7777")
    order_for(contact, total="123.45")
    contact_update(actor=SYSTEM, instance=contact, data={"phones": [{"number": "+14155550000"}]})
    client = browser(reader)

    contact_page = text(client.get(f"/contacts/{contact.pk}/"))
    company_page = text(client.get(f"/companies/{company.pk}/"))
    history = text(client.get(f"/contacts/{contact.pk}/history/"))

    assert "Engine upgrade" in contact_page  # the deal is there, without its amount
    # Amounts are looked for as rendered ("7777.00"): a bare "777" also matched the microseconds of a timestamp.
    for secret in ("+14155550000", PHONE, "7777.00", "123.45", "Phones", "Total spend", "Open value"):
        assert secret not in contact_page
    assert "98765.00" not in company_page
    assert "98,765.00" not in company_page
    assert "Annual revenue" not in company_page
    assert PHONE not in history
    assert "+14155550000" not in history
    assert "hidden" in history
    assert client.get(f"/contacts/{contact.pk}/fields/phones/edit/").status_code == 404


def test_a_user_who_may_not_edit_sees_values_without_editors() -> None:
    reader = make_user("reader", "read_only")
    contact = contact_of(reader, job_title="Countess")

    body = text(browser(reader).get(f"/contacts/{contact.pk}/"))

    assert "Countess" in body
    assert "c360-value" not in body
    assert "/fields/job_title/edit/" not in body


# ---------------------------------------------------------------- timeline


@pytest.fixture
def mixed_history(admin: User) -> tuple[object, dict[str, str]]:
    contact = contact_of(admin)
    InteractionFactory.create(contacts=[contact], subject="Phoned about engines", occurred_at=at(1))
    InteractionFactory.create(
        contacts=[contact], subject="Emailed the brochure", kind="email", channel="email", occurred_at=at(2)
    )
    TaskFactory.create(contact=contact, title="Send the quote", due_at=at(3))
    return contact, {
        "call": "Phoned about engines",
        "email": "Emailed the brochure",
        "task": "Send the quote",
    }


def test_timeline_filters_by_channel(
    admin_client: Client, mixed_history: tuple[object, dict[str, str]]
) -> None:
    contact, subjects = mixed_history
    pk = contact.pk  # type: ignore[attr-defined]

    partial = text(admin_client.get(f"/contacts/{pk}/timeline/?channel=email", **HTMX))
    page = text(admin_client.get(f"/contacts/{pk}/?channel=email"))
    page_timeline = page.split('id="timeline"')[1]  # the tasks panel lists the task whatever the filter

    for body in (partial, page_timeline):
        assert subjects["email"] in body
        assert subjects["call"] not in body
        assert subjects["task"] not in body
    assert "<html" not in partial
    assert '<option value="email" selected>' in page_timeline


def test_timeline_filters_by_type_and_says_when_nothing_matches(
    admin_client: Client, mixed_history: tuple[object, dict[str, str]]
) -> None:
    contact, subjects = mixed_history
    pk = contact.pk  # type: ignore[attr-defined]

    tasks_only = text(admin_client.get(f"/contacts/{pk}/timeline/?type=task", **HTMX))
    nothing = text(admin_client.get(f"/contacts/{pk}/timeline/?channel=video", **HTMX))

    assert subjects["task"] in tasks_only
    assert subjects["call"] not in tasks_only
    assert "Nothing in this contact" in nothing


def test_timeline_without_htmx_redirects_to_the_page(admin_client: Client, admin: User) -> None:
    contact = contact_of(admin)

    response = admin_client.get(f"/contacts/{contact.pk}/timeline/?channel=phone")

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/?channel=phone#timeline"


def test_timeline_loads_more_until_every_entry_was_shown_once(admin: User, admin_client: Client) -> None:
    contact = contact_of(admin)
    for minute in range(45):
        InteractionFactory.create(contacts=[contact], subject=f"Entry {minute:02d}", occurred_at=at(minute))

    seen: list[str] = []
    body = text(admin_client.get(f"/contacts/{contact.pk}/"))
    pages = 1
    while True:
        seen += re.findall(r"Entry \d\d", body)
        more = re.search(r'hx-get="(/contacts/\d+/timeline/\?cursor=[^"]+)"', body)
        if more is None:
            break
        body = text(admin_client.get(more.group(1).replace("&amp;", "&"), **HTMX))
        assert 'class="c360-entries"' not in body  # entries to append, not a new list
        pages += 1

    assert seen == [f"Entry {minute:02d}" for minute in reversed(range(45))]
    assert pages == 3


@pytest.mark.parametrize(
    "query", ["channel=fax", "type=invoice", "cursor=not-a-cursor", "cursor=eyJ4Ijox", "channel=%00"]
)
def test_malformed_timeline_queries_answer_400(admin: User, admin_client: Client, query: str) -> None:
    contact = contact_of(admin)

    assert admin_client.get(f"/contacts/{contact.pk}/?{query}").status_code == 400
    assert admin_client.get(f"/contacts/{contact.pk}/timeline/?{query}", **HTMX).status_code == 400


# ---------------------------------------------------------------- record history


def test_history_tab_lists_the_audit_trail_newest_first(admin: User, admin_client: Client) -> None:
    company = company_of(admin, industry="Looms")
    company_update(actor=SYSTEM, instance=company, data={"industry": "Engines"})

    response = admin_client.get(f"/companies/{company.pk}/history/")

    body = text(response)
    assert response.status_code == 200
    assert body.index("Changed") < body.index("Created")
    assert "Industry" in body
    assert "Looms" in body
    assert "Engines" in body
    assert 'aria-current="page">History' in body


def test_history_tab_pages_with_load_more(admin: User, admin_client: Client) -> None:
    contact = contact_of(admin)
    for number in range(30):
        contact = contact_update(actor=SYSTEM, instance=contact, data={"job_title": f"Title {number:02d}"})

    first = text(admin_client.get(f"/contacts/{contact.pk}/history/"))
    more = re.search(r'hx-get="(/contacts/\d+/history/\?cursor=[^"]+)"', first)
    assert more is not None
    rest = text(admin_client.get(more.group(1), **HTMX))

    assert "Title 29" in first
    assert "Title 00" not in first
    assert "Title 00" in rest
    assert "Created" in rest
    assert "<html" not in rest
    assert "Load older changes" not in rest
    assert admin_client.get(f"/contacts/{contact.pk}/history/?cursor=garbage").status_code == 400


def test_methods_other_than_get_are_refused_on_read_only_paths(admin: User, admin_client: Client) -> None:
    contact = contact_of(admin)

    assert admin_client.post(f"/contacts/{contact.pk}/").status_code == 405
    assert admin_client.post(f"/contacts/{contact.pk}/history/").status_code == 405
    assert Deal.objects.count() == 0
