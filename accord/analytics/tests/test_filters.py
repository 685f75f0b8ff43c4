"""Contacts filtered by their value scores, in the API and the web list, and the optional score columns."""

from __future__ import annotations

import re
import typing

import pytest

from accord.access.models import SharingDefault
from accord.analytics.models import ChurnRisk, RfmSegment, ValueTier
from accord.analytics.tests.scores import make_run, make_score
from accord.analytics.tests.test_api import api_as
from accord.core.tests.list_checks import shown_ids, signed_in
from accord.customers import schemas
from accord.users.models import User
from accord.web.tests.builders import contact, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(user: User) -> dict[str, int]:
    """Three contacts with scores and one without."""
    run = make_run()
    people = {name: contact(name, "Test", user) for name in ("ann", "bo", "cy", "dee")}
    make_score(
        people["ann"],
        run,
        rfm_segment="champions",
        value_tier="strategic",
        churn_risk="low",
        lifetime_value="900.00",
        probability_alive=0.95,
    )
    make_score(
        people["bo"],
        run,
        rfm_segment="at_risk",
        value_tier="profitable",
        churn_risk="high",
        lifetime_value="300.00",
        probability_alive=0.2,
    )
    make_score(
        people["cy"],
        run,
        rfm_segment="champions",
        value_tier="marginal",
        churn_risk="medium",
        lifetime_value="40.00",
        probability_alive=0.5,
    )
    return {name: person.pk for name, person in people.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rfm_segment=champions", {"ann", "cy"}),
        ("value_tier=profitable", {"bo"}),
        ("churn_risk=high", {"bo"}),
        ("min_lifetime_value=300", {"ann", "bo"}),
        ("min_probability_alive=0.5", {"ann", "cy"}),
        ("rfm_segment=champions&min_probability_alive=0.9", {"ann"}),
        ("", {"ann", "bo", "cy", "dee"}),
    ],
)
def test_api_filters_contacts_by_scores(
    api_client, scored: dict[str, int], query: str, expected: set[str]
) -> None:
    response = api_client.get(f"/contacts?{query}")
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == {scored[name] for name in expected}


@pytest.mark.parametrize(
    "query", ["rfm_segment=vip", "churn_risk=extreme", "min_probability_alive=2", "min_lifetime_value=lots"]
)
def test_api_refuses_bad_score_filters(api_client, scored: dict[str, int], query: str) -> None:
    assert api_client.get(f"/contacts?{query}").status_code == 422


def test_api_list_items_carry_the_scores(api_client, scored: dict[str, int]) -> None:
    items = {item["id"]: item for item in api_client.get("/contacts?limit=10").json()["items"]}
    ann, dee = items[scored["ann"]], items[scored["dee"]]
    assert (ann["rfm_segment"], ann["lifetime_value"], ann["churn_risk"], ann["probability_alive"]) == (
        "champions",
        "900.00",
        "low",
        0.95,
    )
    assert (dee["rfm_segment"], dee["lifetime_value"], dee["churn_risk"], dee["probability_alive"]) == (
        None,
        None,
        None,
        None,
    )


def test_web_list_filters_by_scores_and_shows_score_columns(user: User, scored: dict[str, int]) -> None:
    client = signed_in(user)
    response = client.get(
        "/contacts/?rfm_segment=champions&columns=name&columns=segment&columns=lifetime_value"
        "&columns=churn_risk&columns=probability_alive"
    )
    assert shown_ids(response) == {scored["ann"], scored["cy"]}
    page = response.content.decode()
    headers = re.findall(r'<th scope="col">\s*([^<]+?)\s*</th>', page)
    assert headers == ["Segment", "Lifetime value", "Churn risk", "P(alive)"]  # after the sortable Name
    for text in ("<td>Champions</td>", "<td>900.00</td>", "<td>95%</td>", "<td>Medium</td>", "<td>50%</td>"):
        assert text in page
    # The form offers the score filters, with the segment's labels
    assert 'name="min_probability_alive"' in page
    assert '<option value="champions" selected>' in page
    assert shown_ids(client.get("/contacts/?churn_risk=high")) == {scored["bo"]}
    assert client.get("/contacts/?min_probability_alive=7").status_code == 400


def test_score_columns_are_optional(user: User, scored: dict[str, int]) -> None:
    page = signed_in(user).get("/contacts/").content.decode()
    assert "Segment" not in re.findall(r'<th scope="col">\s*([^<]+?)\s*</th>', page)


def test_the_api_schemas_literals_match_the_score_choices() -> None:
    # The API's input and output schemas spell the values as literals (as for every choice field)
    assert list(typing.get_args(schemas.RfmSegmentValue)) == RfmSegment.values
    assert list(typing.get_args(schemas.ValueTierValue)) == ValueTier.values
    assert list(typing.get_args(schemas.ChurnRiskValue)) == ChurnRisk.values


def test_roles_without_order_totals_neither_see_nor_filter_by_lifetime_value(
    user: User, scored: dict[str, int]
) -> None:
    # Given a read-only user (order totals hidden) who sees every contact
    SharingDefault.objects.update_or_create(object_type="contact", defaults={"visibility": "public_read"})
    reader = make_user("reader", "read_only")
    client = api_as(reader)
    # When they list contacts through the API, with and without a lifetime value filter
    items = client.get("/api/v1/contacts?limit=10").json()["items"]
    filtered = client.get("/api/v1/contacts?limit=10&min_lifetime_value=300").json()["items"]
    # Then no item carries a lifetime value, and the filter does not exist for them (no answer to infer from)
    assert all("lifetime_value" not in item for item in items)
    assert {item["rfm_segment"] for item in items} == {"champions", "at_risk", None}
    assert [item["id"] for item in filtered] == [item["id"] for item in items]
    # And the web list offers neither the column nor the filter, and ignores both in the address
    page = signed_in(reader).get("/contacts/?columns=name&columns=lifetime_value&min_lifetime_value=300")
    html = page.content.decode()
    assert "Lifetime value" not in re.findall(r'<th scope="col">\s*([^<]+?)\s*</th>', html)
    assert 'name="min_lifetime_value"' not in html
    assert shown_ids(page) == set(scored.values())
