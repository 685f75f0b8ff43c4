import pytest

pytestmark = pytest.mark.django_db


def test_contact_roundtrip(api_client):
    company = api_client.post("/companies", {"name": "Acme", "domain": "https://www.Acme.com/x"})
    assert company.status_code == 201, company.json()
    assert company.json()["domain"] == "acme.com"
    response = api_client.post(
        "/contacts",
        {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "emails": [{"email": "Ada@Example.COM"}],
            "phones": [{"number": "+1 415 555 2671"}],
            "employments": [{"company_id": company.json()["id"], "role": "CTO"}],
            "tags": ["vip"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    print(body)
    listing = api_client.get("/contacts?limit=1")
    print(listing.json())
    assert api_client.get("/contacts?q=lovel").json()["items"][0]["id"] == body["id"]
    assert api_client.get("/contacts?q=555 2671").json()["items"][0]["id"] == body["id"]
    bad = api_client.post("/contacts", {"family_name": "X", "emails": [{"email": "nope"}], "bogus": 1})
    print(bad.status_code, bad.json())
    bad = api_client.post(
        "/contacts", {"family_name": "X", "emails": [{"email": "nope"}], "phones": [{"number": "12"}]}
    )
    print(bad.status_code, bad.json())
    patch = api_client.patch(f"/contacts/{body['id']}", {"job_title": "Countess"}, HTTP_IF_MATCH='"1"')
    print(patch.status_code, patch.headers.get("ETag"), patch.json()["version"])
    stale = api_client.patch(f"/contacts/{body['id']}", {"job_title": "Countess2"}, HTTP_IF_MATCH='"1"')
    print(stale.status_code, stale.json())
    assert api_client.get("/contacts/999").status_code == 404
    print(
        api_client.post(
            "/contacts",
            "{bad json",
        ).json()
    )
