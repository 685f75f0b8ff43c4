"""Deals with their people and stage history, and leads in every status.

A deal walks its pipeline's open stages in order and, when closed, ends in the won or the lost
stage; its ``DealStageChange`` rows are that walk, so the last change always names the current
stage and the time of the last change is ``closed_at``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.demo import geography, names
from accord.demo.loader import BulkLoader, chunks
from accord.demo.people import (
    COUNTRY_CULTURE,
    FAMILY,
    FREE_MAIL_DOMAINS,
    GIVEN,
    Companies,
    Contacts,
    EmailRows,
    Employees,
    personal_emails,
)
from accord.demo.reference import PipelineStages
from accord.demo.sampling import DAY, YEAR, group_offsets, rank_in_group, uniform_between, weighted
from accord.sales.models import Deal, DealContact, DealStageChange, Lead

OPEN, WON, LOST = 0, 1, 2
PIPELINE_WEIGHTS = [0.6, 0.25, 0.15]
OUTCOME_WEIGHTS = [45, 30, 25]  # open, won, lost
MEDIAN_AMOUNT_CENTS = np.array([1_200_000, 800_000, 2_500_000])  # by pipeline
SIZE_BAND_AMOUNT_FACTOR = np.array([0.3, 0.5, 1.0, 2.0, 4.0, 8.0])
MEAN_DAYS_IN_STAGE = 12


@dataclass
class Deals:
    count: int
    contact: np.ndarray  # the main person (index), an employee of the company
    company: np.ndarray
    pipeline: np.ndarray  # index into Reference.pipelines
    outcome: np.ndarray  # OPEN, WON or LOST
    stage_id: np.ndarray
    created: np.ndarray
    last_change: np.ndarray
    owner: np.ndarray
    names: list[str]
    change_deal: np.ndarray  # stage history, grouped by deal, oldest first
    change_from: np.ndarray  # stage id, 0 for the creation
    change_to: np.ndarray
    change_time: np.ndarray
    first_id: int = 0

    def ids(self, index: np.ndarray) -> np.ndarray:
        return self.first_id + index


def plan_deals(
    rng: np.random.Generator,
    count: int,
    contacts: Contacts,
    companies: Companies,
    employees: Employees,
    pipelines: tuple[PipelineStages, ...],
    *,
    now: int,
) -> Deals:
    # A deal is with a company through one of its people, so bigger companies have more deals.
    contact = employees.contacts[rng.integers(0, len(employees.contacts), count)]
    company = contacts.company[contact]
    pipeline, outcome, open_steps = _outcomes(rng, count, pipelines)
    change_deal, change_from, change_to = _stage_walks(pipelines, pipeline, outcome, open_steps)
    steps = np.bincount(change_deal, minlength=count)
    created = np.where(
        outcome == OPEN,
        now - rng.integers(DAY, 240 * DAY, count),
        now - rng.integers(90 * DAY, 3 * YEAR, count),
    )
    created = np.maximum(created, companies.created[company] + DAY)
    change_time = _walk_times(rng, created, steps, now=now)
    last_step = np.cumsum(steps) - 1
    owner = np.where(
        rng.random(count) < 0.85,
        companies.owner[company],
        companies.owner[rng.integers(0, companies.count, count)],
    )
    offering_draw = rng.integers(0, 1 << 30, count).tolist()
    deal_names = []
    for company_index, pipeline_index, draw in zip(
        company.tolist(), pipeline.tolist(), offering_draw, strict=True
    ):
        offerings = names.DEAL_OFFERINGS[pipelines[pipeline_index].name]
        deal_names.append(f"{companies.labels.names[company_index]} – {offerings[draw % len(offerings)]}")
    return Deals(
        count=count,
        contact=contact,
        company=company,
        pipeline=pipeline,
        outcome=outcome,
        stage_id=change_to[last_step],
        created=created,
        last_change=change_time[last_step],
        owner=owner,
        names=deal_names,
        change_deal=change_deal,
        change_from=change_from,
        change_to=change_to,
        change_time=change_time,
    )


def _outcomes(
    rng: np.random.Generator, count: int, pipelines: tuple[PipelineStages, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pipeline, outcome, number of open stages walked) per deal. Open deals thin out towards the
    last stages, lost ones drop out anywhere; the first deals visit every stage once, so that no
    column of a board is empty."""
    pipeline = weighted(rng, PIPELINE_WEIGHTS, count)
    outcome = weighted(rng, OUTCOME_WEIGHTS, count)
    open_counts = np.array([len(p.open_stage_ids) for p in pipelines])[pipeline]
    draw = rng.random(count)
    open_position = np.minimum(np.floor(open_counts * (1 - np.sqrt(draw))), open_counts - 1).astype(np.int64)
    lost_position = np.floor(open_counts * draw).astype(np.int64)
    open_steps = np.where(
        outcome == WON, open_counts, np.where(outcome == OPEN, open_position, lost_position) + 1
    )
    examples = [
        (index, kind, walked)
        for index, stages in enumerate(pipelines)
        for kind, walked in [(OPEN, n + 1) for n in range(len(stages.open_stage_ids))]
        + [(WON, len(stages.open_stage_ids)), (LOST, len(stages.open_stage_ids))]
    ]
    for deal, (index, kind, walked) in enumerate(examples[:count]):
        pipeline[deal], outcome[deal], open_steps[deal] = index, kind, walked
    return pipeline, outcome, open_steps


def _stage_walks(
    pipelines: tuple[PipelineStages, ...], pipeline: np.ndarray, outcome: np.ndarray, open_steps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stage history of every deal, oldest first: (deal, from stage id or 0, to stage id)."""
    steps = open_steps + (outcome != OPEN)
    widest = max(len(p.open_stage_ids) for p in pipelines)
    open_stage = np.zeros((len(pipelines), widest), dtype=np.int64)
    for index, stages in enumerate(pipelines):
        open_stage[index, : len(stages.open_stage_ids)] = stages.open_stage_ids
    final_stage = np.array([[0, p.won_stage_id, p.lost_stage_id] for p in pipelines])[pipeline, outcome]
    change_deal = np.repeat(np.arange(len(pipeline)), steps)
    step = rank_in_group(steps)
    change_to = np.where(
        step >= open_steps[change_deal],
        final_stage[change_deal],
        open_stage[pipeline[change_deal], np.minimum(step, widest - 1)],
    )
    change_from = np.zeros(len(change_to), dtype=np.int64)
    change_from[1:] = np.where(step[1:] > 0, change_to[:-1], 0)
    return change_deal, change_from, change_to


def _walk_times(rng: np.random.Generator, created: np.ndarray, steps: np.ndarray, *, now: int) -> np.ndarray:
    """When each step happened: the first at creation, then exponential stays in each stage, squeezed
    where needed so that the last step happened some time between creation and now."""
    step = rank_in_group(steps)
    gaps = np.where(step > 0, rng.exponential(MEAN_DAYS_IN_STAGE * DAY, len(step)), 0.0)
    first_step = group_offsets(steps)
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[first_step], steps)
    span = np.add.reduceat(gaps, first_step)
    room = (now - 3600 - created) * rng.uniform(0.5, 1.0, len(created))
    scale = np.minimum(1.0, room / np.maximum(span, 1.0))
    return np.repeat(created, steps) + (elapsed * np.repeat(scale, steps)).astype(np.int64)


def write_deals(
    loader: BulkLoader,
    rng: np.random.Generator,
    deals: Deals,
    contacts: Contacts,
    companies: Companies,
    employees: Employees,
    pipelines: tuple[PipelineStages, ...],
    *,
    now: int,
) -> None:
    pipeline_ids = np.array([p.pipeline_id for p in pipelines])
    amount = (
        MEDIAN_AMOUNT_CENTS[deals.pipeline]
        * SIZE_BAND_AMOUNT_FACTOR[companies.size_band[deals.company]]
        * rng.lognormal(0, 0.7, deals.count)
    )
    amount_cents = np.round(amount / 1000).astype(np.int64) * 1000
    expected_close = np.where(
        deals.outcome == OPEN,
        (deals.last_change + rng.integers(-30 * DAY, 90 * DAY, deals.count)) // DAY,
        deals.last_change // DAY,
    )
    expected_close = np.maximum(expected_close, deals.created // DAY)
    is_closed = deals.outcome != OPEN
    lost_reason = rng.integers(0, len(names.LOST_REASONS), deals.count)
    with loader.table(Deal, rows=deals.count) as table:
        deals.first_id = table.first_id
        for rows in chunks(deals.count):
            closed_at = loader.datetimes(deals.last_change[rows])
            table.write(
                rows.stop - rows.start,
                {
                    "name": deals.names[rows],
                    "amount": loader.money(amount_cents[rows]),
                    "currency": "EUR",
                    "pipeline_id": pipeline_ids[deals.pipeline[rows]],
                    "stage_id": deals.stage_id[rows],
                    "expected_close_date": loader.dates(expected_close[rows]),
                    "closed_at": [
                        at if closed else None
                        for at, closed in zip(closed_at, is_closed[rows].tolist(), strict=True)
                    ],
                    "lost_reason": [
                        names.LOST_REASONS[r] if o == LOST else ""
                        for r, o in zip(lost_reason[rows].tolist(), deals.outcome[rows].tolist(), strict=True)
                    ],
                    "owner_id": deals.owner[rows],
                    "company_id": companies.ids(deals.company[rows]),
                    "created_at": loader.datetimes(deals.created[rows]),
                    "updated_at": closed_at,
                },
            )
    _write_deal_contacts(loader, rng, deals, contacts, employees)
    with loader.table(DealStageChange, "deal stage changes", rows=len(deals.change_deal)) as table:
        for rows in chunks(len(deals.change_deal)):
            table.write(
                rows.stop - rows.start,
                {
                    "deal_id": deals.ids(deals.change_deal[rows]),
                    "from_stage_id": [s or None for s in deals.change_from[rows].tolist()],
                    "to_stage_id": deals.change_to[rows],
                    "changed_at": loader.datetimes(deals.change_time[rows]),
                    "changed_by_id": deals.owner[deals.change_deal[rows]],
                },
            )


def _write_deal_contacts(
    loader: BulkLoader, rng: np.random.Generator, deals: Deals, contacts: Contacts, employees: Employees
) -> None:
    """The main person plus up to two colleagues from the same company."""
    second = np.where(rng.random(deals.count) < 0.5, employees.colleague(deals.contact, deals.company, 1), -1)
    third = np.where(
        (second >= 0) & (rng.random(deals.count) < 0.4),
        employees.colleague(deals.contact, deals.company, 2),
        -1,
    )
    people = np.stack([deals.contact, second, third], axis=1)
    deal = np.repeat(np.arange(deals.count), 3)
    person = people.ravel()
    keep = person >= 0
    deal, person = deal[keep], person[keep]
    role = rng.integers(0, len(names.DEAL_ROLES), len(deal))
    with loader.table(DealContact, "deal contacts", rows=len(deal)) as table:
        for rows in chunks(len(deal)):
            table.write(
                rows.stop - rows.start,
                {
                    "deal_id": deals.ids(deal[rows]),
                    "contact_id": contacts.ids(person[rows]),
                    "role": [names.DEAL_ROLES[r] for r in role[rows].tolist()],
                },
            )


# -------------------------------------------------------------------------------------------- leads

LEAD_STATUSES = [status for status, _ in Lead.Status.choices]
LEAD_STATUS_WEIGHTS = [30, 25, 15, 15, 15]  # new, working, qualified, disqualified, converted
# How far back a lead in each status was captured.
LEAD_STATUS_AGE_DAYS = np.array([30, 90, 180, 730, 730])
CONVERTED = LEAD_STATUSES.index(Lead.Status.CONVERTED)
DISQUALIFIED = LEAD_STATUSES.index(Lead.Status.DISQUALIFIED)
NEW = LEAD_STATUSES.index(Lead.Status.NEW)


@dataclass
class Leads:
    count: int
    status: np.ndarray
    deal: np.ndarray  # converted leads: the deal they became, else -1
    given: list[str]
    family: list[str]
    email: list[str]
    phone: list[str]
    company_name: list[str]
    company_domain: list[str]
    owner: list[int | None]
    created: np.ndarray
    first_id: int = 0

    def title(self, index: int) -> str:
        """What ``str(lead)`` shows: the name, else the company, else the email."""
        name = f"{self.given[index]} {self.family[index]}".strip()
        return name or self.company_name[index] or self.email[index]


def plan_leads(
    rng: np.random.Generator,
    count: int,
    deals: Deals,
    contacts: Contacts,
    companies: Companies,
    lead_companies: range,
    owners: np.ndarray,
    *,
    now: int,
) -> Leads:
    """Leads in every status; converted ones are the origin of a deal (same person, same company)."""
    status = weighted(rng, LEAD_STATUS_WEIGHTS, count)
    status[: min(count, len(LEAD_STATUSES))] = np.arange(min(count, len(LEAD_STATUSES)))
    converted = np.flatnonzero(status == CONVERTED)
    if len(converted) > deals.count:
        status[converted[deals.count :]] = LEAD_STATUSES.index(Lead.Status.QUALIFIED)
        converted = converted[: deals.count]
    deal = np.full(count, -1, dtype=np.int64)
    deal[converted] = rng.choice(deals.count, size=len(converted), replace=False)

    country = weighted(rng, geography.COUNTRY_WEIGHTS, count)
    culture = COUNTRY_CULTURE[country]
    given = GIVEN.draw(rng, culture)
    family = FAMILY.draw(rng, culture)
    has_company = rng.random(count) < 0.7
    company = lead_companies.start + rng.integers(0, len(lead_companies), count)
    private_domain, private_pattern = personal_emails(rng, np.arange(count), country)
    # Own domains first (index = position in lead_companies), then the free mail providers.
    domains = [companies.labels.domains[c] for c in lead_companies] + FREE_MAIL_DOMAINS
    emails = EmailRows(
        owner=np.arange(count),
        domain=np.where(has_company, company - lead_companies.start, len(lead_companies) + private_domain),
        pattern=np.where(has_company, 0, private_pattern),
        given=given,
        family=family,
    )
    email = emails.render(domains, slice(0, count))
    has_email = rng.random(count) < 0.9
    phone = geography.e164(geography.MOBILE.draw(rng, country))
    has_phone = rng.random(count) < 0.6
    owner = owners[weighted(rng, np.ones(len(owners)), count)]
    unassigned = (status == NEW) & (rng.random(count) < 0.4)
    created = now - rng.integers(DAY, np.maximum(LEAD_STATUS_AGE_DAYS[status], 2) * DAY)

    result = Leads(
        count=count,
        status=status,
        deal=deal,
        given=[GIVEN.words[g] for g in given.tolist()],
        family=[FAMILY.words[f] for f in family.tolist()],
        email=[e if has else "" for e, has in zip(email, has_email.tolist(), strict=True)],
        phone=[p if has else "" for p, has in zip(phone, has_phone.tolist(), strict=True)],
        company_name=[
            companies.labels.names[c] if has else ""
            for c, has in zip(company.tolist(), has_company.tolist(), strict=True)
        ],
        company_domain=[
            companies.labels.domains[c] if has else ""
            for c, has in zip(company.tolist(), has_company.tolist(), strict=True)
        ],
        owner=[None if none else o for o, none in zip(owner.tolist(), unassigned.tolist(), strict=True)],
        created=created,
    )
    # A converted lead is the deal's main person as first captured.
    converted_deal = deal[converted]
    person = deals.contact[converted_deal]
    primary_email = contacts.emails.render(contacts.email_domains, contacts.email_offsets[person])
    for index, lead in enumerate(converted.tolist()):
        contact, deal_index = int(person[index]), int(converted_deal[index])
        company_index = int(deals.company[deal_index])
        result.given[lead] = GIVEN.words[int(contacts.given[contact])]
        result.family[lead] = FAMILY.words[int(contacts.family[contact])]
        result.email[lead] = primary_email[index]
        result.company_name[lead] = companies.labels.names[company_index]
        result.company_domain[lead] = companies.labels.domains[company_index]
        result.owner[lead] = int(deals.owner[deal_index])
    result.created[converted] = deals.created[converted_deal] - rng.integers(DAY, 60 * DAY, len(converted))
    return result


def write_leads(
    loader: BulkLoader,
    rng: np.random.Generator,
    leads: Leads,
    deals: Deals,
    contacts: Contacts,
    companies: Companies,
    *,
    now: int,
) -> None:
    reason = rng.integers(0, len(names.DISQUALIFIED_REASONS), leads.count)
    source = rng.integers(0, len(names.LEAD_SOURCES), leads.count)
    title = rng.integers(-len(names.JOB_TITLES), len(names.JOB_TITLES), leads.count)
    note = np.where(
        rng.random(leads.count) < 0.2, rng.integers(0, len(names.INTERACTION_BODIES), leads.count), -1
    )
    is_converted = leads.deal >= 0
    safe_deal = np.maximum(leads.deal, 0)
    updated = uniform_between(rng, leads.created, np.full(leads.count, now))
    updated = np.where(is_converted, np.maximum(updated, deals.created[safe_deal]), updated)
    converted_at = loader.datetimes(deals.created[safe_deal])
    with loader.table(Lead, rows=leads.count) as table:
        leads.first_id = table.first_id
        for rows in chunks(leads.count):
            converted = is_converted[rows].tolist()
            table.write(
                rows.stop - rows.start,
                {
                    "given_name": leads.given[rows],
                    "family_name": leads.family[rows],
                    "email": leads.email[rows],
                    "phone": leads.phone[rows],
                    "job_title": [names.JOB_TITLES[t] if t >= 0 else "" for t in title[rows].tolist()],
                    "company_name": leads.company_name[rows],
                    "company_domain": leads.company_domain[rows],
                    "source": [names.LEAD_SOURCES[s] for s in source[rows].tolist()],
                    "status": [LEAD_STATUSES[s] for s in leads.status[rows].tolist()],
                    "disqualified_reason": [
                        names.DISQUALIFIED_REASONS[r] if s == DISQUALIFIED else ""
                        for r, s in zip(reason[rows].tolist(), leads.status[rows].tolist(), strict=True)
                    ],
                    "notes": [names.INTERACTION_BODIES[n] if n >= 0 else "" for n in note[rows].tolist()],
                    "owner_id": leads.owner[rows],
                    "converted_at": [
                        at if c else None for at, c in zip(converted_at[rows], converted, strict=True)
                    ],
                    "converted_contact_id": _where(converted, contacts.ids(deals.contact[safe_deal[rows]])),
                    "converted_company_id": _where(converted, companies.ids(deals.company[safe_deal[rows]])),
                    "converted_deal_id": _where(converted, deals.ids(safe_deal[rows])),
                    "created_at": loader.datetimes(leads.created[rows]),
                    "updated_at": loader.datetimes(updated[rows]),
                },
            )


def _where(condition: list[bool], ids: np.ndarray) -> list[int | None]:
    return [value if keep else None for value, keep in zip(ids.tolist(), condition, strict=True)]
