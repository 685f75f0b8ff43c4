"""PATCH with null clears a field the way its column allows, or answers 422 naming it; never ignored."""

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(api_client: Any) -> dict[str, Any]:
    body = {"name": "Acme", "industry": "Tools", "annual_revenue": "10.00", "city": "Lyon", "tags": ["vip"]}
    return api_client.post("/companies", body).json()


@pytest.mark.parametrize(
    ("field", "cleared"),
    [("industry", ""), ("city", ""), ("annual_revenue", None), ("owner_id", None), ("tags", [])],
)
def test_null_clears_an_optional_field(
    api_client: Any, company: dict[str, Any], field: str, cleared: object
) -> None:
    response = api_client.patch(f"/companies/{company['id']}", {field: None})
    assert response.status_code == 200, response.json()
    assert response.json()[field] == cleared
    assert api_client.get(f"/companies/{company['id']}").json()[field] == cleared


@pytest.mark.parametrize("field", ["name", "custom_fields"])
def test_null_on_a_field_that_cannot_be_empty_is_refused(
    api_client: Any, company: dict[str, Any], field: str
) -> None:
    response = api_client.patch(f"/companies/{company['id']}", {field: None, "industry": None})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]
    assert api_client.get(f"/companies/{company['id']}").json()["industry"] == "Tools"  # nothing written


def test_null_lists_of_a_contact_are_emptied(api_client: Any) -> None:
    contact = api_client.post(
        "/contacts",
        {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "emails": [{"email": "ada@example.com"}],
            "tags": ["x"],
        },
    ).json()
    response = api_client.patch(
        f"/contacts/{contact['id']}", {"emails": None, "tags": None, "job_title": None}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["emails"], response.json()["tags"], response.json()["job_title"]) == ([], [], "")


def test_a_contact_keeps_a_name(api_client: Any) -> None:
    contact = api_client.post("/contacts", {"given_name": "Ada", "family_name": "Lovelace"}).json()
    assert api_client.patch(f"/contacts/{contact['id']}", {"given_name": None}).status_code == 200
    response = api_client.patch(f"/contacts/{contact['id']}", {"family_name": None})
    assert response.status_code == 422
    assert api_client.get(f"/contacts/{contact['id']}").json()["family_name"] == "Lovelace"
