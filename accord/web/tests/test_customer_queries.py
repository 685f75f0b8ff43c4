"""The 360 pages cost a fixed number of queries whatever the size of the customer's history.

Each test runs with 3 and with 30 rows of every related kind (interactions, open and won deals with
their stage changes, orders, tasks and, for a company, people) and asserts the same exact count for
both: a count that grew with the rows would fail one of the two. The counts include the session, the
user and the role (3) and the user's teams, defaults and shares (1), read by every signed-in request.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accord.customers.models import Company, Contact, Employment
from accord.users.models import User
from accord.web.tests.builders import HTMX, browser, make_user
from accord.web.tests.customer_fixtures import company_of, contact_of, fill_history, pipeline

pytestmark = pytest.mark.django_db

SIZES = [3, 30]

# Request (4) + the customer with its emails, phones, tags and employments (5) + custom fields (1) + owner (1)
# + related companies (1) + timeline (4 sources) + deals (3) + orders (2) + tasks (2).
CONTACT_PAGE = 25  # with the value-scores panel: the contact's scores, then the latest run when it has none
# Request (4) + the company with its tags (2) + custom fields (1) + owner (1) + parent (0: none) + timeline
# (5 sources) + deals (3) + orders (2) + tasks (2) + people (3).
COMPANY_PAGE = 23
# Request (4) + the customer (5 for a contact, 2 for a company) + one query per timeline source (a channel
# filter reads the interactions only).
CONTACT_TIMELINE = 4 + 5 + 4
CONTACT_TIMELINE_ONE_CHANNEL = 4 + 5 + 1
COMPANY_TIMELINE = 4 + 2 + 5
# Request (4) + the customer (5) + related companies (1) + custom fields (1) + the audit page (visibility
# check 1, entries with their authors 1).
CONTACT_HISTORY = 4 + 5 + 1 + 1 + 2
# Request (4) + the customer (5) + custom fields (1) + the user directory (1) + the current owner (1).
OWNER_EDITOR = 4 + 5 + 1 + 1 + 1
# Request (4) + the customer (5) + pipelines with their stages (2).
DEAL_FORM = 4 + 5 + 2


@pytest.fixture
def world(request: pytest.FixtureRequest) -> tuple[Client, Contact, Company]:
    """A sales representative's contact and company, each with ``size`` rows of every related kind."""
    size: int = request.param
    pipeline()
    rep: User = make_user("rita", "sales_rep")
    contact = contact_of(rep, emails=[{"email": "ada@example.com"}], phones=[{"number": "+14155552671"}])
    company = company_of(rep)
    Employment.objects.create(contact=contact, company=company, role="Countess")
    fill_history(owner=rep, contact=contact, size=size)
    fill_history(owner=rep, company=company, size=size)
    client = browser(rep)
    client.get("/")  # the session is read once before, as in a browser already signed in
    return client, contact, company


def _get(client: Client, path: str, **headers: Any) -> Any:
    response = client.get(path, **headers)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("world", SIZES, indirect=True)
def test_contact_page(world: tuple[Client, Contact, Company], django_assert_num_queries: Any) -> None:
    client, contact, _ = world
    with django_assert_num_queries(CONTACT_PAGE):
        _get(client, f"/contacts/{contact.pk}/")


@pytest.mark.parametrize("world", SIZES, indirect=True)
def test_company_page(world: tuple[Client, Contact, Company], django_assert_num_queries: Any) -> None:
    client, _, company = world
    with django_assert_num_queries(COMPANY_PAGE):
        _get(client, f"/companies/{company.pk}/")


@pytest.mark.parametrize("world", SIZES, indirect=True)
def test_timeline_pages(world: tuple[Client, Contact, Company], django_assert_num_queries: Any) -> None:
    client, contact, company = world
    first = _get(client, f"/contacts/{contact.pk}/timeline/", **HTMX).content.decode()
    cursor = first.split("cursor=")[1].split('"')[0] if "cursor=" in first else ""
    with django_assert_num_queries(CONTACT_TIMELINE_ONE_CHANNEL):
        _get(client, f"/contacts/{contact.pk}/timeline/?channel=phone", **HTMX)
    with django_assert_num_queries(CONTACT_TIMELINE):
        _get(client, f"/contacts/{contact.pk}/timeline/?cursor={cursor}", **HTMX)
    with django_assert_num_queries(COMPANY_TIMELINE):
        _get(client, f"/companies/{company.pk}/timeline/", **HTMX)


@pytest.mark.parametrize("world", SIZES, indirect=True)
def test_history_tab(world: tuple[Client, Contact, Company], django_assert_num_queries: Any) -> None:
    client, contact, _ = world
    with django_assert_num_queries(CONTACT_HISTORY):
        _get(client, f"/contacts/{contact.pk}/history/")


@pytest.mark.parametrize("world", SIZES, indirect=True)
def test_inline_editor_and_quick_action_form(
    world: tuple[Client, Contact, Company], django_assert_num_queries: Any
) -> None:
    client, contact, _ = world
    with django_assert_num_queries(OWNER_EDITOR):
        _get(client, f"/contacts/{contact.pk}/fields/owner_id/edit/", **HTMX)
    with django_assert_num_queries(DEAL_FORM):
        _get(client, f"/contacts/{contact.pk}/actions/deal/", **HTMX)
