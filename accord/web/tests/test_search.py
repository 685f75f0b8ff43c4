"""Global search: the header's popup (htmx) and the search page, grouped by type, within what the user sees."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.users.models import User
from accord.web.tests import builders as b

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "global-search-results"}
QUERY_BUDGET = 7  # session, user, role, access rules, and at most three search tiers


@pytest.fixture
def rita() -> User:
    return b.make_user("rita")


@pytest.fixture
def carol() -> User:
    """Another team's representative: with contacts private to a team, rita sees none of hers."""
    return b.make_user("carol")


def result_links(html: str) -> list[str]:
    return re.findall(r'<a class="search-hit" href="([^"]+)"', html)


def group_headings(html: str) -> list[str]:
    return re.findall(r'<div class="search-group-heading" id="[^"]+">([^<]+)</div>', html)


@pytest.fixture
def records(rita: User) -> dict[str, object]:
    stages = b.make_pipeline()
    return {
        "deal": b.deal("Zephyr renewal", rita, stages["Qualify"]),
        "lead": b.lead("Zephyr", "Lead", rita),
        "contact": b.contact("Zoe", "Zephyr", rita),
        "company": b.company("Zephyr Industries", rita),
    }


def test_the_popup_groups_hits_by_type_and_links_each_to_its_page(
    rita: User, records: dict[str, object]
) -> None:
    response = b.browser(rita).get("/search/", {"q": "zephyr"}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment for the popup
    assert group_headings(html) == ["Companies", "Contacts", "Leads", "Deals"]
    pk = {kind: record.pk for kind, record in records.items()}  # type: ignore[attr-defined]
    assert result_links(html) == [
        f"/companies/{pk['company']}/",
        f"/contacts/{pk['contact']}/",
        f"/leads/{pk['lead']}/convert/",
        f"/deals/{pk['deal']}/",
    ]
    assert 'href="/search/?q=zephyr"' in html  # see all results
    assert "4 results for zephyr; use the arrow keys to move through them." in html


def test_the_page_shows_the_same_groups_inside_the_layout(rita: User, records: dict[str, object]) -> None:
    response = b.browser(rita).get("/search/", {"q": "Zephyr"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'id="search-page-input"' in html
    assert 'value="Zephyr"' in html
    assert group_headings(html) == ["Companies", "Contacts", "Leads", "Deals"]
    assert len(result_links(html)) == 4
    assert "4 results for “Zephyr”" in html


def test_an_empty_query_gives_an_empty_popup_and_a_bare_page(rita: User) -> None:
    client = b.browser(rita)
    for query in ({}, {"q": ""}, {"q": "   "}, {"q": "\x00"}):
        popup = client.get("/search/", query, headers=HTMX)
        assert popup.status_code == 200
        assert popup.content == b""
    page = client.get("/search/")
    assert page.status_code == 200
    assert "Type a name, an email, a phone number or a domain" in page.content.decode()


def test_no_hit_says_so(rita: User, records: dict[str, object]) -> None:
    client = b.browser(rita)
    assert "No company, contact, lead or deal matches “nothing-like-it”" in (
        client.get("/search/", {"q": "nothing-like-it"}, headers=HTMX).content.decode()
    )
    assert (
        "Nothing matches “nothing-like-it”"
        in client.get("/search/", {"q": "nothing-like-it"}).content.decode()
    )


def test_records_i_may_not_see_are_not_found(rita: User, carol: User, records: dict[str, object]) -> None:
    b.contact("Zed", "Zephyr-Hidden", carol)
    b.company("Zephyr Hidden Corp", carol)

    for extra in ({}, HTMX):
        html = b.browser(rita).get("/search/", {"q": "zephyr"}, headers=extra).content.decode()
        assert "Hidden" not in html
        assert len(result_links(html)) == 4


def test_a_role_sees_only_the_types_it_may_view(rita: User, records: dict[str, object]) -> None:
    agent = b.make_user("agent", "support_agent")  # companies and contacts, but no leads or deals
    b.make_team("East", rita, agent)

    html = b.browser(agent).get("/search/", {"q": "zephyr"}, headers=HTMX).content.decode()

    assert group_headings(html) == ["Companies", "Contacts"]


def test_hostile_queries_are_answered_not_failed(rita: User, records: dict[str, object]) -> None:
    client = b.browser(rita)
    queries = [
        "zephyr" + "x" * 5000,
        "\x00zephyr\x00",
        "' OR 1=1 --",
        '"unbalanced',
        "%_\\",
        "zephyr*",
        "<script>alert(1)</script>",
        "\U0001d537\U0001d522 \u2603 \u200b",
        "+1 (415) 555",
        "a.b@",
        "NEAR AND OR NOT",
    ]
    for query in queries:
        for extra in ({}, HTMX):
            response = client.get("/search/", {"q": query}, headers=extra)
            assert response.status_code == 200, query
            assert "<script>alert" not in response.content.decode()


def test_an_over_long_query_is_cut_and_the_page_says_so(rita: User, records: dict[str, object]) -> None:
    response = b.browser(rita).get("/search/", {"q": "zephyr " + "y" * 500})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only the first 200 characters were searched." in html
    assert 'maxlength="200"' in html


def test_only_get(rita: User) -> None:
    assert b.browser(rita).post("/search/", {"q": "x"}).status_code == 405


def test_signed_out_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/search/", {"q": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def _queries_of_search(client: Client, query: str, extra: dict[str, str]) -> int:
    # The first request after signing in reads the session differently.
    client.get("/search/", {"q": query}, headers=extra)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/search/", {"q": query}, headers=extra).status_code == 200
    return len(captured)


@pytest.mark.parametrize("extra", [{}, HTMX], ids=["page", "popup"])
def test_the_same_number_of_queries_with_3_hits_per_type_as_with_30(
    rita: User, extra: dict[str, str], django_assert_max_num_queries: object
) -> None:
    """ "ephyr" is found by the last tier only (no name or word starts with it), so every tier runs
    whatever the number of hits: the count cannot hide a query per row. A prefix that fills the page
    stops after the first tier, so more hits never cost more queries."""
    stages = b.make_pipeline()
    client = b.browser(rita)

    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            b.company(f"Zephyr {index}", rita)
            b.contact("Zoe", f"Zephyr {index}", rita)
            b.lead("Zephyr", f"Lead {index}", rita)
            b.deal(f"Zephyr deal {index}", rita, stages["Qualify"])

    add(3, 0)
    with_three = _queries_of_search(client, "ephyr", extra)
    prefix_with_three = _queries_of_search(client, "zephyr", extra)
    add(27, 3)
    with_thirty = _queries_of_search(client, "ephyr", extra)
    prefix_with_thirty = _queries_of_search(client, "zephyr", extra)

    assert with_three == with_thirty
    assert prefix_with_thirty <= prefix_with_three
    with django_assert_max_num_queries(QUERY_BUDGET):  # type: ignore[operator]
        response = client.get("/search/", {"q": "ephyr"}, headers=extra)
    assert len(result_links(response.content.decode())) == (20 if extra else 50)
