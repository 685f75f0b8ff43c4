"""The customer timelines: merge order, ties, cursor paging, fixed query cost, filters and the endpoints."""

import base64
import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from accord.access.models import Role
from accord.activities.models import Interaction, Task
from accord.activities.selectors import (
    TimelineKey,
    TimelinePage,
    timeline_for_company,
    timeline_for_contact,
)
from accord.activities.services import interaction_update
from accord.activities.tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    EmploymentFactory,
    InteractionFactory,
    OrderFactory,
    StageChangeFactory,
    StageFactory,
    TaskFactory,
    at,
    deal_with_contact,
)
from accord.core.actors import Actor
from accord.core.errors import NotFound, ValidationFailed
from accord.customers.models import Contact
from accord.sales.models import DealStageChange, Order
from accord.users.models import User

pytestmark = pytest.mark.django_db


def _keys(page: TimelinePage) -> list[tuple[str, int]]:
    return [(entry.type, entry.id) for entry in page.items]


def _walk(read: Callable[..., TimelinePage], limit: int) -> list[TimelineKey]:
    """Every entry, reading page after page; fails on an empty page that promises more."""
    keys: list[TimelineKey] = []
    cursor = None
    while True:
        page = read(cursor=cursor, limit=limit)
        assert len(page.items) <= limit
        keys.extend(entry.key for entry in page.items)
        if page.next_cursor is None:
            return keys
        assert len(page.items) == limit
        cursor = page.next_cursor


def _contact_history(contact: Contact) -> dict[str, Any]:
    """One contact with an entry of every type, several on the same instant (at(5))."""
    company = CompanyFactory.create()
    deal = deal_with_contact(contact, company=company)
    other_deal = DealFactory.create()  # the contact is not on it: its history stays out
    first, second = StageFactory.create(pipeline=deal.pipeline, name="Qualified"), deal.stage
    return {
        "old_call": InteractionFactory.create(occurred_at=at(1), contacts=[contact], subject="First call"),
        "tied_email": InteractionFactory.create(
            occurred_at=at(5), contacts=[contact], kind="email", channel="email"
        ),
        "tied_meeting": InteractionFactory.create(
            occurred_at=at(5), contacts=[contact], kind="meeting", channel="video"
        ),
        "latest_chat": InteractionFactory.create(
            occurred_at=at(9), contacts=[contact], kind="chat", channel="chat"
        ),
        "opened": StageChangeFactory.create(deal=deal, to_stage=first, changed_at=at(2)),
        "moved": StageChangeFactory.create(deal=deal, from_stage=first, to_stage=second, changed_at=at(5)),
        "other": StageChangeFactory.create(deal=other_deal, changed_at=at(5)),
        "order": OrderFactory.create(contact=contact, ordered_at=at(5), total="99.50", number="SO-1"),
        "company_order": OrderFactory.create(
            company=company, ordered_at=at(6)
        ),  # the company's, not the person's
        "due_task": TaskFactory.create(contact=contact, due_at=at(5), title="Send contract"),
        "undated_task": TaskFactory.create(contact=contact, created_at=at(3), title="Research"),
        "future_task": TaskFactory.create(contact=contact, due_at=at(60), created_at=at(0), title="Renewal"),
    }


def _expected_order(rows: dict[str, Any]) -> list[tuple[str, int]]:
    """The history of ``_contact_history`` newest first. On the same instant: task, then stage change,
    then order, then interactions, newest id first."""
    names = ["future_task", "latest_chat", "due_task", "moved", "order", "tied_meeting", "tied_email"]
    names += ["undated_task", "opened", "old_call"]
    entry_type = {Task: "task", DealStageChange: "stage_change", Order: "order", Interaction: "interaction"}
    return [(entry_type[type(rows[name])], rows[name].pk) for name in names]


def test_contact_timeline_merges_all_sources_newest_first_with_ties(actor: Actor) -> None:
    contact = ContactFactory.create()
    rows = _contact_history(contact)
    page = timeline_for_contact(actor=actor, contact_id=contact.pk)
    assert _keys(page) == _expected_order(rows)
    assert page.next_cursor is None
    by_key = {(entry.type, entry.id): entry for entry in page.items}
    moved = by_key[("stage_change", rows["moved"].pk)]
    deal = rows["moved"].deal
    assert (moved.title, moved.summary, moved.from_stage, moved.to_stage, moved.deal_id) == (
        f"Deal {deal.name}",
        f"Deal moved from Qualified to {deal.stage.name}.",
        "Qualified",
        deal.stage.name,
        deal.pk,
    )
    order = by_key[("order", rows["order"].pk)]
    assert (order.title, order.summary, order.status, str(order.total), order.currency) == (
        "Order SO-1",
        "99.50 EUR, paid",
        "paid",
        "99.50",
        "EUR",
    )
    chat = by_key[("interaction", rows["latest_chat"].pk)]
    assert (chat.title, chat.channel, chat.kind, chat.direction, chat.occurred_at) == (
        "Chat",
        "chat",
        "chat",
        "outbound",
        at(9),
    )
    undated = by_key[("task", rows["undated_task"].pk)]
    assert (undated.occurred_at, undated.status, undated.priority) == (at(3), "open", "normal")


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 7])
def test_contact_timeline_pages_skip_and_repeat_nothing(actor: Actor, limit: int) -> None:
    contact = ContactFactory.create()
    _contact_history(contact)
    everything = [entry.key for entry in timeline_for_contact(actor=actor, contact_id=contact.pk).items]

    def read(**page: object) -> TimelinePage:
        return timeline_for_contact(actor=actor, contact_id=contact.pk, **page)  # type: ignore[arg-type]

    assert _walk(read, limit) == everything


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_company_timeline_paging_matches_an_oracle_on_random_histories(actor: Actor, seed: int) -> None:
    """Random events on few distinct instants (many ties), through every source, against a sort in Python."""
    rng = random.Random(seed)
    company = CompanyFactory.create()
    people = [EmploymentFactory.create(company=company).contact for _ in range(3)]
    former = EmploymentFactory.create(company=company, is_current=False).contact
    deals = [DealFactory.create(company=company) for _ in range(2)]
    expected: set[TimelineKey] = set()
    for _ in range(40):
        moment = at(rng.randrange(6))
        source = rng.choice(["company", "people", "both", "former", "stage", "order", "task", "undated"])
        if source in {"company", "people", "both", "former"}:
            involved = {
                "company": [],
                "people": rng.sample(people, 2),
                "both": people[:1],
                "former": [former],
            }
            row = InteractionFactory.create(
                occurred_at=moment,
                company=company if source in {"company", "both"} else None,
                contacts=involved[source],
            )
            if source != "former":  # people who left no longer bring their interactions along
                expected.add((moment, "interaction", row.pk))
        elif source == "stage":
            expected.add(
                (
                    moment,
                    "stage_change",
                    StageChangeFactory.create(deal=rng.choice(deals), changed_at=moment).pk,
                )
            )
        elif source == "order":
            expected.add((moment, "order", OrderFactory.create(company=company, ordered_at=moment).pk))
        else:
            task = TaskFactory.create(
                company=company, due_at=moment if source == "task" else None, created_at=moment
            )
            expected.add((moment, "task", task.pk))
    oracle = sorted(expected, reverse=True)

    def read(**page: object) -> TimelinePage:
        return timeline_for_company(actor=actor, company_id=company.pk, **page)  # type: ignore[arg-type]

    for limit in (1, 3, 8, 100):
        assert _walk(read, limit) == oracle


def test_company_timeline_shows_an_interaction_found_twice_once(actor: Actor) -> None:
    company = CompanyFactory.create()
    ada, bob = (EmploymentFactory.create(company=company).contact for _ in range(2))
    meeting = InteractionFactory.create(occurred_at=at(5), company=company, contacts=[ada, bob])
    assert _keys(timeline_for_company(actor=actor, company_id=company.pk)) == [("interaction", meeting.pk)]


def test_moving_an_interaction_moves_it_in_the_contact_timeline(actor: Actor) -> None:
    contact = ContactFactory.create()
    early = InteractionFactory.create(occurred_at=at(1), contacts=[contact])
    late = InteractionFactory.create(occurred_at=at(2), contacts=[contact])
    interaction_update(actor=actor, instance=early, data={"occurred_at": at(3)})
    page = timeline_for_contact(actor=actor, contact_id=contact.pk)
    assert [(entry.id, entry.occurred_at) for entry in page.items] == [(early.pk, at(3)), (late.pk, at(2))]


def test_channel_and_type_filters(actor: Actor) -> None:
    contact = ContactFactory.create()
    rows = _contact_history(contact)
    by_channel = timeline_for_contact(actor=actor, contact_id=contact.pk, channels=["email", "chat"])
    not_by_email_or_chat = {("interaction", rows["tied_meeting"].pk), ("interaction", rows["old_call"].pk)}
    assert _keys(by_channel) == [key for key in _expected_order(rows) if key not in not_by_email_or_chat]
    only = timeline_for_contact(actor=actor, contact_id=contact.pk, types=["order", "stage_change"])
    assert _keys(only) == [key for key in _expected_order(rows) if key[0] in {"order", "stage_change"}]


@pytest.mark.parametrize("count", [5, 50])
def test_timeline_costs_a_fixed_number_of_queries(
    actor: Actor, django_assert_max_num_queries, count: int
) -> None:
    company = CompanyFactory.create()
    contact = EmploymentFactory.create(company=company).contact
    deal = deal_with_contact(contact, company=company)
    for minute in range(count):
        InteractionFactory.create(occurred_at=at(minute), contacts=[contact], company=company)
        StageChangeFactory.create(deal=deal, changed_at=at(minute))
        OrderFactory.create(contact=contact, company=company, ordered_at=at(minute))
        TaskFactory.create(contact=contact, company=company, due_at=at(minute))
    # The contact itself (with its emails, phones, tags and employments) and one query per source.
    with django_assert_max_num_queries(5 + 4):
        assert len(timeline_for_contact(actor=actor, contact_id=contact.pk, limit=100).items) == min(
            100, 4 * count
        )
    with django_assert_max_num_queries(2 + 5):
        assert len(timeline_for_company(actor=actor, company_id=company.pk, limit=100).items) == min(
            100, 4 * count
        )


def test_timeline_of_an_unknown_or_invisible_customer_is_not_found(actor: Actor) -> None:
    with pytest.raises(NotFound):
        timeline_for_contact(actor=actor, contact_id=404)
    with pytest.raises(NotFound):
        timeline_for_company(actor=actor, company_id=404)
    contact, company = ContactFactory.create(), CompanyFactory.create()
    outsider = User.objects.create_user(username="outsider", role=Role.objects.get(key="sales_rep"))
    nobody = Actor(user=outsider, via="api")
    with pytest.raises(NotFound):
        timeline_for_contact(actor=nobody, contact_id=contact.pk)
    with pytest.raises(NotFound):
        timeline_for_company(actor=nobody, company_id=company.pk)


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        _cursor(["yesterday", "task", 1]),
        _cursor(["2026-03-02T09:05:00", "task", 1]),
        _cursor(["2026-03-02T09:05:00Z", "note", 1]),
        _cursor(["2026-03-02T09:05:00Z", "task", "1"]),
        _cursor(["2026-03-02T09:05:00Z", "task", 2**64]),
        _cursor(["9999-12-31T23:00:00-05:00", "task", 1]),
        _cursor([]),
        _cursor({"a": 1}),
    ],
    ids=[
        "not-base64-json",
        "bad-time",
        "naive-time",
        "bad-type",
        "bad-id",
        "huge-id",
        "beyond-9999-in-utc",
        "empty-list",
        "object",
    ],
)
def test_a_bad_cursor_is_a_field_error(actor: Actor, cursor: str) -> None:
    contact = ContactFactory.create()
    with pytest.raises(ValidationFailed) as error:
        timeline_for_contact(actor=actor, contact_id=contact.pk, cursor=cursor)
    assert error.value.fields == {"cursor": ["This cursor is not valid; start again from the first page."]}


# ---------------------------------------------------------------- endpoints


# The type-specific fields of an entry, null unless its type sets them.
UNSET = dict.fromkeys(
    [
        "channel",
        "kind",
        "direction",
        "deal_id",
        "from_stage",
        "to_stage",
        "status",
        "priority",
        "total",
        "currency",
    ]
)


def test_contact_timeline_endpoint(api_client) -> None:
    contact = ContactFactory.create()
    rows = _contact_history(contact)
    first = api_client.get(f"/contacts/{contact.pk}/timeline?limit=2")
    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["items"][0] == {
        **UNSET,
        "type": "task",
        "id": rows["future_task"].pk,
        "occurred_at": "2026-03-02T10:00:00+00:00",
        "title": "Renewal",
        "summary": "",
        "status": "open",
        "priority": "normal",
    }
    second = api_client.get(
        f"/contacts/{contact.pk}/timeline", data={"limit": 2, "cursor": body["next_cursor"]}
    )
    assert [(item["type"], item["id"]) for item in second.json()["items"]] == [
        ("task", rows["due_task"].pk),
        ("stage_change", rows["moved"].pk),
    ]
    filtered = api_client.get(f"/contacts/{contact.pk}/timeline?channel=video&types=interaction")
    assert [(item["id"], item["channel"]) for item in filtered.json()["items"]] == [
        (rows["tied_meeting"].pk, "video")
    ]
    # The contact's own CRUD routes still answer beside the timeline.
    assert api_client.get(f"/contacts/{contact.pk}").json()["id"] == contact.pk


def test_company_timeline_endpoint(api_client) -> None:
    company = CompanyFactory.create()
    order = OrderFactory.create(company=company, ordered_at=at(1), total="10.00")
    response = api_client.get(f"/companies/{company.pk}/timeline")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                **UNSET,
                "type": "order",
                "id": order.pk,
                "occurred_at": "2026-03-02T09:01:00+00:00",
                "title": f"Order {order.number}",
                "summary": "10.00 EUR, paid",
                "status": "paid",
                "total": "10.00",
                "currency": "EUR",
            }
        ],
        "next_cursor": None,
    }
    assert api_client.get(f"/companies/{company.pk}").json()["id"] == company.pk


def test_timeline_endpoints_answer_4xx_for_bad_input(api_client) -> None:
    contact = ContactFactory.create()
    assert api_client.get("/contacts/404/timeline").status_code == 404
    assert api_client.get("/companies/404/timeline").status_code == 404
    bad = api_client.get(f"/contacts/{contact.pk}/timeline?limit=1000&channel=pigeon&types=memo")
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"limit", "channel.0", "types.0"}
    cursor = api_client.get(f"/contacts/{contact.pk}/timeline?cursor=nonsense")
    assert (cursor.status_code, cursor.json()["error"]["fields"]) == (
        422,
        {"cursor": ["This cursor is not valid; start again from the first page."]},
    )


@pytest.mark.parametrize("count", [5, 50])
def test_timeline_endpoint_query_count_does_not_grow(
    api_client, django_assert_max_num_queries, count: int
) -> None:
    company = CompanyFactory.create()
    contact = EmploymentFactory.create(company=company).contact
    for minute in range(count):
        InteractionFactory.create(occurred_at=at(minute), contacts=[contact], company=company)
        TaskFactory.create(contact=contact, company=company, due_at=at(minute))
    # Authentication (2), then the same work as the selectors.
    with django_assert_max_num_queries(2 + 5 + 4):
        assert api_client.get(f"/contacts/{contact.pk}/timeline").status_code == 200
    with django_assert_max_num_queries(2 + 2 + 5):
        assert api_client.get(f"/companies/{company.pk}/timeline").status_code == 200
