"""People with known duplicates, for the precision and recall test and benchmarks/dedupe.py.

A duplicate is a copy of a person as a second source would have typed it: a typo in a name, given and
family name swapped, a nickname, the email in other letter case, the phone in another format (the
services normalise both, as they do for every write), and only some of the person's details. Every
duplicate is written through the same normalisation the services use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.db import transaction

from accord.core.normalize import normalize_email, normalize_phone
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment
from accord.dedupe.names import NICKNAMES, fold

NICKNAME_OF: dict[str, str] = {}
for _nick, _full in NICKNAMES.items():
    NICKNAME_OF.setdefault(_full, _nick)

FREE_MAIL = ("gmail.com", "web.de", "outlook.com", "gmx.net", "yahoo.fr", "proton.me")
NAME_CHANGES = ("typo", "swap", "nickname", "same", "typo")


@dataclass
class Person:
    given: str
    family: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # as typed; stored as E.164
    company_id: int | None = None
    changes: list[str] = field(default_factory=list)  # how a duplicate differs from its original


def typo(rng: random.Random, text: str) -> str:
    """One slip of the keyboard away from ``text``: a letter dropped, doubled, swapped or replaced."""
    if len(text) < 3:
        return text + text[-1:]
    at = rng.randrange(1, len(text) - 1)  # people rarely get the first letter wrong
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return text[:at] + text[at + 1 :]
    if kind == "double":
        return text[:at] + text[at] + text[at:]
    if kind == "swap":
        return text[: at - 1] + text[at] + text[at - 1] + text[at + 1 :]
    return text[:at] + rng.choice("aeiounrst") + text[at + 1 :]


def recase(rng: random.Random, email: str) -> str:
    local, domain = email.split("@")
    return "".join(char.upper() if rng.random() < 0.5 else char for char in local) + "@" + domain.upper()


def reformat(number: str) -> str:
    """An E.164 number as people write it: a German one nationally (0151 2345 6789), others in groups."""
    if number.startswith("+49"):
        national = "0" + number.removeprefix("+49")
        return f"{national[:4]} {national[4:8]} {national[8:]}"
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def duplicate_of(rng: random.Random, person: Person, serial: int) -> Person:
    """A second record of ``person``: another spelling of the name and part of the details."""
    change = rng.choice(NAME_CHANGES)
    given, family = person.given, person.family
    if change == "nickname" and fold(given) in NICKNAME_OF:
        given = NICKNAME_OF[fold(given)].title()
    elif change == "swap":
        given, family = family, given
    elif change in ("typo", "nickname"):
        change = "typo"
        if rng.random() < 0.5:
            family = typo(rng, family)
        else:
            given = typo(rng, given)
    duplicate = Person(given=given, family=family, changes=[change])
    kept = {
        "email": rng.random() < 0.6,
        "phone": bool(person.phones) and rng.random() < 0.5,
        "company": person.company_id is not None and rng.random() < 0.6,
    }
    if not any(kept.values()):
        kept["email"] = True
    if kept["email"]:
        duplicate.emails = [recase(rng, person.emails[0])]
        duplicate.changes.append("email case")
    else:
        duplicate.emails = [f"{fold(given).replace(' ', '')[:1]}{serial}@{rng.choice(FREE_MAIL)}"]
    if kept["phone"]:
        duplicate.phones = [reformat(person.phones[0])]
        duplicate.changes.append("formatted phone")
    if kept["company"]:
        duplicate.company_id = person.company_id
        duplicate.changes.append("same company")
    return duplicate


def people(rng: random.Random, count: int, company_ids: list[int]) -> list[Person]:
    """``count`` made-up people (Faker, several locales) with an email, most with a phone and a job."""
    from faker import Faker

    faker = Faker(["en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
    faker.seed_instance(rng.randrange(2**32))
    made = []
    for serial in range(count):
        given, family = faker.first_name(), faker.last_name()
        local = f"{fold(given).replace(' ', '')}.{fold(family).replace(' ', '')}{serial}"
        made.append(
            Person(
                given=given,
                family=family,
                emails=[f"{local}@{rng.choice(FREE_MAIL)}"],
                phones=[f"+49151{rng.randrange(10**7, 10**8)}"] if rng.random() < 0.6 else [],
                company_id=rng.choice(company_ids) if company_ids and rng.random() < 0.6 else None,
            )
        )
    return made


def companies(count: int) -> list[int]:
    created = Company.objects.bulk_create([Company(name=f"Firm {serial}") for serial in range(count)])
    return [company.pk for company in created]


@transaction.atomic
def insert(persons: list[Person]) -> list[int]:
    """The people as contacts, their emails and phones normalised as the services do; their ids."""
    contacts = Contact.objects.bulk_create(
        [Contact(given_name=person.given, family_name=person.family) for person in persons], batch_size=2000
    )
    emails, phones, jobs = [], [], []
    for contact, person in zip(contacts, persons, strict=True):
        for index, email in enumerate(person.emails):
            emails.append(ContactEmail(contact=contact, email=normalize_email(email), is_primary=index == 0))
        for index, number in enumerate(person.phones):
            phones.append(
                ContactPhone(
                    contact=contact, number=normalize_phone(number, region="DE"), is_primary=index == 0
                )
            )
        if person.company_id is not None:
            jobs.append(Employment(contact=contact, company_id=person.company_id))
    ContactEmail.objects.bulk_create(emails, batch_size=2000)
    ContactPhone.objects.bulk_create(phones, batch_size=2000)
    Employment.objects.bulk_create(jobs, batch_size=2000)
    return [contact.pk for contact in contacts]


def precision_recall(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    hits = len(found & truth)
    return (hits / len(found) if found else 1.0), (hits / len(truth) if truth else 1.0)
