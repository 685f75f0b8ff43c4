"""Merging contacts and companies keeps every related record; undo puts the database back as it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import serializers
from django.db.models import Model

from accord.access.models import RecordShare
from accord.activities.models import Interaction, InteractionContact, Task
from accord.activities.tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    InteractionFactory,
    OrderFactory,
    TaskFactory,
)
from accord.core.actors import Actor
from accord.core.errors import Conflict, PreconditionFailed, ValidationFailed
from accord.core.models import AuditEntry, SearchEntry, Tag
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment
from accord.customers.services import company_index, contact_index
from accord.customers.summaries import contact_summaries_refresh
from accord.dedupe.models import DuplicateCandidate, MergeRecord
from accord.dedupe.services import company_merge, contact_merge, merge_undo
from accord.sales.models import Deal, DealContact, Lead, Order
from accord.users.models import User

pytestmark = pytest.mark.django_db

# Every table that can point at a contact, and how to count a contact's rows in it.
CONTACT_LINKS: dict[str, Any] = {
    "emails": lambda ids: ContactEmail.objects.filter(contact_id__in=ids).count(),
    "phones": lambda ids: ContactPhone.objects.filter(contact_id__in=ids).count(),
    "employments": lambda ids: Employment.objects.filter(contact_id__in=ids).count(),
    "deals": lambda ids: DealContact.objects.filter(contact_id__in=ids).values("deal_id").distinct().count(),
    "orders": lambda ids: Order.objects.filter(contact_id__in=ids).count(),
    "interactions": lambda ids: (
        InteractionContact.objects.filter(contact_id__in=ids).values("interaction_id").distinct().count()
    ),
    "tasks": lambda ids: Task.objects.filter(contact_id__in=ids).count(),
    "leads": lambda ids: Lead.objects.filter(converted_contact_id__in=ids).count(),
    "tags": lambda ids: Tag.objects.filter(contacts__id__in=ids).distinct().count(),
    "shares": lambda ids: (
        RecordShare.objects.filter(object_type="contact", object_id__in=ids)
        .values("user_id")
        .distinct()
        .count()
    ),
}


def _contact(user: User, serial: int, *, shared_deal: Deal, shared_tag: Tag, viewer: User) -> Contact:
    """A contact with rows in every related table; some rows are shared with the others (the same deal,
    the same tag, the same email) so the merge has duplicates to collapse."""
    contact = ContactFactory.create(given_name="Anna", family_name=f"Schmidt{serial}", owner=user)
    ContactEmail.objects.create(contact=contact, email=f"anna{serial}@example.org", is_primary=True)
    ContactEmail.objects.create(contact=contact, email="anna@shared.example", is_primary=False)
    ContactPhone.objects.create(contact=contact, number=f"+4915100000{serial:02d}", is_primary=True)
    Employment.objects.create(contact=contact, company=CompanyFactory.create(name=f"Firm {serial}"))
    DealContact.objects.create(deal=shared_deal, contact=contact, role=f"role {serial}")
    DealContact.objects.create(deal=DealFactory.create(), contact=contact)
    OrderFactory.create(contact=contact)
    InteractionFactory.create(contacts=[contact])
    TaskFactory.create(contact=contact, title=f"Call back {serial}")
    Lead.objects.create(given_name="Anna", family_name="Lead", converted_contact=contact)
    contact.tags.add(shared_tag, Tag.objects.create(name=f"tag {serial}"))
    RecordShare.objects.create(object_type="contact", object_id=contact.pk, user=viewer, access="read")
    contact_index(contact)
    contact_summaries_refresh([contact.pk])
    return contact


@pytest.fixture
def contacts(user: User) -> list[Contact]:
    viewer = User.objects.create_user(username="viewer", password="x" * 12)
    shared_deal, shared_tag = DealFactory.create(name="Shared deal"), Tag.objects.create(name="vip")
    return [
        _contact(user, serial, shared_deal=shared_deal, shared_tag=shared_tag, viewer=viewer)
        for serial in range(3)
    ]


def _counts(ids: list[int]) -> dict[str, int]:
    return {name: count(ids) for name, count in CONTACT_LINKS.items()}


def dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a merge touches, less the versions and update times a merge and its
    undo move on."""
    models: list[type[Model]] = [
        Contact,
        ContactEmail,
        ContactPhone,
        Employment,
        Company,
        Deal,
        DealContact,
        Order,
        Interaction,
        InteractionContact,
        Task,
        Lead,
        RecordShare,
        Contact.tags.through,
        Company.tags.through,
        SearchEntry,
    ]
    tables = {}
    for model in models:
        rows = serializers.serialize("python", model._default_manager.order_by("pk"))
        for row in rows:
            row["fields"].pop("version", None)
            row["fields"].pop("updated_at", None)
        if model is SearchEntry:  # entries are written anew: compare them by the record they index
            rows = sorted(
                (row["fields"] for row in rows), key=lambda fields: (fields["kind"], fields["object_id"])
            )
        tables[model._meta.label] = rows
    return tables


@pytest.mark.parametrize("merged", [2, 3])
def test_contact_merge_keeps_every_related_record(actor: Actor, contacts: list[Contact], merged: int) -> None:
    # Given two or three contacts with rows in every related table
    chosen = contacts[:merged]
    ids = [contact.pk for contact in chosen]
    before = _counts(ids)

    # When they are merged into the first, taking the family name of the last
    record = contact_merge(
        actor=actor,
        survivor=chosen[0],
        others=chosen[1:],
        field_choices={"family_name": ids[-1]},
        expected_versions={pk: 1 for pk in ids},
    )

    # Then the survivor has every related record (the shared deal, tag, email and viewer once)
    survivor = Contact.objects.get(pk=ids[0])
    assert Contact.objects.filter(pk__in=ids).count() == 1
    assert survivor.family_name == f"Schmidt{merged - 1}"
    assert _counts([ids[0]]) == {
        **before,
        "emails": before["emails"] - (merged - 1),  # anna@shared.example once
    }
    assert before["deals"] == merged + 1
    assert before["tags"] == merged + 1
    assert before["shares"] == 1
    assert ContactEmail.objects.filter(contact=survivor, is_primary=True).count() == 1
    assert (survivor.primary_email, survivor.primary_phone) == ("anna0@example.org", "+491510000000")
    assert sorted(DealContact.objects.filter(contact=survivor).values_list("role", flat=True)) == sorted(
        ["", "role 0"] + [""] * (merged - 1)
    )
    # and the audit trail and the merge record say what happened
    entries = AuditEntry.objects.filter(action__in=["merge", "merged"]).order_by("id")
    assert [(entry.action, entry.object_id) for entry in entries] == [
        *[("merged", pk) for pk in ids[1:]],
        ("merge", ids[0]),
    ]
    assert entries.last().changes["merged"] == [None, ids[1:]]  # type: ignore[union-attr]
    assert record.merged_ids == ids[1:]
    assert SearchEntry.objects.filter(kind="contact", object_id__in=ids[1:]).count() == 0
    assert SearchEntry.objects.get(kind="contact", object_id=ids[0]).title == f"Anna Schmidt{merged - 1}"


@pytest.mark.parametrize("merged", [2, 3])
def test_merge_undo_restores_the_database(actor: Actor, contacts: list[Contact], merged: int) -> None:
    # Given merged contacts
    chosen = contacts[:merged]
    DuplicateCandidate.objects.create(
        object_type="contact", first_id=chosen[0].pk, second_id=chosen[1].pk, score=90
    )
    before = dump()
    record = contact_merge(actor=actor, survivor=chosen[0], others=chosen[1:], field_choices={})
    assert DuplicateCandidate.objects.get().status == "merged"

    # When the merge is undone
    merge_undo(actor=actor, merge=record)

    # Then every row is back as it was, ids included
    after = dump()
    assert after == before
    assert DuplicateCandidate.objects.get().status == "open"
    assert MergeRecord.objects.get().undone_at is not None
    actions = list(
        AuditEntry.objects.filter(action__in=["merge_undo", "restore"])
        .order_by("id")
        .values_list("action", "object_id")
    )
    assert actions == [("merge_undo", chosen[0].pk), *[("restore", contact.pk) for contact in chosen[1:]]]


def test_undo_is_refused_when_a_moved_row_was_deleted(actor: Actor, contacts: list[Contact]) -> None:
    # Given a merge after which a task that moved to the survivor was deleted
    record = contact_merge(actor=actor, survivor=contacts[0], others=[contacts[1]])
    Task.objects.filter(title="Call back 1").delete()

    # When it is undone, then it is refused with the reason, and nothing changes
    with pytest.raises(Conflict, match=r"tasks .* were deleted or moved since the merge"):
        merge_undo(actor=actor, merge=record)
    assert not Contact.objects.filter(pk=contacts[1].pk).exists()


def test_undo_is_refused_when_the_survivor_changed_a_merged_field(
    actor: Actor, contacts: list[Contact]
) -> None:
    record = contact_merge(
        actor=actor, survivor=contacts[0], others=[contacts[1]], field_choices={"family_name": contacts[1].pk}
    )
    Contact.objects.filter(pk=contacts[0].pk).update(family_name="Renamed")
    with pytest.raises(Conflict, match=r"changed since the merge \(family_name\)"):
        merge_undo(actor=actor, merge=record)


def test_undo_twice_is_refused(actor: Actor, contacts: list[Contact]) -> None:
    record = contact_merge(actor=actor, survivor=contacts[0], others=[contacts[1]])
    merge_undo(actor=actor, merge=record)
    with pytest.raises(Conflict, match="undone already"):
        merge_undo(actor=actor, merge=record)


def test_merge_refuses_a_stale_version_and_bad_choices(actor: Actor, contacts: list[Contact]) -> None:
    with pytest.raises(PreconditionFailed):
        contact_merge(
            actor=actor, survivor=contacts[0], others=[contacts[1]], expected_versions={contacts[1].pk: 7}
        )
    with pytest.raises(ValidationFailed) as error:
        contact_merge(
            actor=actor,
            survivor=contacts[0],
            others=[contacts[1]],
            field_choices={"given_name": contacts[2].pk, "password": contacts[0].pk},
        )
    assert error.value.fields == {
        "field_choices.given_name": [f"Record {contacts[2].pk} is not in this merge."],
        "field_choices.password": ["Not a field that a merge chooses."],
    }
    assert Contact.objects.count() == 3


def test_company_merge_moves_people_deals_orders_and_subsidiaries(actor: Actor) -> None:
    # Given two companies with employees, deals, orders, interactions, tasks, a subsidiary and a shared employee
    first, second = (
        CompanyFactory.create(name="Acme", domain=""),
        CompanyFactory.create(name="ACME GmbH", domain="acme.de"),
    )
    person, both = ContactFactory.create(), ContactFactory.create()
    Employment.objects.create(contact=person, company=second)
    Employment.objects.create(contact=both, company=first, role="CEO")
    Employment.objects.create(contact=both, company=second, role="Chief")
    DealFactory.create(company=second)
    OrderFactory.create(company=second)
    InteractionFactory.create(company=second)
    TaskFactory.create(company=second)
    child = CompanyFactory.create(name="Acme Child", parent=second)
    first.tags.add(Tag.objects.create(name="partner"))
    second.tags.add(Tag.objects.get(name="partner"), Tag.objects.create(name="supplier"))
    for company in (first, second, child):
        company_index(company)
    for contact in (person, both):
        contact_index(contact)
    contact_summaries_refresh([person.pk, both.pk])
    before = dump()

    # When the second is merged into the first, keeping the second's domain (the first has none)
    record = company_merge(actor=actor, survivor=first, others=[second])

    # Then everything points at the first
    assert Company.objects.get(pk=first.pk).domain == "acme.de"
    assert Employment.objects.filter(company=first).count() == 2  # "both" once, as CEO
    assert Employment.objects.get(contact=both).role == "CEO"
    assert Deal.objects.filter(company=first).count() == 1
    assert Order.objects.filter(company=first).count() == 1
    assert Interaction.objects.filter(company=first).count() == 1
    assert Task.objects.filter(company=first).count() == 1
    assert Company.objects.get(pk=child.pk).parent_id == first.pk
    assert sorted(first.tags.values_list("name", flat=True)) == ["partner", "supplier"]
    # (their lists name the company they work for now)
    assert Contact.objects.get(pk=person.pk).current_company_id == first.pk

    # And undo restores it all
    merge_undo(actor=actor, merge=record)
    assert dump() == before
