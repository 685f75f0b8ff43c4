"""The interactions and tasks endpoints, through the full HTTP stack."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accord.activities.models import InteractionContact, Task
from accord.activities.tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    InteractionFactory,
    TaskFactory,
    at,
)
from accord.core.patch import CANNOT_BE_EMPTY
from accord.sales.models import Lead
from accord.users.models import User

pytestmark = pytest.mark.django_db

UNKNOWN = "Unknown field: it is not part of this resource or cannot be set by clients."


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.json()
    return response.json()


def _fields(response: Any, status: int = 422) -> dict[str, list[str]]:
    assert response.status_code == status, response.json()
    return response.json()["error"]["fields"]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["items"]]


# ---------------------------------------------------------------- interactions


def test_interaction_crud_roundtrip(api_client, user: User) -> None:
    ada, bob = ContactFactory.create(), ContactFactory.create()
    company, deal = CompanyFactory.create(), DealFactory.create()
    response = api_client.post(
        "/interactions",
        {
            "kind": "call",
            "channel": "phone",
            "direction": "inbound",
            "subject": "Pricing question",
            "body": "Asked about volume discounts.",
            "occurred_at": "2026-03-02T10:15:00+01:00",
            "duration_seconds": 420,
            "outcome": "connected",
            "contact_ids": [bob.pk, ada.pk],
            "company_id": company.pk,
            "deal_id": deal.pk,
        },
    )
    assert response["ETag"] == '"1"'
    body = _created(response)
    assert {key: value for key, value in body.items() if key not in {"id", "created_at", "updated_at"}} == {
        "version": 1,
        "external_id": "",
        "kind": "call",
        "channel": "phone",
        "direction": "inbound",
        "subject": "Pricing question",
        "body": "Asked about volume discounts.",
        "occurred_at": "2026-03-02T09:15:00+00:00",
        "duration_seconds": 420,
        "outcome": "connected",
        "contact_ids": sorted([ada.pk, bob.pk]),
        "company_id": company.pk,
        "deal_id": deal.pk,
        "owner_id": user.pk,
    }
    url = f"/interactions/{body['id']}"
    assert api_client.get(url).json() == body

    patched = api_client.patch(
        url, {"occurred_at": "2026-03-03T08:00:00Z", "contact_ids": [ada.pk]}, HTTP_IF_MATCH='"1"'
    )
    assert patched.status_code == 200, patched.json()
    assert (patched["ETag"], patched.json()["contact_ids"]) == ('"2"', [ada.pk])
    assert list(InteractionContact.objects.values_list("contact_id", "occurred_at")) == [
        (ada.pk, dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC))
    ]

    stale = api_client.patch(url, {"subject": "Lost update"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "version_mismatch"
    assert api_client.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    assert api_client.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert api_client.get(url).status_code == 404


def test_interaction_validation_errors_name_the_fields(api_client) -> None:
    ada = ContactFactory.create()
    valid = {"kind": "email", "channel": "email", "occurred_at": "2026-03-02T10:00:00Z"}
    assert _fields(api_client.post("/interactions", {**valid, "bogus": 1, "version": 3})) == {
        "bogus": [UNKNOWN],
        "version": [UNKNOWN],
    }
    assert set(_fields(api_client.post("/interactions", {"subject": "?"}))) == {
        "kind",
        "channel",
        "occurred_at",
    }
    assert set(
        _fields(
            api_client.post(
                "/interactions", {**valid, "occurred_at": "yesterday", "duration_seconds": "long"}
            )
        )
    ) == {"occurred_at", "duration_seconds"}
    assert set(_fields(api_client.post("/interactions", {**valid, "kind": "telepathy", "channel": 7}))) == {
        "kind",
        "channel",
    }
    assert _fields(api_client.post("/interactions", {**valid, "contact_ids": [ada.pk, 999_999]})) == {
        "contact_ids.1": ["No contact with id 999999."]
    }
    assert set(_fields(api_client.post("/interactions", {**valid, "contact_ids": "everyone"}))) == {
        "contact_ids"
    }
    # Ids beyond the database's integers are refused by the schema instead of overflowing in SQL.
    assert set(_fields(api_client.post("/interactions", {**valid, "company_id": 10**20}))) == {"company_id"}
    assert _fields(api_client.post("/interactions", {**valid, "occurred_at": "2026-03-02T10:00:00"})) == {
        "occurred_at": ["Give a date and time with its offset, e.g. 2026-03-01T09:30:00+01:00 or …Z."]
    }
    # An offset that pushes the instant past year 9999 once in UTC.
    assert _fields(
        api_client.post("/interactions", {**valid, "occurred_at": "9999-12-31T23:00:00-05:00"})
    ) == {"occurred_at": ["This date is out of range."]}
    for not_an_object in ([valid], 12, '"text"'):
        assert set(_fields(api_client.post("/interactions", not_an_object))) == {"payload"}
    interaction = InteractionFactory.create()
    assert _fields(api_client.patch(f"/interactions/{interaction.pk}", {"occurred_at": None})) == {
        "occurred_at": [CANNOT_BE_EMPTY]
    }
    assert api_client.post("/interactions", "{not json").status_code == 400


def test_interaction_filters_and_sorting(api_client, user: User) -> None:
    ada, bob = ContactFactory.create(), ContactFactory.create()
    company, deal = CompanyFactory.create(), DealFactory.create()
    other = User.objects.create_user(username="other")
    call = InteractionFactory.create(occurred_at=at(10), contacts=[ada, bob], company=company, owner=user)
    email = InteractionFactory.create(
        occurred_at=at(20),
        kind="email",
        channel="email",
        direction="inbound",
        contacts=[bob],
        deal=deal,
        owner=other,
    )
    note = InteractionFactory.create(
        occurred_at=at(30), kind="note", channel="internal", direction="internal"
    )

    assert _ids(api_client.get("/interactions")) == [note.pk, email.pk, call.pk]
    assert _ids(api_client.get("/interactions?sort=occurred_at")) == [call.pk, email.pk, note.pk]
    assert _ids(api_client.get("/interactions?kind=email")) == [email.pk]
    assert _ids(api_client.get("/interactions?channel=phone")) == [call.pk]
    assert _ids(api_client.get("/interactions?direction=internal")) == [note.pk]
    assert _ids(api_client.get(f"/interactions?contact_id={bob.pk}")) == [email.pk, call.pk]
    assert _ids(api_client.get(f"/interactions?company_id={company.pk}")) == [call.pk]
    assert _ids(api_client.get(f"/interactions?deal_id={deal.pk}")) == [email.pk]
    assert _ids(api_client.get(f"/interactions?owner_id={other.pk}")) == [email.pk]
    window = {"occurred_after": at(10).isoformat(), "occurred_before": at(30).isoformat()}
    assert _ids(api_client.get("/interactions", data=window)) == [email.pk, call.pk]
    assert set(_fields(api_client.get(f"/interactions?contact_id={10**20}"))) == {"contact_id"}
    assert set(_fields(api_client.get("/interactions?channel=pigeon&occurred_after=soon"))) == {
        "channel",
        "occurred_after",
    }
    assert _fields(api_client.get("/interactions?occurred_before=0001-01-01T00:00:00%2B05:00")) == {
        "occurred_before": ["This date is out of range."]
    }
    # A bare date bounds the range at midnight UTC.
    assert _ids(api_client.get("/interactions?occurred_after=2026-03-02&occurred_before=2026-03-03")) == [
        note.pk,
        email.pk,
        call.pk,
    ]
    page = api_client.get("/interactions?limit=2").json()
    assert _ids(api_client.get(f"/interactions?limit=2&cursor={page['next_cursor']}")) == [call.pk]


@pytest.mark.parametrize("count", [3, 30])
def test_interaction_list_costs_a_fixed_number_of_queries(
    api_client, django_assert_max_num_queries, count: int
) -> None:
    contacts = ContactFactory.create_batch(3)
    for minute in range(count):
        InteractionFactory.create(occurred_at=at(minute), contacts=contacts)
    api_client.get("/interactions")  # warm the token cache paths so both sizes count the same work
    with django_assert_max_num_queries(4):
        assert len(_ids(api_client.get("/interactions"))) == count


# ---------------------------------------------------------------- tasks


def test_task_crud_and_completion_over_the_api(api_client, user: User) -> None:
    contact = ContactFactory.create()
    body = _created(api_client.post("/tasks", {"title": "Send the quote", "contact_id": contact.pk}))
    assert (body["assignee_id"], body["status"], body["completed_at"], body["is_overdue"]) == (
        user.pk,
        "open",
        None,
        False,
    )
    url = f"/tasks/{body['id']}"
    assert _fields(api_client.patch(url, {"completed_at": "2026-03-02T10:00:00Z"})) == {
        "completed_at": [UNKNOWN]
    }

    done = api_client.patch(url, {"status": "done"}, HTTP_IF_MATCH='"1"')
    assert done.status_code == 200, done.json()
    assert done.json()["completed_at"] is not None
    assert done.json()["completed_at"] == Task.objects.get().completed_at.isoformat()  # type: ignore[union-attr]
    reopened = api_client.patch(url, {"status": "open"}, HTTP_IF_MATCH='"2"')
    assert (reopened.json()["completed_at"], reopened.json()["version"]) == (None, 3)
    assert api_client.patch(url, {"title": "stale"}, HTTP_IF_MATCH='"2"').status_code == 412
    assert api_client.delete(url).status_code == 204
    assert api_client.get(url).status_code == 404


def test_task_validation_errors_name_the_fields(api_client) -> None:
    assert _fields(api_client.post("/tasks", {})) == {"title": ["This field is required."]}
    assert set(_fields(api_client.post("/tasks", {"title": "", "priority": "asap", "due_at": "friday"}))) == {
        "title",
        "priority",
        "due_at",
    }
    assert _fields(api_client.post("/tasks", {"title": "x", "contact_id": 404, "lead_id": 404})) == {
        "contact_id": ["No contact with id 404."],
        "lead_id": ["No lead with id 404."],
    }
    assert _fields(api_client.post("/tasks", {"title": "x", "assignee_id": "me"})) == {
        "assignee_id": ["Input should be a valid integer"]
    }


def test_task_filters(api_client, user: User) -> None:
    now = timezone.now()
    contact, company, deal = ContactFactory.create(), CompanyFactory.create(), DealFactory.create()
    lead = Lead.objects.create(family_name="Prospect")
    other = User.objects.create_user(username="other")
    late = TaskFactory.create(
        assignee=user, due_at=now - dt.timedelta(days=1), contact=contact, priority="high"
    )
    late_but_done = TaskFactory.create(
        assignee=user, due_at=now - dt.timedelta(days=2), status="done", completed_at=now, company=company
    )
    upcoming = TaskFactory.create(
        assignee=other, due_at=now + dt.timedelta(days=1), deal=deal, status="in_progress"
    )
    undated = TaskFactory.create(lead=lead)

    assert _ids(api_client.get("/tasks?sort=created_at")) == [
        late.pk,
        late_but_done.pk,
        upcoming.pk,
        undated.pk,
    ]
    assert _ids(api_client.get("/tasks?overdue=true&sort=created_at")) == [late.pk]
    assert _ids(api_client.get("/tasks?overdue=false&sort=created_at")) == [
        late_but_done.pk,
        upcoming.pk,
        undated.pk,
    ]
    assert _ids(api_client.get(f"/tasks?assignee_id={user.pk}&sort=created_at")) == [
        late.pk,
        late_but_done.pk,
    ]
    assert _ids(api_client.get("/tasks?status=in_progress")) == [upcoming.pk]
    assert _ids(api_client.get("/tasks?priority=high")) == [late.pk]
    window = {"due_after": (now - dt.timedelta(days=1, minutes=1)).isoformat(), "due_before": now.isoformat()}
    assert _ids(api_client.get("/tasks", data=window)) == [late.pk]
    assert _ids(api_client.get(f"/tasks?contact_id={contact.pk}")) == [late.pk]
    assert _ids(api_client.get(f"/tasks?company_id={company.pk}")) == [late_but_done.pk]
    assert _ids(api_client.get(f"/tasks?deal_id={deal.pk}")) == [upcoming.pk]
    assert _ids(api_client.get(f"/tasks?lead_id={lead.pk}")) == [undated.pk]
    assert [item["is_overdue"] for item in api_client.get("/tasks?sort=created_at").json()["items"]] == [
        True,
        False,
        False,
        False,
    ]
    assert set(_fields(api_client.get("/tasks?status=later&overdue=perhaps"))) == {"status", "overdue"}
