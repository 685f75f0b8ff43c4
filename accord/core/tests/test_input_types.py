"""Values must have the type the OpenAPI schema gives them; pydantic's lenient conversions are refused.

Found by tests/test_schemathesis.py (negative data accepted): a number read as seconds since 1970, 0 or
"yes" read as a boolean, "60" read as a number in a JSON body.
"""

from typing import Any

import pytest

from accord.core.schemas import NUL_MESSAGE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "/deals?updated_before=0.5",
        "/companies?created_after=1700000000",
        "/tasks?due_before=5",
        "/interactions?occurred_after=12",
        "/deals?expected_close_after=0",
        "/audit?occurred_before=1",
    ],
)
def test_dates_in_query_strings_are_iso_8601_text_not_seconds(api_client, query: str) -> None:
    response = api_client.get(query)
    assert response.status_code == 422, response.content
    [(field, messages)] = response.json()["error"]["fields"].items()
    assert field == query.split("?")[1].split("=")[0]
    assert messages == ["Use ISO 8601, e.g. 2026-03-01 or 2026-03-01T09:30:00+01:00."]


@pytest.mark.parametrize(
    "query", ["/deals?updated_before=2026-03-01T00:00:00Z", "/tasks?due_before=2026-03-01T09:30:00Z"]
)
def test_iso_dates_in_query_strings_still_filter(api_client, query: str) -> None:
    assert api_client.get(query).status_code == 200


@pytest.mark.parametrize("value", ["0", "1", "yes", "on", "t"])
def test_booleans_in_query_strings_are_true_or_false(api_client, value: str) -> None:
    response = api_client.get(f"/tasks?overdue={value}")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"overdue": ["Use true or false."]}
    assert api_client.get(f"/products?is_active={value}").status_code == 422


@pytest.mark.parametrize("value", ["true", "false"])
def test_true_and_false_still_filter(api_client, value: str) -> None:
    assert api_client.get(f"/tasks?overdue={value}").status_code == 200
    assert api_client.get(f"/pipelines?is_default={value}").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/products", {"name": "P", "sku": "P-1", "unit_price": "5", "is_active": 0}, "is_active"),
        (
            "/custom-fields",
            {"object_type": "deal", "key": "k", "label": "K", "field_type": "text", "is_required": "yes"},
            "is_required",
        ),
        ("/roles", {"key": "r", "name": "R", "is_external": 1}, "is_external"),
        ("/tasks", {"title": "T", "assignee_id": "1"}, "assignee_id"),
        ("/tasks", {"title": "T", "due_at": 1700000000}, "due_at"),
        (
            "/interactions",
            {
                "kind": "call",
                "channel": "phone",
                "occurred_at": "2026-03-01T09:30:00Z",
                "duration_seconds": "60",
            },
            "duration_seconds",
        ),
        ("/deals", {"name": "D", "expected_close_date": 0}, "expected_close_date"),
        ("/pipelines", {"name": "P", "stages": [{"name": "S", "probability": "50"}]}, "stages.0.probability"),
    ],
)
def test_body_values_have_their_json_type(api_client, path: str, body: dict, field: str) -> None:
    response = api_client.post(path, body)
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == [field]


def test_dates_and_decimals_arrive_as_text_in_bodies(api_client) -> None:
    pipeline = {"name": "Sales", "is_default": True, "stages": [{"name": "New", "probability": 10}]}
    assert api_client.post("/pipelines", pipeline).status_code == 201
    deal = {"name": "D", "amount": "100.50", "expected_close_date": "2026-03-01"}
    assert api_client.post("/deals", deal).status_code == 201
    product = {"name": "P", "sku": "P-1", "unit_price": 5}
    assert api_client.post("/products", product).status_code == 201
    task = {"title": "T", "due_at": "2026-03-01T09:30:00+01:00"}
    assert api_client.post("/tasks", task).status_code == 201


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/companies/count?domain=a%00b", "domain"),
        ("/search?q=a%00", "q"),
        ("/deals?currency=%00", "currency"),
        ("/contacts?cf.a%00=1", "cf.a\x00"),
    ],
)
def test_nul_characters_in_query_strings_are_refused(api_client, query: str, field: str) -> None:
    # PostgreSQL cannot compare text holding NUL: it was a 500 there, and SQLite answered.
    response = api_client.get(query)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {field: [NUL_MESSAGE]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a\x00b"}, "name"),
        ({"name": "A", "tags": ["ok", "b\x00"]}, "tags"),
        ({"name": "A", "custom_fields": {"k\x00": "v"}}, "custom_fields"),
    ],
)
def test_nul_characters_in_bodies_are_refused(api_client, body: dict, field: str) -> None:
    response = api_client.post("/companies", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {field: [NUL_MESSAGE]}


def test_nul_characters_in_nested_bodies_name_the_nested_field(api_client) -> None:
    response = api_client.post("/contacts", {"family_name": "A", "emails": [{"email": "a\x00@example.com"}]})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {"emails": [NUL_MESSAGE]}


@pytest.mark.parametrize("path", ["/companies", "/contacts", "/leads", "/deals", "/orders", "/interactions"])
def test_instant_filters_read_naive_times_as_utc_and_refuse_what_utc_cannot_hold(
    api_client: Any, path: str
) -> None:
    bound = "created_after" if path != "/interactions" else "occurred_after"
    naive = api_client.get(f"{path}?{bound}=2026-01-01T00:00:00")
    assert naive.status_code == 200, naive.content
    beyond = api_client.get(f"{path}?{bound}=9999-12-31T23:59:59-14:00")
    assert beyond.status_code == 422
    assert list(beyond.json()["error"]["fields"]) == [bound]
