"""The committed openapi.json is the API contract: it must equal the live schema."""

from pathlib import Path

from accord.core.openapi_export import schema_json

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.json"


def test_committed_schema_matches_the_live_api() -> None:
    assert COMMITTED.read_text() == schema_json(), (
        "The API changed: run `make openapi` and commit openapi.json"
    )


def test_live_schema_is_served(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Accord API"


def test_interactive_docs_load_nothing_from_a_cdn(client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page
    assert "https://" not in page.split("<body")[0]
