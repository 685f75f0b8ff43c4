"""The home page ("my day"): what it shows, to whom, and at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.access.models import SharingDefault
from accord.users.models import User
from accord.web.tests import builders as b

pytestmark = pytest.mark.django_db

# A Wednesday in the middle of a month, so that "overdue", "this month" and "last month" are all real.
NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
# The most queries the page may take: session, user, role and access rules (4); tasks: counts, rows and
# the contact, company, deal and lead they name (6); deals closing: rows and companies (2); interactions:
# rows, deals, companies and people (4); key figures: per stage and per month (2).
QUERY_BUDGET = 18


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def stages() -> dict[str, b.Stage]:
    return b.make_pipeline()


@pytest.fixture
def rita() -> User:
    return b.make_user("rita", first_name="Rita")


@pytest.fixture
def carol() -> User:
    """A representative of another team: under the default (team) sharing, rita sees none of her records."""
    return b.make_user("carol")


def text_of(response: object) -> str:
    """The page's text without tags, with whitespace collapsed, for assertions on what a reader sees."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_new_user_sees_helpful_empty_states(stages: dict[str, b.Stage], rita: User) -> None:
    response = b.browser(rita).get("/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Good day, Rita" in text
    assert "No open tasks: you are all caught up." in text
    assert "None of your open deals is expected to close in March." in text
    assert "No calls, emails or meetings on your records in the last 30 days." in text
    assert "Nothing in your pipeline yet" in text
    assert 'href="/deals/board/"' in response.content.decode()


def test_my_tasks_earliest_due_first_with_overdue_highlighted(
    stages: dict[str, b.Stage], rita: User, carol: User
) -> None:
    b.task("Call back Ada", rita, due=NOW - dt.timedelta(days=2))
    b.task("Send the quote", rita, due=NOW + dt.timedelta(days=1))
    b.task("Someday", rita)
    b.task("Already done", rita, due=NOW - dt.timedelta(days=5), status="done", completed_at=NOW)
    b.task("Carol's task", carol, due=NOW - dt.timedelta(days=1))

    response = b.browser(rita).get("/")

    html = response.content.decode()
    assert html.index("Call back Ada") < html.index("Send the quote") < html.index("Someday")
    assert "Already done" not in html
    assert "Carol&#x27;s task" not in html
    assert "Carol's task" not in html
    text = text_of(response)
    assert "3 open, 1 overdue" in text
    assert "Overdue: due Mon 16 Mar, 12:00" in text
    assert html.count('class="row is-overdue"') == 1


def test_a_task_names_its_record_only_when_i_may_see_it(
    stages: dict[str, b.Stage], rita: User, carol: User
) -> None:
    mine = b.contact("Ada", "Lovelace", rita)
    hidden = b.contact("Grace", "Hopper", carol)
    b.task("About Ada", rita, due=NOW, contact_id=mine.pk)
    # Carol's contact cannot be referenced by rita, but Accord itself may file a task under it.
    b.task("About someone else", rita, due=NOW, contact_id=hidden.pk)

    html = b.browser(rita).get("/").content.decode()

    assert f'<a href="/contacts/{mine.pk}/">Ada Lovelace</a>' in html
    assert "About someone else" in html
    assert "Hopper" not in html
    assert f"/contacts/{hidden.pk}/" not in html


def test_my_deals_closing_this_month(stages: dict[str, b.Stage], rita: User, carol: User) -> None:
    acme = b.company("Acme", rita)
    b.deal("Late one", rita, stages["Qualify"], closes=TODAY - dt.timedelta(days=3), company_id=acme.pk)
    b.deal("Soon", rita, stages["Propose"], closes=TODAY + dt.timedelta(days=5), amount="2500.00")
    b.deal("Next month", rita, stages["Qualify"], closes=dt.date(2026, 4, 2))
    b.deal("Already won", rita, stages["Won"], closes=TODAY)
    b.deal("Carol's", carol, stages["Qualify"], closes=TODAY)

    response = b.browser(rita).get("/")

    html = response.content.decode()
    text = text_of(response)
    assert html.index("Late one") < html.index("Soon")
    closing_panel = text.split("My deals closing")[1].split("Recent interactions")[0]
    assert "Next month" not in closing_panel
    assert "Already won" not in closing_panel
    assert "Carol&#x27;s" not in html
    assert "Expected 15 Mar, now past" in text
    assert "2,500.00 EUR" in text
    assert f'<a href="/companies/{acme.pk}/">Acme</a>' in html


def test_key_figures_open_value_weighted_forecast_and_won_this_month(
    stages: dict[str, b.Stage], rita: User, carol: User
) -> None:
    b.deal("A", rita, stages["Qualify"], amount="1000.00")  # weighted 100
    b.deal("B", rita, stages["Propose"], amount="3000.00")  # weighted 1,500
    won_now = b.deal("C", rita, stages["Won"], amount="700.00")
    won_before = b.deal("D", rita, stages["Won"], amount="400.00")
    b.closed_on([won_now], NOW - dt.timedelta(days=1))
    b.closed_on([won_before], dt.datetime(2026, 1, 20, tzinfo=dt.UTC))
    b.deal("Lost", rita, stages["Lost"], amount="9000.00", lost_reason="Price")
    b.deal("Carol's", carol, stages["Propose"], amount="50000.00")

    response = b.browser(rita).get("/")

    text = text_of(response)
    assert "Open pipeline 4,000.00 EUR 2 open deals" in text
    assert "Weighted forecast 1,600.00 EUR" in text
    assert "Won this month 700.00 EUR 1 deal won" in text
    # The charts' numbers, for screen readers: per stage and per month.
    assert "Qualify 1 1,000.00 10% 100.00" in text
    assert "Propose 1 3,000.00 50% 1,500.00" in text
    assert "January 2026 1 400.00" in text
    assert "March 2026 1 700.00" in text
    assert "October 2025 0 0.00" in text
    html = response.content.decode()
    assert html.count('<rect class="bar-weighted"') == 2
    assert "<svg" in html
    assert 'aria-hidden="true"' in html


def test_amounts_in_another_currency_are_never_added_to_the_main_one(
    stages: dict[str, b.Stage], rita: User
) -> None:
    b.deal("Euro", rita, stages["Qualify"], amount="1000.00")
    b.deal("Dollar", rita, stages["Qualify"], amount="500.00", currency="USD")

    text = text_of(b.browser(rita).get("/"))

    assert "Open pipeline 1,000.00 EUR 1 open deal" in text
    assert "USD 1 500.00 50.00 0.00" in text


def test_a_role_that_may_not_see_deal_amounts_sees_counts_only(stages: dict[str, b.Stage]) -> None:
    reader = b.make_user("reader", "read_only")
    b.deal("Quiet deal", reader, stages["Propose"], amount="123456.78", closes=TODAY)
    b.closed_on([b.deal("Won quietly", reader, stages["Won"], amount="98765.43")], NOW)

    response = b.browser(reader).get("/")

    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "Quiet deal" in html
    for secret in ("123", "456.78", "98", "765.43", "Weighted forecast", "EUR"):
        assert secret not in text, secret
    assert "Open pipeline 1 open deal" in text
    assert "Won this month 1 deal won" in text
    assert "Qualify" not in text
    assert "Propose 1" in text


def test_stages_are_named_with_their_pipeline_only_for_roles_that_may_see_pipelines(
    stages: dict[str, b.Stage], rita: User
) -> None:
    partner = b.make_user("pat", "external_partner")  # deals yes, pipelines no
    renewals = b.make_pipeline("Renewals", is_default=False)
    for owner in (rita, partner):
        b.deal("New", owner, stages["Qualify"])
        b.deal("Renewal", owner, renewals["Propose"])

    assert "New business · Qualify 1" in text_of(b.browser(rita).get("/"))
    partner_text = text_of(b.browser(partner).get("/"))
    assert "Qualify 1" in partner_text
    assert "Renewals" not in partner_text
    assert "New business" not in partner_text


def test_a_role_without_deals_or_tasks_sees_only_what_it_may(stages: dict[str, b.Stage]) -> None:
    marketer = b.make_user("mara", "marketer")  # no deals; tasks and interactions yes
    b.deal("Invisible", marketer, stages["Qualify"], closes=TODAY)

    response = b.browser(marketer).get("/")

    assert response.status_code == 200
    text = text_of(response)
    assert "My deals closing" not in text
    assert "Open pipeline" not in text
    assert "Invisible" not in text
    assert "My open tasks" in text
    assert "Recent interactions on my records" in text


def test_a_user_without_a_role_gets_a_page_not_an_error(stages: dict[str, b.Stage]) -> None:
    nobody = User.objects.create_user("nobody", password=b.PASSWORD)
    text = text_of(b.browser(nobody).get("/"))
    assert "Your role does not include tasks, deals or interactions" in text


def test_recent_interactions_on_my_records(stages: dict[str, b.Stage], rita: User, carol: User) -> None:
    bob = b.make_user("bob")
    b.make_team("East", rita, bob)
    ada = b.contact("Ada", "Lovelace", rita)
    acme = b.company("Acme", rita)
    carols_deal = b.deal("Carol's deal", carol, stages["Qualify"])
    my_deal = b.deal("My deal", rita, stages["Qualify"])
    b.interaction("Met Ada", bob, at=NOW - dt.timedelta(hours=2), contact_ids=[ada.pk])
    b.interaction("Acme call", bob, at=NOW - dt.timedelta(days=1), company_id=acme.pk)
    # An interaction on a deal follows the deal, whoever logged it.
    b.interaction("On my deal", carol, at=NOW - dt.timedelta(days=2), deal_id=my_deal.pk)
    b.interaction("Logged by me", rita, at=NOW - dt.timedelta(days=3))
    b.interaction("Bob on his own", bob, at=NOW)
    b.interaction("Too old", rita, at=NOW - dt.timedelta(days=31))
    b.interaction("Scheduled", rita, at=NOW + dt.timedelta(days=1))
    b.interaction("Carol's deal call", carol, at=NOW, deal_id=carols_deal.pk)
    # On my contact, but logged by someone of another team without a deal: not visible to me.
    b.interaction("Carol met Ada", carol, at=NOW, contact_ids=[ada.pk])

    response = b.browser(rita).get("/")

    html = response.content.decode()
    order = ["Met Ada", "Acme call", "On my deal", "Logged by me"]
    positions = [html.index(subject) for subject in order]
    assert positions == sorted(positions)
    for absent in ("Bob on his own", "Too old", "Scheduled", "Carol&#x27;s deal call", "Carol met Ada"):
        assert absent not in html
    assert f'<a href="/contacts/{ada.pk}/">Ada Lovelace</a>' in html
    assert f'<a href="/companies/{acme.pk}/">Acme</a>' in html
    assert f'<a href="/deals/{my_deal.pk}/">My deal</a>' in html


def test_records_shared_by_the_default_of_a_team_are_not_mine(stages: dict[str, b.Stage], rita: User) -> None:
    """ "My" day is what I own: a teammate's task, deal and interaction stay on their home page."""
    bob = b.make_user("bob")
    b.make_team("East", rita, bob)
    SharingDefault.objects.update_or_create(object_type="deal", defaults={"visibility": "public_read"})
    b.task("Bob's task", bob, due=NOW)
    b.deal("Bob's deal", bob, stages["Qualify"], closes=TODAY)
    b.interaction("Bob's call", bob, at=NOW)

    html = b.browser(rita).get("/").content.decode()

    assert "Bob&#x27;s" not in html


def _populate(rows: int, rita: User, stages: dict[str, b.Stage]) -> None:
    """``rows`` of everything the page lists, each with every link it can show."""
    ada = b.contact("Ada", "Lovelace", rita)
    acme = b.company("Acme", rita)
    lee = b.lead("Lee", "Jones", rita)
    for index in range(rows):
        my_deal = b.deal(f"Deal {index}", rita, stages["Propose"], closes=TODAY, company_id=acme.pk)
        links = {"contact_id": ada.pk, "company_id": acme.pk, "deal_id": my_deal.pk, "lead_id": lee.pk}
        b.task(f"Task {index}", rita, due=NOW - dt.timedelta(hours=index), **links)
        b.interaction(
            f"Call {index}", rita, at=NOW, contact_ids=[ada.pk], company_id=acme.pk, deal_id=my_deal.pk
        )
        b.closed_on([b.deal(f"Won {index}", rita, stages["Won"], currency="USD")], NOW)


def _queries_of_home(client: Client) -> int:
    client.get("/")  # the first request after signing in reads the session differently
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["sales_rep", "read_only", "administrator"])
def test_the_page_takes_the_same_number_of_queries_with_3_rows_as_with_30(
    stages: dict[str, b.Stage], role: str, django_assert_max_num_queries: object
) -> None:
    rita = b.make_user("rita", role)
    client = b.browser(rita)
    _populate(3, rita, stages)
    with_three = _queries_of_home(client)
    _populate(27, rita, stages)
    with_thirty = _queries_of_home(client)

    assert with_three == with_thirty
    with django_assert_max_num_queries(QUERY_BUDGET):  # type: ignore[operator]
        client.get("/")


def test_only_get(rita: User) -> None:
    assert b.browser(rita).post("/").status_code == 405
