"""Reads of the exports app, scoped by ``visible_to``: contacts as vCards, a user's tasks and meetings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Model, Prefetch, Q
from django.utils import timezone

from accord.activities.models import Interaction, InteractionContact, Task
from accord.core.actors import Actor
from accord.core.permissions import hidden_keys, visible_to
from accord.core.selectors import records_in_order
from accord.customers.models import Contact, ContactEmail
from accord.customers.selectors import contact_queryset, visible_company_names
from accord.exports.uids import stable_uuid
from accord.exports.vcard import Card, Channel
from accord.sales.models import Deal, Lead

# What a calendar feed holds: open tasks, tasks done lately, and meetings from a quarter ago on. Calendar
# apps poll every few minutes, so the feed stays a few hundred entries rather than a career's worth.
DONE_TASKS_KEPT = dt.timedelta(days=30)
PAST_MEETINGS_KEPT = dt.timedelta(days=90)
FEED_LIMIT = 2_000


def contact_uid(pk: int) -> str:
    return f"urn:uuid:{stable_uuid('contact', pk)}"


def contact_cards(*, actor: Actor, contacts: list[Contact]) -> list[Card]:
    """Contacts (read with ``contact_queryset``'s prefetches) as vCards: no phone for a role that may not
    see phones, and the current company only when the actor may see it. One query for the companies."""
    phones_hidden = "phones" in hidden_keys(actor, Contact)
    jobs = {
        contact.pk: next((job for job in contact.employments.all() if job.is_current), None)
        for contact in contacts
    }
    companies = visible_company_names(actor=actor, ids={job.company_id for job in jobs.values() if job})
    cards = []
    for contact in contacts:
        job = jobs[contact.pk]
        cards.append(
            Card(
                uid=contact_uid(contact.pk),
                given_name=contact.given_name,
                family_name=contact.family_name,
                full_name=contact.full_name,
                emails=[Channel(item.email, item.label, item.is_primary) for item in contact.emails.all()],
                phones=[]
                if phones_hidden
                else [Channel(item.number, item.label, item.is_primary) for item in contact.phones.all()],
                organization=companies.get(job.company_id, "") if job else "",
                title=contact.job_title,
                categories=sorted(tag.name for tag in contact.tags.all()),
                revised=contact.updated_at,
            )
        )
    return cards


def contacts_by_id(ids: list[int]) -> list[Contact]:
    """A page of contacts a scoped query found, with what their vCards need (``load_rows``)."""
    return records_in_order(contact_queryset(), ids)


# ---------------------------------------------------------------- the calendar feed


@dataclass(frozen=True)
class Related:
    """The record a task is about, as the feed names and links it."""

    name: str
    path: str


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


@dataclass(frozen=True)
class CalendarItems:
    tasks: list[tuple[Task, Related | None]]
    meetings: list[tuple[Interaction, list[Attendee]]]


def _visible_ids(actor: Actor, model: type[Model], ids: Collection[int]) -> set[int]:
    if not ids or not actor.access.can("view", model._meta.model_name):
        return set()
    return set(
        visible_to(actor, model._default_manager.filter(pk__in=sorted(ids))).values_list("pk", flat=True)
    )


def _task_related(actor: Actor, tasks: list[Task]) -> dict[int, Related]:
    """Per task, the contact, company, deal or lead it is about, when the actor may see that record."""
    links = (
        ("contact", Contact, "/contacts/{}/"),
        ("company", None, "/companies/{}/"),
        ("deal", Deal, "/deals/{}/"),
        ("lead", Lead, "/leads/{}/convert/"),
    )
    related: dict[int, Related] = {}
    for field, model, path in links:
        ids = {getattr(task, f"{field}_id") for task in tasks if getattr(task, f"{field}_id")}
        if model is None:
            names = visible_company_names(actor=actor, ids=ids)
        else:
            visible = _visible_ids(actor, model, ids)
            names = {
                pk: str(getattr(task, field))
                for task in tasks
                if (pk := getattr(task, f"{field}_id")) in visible
            }
        for task in tasks:
            pk = getattr(task, f"{field}_id")
            if task.pk not in related and pk in names:
                related[task.pk] = Related(name=names[pk], path=path.format(pk))
    return related


def _attendees(actor: Actor, meetings: list[Interaction]) -> dict[int, list[Attendee]]:
    """Per meeting, the participants the actor may see, with their primary email (one query each)."""
    links = list(
        InteractionContact.objects.filter(interaction__in=[meeting.pk for meeting in meetings])
        .select_related("contact")
        .prefetch_related(Prefetch("contact__emails", queryset=ContactEmail.objects.filter(is_primary=True)))
        .order_by("interaction_id", "contact__family_name", "contact_id")
    )
    visible = _visible_ids(actor, Contact, {link.contact_id for link in links})
    attendees: dict[int, list[Attendee]] = {meeting.pk: [] for meeting in meetings}
    for link in links:
        emails = list(link.contact.emails.all())
        if link.contact_id in visible and emails:
            attendees[link.interaction_id].append(Attendee(link.contact.full_name, emails[0].email))
    return attendees


def calendar_items(*, actor: Actor) -> CalendarItems:
    """The actor's own tasks (open, or done in the last 30 days) and meetings (from 90 days ago on),
    each only if the actor may see it now: a meeting filed on a deal the user no longer sees is left out,
    as is everything of a type the user's role may not view."""
    user_id, now = actor.user_id, timezone.now()
    tasks: list[Task] = []
    meetings: list[Interaction] = []
    if actor.access.can("view", "task"):
        recent = Q(status__in=[Task.Status.OPEN, Task.Status.IN_PROGRESS]) | Q(
            completed_at__gte=now - DONE_TASKS_KEPT
        )
        own_tasks = Task.objects.filter(recent, assignee_id=user_id).select_related("contact", "deal", "lead")
        tasks = list(visible_to(actor, own_tasks).order_by("due_at", "id")[:FEED_LIMIT])
    if actor.access.can("view", "interaction"):
        own_meetings = Interaction.objects.filter(
            kind=Interaction.Kind.MEETING, owner_id=user_id, occurred_at__gte=now - PAST_MEETINGS_KEPT
        )
        meetings = list(visible_to(actor, own_meetings).order_by("occurred_at", "id")[:FEED_LIMIT])
    related = _task_related(actor, tasks)
    attendees = _attendees(actor, meetings) if meetings else {}
    return CalendarItems(
        tasks=[(task, related.get(task.pk)) for task in tasks],
        meetings=[(meeting, attendees[meeting.pk]) for meeting in meetings],
    )
