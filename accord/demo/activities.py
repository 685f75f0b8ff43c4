"""Interactions over every channel (with their participants) and tasks in every state."""

from __future__ import annotations

import numpy as np

from accord.activities.models import Interaction, InteractionContact, Task
from accord.demo import names
from accord.demo.loader import BulkLoader, chunks
from accord.demo.people import LIFECYCLE, Companies, Contacts, Employees
from accord.demo.sales import OPEN, Deals, Leads
from accord.demo.sampling import DAY, YEAR, business_time, uniform_between, weighted

Kind, Channel, Direction = Interaction.Kind, Interaction.Channel, Interaction.Direction
# (kind, channel, weight): every kind and every channel occurs.
KIND_CHANNELS: tuple[tuple[str, str, float], ...] = (
    (Kind.CALL, Channel.PHONE, 22),
    (Kind.EMAIL, Channel.EMAIL, 30),
    (Kind.MEETING, Channel.IN_PERSON, 4.8),
    (Kind.MEETING, Channel.VIDEO, 3.2),
    (Kind.CHAT, Channel.CHAT, 6),
    (Kind.WEB_VISIT, Channel.WEB, 12),
    (Kind.FORM, Channel.WEB, 5),
    (Kind.SOCIAL, Channel.SOCIAL, 5),
    (Kind.LETTER, Channel.MAIL, 2),
    (Kind.VISIT, Channel.IN_PERSON, 3),
    (Kind.NOTE, Channel.INTERNAL, 7),
)
# About a deal, people call, write, meet and take notes.
DEAL_KIND_CHANNEL_WEIGHTS = [
    weight if kind in (Kind.CALL, Kind.EMAIL, Kind.MEETING, Kind.NOTE) else 0
    for kind, _, weight in KIND_CHANNELS
]
# Customers and people in a sales conversation are contacted more often.
LIFECYCLE_CONTACT_WEIGHTS = {
    "subscriber": 0.5,
    "lead": 1,
    "opportunity": 2.5,
    "customer": 3,
    "evangelist": 3,
    "churned": 1.5,
    "other": 0.5,
}
DURATION_SECONDS: dict[str, tuple[int, ...]] = {
    Kind.MEETING: (1800, 2700, 3600, 5400),
    Kind.VISIT: (3600, 5400, 7200),
}
GENERAL_PER_CONTACT = 0.5
PER_DEAL = 1.5


def _pairs_of(*kinds: str) -> list[int]:
    return [index for index, (kind, _, _) in enumerate(KIND_CHANNELS) if kind in kinds]


ANY_HOUR_PAIRS = _pairs_of(Kind.WEB_VISIT, Kind.FORM)  # the rest happens during office hours
GROUP_PAIRS = _pairs_of(Kind.MEETING, Kind.VISIT)  # colleagues join these


def write_interactions(
    loader: BulkLoader,
    rng: np.random.Generator,
    contacts: Contacts,
    companies: Companies,
    employees: Employees,
    deals: Deals,
    *,
    now: int,
) -> None:
    # Interactions with people at any time, and interactions about deals while they were open.
    general = round(contacts.count * GENERAL_PER_CONTACT)
    lifecycle_weight = np.array([LIFECYCLE_CONTACT_WEIGHTS[stage] for stage in LIFECYCLE])[contacts.lifecycle]
    general_contact = weighted(rng, lifecycle_weight, general)
    general_pair = weighted(rng, [weight for _, _, weight in KIND_CHANNELS], general)
    general_pair[: min(general, len(KIND_CHANNELS))] = np.arange(min(general, len(KIND_CHANNELS)))
    general_start = np.maximum(contacts.created[general_contact], now - 3 * YEAR)
    general_time = uniform_between(rng, general_start, np.full(general, now - 60))

    per_deal = rng.poisson(PER_DEAL, deals.count)
    deal = np.repeat(np.arange(deals.count), per_deal)
    deal_end = np.where(deals.outcome[deal] == OPEN, now - 60, deals.last_change[deal])
    deal_time = uniform_between(rng, deals.created[deal], np.maximum(deal_end, deals.created[deal]))

    contact = np.concatenate([general_contact, deals.contact[deal]])
    pair = np.concatenate([general_pair, weighted(rng, DEAL_KIND_CHANNEL_WEIGHTS, len(deal))])
    about_deal = np.concatenate([np.full(general, -1), deal])
    time = np.concatenate([general_time, deal_time])
    day_time = business_time(rng, time // DAY, evening_share=0.1)
    time = np.where(
        np.isin(pair, ANY_HOUR_PAIRS), time, np.clip(day_time, contacts.created[contact], now - 60)
    )
    chronological = np.argsort(time, kind="stable")
    contact, pair, about_deal, time = (array[chronological] for array in (contact, pair, about_deal, time))
    count = len(contact)

    kinds = [kind for kind, _, _ in KIND_CHANNELS]
    kind_list = [kinds[p] for p in pair.tolist()]
    direction_draw = rng.random(count).tolist()
    subject_draw = rng.integers(0, 1 << 30, count).tolist()
    body = np.where(
        rng.random(count) < 0.35, rng.integers(0, len(names.INTERACTION_BODIES), count), -1
    ).tolist()
    duration = _durations(rng, kind_list)
    company = np.where(about_deal >= 0, deals.company[np.maximum(about_deal, 0)], contacts.company[contact])
    owner = np.where(
        (about_deal >= 0) & (rng.random(count) < 0.5),
        deals.owner[np.maximum(about_deal, 0)],
        contacts.owner[contact],
    )
    with loader.table(Interaction, rows=count) as table:
        first_id = table.first_id
        for rows in chunks(count):
            chunk_kinds = kind_list[rows]
            table.write(
                len(chunk_kinds),
                {
                    "kind": chunk_kinds,
                    "channel": [KIND_CHANNELS[p][1] for p in pair[rows].tolist()],
                    "direction": [
                        _direction(kind, draw)
                        for kind, draw in zip(chunk_kinds, direction_draw[rows], strict=True)
                    ],
                    "subject": [
                        names.INTERACTION_SUBJECTS[kind][draw % len(names.INTERACTION_SUBJECTS[kind])]
                        for kind, draw in zip(chunk_kinds, subject_draw[rows], strict=True)
                    ],
                    "body": [
                        names.INTERACTION_BODIES[b] if b >= 0 and kind in _WRITTEN else ""
                        for b, kind in zip(body[rows], chunk_kinds, strict=True)
                    ],
                    "occurred_at": loader.datetimes(time[rows]),
                    "duration_seconds": duration[rows],
                    "outcome": [
                        _outcome(kind, draw)
                        for kind, draw in zip(chunk_kinds, subject_draw[rows], strict=True)
                    ],
                    "company_id": [
                        companies.first_id + c if c >= 0 else None for c in company[rows].tolist()
                    ],
                    "deal_id": [deals.first_id + d if d >= 0 else None for d in about_deal[rows].tolist()],
                    "owner_id": owner[rows],
                    "created_at": loader.datetimes(time[rows]),
                    "updated_at": loader.datetimes(time[rows]),
                },
            )
    _write_participants(loader, rng, first_id, contact, pair, time, contacts, employees)


_WRITTEN = {Kind.EMAIL, Kind.NOTE, Kind.MEETING, Kind.CALL}


def _direction(kind: str, draw: float) -> str:
    if kind == Kind.NOTE:
        return Direction.INTERNAL
    if kind in (Kind.WEB_VISIT, Kind.FORM) or (kind == Kind.CHAT and draw < 0.7):
        return Direction.INBOUND
    return Direction.OUTBOUND if draw < 0.55 else Direction.INBOUND


def _outcome(kind: str, draw: int) -> str:
    outcomes = names.INTERACTION_OUTCOMES.get(kind)
    return outcomes[draw // 7 % len(outcomes)] if outcomes else ""


def _durations(rng: np.random.Generator, kinds: list[str]) -> list[int | None]:
    call = np.clip(rng.lognormal(np.log(300), 0.9, len(kinds)), 20, 3600).astype(np.int64).tolist()
    chat = rng.integers(60, 1200, len(kinds)).tolist()
    slot = rng.integers(0, 1 << 30, len(kinds)).tolist()
    result: list[int | None] = []
    for index, kind in enumerate(kinds):
        if kind == Kind.CALL:
            result.append(call[index])
        elif kind == Kind.CHAT:
            result.append(chat[index])
        elif kind in DURATION_SECONDS:
            options = DURATION_SECONDS[kind]
            result.append(options[slot[index] % len(options)])
        else:
            result.append(None)
    return result


def _write_participants(
    loader: BulkLoader,
    rng: np.random.Generator,
    first_id: int,
    contact: np.ndarray,
    pair: np.ndarray,
    time: np.ndarray,
    contacts: Contacts,
    employees: Employees,
) -> None:
    """Everyone takes part in their own interaction; colleagues join meetings and visits."""
    count = len(contact)
    group = np.isin(pair, GROUP_PAIRS) & (contacts.company[contact] >= 0)
    own_company = np.maximum(contacts.company[contact], 0)
    second = np.where(group & (rng.random(count) < 0.6), employees.colleague(contact, own_company, 1), -1)
    third = np.where(
        (second >= 0) & (rng.random(count) < 0.4), employees.colleague(contact, own_company, 2), -1
    )
    people = np.stack([contact, second, third], axis=1).ravel()
    interaction = np.repeat(np.arange(count), 3)
    keep = people >= 0
    interaction, people = interaction[keep], people[keep]
    with loader.table(InteractionContact, "interaction contacts", rows=len(people)) as table:
        for rows in chunks(len(people)):
            table.write(
                rows.stop - rows.start,
                {
                    "interaction_id": first_id + interaction[rows],
                    "contact_id": contacts.ids(people[rows]),
                    "occurred_at": loader.datetimes(time[interaction[rows]]),
                },
            )


# -------------------------------------------------------------------------------------------- tasks

TASK_TARGET_WEIGHTS = {"contact": 45, "company": 15, "deal": 30, "lead": 10}
TASK_STATUS_WEIGHTS = {
    Task.Status.DONE: 50,
    Task.Status.OPEN: 30,
    Task.Status.IN_PROGRESS: 10,
    Task.Status.CANCELLED: 10,
}
TASK_PRIORITY_WEIGHTS = {
    Task.Priority.LOW: 20,
    Task.Priority.NORMAL: 55,
    Task.Priority.HIGH: 20,
    Task.Priority.URGENT: 5,
}


def write_tasks(
    loader: BulkLoader,
    rng: np.random.Generator,
    count: int,
    contacts: Contacts,
    companies: Companies,
    deals: Deals,
    leads: Leads,
    user_ids: np.ndarray,
    *,
    now: int,
) -> None:
    targets = list(TASK_TARGET_WEIGHTS)
    target = weighted(rng, list(TASK_TARGET_WEIGHTS.values()), count)
    sizes = np.array([contacts.count, companies.count, deals.count, leads.count])
    record = np.floor(rng.random(count) * sizes[target]).astype(np.int64)
    statuses = list(TASK_STATUS_WEIGHTS)
    status = weighted(rng, list(TASK_STATUS_WEIGHTS.values()), count)
    is_current = np.isin(status, [statuses.index(Task.Status.OPEN), statuses.index(Task.Status.IN_PROGRESS)])
    created = np.where(
        is_current, now - rng.integers(DAY, 60 * DAY, count), now - rng.integers(DAY, 2 * YEAR, count)
    )
    due = business_time(rng, created // DAY + rng.integers(1, 30, count), evening_share=0)
    # The first tasks show each state a list must handle: due later, overdue, in progress, done, cancelled.
    examples = [
        Task.Status.OPEN,
        Task.Status.OPEN,
        Task.Status.IN_PROGRESS,
        Task.Status.DONE,
        Task.Status.CANCELLED,
    ]
    for index, example in enumerate(examples[:count]):
        status[index] = statuses.index(example)
        created[index] = now - 5 * DAY + 10 * 3600
        due[index] = (now + 3 * DAY if index == 0 else now - 2 * DAY) + 14 * 3600
    done = status == statuses.index(Task.Status.DONE)
    completed = np.minimum(uniform_between(rng, created, np.maximum(due + 5 * DAY, created)), now - 60)
    updated = np.where(done, completed, uniform_between(rng, created, np.full(count, now)))
    priorities = list(TASK_PRIORITY_WEIGHTS)
    priority = weighted(rng, list(TASK_PRIORITY_WEIGHTS.values()), count)
    title_draw = rng.integers(0, 1 << 30, count).tolist()
    fallback_owner = user_ids[rng.integers(0, len(user_ids), count)]
    with loader.table(Task, rows=count) as table:
        for rows in chunks(count):
            chunk_target = target[rows].tolist()
            chunk_record = record[rows].tolist()
            ids: dict[str, list[int | None]] = {name: [] for name in targets}
            titles, assignees = [], []
            for kind_index, record_index, draw, fallback in zip(
                chunk_target, chunk_record, title_draw[rows], fallback_owner[rows].tolist(), strict=True
            ):
                kind = targets[kind_index]
                name, owner, first_id = _task_target(kind, record_index, contacts, companies, deals, leads)
                for other in targets:
                    ids[other].append(first_id + record_index if other == kind else None)
                templates = names.TASK_TITLES[kind]
                titles.append(templates[draw % len(templates)].format(name=name))
                assignees.append(owner if owner is not None else fallback)
            table.write(
                len(titles),
                {
                    "title": titles,
                    "due_at": loader.datetimes(due[rows]),
                    "completed_at": [
                        at if is_done else None
                        for at, is_done in zip(
                            loader.datetimes(completed[rows]), done[rows].tolist(), strict=True
                        )
                    ],
                    "priority": [priorities[p] for p in priority[rows].tolist()],
                    "status": [statuses[s] for s in status[rows].tolist()],
                    "assignee_id": assignees,
                    "contact_id": ids["contact"],
                    "company_id": ids["company"],
                    "deal_id": ids["deal"],
                    "lead_id": ids["lead"],
                    "created_at": loader.datetimes(created[rows]),
                    "updated_at": loader.datetimes(updated[rows]),
                },
            )


def _task_target(
    kind: str, index: int, contacts: Contacts, companies: Companies, deals: Deals, leads: Leads
) -> tuple[str, int | None, int]:
    """(name shown in the title, owner, first id of its table) of the record a task is about."""
    if kind == "contact":
        return contacts.full_name(index), int(contacts.owner[index]), contacts.first_id
    if kind == "company":
        return companies.labels.names[index], int(companies.owner[index]), companies.first_id
    if kind == "deal":
        return deals.names[index], int(deals.owner[index]), deals.first_id
    return leads.title(index), leads.owner[index], leads.first_id
