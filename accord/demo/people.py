"""Companies and contacts of the demo, with their emails, phones, employments and tags.

Everything is planned first as numpy arrays of small integers (indexes into the word lists), which
costs about a hundred bytes per person; strings are rendered chunk by chunk while
writing. Indexes become database ids once a table is loaded (``first_id + index``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import models

from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment
from accord.demo import geography, names
from accord.demo.loader import BulkLoader, chunks
from accord.demo.sampling import (
    DAY,
    YEAR,
    ascii_slug,
    combine_keys,
    group_offsets,
    numbered,
    occurrences,
    rank_in_group,
    uniform_between,
    weighted,
)

CULTURES = tuple(names.GIVEN_NAMES)
COUNTRY_CULTURE = np.array([CULTURES.index(country.culture) for country in geography.COUNTRIES])


class Vocabulary:
    """Words of every culture in one list, with each culture's slice, and the ASCII slug of each word
    as a small integer (two spellings with one slug, 'Müller' and 'Mueller', share it)."""

    def __init__(self, by_culture: dict[str, tuple[str, ...]]) -> None:
        self.words: list[str] = [word for words in by_culture.values() for word in words]
        self.counts = np.array([len(words) for words in by_culture.values()])
        self.offsets = group_offsets(self.counts)
        slugs = [ascii_slug(word) for word in self.words]
        self.slug_texts = sorted(set(slugs))
        index = {slug: position for position, slug in enumerate(self.slug_texts)}
        self.slug_ids = np.array([index[slug] for slug in slugs], dtype=np.int64)
        self.initials = np.array([ord(slug[0]) for slug in slugs], dtype=np.int64)

    def draw(self, rng: np.random.Generator, culture: np.ndarray) -> np.ndarray:
        """One word of each given culture (an index into CULTURES, the order of the word lists)."""
        return self.offsets[culture] + rng.integers(0, self.counts[culture])


GIVEN = Vocabulary(names.GIVEN_NAMES)
FAMILY = Vocabulary(names.FAMILY_NAMES)
# First words of company names: the prefixes, then every family name (index = prefixes + FAMILY index).
COMPANY_HEADS = Vocabulary({"prefixes": names.COMPANY_PREFIXES, **names.FAMILY_NAMES})
BUSINESSES: list[tuple[str, str]] = [
    (word, industry)
    for industry, business_words in names.COMPANY_BUSINESSES.items()
    for word in business_words
]
FREE_MAIL_DOMAINS: list[str] = list(
    dict.fromkeys([*geography.GLOBAL_MAIL_DOMAINS, *(d for c in geography.COUNTRIES for d in c.mail_domains)])
)
SIZE_BANDS = [choice for choice, _ in Company.SizeBand.choices]
SIZE_BAND_WEIGHTS = [8, 30, 30, 17, 10, 5]
# Typical annual revenue (EUR) and how many of the demo's contacts work there, by size band.
SIZE_BAND_REVENUE = np.array([8e4, 8e5, 5e6, 2.5e7, 1.2e8, 9e8])
SIZE_BAND_HEADCOUNT = np.array([1, 2, 4, 7, 10, 14], dtype=float)
LIFECYCLE = [choice for choice, _ in Contact.LifecycleStage.choices]
ACQUISITION_SOURCES = list(names.ACQUISITION)

# Local parts of email addresses. Each is decodable back to (pattern, given part, family slug), where
# the given part is the slug or, for INITIAL_PATTERN, only its first letter; slugs hold neither digits
# nor separators, so distinct keys plus a number on repeats give distinct addresses.
EMAIL_PATTERNS = ("{g}.{f}", "{g}_{f}", "{i}.{f}")
INITIAL_PATTERN = 2


@dataclass
class EmailRows:
    """Email addresses as numbers: owner row, domain (index into ``domains``), pattern, name slugs."""

    owner: np.ndarray
    domain: np.ndarray
    pattern: np.ndarray
    given: np.ndarray
    family: np.ndarray
    occurrence: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        given_part = np.where(
            self.pattern == INITIAL_PATTERN,
            len(GIVEN.slug_texts) + GIVEN.initials[self.given],
            GIVEN.slug_ids[self.given],
        )
        self.occurrence = occurrences(
            combine_keys(self.domain, self.pattern, given_part, FAMILY.slug_ids[self.family])
        )

    def render(self, domains: Sequence[str], rows: slice | np.ndarray) -> list[str]:
        given_slugs = GIVEN.slug_ids[self.given[rows]].tolist()
        family_slugs = FAMILY.slug_ids[self.family[rows]].tolist()
        result = []
        for domain, pattern, given, family, occurrence in zip(
            self.domain[rows].tolist(),
            self.pattern[rows].tolist(),
            given_slugs,
            family_slugs,
            self.occurrence[rows].tolist(),
            strict=True,
        ):
            given_text = GIVEN.slug_texts[given]
            local = EMAIL_PATTERNS[pattern].format(g=given_text, f=FAMILY.slug_texts[family], i=given_text[0])
            result.append(f"{numbered(local, occurrence)}@{domains[domain]}")
        return result


@dataclass
class CompanyNames:
    names: list[str]
    domains: list[str]
    industry: list[str]


def company_names(rng: np.random.Generator, country: np.ndarray) -> CompanyNames:
    """'Nordwind Logistics GmbH' at 'nordwind-logistics.de'; repeated stems get a number: the domain
    of every company (or lead) of one call is unique."""
    size = len(country)
    from_family = rng.random(size) < 0.15
    family = FAMILY.draw(rng, COUNTRY_CULTURE[country])
    prefix = rng.integers(0, len(names.COMPANY_PREFIXES), size)
    first = np.where(from_family, len(names.COMPANY_PREFIXES) + family, prefix)
    business = rng.integers(0, len(BUSINESSES), size)
    legal_draw = rng.integers(0, 1 << 30, size)
    # Keyed by the slug of the first word: 'Fontana' the prefix and 'Fontana' the family name share a domain.
    occurrence = occurrences(combine_keys(COMPANY_HEADS.slug_ids[first], business, country))
    result = CompanyNames(names=[], domains=[], industry=[])
    for first_word, business_index, country_index, legal, repeat in zip(
        first.tolist(),
        business.tolist(),
        country.tolist(),
        legal_draw.tolist(),
        occurrence.tolist(),
        strict=True,
    ):
        word, industry = BUSINESSES[business_index]
        head = COMPANY_HEADS.words[first_word]
        place = geography.COUNTRIES[country_index]
        legal_form = place.legal_forms[legal % len(place.legal_forms)]
        result.names.append(f"{head} {word} {legal_form}")
        stem = numbered(f"{ascii_slug(head)}-{ascii_slug(word, '-')}", repeat)
        result.domains.append(f"{stem}.{place.tld}")
        result.industry.append(industry)
    return result


def personal_emails(
    rng: np.random.Generator, owner: np.ndarray, country: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(domain index into FREE_MAIL_DOMAINS, pattern) for private addresses: global or national providers."""
    national = rng.random(len(owner)) < 0.4
    global_domain = rng.integers(0, len(geography.GLOBAL_MAIL_DOMAINS), len(owner))
    national_domains = [
        [FREE_MAIL_DOMAINS.index(domain) for domain in place.mail_domains] for place in geography.COUNTRIES
    ]
    counts = np.array([len(domains) for domains in national_domains])
    flat = np.array([index for domains in national_domains for index in domains])
    national_domain = flat[group_offsets(counts)[country] + rng.integers(0, counts[country])]
    return np.where(national, national_domain, global_domain), rng.integers(
        0, len(EMAIL_PATTERNS), len(owner)
    )


# ------------------------------------------------------------------------------------------ companies


@dataclass
class Companies:
    count: int
    country: np.ndarray
    size_band: np.ndarray
    owner: np.ndarray  # user ids
    created: np.ndarray  # epoch seconds
    labels: CompanyNames  # names and domains; more of them than companies (see plan_companies)
    parent: np.ndarray  # index or -1
    city: list[geography.City]
    phone: list[str]
    first_id: int = 0  # set once loaded

    def ids(self, index: np.ndarray) -> np.ndarray:
        return self.first_id + index


def plan_companies(
    rng: np.random.Generator,
    count: int,
    *,
    user_ids: np.ndarray,
    user_weights: np.ndarray,
    now: int,
    extra_names: int = 0,
) -> Companies:
    """``count`` companies; ``labels`` holds ``extra_names`` more names and domains after them (for
    leads' companies, which do not exist yet), all domains distinct."""
    country = weighted(rng, geography.COUNTRY_WEIGHTS, count + extra_names)
    has_parent = (rng.random(count) < 0.03) & (np.arange(count) > 0)
    parent = np.where(has_parent, np.floor(rng.random(count) * np.arange(count)).astype(np.int64), -1)
    city_draw = rng.integers(0, 1 << 30, count).tolist()
    places = [geography.COUNTRIES[c] for c in country[:count].tolist()]
    return Companies(
        count=count,
        country=country[:count],
        size_band=weighted(rng, SIZE_BAND_WEIGHTS, count),
        owner=user_ids[weighted(rng, user_weights, count)],
        created=now - rng.integers(30 * DAY, 5 * YEAR, count),
        labels=company_names(rng, country),
        parent=parent,
        city=[place.cities[draw % len(place.cities)] for place, draw in zip(places, city_draw, strict=True)],
        phone=geography.e164(geography.LANDLINE.draw(rng, country[:count])),
    )


def write_companies(loader: BulkLoader, rng: np.random.Generator, companies: Companies, *, now: int) -> None:
    revenue = SIZE_BAND_REVENUE[companies.size_band] * rng.lognormal(0, 0.6, companies.count)
    revenue_cents = np.round(revenue / 1000).astype(np.int64) * 100_000
    has_revenue = (rng.random(companies.count) < 0.75).tolist()
    street_draw = rng.integers(0, 1 << 30, companies.count).tolist()
    digits = rng.integers(0, 1 << 30, (companies.count, 8)).tolist()
    house = rng.integers(1, 180, companies.count).tolist()
    updated = uniform_between(rng, companies.created, np.full(companies.count, now))
    with loader.table(Company, rows=companies.count) as table:
        companies.first_id = table.first_id
        for rows in chunks(companies.count):
            places = [geography.COUNTRIES[c] for c in companies.country[rows].tolist()]
            cities = companies.city[rows]
            revenue_amounts = loader.money(revenue_cents[rows])
            table.write(
                len(places),
                {
                    "name": companies.labels.names[rows],
                    "domain": companies.labels.domains[rows],
                    "industry": companies.labels.industry[rows],
                    "size_band": [SIZE_BANDS[band] for band in companies.size_band[rows].tolist()],
                    "annual_revenue": [
                        amount if has else None
                        for amount, has in zip(revenue_amounts, has_revenue[rows], strict=True)
                    ],
                    "currency": [place.currency for place in places],
                    "phone": companies.phone[rows],
                    "street": [
                        _street(place.culture, draw, number)
                        for place, draw, number in zip(places, street_draw[rows], house[rows], strict=True)
                    ],
                    "city": [city.name for city in cities],
                    "region": [city.region for city in cities],
                    "postal_code": [
                        geography.postal_code(city.postal_template, draws)
                        for city, draws in zip(cities, digits[rows], strict=True)
                    ],
                    "country": [place.code for place in places],
                    "parent_id": [
                        None if p < 0 else companies.first_id + p for p in companies.parent[rows].tolist()
                    ],
                    "owner_id": companies.owner[rows],
                    "created_at": loader.datetimes(companies.created[rows]),
                    "updated_at": loader.datetimes(updated[rows]),
                },
            )


def _street(culture: str, draw: int, number: int) -> str:
    street = names.STREETS[culture][draw % len(names.STREETS[culture])]
    return f"{number} {street}" if culture in ("en", "fr") else f"{street} {number}"


# ------------------------------------------------------------------------------------------- contacts


@dataclass
class Contacts:
    count: int
    given: np.ndarray  # index into GIVEN.words
    family: np.ndarray
    country: np.ndarray
    company: np.ndarray  # index of the current employer or -1
    owner: np.ndarray  # user ids
    created: np.ndarray
    emails: EmailRows  # owner = contact index, grouped by contact, primary first
    email_domains: list[str]  # company domains, then FREE_MAIL_DOMAINS
    email_offsets: np.ndarray  # first email row of each contact (count + 1 entries)
    phones: np.ndarray  # E.164 digits, grouped by contact, primary first
    phone_owner: np.ndarray
    phone_is_work: np.ndarray
    phone_offsets: np.ndarray
    lifecycle: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # index into LIFECYCLE
    first_id: int = 0

    def ids(self, index: np.ndarray) -> np.ndarray:
        return self.first_id + index

    def full_name(self, index: int) -> str:
        return f"{GIVEN.words[self.given[index]]} {FAMILY.words[self.family[index]]}"

    def employees(self, company_count: int) -> Employees:
        return Employees(self.company, company_count)


class Employees:
    """The current employees of each company, as slices of one sorted array: deals, meetings and
    tasks pick colleagues from it without a dictionary of lists."""

    def __init__(self, company: np.ndarray, company_count: int) -> None:
        employed = np.flatnonzero(company >= 0)
        self.contacts = employed[np.argsort(company[employed], kind="stable")]
        counts = np.bincount(company[employed], minlength=company_count)
        self.start = group_offsets(counts)
        self.count = counts
        self.position = np.full(len(company), -1, dtype=np.int64)
        self.position[self.contacts] = np.arange(len(self.contacts))

    def colleague(self, contact: np.ndarray, company: np.ndarray, step: int) -> np.ndarray:
        """The employee ``step`` places after ``contact`` in its company (wrapping), or -1 when the
        company has no more than ``step`` employees."""
        count = self.count[company]
        rank = self.position[contact] - self.start[company]
        other = self.contacts[self.start[company] + (rank + step) % np.maximum(count, 1)]
        return np.where(count > step, other, -1)


def plan_contacts(rng: np.random.Generator, count: int, companies: Companies, *, now: int) -> Contacts:
    employed = rng.random(count) < 0.85
    employed[0] = True  # deals need someone at a company
    headcount = SIZE_BAND_HEADCOUNT[companies.size_band] * rng.lognormal(0, 0.5, companies.count)
    company = np.where(employed, weighted(rng, headcount, count), -1)
    own_country = weighted(rng, geography.COUNTRY_WEIGHTS, count)
    country = np.where(employed, companies.country[np.maximum(company, 0)], own_country)
    culture = np.where(
        rng.random(count) < 0.8, COUNTRY_CULTURE[country], rng.integers(0, len(CULTURES), count)
    )
    given = GIVEN.draw(rng, culture)
    family = FAMILY.draw(rng, culture)
    joined = now - rng.integers(7 * DAY, 5 * YEAR, count)
    created = np.where(employed, np.maximum(joined, companies.created[np.maximum(company, 0)]), joined)
    keeps_company_owner = employed & (rng.random(count) < 0.8)
    owner = np.where(
        keeps_company_owner,
        companies.owner[np.maximum(company, 0)],
        companies.owner[rng.integers(0, companies.count, count)],
    )

    # Emails: a work address at the employer's domain first, a private one for everybody else and
    # for a third of the employed.
    has_private = ~employed | (rng.random(count) < 0.35)
    email_counts = employed.astype(np.int64) + has_private
    email_owner = np.repeat(np.arange(count), email_counts)
    is_work = np.zeros(len(email_owner), dtype=bool)
    is_work[group_offsets(email_counts)[employed]] = True
    private_domain, private_pattern = personal_emails(rng, email_owner, country[email_owner])
    work_pattern = np.where(rng.random(len(email_owner)) < 0.85, 0, 2)
    domain = np.where(is_work, company[email_owner], companies.count + private_domain)
    emails = EmailRows(
        owner=email_owner,
        domain=domain,
        pattern=np.where(is_work, work_pattern, private_pattern),
        given=given[email_owner],
        family=family[email_owner],
    )

    # Phones: a mobile for most, a direct line at work for a quarter of the employed.
    has_mobile = rng.random(count) < 0.85
    has_landline = np.where(employed, rng.random(count) < 0.25, rng.random(count) < 0.08)
    phone_counts = has_mobile.astype(np.int64) + has_landline
    phone_owner = np.repeat(np.arange(count), phone_counts)
    is_landline = np.ones(len(phone_owner), dtype=bool)
    is_landline[group_offsets(phone_counts)[has_mobile]] = False
    phone_country = country[phone_owner]
    phones = np.where(
        is_landline, geography.LANDLINE.draw(rng, phone_country), geography.MOBILE.draw(rng, phone_country)
    )
    return Contacts(
        count=count,
        given=given,
        family=family,
        country=country,
        company=company,
        owner=owner,
        created=created,
        emails=emails,
        email_domains=[*companies.labels.domains[: companies.count], *FREE_MAIL_DOMAINS],
        email_offsets=np.concatenate([[0], np.cumsum(email_counts)]),
        phones=phones,
        phone_owner=phone_owner,
        phone_is_work=is_landline & employed[phone_owner],
        phone_offsets=np.concatenate([[0], np.cumsum(phone_counts)]),
    )


def write_contacts(
    loader: BulkLoader, rng: np.random.Generator, contacts: Contacts, companies: Companies, *, now: int
) -> None:
    titles = np.where(
        (contacts.company >= 0) | (rng.random(contacts.count) < 0.3),
        rng.integers(0, len(names.JOB_TITLES), contacts.count),
        -1,
    )
    weights = [weight for _, weight in names.ACQUISITION.values()]
    source = weighted(rng, weights, contacts.count)
    updated = uniform_between(rng, contacts.created, np.full(contacts.count, now))
    with loader.table(Contact, rows=contacts.count) as table:
        contacts.first_id = table.first_id
        for rows in chunks(contacts.count):
            sources = [ACQUISITION_SOURCES[s] for s in source[rows].tolist()]
            table.write(
                len(sources),
                {
                    "given_name": [GIVEN.words[g] for g in contacts.given[rows].tolist()],
                    "family_name": [FAMILY.words[f] for f in contacts.family[rows].tolist()],
                    "job_title": [names.JOB_TITLES[t] if t >= 0 else "" for t in titles[rows].tolist()],
                    "lifecycle_stage": [LIFECYCLE[stage] for stage in contacts.lifecycle[rows].tolist()],
                    "acquisition_source": sources,
                    "acquisition_channel": [names.ACQUISITION[s][0] for s in sources],
                    "owner_id": contacts.owner[rows],
                    "created_at": loader.datetimes(contacts.created[rows]),
                    "updated_at": loader.datetimes(updated[rows]),
                    **_summaries(contacts, companies, rows),
                },
            )
    _write_emails(loader, contacts)
    _write_phones(loader, contacts)
    _write_employments(loader, rng, contacts, companies, titles)


def _summaries(contacts: Contacts, companies: Companies, rows: slice) -> dict[str, list[Any]]:
    """The list summary the services keep on a contact's row (``accord.customers.summaries``): the first
    email and phone written below are the primary ones, and the current employer is ``contacts.company``."""

    def firsts(offsets: np.ndarray, render: Callable[[np.ndarray], list[str]]) -> list[str | None]:
        starts = offsets[rows.start : rows.stop]
        has = np.diff(offsets[rows.start : rows.stop + 1]) > 0
        values = iter(render(starts[has]))
        return [next(values) if flag else None for flag in has.tolist()]

    company = contacts.company[rows]
    return {
        "primary_email": firsts(
            contacts.email_offsets, lambda at: contacts.emails.render(contacts.email_domains, at)
        ),
        "primary_phone": firsts(contacts.phone_offsets, lambda at: geography.e164(contacts.phones[at])),
        "current_company_id": [
            None if index < 0 else pk
            for index, pk in zip(company.tolist(), companies.ids(company).tolist(), strict=True)
        ],
    }


def _write_emails(loader: BulkLoader, contacts: Contacts) -> None:
    rows_total = len(contacts.emails.owner)
    is_primary = rank_in_group(np.diff(contacts.email_offsets)) == 0
    is_work = contacts.emails.domain < len(contacts.email_domains) - len(FREE_MAIL_DOMAINS)
    with loader.table(ContactEmail, "contact emails", rows=rows_total) as table:
        for rows in chunks(rows_total):
            table.write(
                rows.stop - rows.start,
                {
                    "contact_id": contacts.ids(contacts.emails.owner[rows]),
                    "email": contacts.emails.render(contacts.email_domains, rows),
                    "label": ["work" if work else "home" for work in is_work[rows].tolist()],
                    "is_primary": is_primary[rows],
                },
            )


def _write_phones(loader: BulkLoader, contacts: Contacts) -> None:
    is_primary = rank_in_group(np.diff(contacts.phone_offsets)) == 0
    with loader.table(ContactPhone, "contact phones", rows=len(contacts.phones)) as table:
        for rows in chunks(len(contacts.phones)):
            table.write(
                rows.stop - rows.start,
                {
                    "contact_id": contacts.ids(contacts.phone_owner[rows]),
                    "number": geography.e164(contacts.phones[rows]),
                    "label": ["work" if work else "mobile" for work in contacts.phone_is_work[rows].tolist()],
                    "is_primary": is_primary[rows],
                },
            )


def _write_employments(
    loader: BulkLoader, rng: np.random.Generator, contacts: Contacts, companies: Companies, titles: np.ndarray
) -> None:
    """The current job of the employed, and a former employer for one in ten people."""
    company_count = companies.count
    current = np.flatnonzero(contacts.company >= 0)
    former = np.flatnonzero(rng.random(contacts.count) < 0.1) if company_count > 1 else np.zeros(0, np.int64)
    former_company = (
        np.maximum(contacts.company[former], 0) + rng.integers(1, max(company_count, 2), len(former))
    ) % max(company_count, 1)
    contact = np.concatenate([current, former])
    company = np.concatenate([contacts.company[current], former_company])
    order = np.argsort(contact, kind="stable")
    contact, company = contact[order], company[order]
    role = np.concatenate([titles[current], rng.integers(0, len(names.JOB_TITLES), len(former))])[order]
    is_current = np.concatenate([np.ones(len(current), bool), np.zeros(len(former), bool)])[order]
    with loader.table(Employment, rows=len(contact)) as table:
        for rows in chunks(len(contact)):
            table.write(
                rows.stop - rows.start,
                {
                    "contact_id": contacts.ids(contact[rows]),
                    "company_id": companies.ids(company[rows]),
                    "role": [names.JOB_TITLES[r] if r >= 0 else "" for r in role[rows].tolist()],
                    "is_current": is_current[rows],
                },
            )


def write_tags(
    loader: BulkLoader,
    rng: np.random.Generator,
    model: type[models.Model],
    first_id: int,
    count: int,
    tag_ids: np.ndarray,
    *,
    share: float,
) -> None:
    """Put one or two distinct tags on a ``share`` of the records of ``model``."""
    through = model.tags.through  # type: ignore[attr-defined]
    owner_field = next(
        f.attname for f in through._meta.concrete_fields if f.is_relation and f.related_model is model
    )
    tagged = np.flatnonzero(rng.random(count) < share)
    tag_counts = 1 + (rng.random(len(tagged)) < 0.3)
    owner = np.repeat(tagged, tag_counts)
    first_tag = rng.integers(0, len(tag_ids), len(tagged))
    second_offset = rng.integers(1, len(tag_ids), len(tagged))
    tag = np.repeat(first_tag, tag_counts) + np.where(
        rank_in_group(tag_counts) == 1, np.repeat(second_offset, tag_counts), 0
    )
    label = f"{model._meta.verbose_name} tags"
    with loader.table(through, label, rows=len(owner)) as table:
        for rows in chunks(len(owner)):
            table.write(
                rows.stop - rows.start,
                {owner_field: first_id + owner[rows], "tag_id": tag_ids[tag[rows] % len(tag_ids)]},
            )
