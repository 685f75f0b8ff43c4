"""The companies and contacts endpoints, through the full HTTP stack."""

import pytest

from accord.core.models import CustomField

pytestmark = pytest.mark.django_db


def _contact(api_client, **fields):
    response = api_client.post("/contacts", {"family_name": "Doe", **fields})
    assert response.status_code == 201, response.json()
    return response.json()


def test_contact_crud_roundtrip(api_client) -> None:
    company = api_client.post("/companies", {"name": "Acme", "domain": "acme.com"}).json()
    created = api_client.post(
        "/contacts",
        {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "lifecycle_stage": "customer",
            "emails": [{"email": "ada@acme.com"}],
            "phones": [{"number": "+14155552671"}],
            "employments": [{"company_id": company["id"], "role": "CTO"}],
            "tags": ["vip"],
        },
    )
    assert created.status_code == 201
    assert created["ETag"] == '"1"'
    body = created.json()
    assert body["full_name"] == "Ada Lovelace"
    assert body["employments"] == [
        {"company_id": company["id"], "company_name": "Acme", "role": "CTO", "is_current": True}
    ]

    fetched = api_client.get(f"/contacts/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body

    patched = api_client.patch(f"/contacts/{body['id']}", {"job_title": "Countess"}, HTTP_IF_MATCH='"1"')
    assert (patched.status_code, patched["ETag"], patched.json()["job_title"]) == (200, '"2"', "Countess")
    assert patched.json()["emails"] == body["emails"]  # untouched by a partial update

    assert api_client.delete(f"/contacts/{body['id']}", HTTP_IF_MATCH='"1"').status_code == 412
    assert api_client.delete(f"/contacts/{body['id']}", HTTP_IF_MATCH='"2"').status_code == 204
    assert api_client.get(f"/contacts/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        ({"family_name": "X", "emails": [{"email": "not-an-email"}]}, "emails.0.email", 422),
        ({"family_name": "X", "phones": [{"number": "12345"}]}, "phones.0.number", 422),
        ({"family_name": "X", "favourite_colour": "blue"}, "favourite_colour", 422),
        ({"family_name": "X", "id": 7}, "id", 422),
        ({"family_name": "X", "version": 9}, "version", 422),
        ({"family_name": "X", "created_at": "2020-01-01T00:00:00Z"}, "created_at", 422),
        ({"family_name": ["not", "a", "string"]}, "family_name", 422),
        ({"family_name": "X", "lifecycle_stage": "royalty"}, "lifecycle_stage", 422),
        ({"family_name": "X", "emails": [{"label": "work"}]}, "emails.0.email", 422),
        ({"given_name": ""}, "family_name", 422),
        ({"family_name": "X", "owner_id": 123456}, "owner_id", 422),
        ({"family_name": "X", "employments": [{"company_id": 999}]}, "employments.0.company_id", 422),
        ({"family_name": "X", "custom_fields": {"nope": 1}}, "custom_fields.nope", 422),
    ],
)
def test_bad_contact_input_names_the_field(api_client, payload, field, status) -> None:
    response = api_client.post("/contacts", payload)
    assert response.status_code == status
    assert field in response.json()["error"]["fields"], response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "A", "annual_revenue": "-5"}, "annual_revenue"),
        ({"name": "A", "annual_revenue": "lots"}, "annual_revenue"),
        ({"name": "A", "size_band": "huge"}, "size_band"),
        ({"name": "A", "domain": "no spaces.com"}, "domain"),
        ({"name": "A", "parent_id": "x"}, "parent_id"),
    ],
)
def test_bad_company_input_names_the_field(api_client, payload, field) -> None:
    response = api_client.post("/companies", payload)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"], response.json()


def test_patch_rejects_unknown_and_server_owned_fields(api_client) -> None:
    contact = _contact(api_client)
    response = api_client.patch(
        f"/contacts/{contact['id']}", {"version": 99, "updated_at": "2020-01-01T00:00:00Z"}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"version", "updated_at"}


def test_money_is_a_decimal_string(api_client) -> None:
    company = api_client.post(
        "/companies", {"name": "Rich", "annual_revenue": "1234567.50", "currency": "usd"}
    ).json()
    assert (company["annual_revenue"], company["currency"]) == ("1234567.50", "USD")


def test_list_filters_search_and_sort(api_client, user) -> None:
    CustomField.objects.create(
        object_type="contact", key="tier", label="Tier", field_type="choice", choices=["a", "b"]
    )
    _contact(
        api_client,
        given_name="Zoe",
        family_name="Adams",
        lifecycle_stage="customer",
        tags=["vip"],
        custom_fields={"tier": "a"},
    )
    _contact(
        api_client,
        given_name="Yann",
        family_name="Brown",
        lifecycle_stage="lead",
        emails=[{"email": "yb@x.io"}],
        custom_fields={"tier": "b"},
    )
    _contact(api_client, given_name="Xia", family_name="Chen", lifecycle_stage="customer")

    def names(query: str) -> list[str]:
        response = api_client.get(f"/contacts?{query}")
        assert response.status_code == 200, response.json()
        return [item["family_name"] for item in response.json()["items"]]

    assert names("sort=family_name") == ["Adams", "Brown", "Chen"]
    assert names("sort=-family_name") == ["Chen", "Brown", "Adams"]
    assert names("sort=given_name") == ["Chen", "Brown", "Adams"]
    assert names("lifecycle_stage=customer&sort=family_name") == ["Adams", "Chen"]
    assert names("tag=vip") == ["Adams"]
    assert names("email=YB@x.io") == ["Brown"]
    assert names("cf.tier=b") == ["Brown"]
    assert names(f"owner_id={user.pk}&sort=family_name") == ["Adams", "Brown", "Chen"]
    assert names("q=che") == ["Chen"]
    assert names("q=yb@x") == ["Brown"]
    assert api_client.get("/contacts?sort=password").status_code == 422
    assert api_client.get("/contacts?limit=1000").status_code == 422
    assert api_client.get("/contacts?cf.tier=zzz").status_code == 422


def test_cursor_pages_cover_the_list(api_client) -> None:
    for index in range(7):
        _contact(api_client, family_name=f"Person {index % 3}")
    seen: list[int] = []
    cursor = ""
    while True:
        page = api_client.get(f"/contacts?sort=family_name&limit=3{cursor}").json()
        seen += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("rows", [3, 30])
def test_contact_list_query_count_does_not_grow_with_rows(
    api_client, django_assert_max_num_queries, rows
) -> None:
    company = api_client.post("/companies", {"name": "Acme"}).json()
    for index in range(rows):
        _contact(
            api_client,
            family_name=f"P{index}",
            emails=[{"email": f"p{index}@x.io"}],
            phones=[{"number": "+14155552671"}],
            employments=[{"company_id": company["id"]}],
            tags=["t"],
        )
    # token lookup, the page's ids, their rows (primary email, phone, company and tags as subqueries)
    with django_assert_max_num_queries(3):
        response = api_client.get("/contacts?limit=50")
    items = response.json()["items"]
    assert len(items) == rows
    assert {
        key: items[0][key] for key in ("primary_email", "primary_phone", "company_id", "company_name", "tags")
    } == {
        "primary_email": "p0@x.io",
        "primary_phone": "+14155552671",
        "company_id": company["id"],
        "company_name": "Acme",
        "tags": ["t"],
    }


@pytest.mark.parametrize("rows", [3, 30])
def test_company_list_query_count_does_not_grow_with_rows(
    api_client, django_assert_max_num_queries, rows
) -> None:
    for index in range(rows):
        api_client.post("/companies", {"name": f"C{index}", "tags": ["x"]})
    with django_assert_max_num_queries(4):
        response = api_client.get("/companies?limit=50")
    assert len(response.json()["items"]) == rows


def test_company_filters(api_client) -> None:
    parent = api_client.post("/companies", {"name": "Group", "industry": "Retail", "country": "de"}).json()
    api_client.post("/companies", {"name": "Sub", "parent_id": parent["id"], "size_band": "11-50"})
    assert [c["name"] for c in api_client.get("/companies?country=DE").json()["items"]] == ["Group"]
    assert [c["name"] for c in api_client.get(f"/companies?parent_id={parent['id']}").json()["items"]] == [
        "Sub"
    ]
    assert [c["name"] for c in api_client.get("/companies?size_band=11-50").json()["items"]] == ["Sub"]
    assert [c["name"] for c in api_client.get("/companies?q=gro").json()["items"]] == ["Group"]
