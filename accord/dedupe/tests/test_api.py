"""The duplicate endpoints: the check before a create, ``?on_duplicate=reject``, the queue, merge and undo."""

from __future__ import annotations

import pytest

from accord.access.models import Role
from accord.core.actors import SYSTEM, Actor
from accord.customers.models import Contact
from accord.customers.services import company_create, contact_create
from accord.dedupe.models import DuplicateCandidate
from accord.dedupe.scan import duplicate_scan
from accord.users.models import User
from accord.users.services import token_create
from conftest import ApiClient

pytestmark = pytest.mark.django_db

ANNA = {"given_name": "Anna", "family_name": "Schmidt", "emails": [{"email": "anna@example.org"}]}


def _client(user: User) -> ApiClient:
    return ApiClient(token_create(actor=SYSTEM, user=user, name="t", scope="write").secret)


def _rep(name: str) -> User:
    return User.objects.create_user(username=name, password="x" * 12, role=Role.objects.get(key="sales_rep"))


@pytest.fixture
def anna(actor: Actor) -> Contact:
    return contact_create(actor=actor, data=ANNA)


def test_duplicates_check_answers_candidates_with_score_and_evidence(
    api_client: ApiClient, anna: Contact
) -> None:
    response = api_client.post(
        "/contacts/duplicates",
        {"given_name": "Ana", "family_name": "Schmitt", "emails": [{"email": "ANNA@example.org"}]},
    )
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": anna.pk,
                "name": "Anna Schmidt",
                "score": 92,
                "evidence": [
                    {"kind": "name", "points": 52, "text": "names 87% alike: Ana Schmitt / Anna Schmidt"},
                    {"kind": "email", "points": 40, "text": "same email anna@example.org"},
                ],
            }
        ]
    }


def test_create_is_unchanged_by_default_and_refused_on_request(api_client: ApiClient, anna: Contact) -> None:
    # Given a likely duplicate of Anna: by default it is created (existing clients are unaffected)
    assert api_client.post("/contacts", {**ANNA, "given_name": "Anna"}).status_code == 201
    # When the client asks to reject likely duplicates, then 409 with the candidates and nothing created
    response = api_client.post("/contacts?on_duplicate=reject", ANNA)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "likely_duplicate"
    assert sorted(candidate["id"] for candidate in error["candidates"]) == sorted(
        Contact.objects.values_list("pk", flat=True)
    )
    assert Contact.objects.count() == 2
    # and a record like no other is created even so
    other = {"given_name": "Zed", "family_name": "Quist"}
    assert api_client.post("/contacts?on_duplicate=reject", other).status_code == 201


def test_company_create_rejects_a_likely_duplicate(api_client: ApiClient, actor: Actor) -> None:
    acme = company_create(actor=actor, data={"name": "ACME GmbH", "domain": "acme.de"})
    response = api_client.post(
        "/companies?on_duplicate=reject", {"name": "Acme", "domain": "https://www.acme.de/"}
    )
    assert response.status_code == 409
    assert [candidate["id"] for candidate in response.json()["error"]["candidates"]] == [acme.pk]
    assert response.json()["error"]["candidates"][0]["evidence"][1]["text"] == "same website acme.de"


def test_a_rep_sees_only_candidates_among_records_they_see() -> None:
    # Given two reps of different teams, each with an Anna Schmidt, and contacts private
    from accord.access.models import SharingDefault

    SharingDefault.objects.create(object_type="contact", visibility="private")
    alice, bob = _rep("alice"), _rep("bob")
    mine = contact_create(actor=Actor(user=alice), data=ANNA)
    contact_create(actor=Actor(user=bob), data=ANNA)
    also_mine = contact_create(actor=Actor(user=alice), data={**ANNA, "given_name": "Ana"})
    duplicate_scan(object_type="contact")
    assert DuplicateCandidate.objects.count() == 3

    # When alice reads the queue and checks a new Anna, then she sees only her own pair and records
    client = _client(alice)
    queue = client.get("/duplicates?object_type=contact").json()
    assert [(pair["first_id"], pair["second_id"]) for pair in queue["items"]] == [(mine.pk, also_mine.pk)]
    check = client.post("/contacts/duplicates", ANNA).json()
    assert sorted(item["id"] for item in check["items"]) == [mine.pk, also_mine.pk]


def test_merge_of_a_record_the_user_cannot_see_is_404_and_cannot_edit_is_403() -> None:
    from accord.access.models import RecordShare, SharingDefault

    SharingDefault.objects.create(object_type="contact", visibility="private")
    alice, bob = _rep("alice"), _rep("bob")
    mine = contact_create(actor=Actor(user=alice), data=ANNA)
    unseen = contact_create(actor=Actor(user=bob), data=ANNA)
    shared = contact_create(actor=Actor(user=bob), data=ANNA)
    RecordShare.objects.create(object_type="contact", object_id=shared.pk, user=alice, access="read")
    client = _client(alice)

    response = client.post("/contacts/merge", {"survivor_id": mine.pk, "other_ids": [unseen.pk]})
    assert response.status_code == 404
    response = client.post("/contacts/merge", {"survivor_id": mine.pk, "other_ids": [shared.pk]})
    assert response.status_code == 403
    assert Contact.objects.count() == 3


def test_merge_and_undo_through_the_api(api_client: ApiClient, anna: Contact, actor: Actor) -> None:
    other = contact_create(actor=actor, data={**ANNA, "given_name": "Ana", "job_title": "CTO"})
    response = api_client.post(
        "/contacts/merge",
        {
            "survivor_id": anna.pk,
            "other_ids": [other.pk],
            "field_choices": {"given_name": other.pk},
            "expected_versions": {str(anna.pk): 1, str(other.pk): 1},
        },
    )
    assert response.status_code == 201, response.content
    merge = response.json()
    assert (merge["survivor_id"], merge["merged_ids"], merge["undone_at"]) == (anna.pk, [other.pk], None)
    survivor = Contact.objects.get()
    assert (survivor.given_name, survivor.job_title) == ("Ana", "CTO")

    undone = api_client.post(f"/merges/{merge['id']}/undo")
    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    assert sorted(Contact.objects.values_list("pk", "given_name", "job_title")) == [
        (anna.pk, "Anna", ""),
        (other.pk, "Ana", "CTO"),
    ]
    assert api_client.post(f"/merges/{merge['id']}/undo").status_code == 409


def test_dismiss_keeps_a_pair_out_of_the_queue_after_a_new_scan(
    api_client: ApiClient, anna: Contact, actor: Actor
) -> None:
    contact_create(actor=actor, data=ANNA)
    duplicate_scan(object_type="contact")
    pair = api_client.get("/duplicates?object_type=contact").json()["items"][0]
    assert api_client.post(f"/duplicates/{pair['id']}/dismiss").json()["status"] == "dismissed"
    duplicate_scan(object_type="contact")
    assert api_client.get("/duplicates?object_type=contact").json()["items"] == []
    assert (
        api_client.get("/duplicates?object_type=contact&status=dismissed").json()["items"][0]["id"]
        == pair["id"]
    )
