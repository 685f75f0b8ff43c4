"""GET /api/v1/search: ranking tiers, identifiers typed the way people type them, and input errors."""

from typing import Any

import pytest
from django.test import Client

from accord.core.actors import Actor
from accord.core.search import search_index_upsert
from accord.customers.services import company_create, contact_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(actor: Actor) -> dict[str, int]:
    """Records indexed by the customer services (as in production), plus a lead and a deal indexed
    directly: their services belong to the sales app."""
    ids = {
        "annabel": contact_create(actor=actor, data={"given_name": "Annabel", "family_name": "Smith"}).pk,
        "mary": contact_create(actor=actor, data={"given_name": "Mary", "family_name": "Ann"}).pk,
        "joanne": contact_create(actor=actor, data={"given_name": "Joanne", "family_name": "Doe"}).pk,
        "ada": contact_create(
            actor=actor,
            data={
                "given_name": "Ada",
                "family_name": "Lovelace",
                "emails": [{"email": "ada.lovelace@example.com"}],
                "phones": [{"number": "+1 415 555 2671"}],
            },
        ).pk,
        "jose": contact_create(actor=actor, data={"given_name": "José", "family_name": "Müller"}).pk,
        "globex": company_create(
            actor=actor, data={"name": "Globex Corporation", "domain": "https://www.globex.io/"}
        ).pk,
    }
    search_index_upsert(
        kind="lead",
        object_id=7,
        owner_id=None,
        title="Anna Lead",
        subtitle="Fair 2026",
        terms=["anna@leads.org"],
    )
    search_index_upsert(
        kind="deal", object_id=8, owner_id=None, title="Annual renewal", subtitle="Acme", terms=[]
    )
    return ids


def _hits(api_client: Any, **params: object) -> list[tuple[str, int, str]]:
    response = api_client.get("/search", data=params)
    assert response.status_code == 200, response.json()
    return [(item["kind"], item["id"], item["match"]) for item in response.json()["items"]]


def test_a_name_prefix_beats_a_word_which_beats_a_substring(api_client, people: dict[str, int]) -> None:
    hits = _hits(api_client, q="Ann")
    # The order inside a tier is not specified; the tiers' order is.
    assert [match for _, _, match in hits] == ["prefix", "prefix", "prefix", "word", "substring"]
    assert set(hits[:3]) == {
        ("contact", people["annabel"], "prefix"),
        ("lead", 7, "prefix"),
        ("deal", 8, "prefix"),
    }
    assert hits[3:] == [("contact", people["mary"], "word"), ("contact", people["joanne"], "substring")]


def test_items_carry_title_and_subtitle(api_client, people: dict[str, int]) -> None:
    response = api_client.get("/search?q=lovelace")
    assert response.json() == {
        "items": [
            {
                "kind": "contact",
                "id": people["ada"],
                "title": "Ada Lovelace",
                "subtitle": "ada.lovelace@example.com",
                "match": "word",
            }
        ]
    }


def test_kinds_and_limit_narrow_the_hits(api_client, people: dict[str, int]) -> None:
    assert {kind for kind, _, _ in _hits(api_client, q="ann", kinds="contact")} == {"contact"}
    assert set(_hits(api_client, q="ann", kinds=["lead", "deal"])) == {
        ("lead", 7, "prefix"),
        ("deal", 8, "prefix"),
    }
    limited = _hits(api_client, q="ann", limit=2)
    assert [match for _, _, match in limited] == ["prefix", "prefix"]


# A query with '@' or '.' is a piece of an email or a domain: the substring tier answers it first.
WHOLE_TOKEN_MATCH = "substring"


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("ada.lovelace@example.com", WHOLE_TOKEN_MATCH),
        ("ADA.Lovelace@Example.com", WHOLE_TOKEN_MATCH),
        ("lovelace@exa", WHOLE_TOKEN_MATCH),
        ("+1 (415) 555-2671", "word"),
        ("14155552671", "word"),
        ("5552671", "substring"),
        ("415-555", "substring"),
    ],
)
def test_emails_and_phone_numbers_as_typed(
    api_client, people: dict[str, int], query: str, match: str
) -> None:
    assert _hits(api_client, q=query) == [("contact", people["ada"], match)]


@pytest.mark.parametrize(("query", "match"), [("globex", "prefix"), ("globex.io", WHOLE_TOKEN_MATCH)])
def test_company_names_and_domains(api_client, people: dict[str, int], query: str, match: str) -> None:
    assert _hits(api_client, q=query) == [("company", people["globex"], match)]


@pytest.mark.parametrize(("query", "match"), [("josé", "prefix"), ("JOSÉ M", "prefix"), ("Müller", "word")])
def test_accented_names_typed_with_their_accents(
    api_client, people: dict[str, int], query: str, match: str
) -> None:
    assert _hits(api_client, q=query) == [("contact", people["jose"], match)]


@pytest.mark.parametrize(("query", "match"), [("jose", "prefix"), ("muller", "word")])
def test_accented_names_typed_without_accents(
    api_client, people: dict[str, int], query: str, match: str
) -> None:
    assert _hits(api_client, q=query) == [("contact", people["jose"], match)]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "%",
        "_",
        "\\",
        "*",
        "AND",
        "NEAR(",
        "((((",
        "x:*",
        "!",
        "&",
        "|",
        "1&2",
        "²",
        "😀",
        "a_b",
        "o'brien",
    ],
)
def test_query_syntax_characters_are_plain_text(api_client, people: dict[str, int], query: str) -> None:
    assert _hits(api_client, q=query) == []


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"q": ""}, {"q": ["Type at least one character to search for."]}),
        ({"q": "   "}, {"q": ["Type at least one character to search for."]}),
        ({}, {"q": ["This field is required."]}),
        ({"q": "x" * 201}, {"q": ["String should have at most 200 characters"]}),
        (
            {"q": "ann", "kinds": "ticket"},
            {"kinds.0": ["Input should be 'company', 'contact', 'lead' or 'deal'"]},
        ),
        ({"q": "ann", "limit": 51}, {"limit": ["Input should be less than or equal to 50"]}),
        ({"q": "ann", "limit": 0}, {"limit": ["Input should be greater than or equal to 1"]}),
        (
            {"q": "ann", "limit": "many"},
            {"limit": ["Input should be a valid integer, unable to parse string as an integer"]},
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api_client, params: dict[str, object], fields: dict) -> None:
    response = api_client.get("/search", data=params)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == fields


def test_search_needs_authentication(client: Client) -> None:
    assert client.get("/api/v1/search?q=ann").status_code == 401


def test_search_costs_at_most_one_query_per_tier(
    api_client, people: dict[str, int], django_assert_max_num_queries
) -> None:
    # Authentication (2), then the prefix, word and substring tiers.
    with django_assert_max_num_queries(2 + 3):
        assert len(_hits(api_client, q="ann")) == 5


def test_phone_digits_find_nothing_for_a_role_that_may_not_see_phones(actor: Actor) -> None:
    """Marketers may not see contact phones: typing a number must not tell them whose it is."""
    from accord.access.models import SharingDefault
    from accord.access.tests.world import client_for, make_user

    SharingDefault.objects.update_or_create(object_type="contact", defaults={"visibility": "public_read"})
    ada = contact_create(
        actor=actor,
        data={"given_name": "Ada", "family_name": "Lovelace", "phones": [{"number": "+1 415 555 2671"}]},
    )
    marketer = client_for(make_user("mia", "marketer"))
    manager = client_for(make_user("sam", "sales_manager"))
    for typed in ("4155552671", "+1 (415) 555-2671", "5552671"):
        assert [hit["id"] for hit in manager("GET", f"/search?q={typed}").json()["items"]] == [ada.pk]
        assert marketer("GET", f"/search?q={typed}").json()["items"] == []
    assert [hit["id"] for hit in marketer("GET", "/search?q=lovelace").json()["items"]] == [ada.pk]
