"""Interaction and task services: validation, participants, completion time, versions and audit."""

import datetime as dt

import pytest
from django.utils import timezone

from accord.activities.models import Interaction, InteractionContact, Task
from accord.activities.services import (
    interaction_create,
    interaction_delete,
    interaction_update,
    task_create,
    task_delete,
    task_update,
)
from accord.activities.tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    InteractionFactory,
    TaskFactory,
    at,
)
from accord.core.actors import Actor
from accord.core.errors import PreconditionFailed, ValidationFailed
from accord.core.models import AuditEntry
from accord.sales.models import Lead
from accord.users.models import User

pytestmark = pytest.mark.django_db


def _participants(interaction: Interaction) -> list[tuple[int, dt.datetime]]:
    rows = InteractionContact.objects.filter(interaction=interaction).order_by("contact_id")
    return [(row.contact_id, row.occurred_at) for row in rows]


# ---------------------------------------------------------------- interactions


def test_interaction_create_links_contacts_with_the_time_and_audits(actor: Actor) -> None:
    ada, bob = ContactFactory.create(), ContactFactory.create()
    company, deal = CompanyFactory.create(), DealFactory.create()
    interaction = interaction_create(
        actor=actor,
        data={
            "kind": "meeting", "channel": "in_person", "subject": "  Kick-off  ", "occurred_at": at(30),
            "duration_seconds": 3600, "contact_ids": [bob.pk, ada.pk], "company_id": company.pk, "deal_id": deal.pk,
        },
    )  # fmt: skip
    assert (interaction.subject, interaction.owner_id, interaction.direction, interaction.version) == (
        "Kick-off", actor.user_id, "outbound", 1,
    )  # fmt: skip
    assert _participants(interaction) == [(ada.pk, at(30)), (bob.pk, at(30))]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "activities.interaction",
        interaction.pk,
    )


def test_interaction_update_keeps_participant_times_in_step(actor: Actor) -> None:
    ada, bob, cleo = ContactFactory.create(), ContactFactory.create(), ContactFactory.create()
    interaction = interaction_create(
        actor=actor,
        data={"kind": "call", "channel": "phone", "occurred_at": at(0), "contact_ids": [ada.pk, bob.pk]},
    )
    interaction_update(actor=actor, instance=interaction, data={"occurred_at": at(90)})
    assert _participants(interaction) == [(ada.pk, at(90)), (bob.pk, at(90))]

    # Moving it and changing who took part at once: the newcomer gets the new time too.
    updated = interaction_update(
        actor=actor, instance=interaction, data={"occurred_at": at(120), "contact_ids": [cleo.pk, bob.pk]}
    )
    assert _participants(interaction) == [(bob.pk, at(120)), (cleo.pk, at(120))]
    assert updated.version == 3
    changes = AuditEntry.objects.filter(action="update").order_by("id").last().changes  # type: ignore[union-attr]
    assert changes == {
        "occurred_at": [at(90).isoformat(), at(120).isoformat()],
        "contact_ids": [[ada.pk, bob.pk], sorted([bob.pk, cleo.pk])],
    }


def test_interaction_update_without_changes_keeps_the_version(actor: Actor) -> None:
    ada = ContactFactory.create()
    interaction = interaction_create(
        actor=actor, data={"kind": "call", "channel": "phone", "occurred_at": at(0), "contact_ids": [ada.pk]}
    )
    same = interaction_update(
        actor=actor,
        instance=interaction,
        data={"occurred_at": at(0), "contact_ids": [ada.pk], "kind": "call"},
    )
    assert same.version == 1
    assert not AuditEntry.objects.filter(action="update").exists()


def test_interaction_validation_names_every_bad_field(actor: Actor) -> None:
    ada = ContactFactory.create()
    with pytest.raises(ValidationFailed) as error:
        interaction_create(
            actor=actor,
            data={
                "kind": "telepathy", "channel": "phone", "occurred_at": dt.datetime(2026, 3, 1, 9, 0),
                "contact_ids": [ada.pk, 999_999, ada.pk], "company_id": 999_999, "deal_id": 999_999,
                "owner_id": 999_999, "duration_seconds": -1,
            },
        )  # fmt: skip
    assert error.value.fields == {
        "kind": ["Use one of: call, email, meeting, chat, web_visit, form, social, letter, visit, note."],
        "occurred_at": ["Give a date and time with its offset, e.g. 2026-03-01T09:30:00+01:00 or …Z."],
        "duration_seconds": ["A duration cannot be negative."],
        "company_id": ["No company with id 999999."],
        "deal_id": ["No deal with id 999999."],
        "owner_id": ["No active user with id 999999."],
        "contact_ids.1": ["No contact with id 999999."],
        "contact_ids.2": ["This contact is listed twice."],
    }
    assert not Interaction.objects.exists()
    assert not AuditEntry.objects.exists()


def test_interaction_required_fields_and_nulls(actor: Actor) -> None:
    with pytest.raises(ValidationFailed) as error:
        interaction_create(actor=actor, data={"subject": "?"})
    assert error.value.fields == {
        name: ["This field is required."] for name in ("kind", "channel", "occurred_at")
    }
    interaction = InteractionFactory.create()
    with pytest.raises(ValidationFailed) as error:
        interaction_update(
            actor=actor, instance=interaction, data={"occurred_at": None, "kind": None, "body": None}
        )
    assert set(error.value.fields) == {"occurred_at", "kind", "body"}


def test_interaction_stale_version_is_refused(actor: Actor) -> None:
    interaction = InteractionFactory.create()
    interaction_update(actor=actor, instance=interaction, data={"subject": "v2"}, expected_version=1)
    with pytest.raises(PreconditionFailed):
        interaction_update(actor=actor, instance=interaction, data={"subject": "v3"}, expected_version=1)
    with pytest.raises(PreconditionFailed):
        interaction_delete(actor=actor, instance=interaction, expected_version=1)


def test_interaction_delete_removes_participants_and_audits(actor: Actor) -> None:
    interaction = InteractionFactory.create(contacts=[ContactFactory.create()])
    interaction_delete(actor=actor, instance=interaction, expected_version=1)
    assert not Interaction.objects.exists()
    assert not InteractionContact.objects.exists()
    assert AuditEntry.objects.get().action == "delete"


# ---------------------------------------------------------------- tasks


def test_task_create_defaults_to_the_creator_and_checks_links(actor: Actor) -> None:
    contact, company, deal = ContactFactory.create(), CompanyFactory.create(), DealFactory.create()
    lead = Lead.objects.create(family_name="Prospect")
    task = task_create(
        actor=actor,
        data={"title": " Call back ", "due_at": at(60), "contact_id": contact.pk, "company_id": company.pk,
              "deal_id": deal.pk, "lead_id": lead.pk},
    )  # fmt: skip
    assert (task.title, task.assignee_id, task.status, task.completed_at) == (
        "Call back",
        actor.user_id,
        "open",
        None,
    )
    assert (task.contact_id, task.company_id, task.deal_id, task.lead_id) == (
        contact.pk,
        company.pk,
        deal.pk,
        lead.pk,
    )
    unassigned = task_create(actor=actor, data={"title": "Someone", "assignee_id": None})
    assert unassigned.assignee_id is None


def test_task_validation_names_every_bad_field(actor: Actor) -> None:
    retired = User.objects.create_user(username="gone", is_active=False)
    with pytest.raises(ValidationFailed) as error:
        task_create(
            actor=actor,
            data={"title": "   ", "priority": "whenever", "status": "maybe", "due_at": dt.datetime(2026, 1, 1),
                  "assignee_id": retired.pk, "contact_id": 404, "company_id": 404, "deal_id": 404, "lead_id": 404},
        )  # fmt: skip
    assert error.value.fields == {
        "title": ["A task needs a title."],
        "priority": ["Use one of: low, normal, high, urgent."],
        "status": ["Use one of: open, in_progress, done, cancelled."],
        "due_at": ["Give a date and time with its offset, e.g. 2026-03-01T09:30:00+01:00 or …Z."],
        "assignee_id": [f"No user with id {retired.pk}."],
        "contact_id": ["No contact with id 404."],
        "company_id": ["No company with id 404."],
        "deal_id": ["No deal with id 404."],
        "lead_id": ["No lead with id 404."],
    }
    with pytest.raises(ValidationFailed) as error:
        task_create(actor=actor, data={})
    assert error.value.fields == {"title": ["This field is required."]}


def test_task_completion_time_is_set_on_done_and_cleared_on_reopen(actor: Actor) -> None:
    task = task_create(actor=actor, data={"title": "Send quote"})
    before = timezone.now()
    done = task_update(actor=actor, instance=task, data={"status": "done"})
    assert done.completed_at is not None
    assert before <= done.completed_at <= timezone.now()
    first_completion = done.completed_at

    # Editing a done task (still done) keeps the moment it was completed.
    edited = task_update(actor=actor, instance=task, data={"notes": "sent by post", "status": "done"})
    assert edited.completed_at == first_completion

    reopened = task_update(actor=actor, instance=task, data={"status": "in_progress"})
    assert reopened.completed_at is None
    cancelled = task_update(actor=actor, instance=task, data={"status": "cancelled"})
    assert (cancelled.status, cancelled.completed_at, cancelled.version) == ("cancelled", None, 5)

    created_done = task_create(actor=actor, data={"title": "Already done", "status": "done"})
    assert created_done.completed_at is not None
    assert Task.objects.get(pk=created_done.pk).completed_at == created_done.completed_at


def test_task_update_audits_changes_and_refuses_stale_versions(actor: Actor) -> None:
    task = TaskFactory.create(title="Old")
    task_update(actor=actor, instance=task, data={"title": "New", "priority": "high"}, expected_version=1)
    assert AuditEntry.objects.get().changes == {"title": ["Old", "New"], "priority": ["normal", "high"]}
    with pytest.raises(PreconditionFailed):
        task_update(actor=actor, instance=task, data={"title": "Newer"}, expected_version=1)
    with pytest.raises(ValidationFailed) as error:
        task_update(actor=actor, instance=task, data={"title": None, "status": None})
    assert error.value.fields == {
        "title": ["This field cannot be null."],
        "status": ["This field cannot be null."],
    }


def test_task_delete_audits(actor: Actor) -> None:
    task = TaskFactory.create()
    task_delete(actor=actor, instance=task, expected_version=1)
    assert not Task.objects.exists()
    assert AuditEntry.objects.get().object_type == "activities.task"
