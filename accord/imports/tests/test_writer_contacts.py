"""Contacts through the import writer: created with their emails, phones, company, tags, search entry and
audit entry; matched on each key with each rule; duplicates within the file; bad rows beside good ones."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core.actors import Actor
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.models import Company, Contact, Employment
from accord.customers.services import contact_create
from accord.customers.summaries import contact_summaries_refresh
from accord.imports.models import ImportedRecord
from accord.imports.tests.writer_rows import counts, errors, run_import

pytestmark = pytest.mark.django_db


def test_contacts_are_created_with_their_children_index_audit_and_imported_records(actor: Actor) -> None:
    records: list[dict[str, Any]] = [
        {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "ada@example.com",
            "other_emails": ["ada@home.example"],
            "phone": "+442071234567",
            "company_name": "Analytical Engines",
            "company_domain": "engines.example",
            "job_title": "Analyst",
            "tags": ["vip", "math"],
        },
        {
            "full_name": "Charles Babbage",
            "email": "charles@example.com",
            "company_name": "Analytical Engines",
        },
    ]

    run = run_import(actor, "contacts", records)

    assert (counts(run), run.companies_created_count, errors(run)) == ((2, 0, 0, 0), 1, [])
    ada = Contact.objects.get(given_name="Ada")
    assert [(e.email, e.is_primary) for e in ada.emails.all()] == [
        ("ada@example.com", True),
        ("ada@home.example", False),
    ]
    assert [(p.number, p.is_primary) for p in ada.phones.all()] == [("+442071234567", True)]
    assert sorted(tag.name for tag in ada.tags.all()) == ["math", "vip"]
    # and the list summary on the row (accord.customers.summaries)
    assert (ada.primary_email, ada.primary_phone) == ("ada@example.com", "+442071234567")
    assert ada.current_company_id == Company.objects.get().pk
    # the summary the import wrote with the row is the one the services' refresh computes from the children
    contact_summaries_refresh([ada.pk])
    refreshed = Contact.objects.get(pk=ada.pk)
    assert (refreshed.primary_email, refreshed.primary_phone, refreshed.current_company_id) == (
        ada.primary_email,
        ada.primary_phone,
        ada.current_company_id,
    )
    assert (ada.owner_id, ada.version, ada.job_title) == (actor.user_id, 1, "Analyst")
    charles = Contact.objects.get(family_name="Babbage")
    assert charles.given_name == "Charles"
    company = Company.objects.get()
    assert (company.name, company.domain, company.owner_id) == (
        "Analytical Engines",
        "engines.example",
        actor.user_id,
    )
    assert sorted(Employment.objects.values_list("contact_id", "company_id", "role")) == [
        (ada.pk, company.pk, "Analyst"),
        (charles.pk, company.pk, ""),
    ]
    entry = SearchEntry.objects.get(kind="contact", object_id=ada.pk)
    assert (entry.title, entry.subtitle, entry.owner_id) == (
        "Ada Lovelace",
        "ada@example.com · Analytical Engines",
        actor.user_id,
    )
    assert "442071234567" in entry.text
    assert SearchEntry.objects.filter(kind="company", object_id=company.pk).exists()
    audits = AuditEntry.objects.filter(via="import").order_by("object_type", "object_id")
    assert [(a.action, a.object_type, a.object_id, a.changes, a.actor_id) for a in audits] == [
        ("create", "customers.company", company.pk, {}, actor.user_id),
        ("create", "customers.contact", ada.pk, {}, actor.user_id),
        ("create", "customers.contact", charles.pk, {}, actor.user_id),
    ]
    tags = sorted(ada.tags.values_list("pk", flat=True))
    assert sorted(
        ImportedRecord.objects.filter(run=run).values_list("object_type", "object_id", "action")
    ) == [
        ("company", company.pk, "created"),
        ("contact", ada.pk, "created"),
        ("contact", charles.pk, "created"),
        *(("tag", pk, "created") for pk in tags),
    ]


def test_match_on_email_updates_skips_or_creates(actor: Actor) -> None:
    existing = contact_create(
        actor=actor,
        data={"given_name": "Ada", "family_name": "Old", "emails": [{"email": "ada@example.com"}]},
    )
    row = [{"family_name": "Lovelace", "email": "ada@example.com", "job_title": "Countess"}]

    skipped = run_import(actor, "contacts", row, match_key="email", on_duplicate="skip")
    updated = run_import(actor, "contacts", row, match_key="email", on_duplicate="update")
    created = run_import(actor, "contacts", row, match_key="email", on_duplicate="create")

    assert (counts(skipped), counts(updated), counts(created)) == ((0, 0, 1, 0), (0, 1, 0, 0), (1, 0, 0, 0))
    existing.refresh_from_db()
    assert (existing.family_name, existing.job_title, existing.version) == ("Lovelace", "Countess", 2)
    entry = AuditEntry.objects.get(via="import", action="update")
    assert entry.changes == {"family_name": ["Old", "Lovelace"], "job_title": ["", "Countess"]}
    assert Contact.objects.count() == 2


def _people(count: int, *, start: int = 0) -> list[dict[str, object]]:
    return [
        {"given_name": f"Given{i}", "family_name": f"Family{i}", "email": f"person{i}@example.com"}
        for i in range(start, start + count)
    ]


def test_a_third_bad_rows_every_good_row_in_every_bad_row_reported_nothing_else_written(actor: Actor) -> None:
    records: list[dict[str, Any]] = []
    for i in range(30):
        record: dict[str, Any] = {
            "given_name": f"Given{i}",
            "family_name": f"Family{i}",
            "email": f"person{i}@example.com",
        }
        if i % 3 == 1:
            record = {
                **record,
                "_error": ("Email", "The email address is not valid."),
            }  # the reader's rejection
        if i % 9 == 2:
            record = {**record, "email": "person0@example.com"}  # a duplicate within the file
        elif i % 9 == 5:
            record = {**record, "owner": "nobody"}  # an owner that does not exist
        elif i % 9 == 8:
            record = {**record, "family_name": "x" * 101}  # longer than the column
        records.append(record)

    run = run_import(actor, "contacts", records, match_key="email", batch_size=7)

    good = [i for i in range(30) if i % 3 == 0]
    assert counts(run) == (10, 0, 0, 20)
    assert sorted(Contact.objects.values_list("family_name", flat=True)) == sorted(f"Family{i}" for i in good)
    expected = []
    for i in range(30):
        if i % 3 == 1:
            expected.append((i + 2, "Email", "The email address is not valid."))
        elif i % 9 == 2:
            expected.append((i + 2, "Email", "Duplicate of row 2."))
        elif i % 9 == 5:
            expected.append((i + 2, "Owner", "No active user with the username or email 'nobody'."))
        elif i % 9 == 8:
            expected.append((i + 2, "Family Name", "At most 100 characters."))
    assert errors(run) == expected
    assert run.row_errors.get(row=3).cells == ["Given1", "Family1", "person1@example.com"]
    assert AuditEntry.objects.filter(via="import").count() == 10
    assert SearchEntry.objects.filter(kind="contact").count() == 10
    assert (run.checkpoint, run.rows_seen, run.status) == (31, 30, "completed")


@pytest.mark.parametrize(
    ("match_key", "field", "value"),
    [
        ("external_id", "external_id", "crm-1"),
        ("email", "email", "ada@example.com"),
        ("phone", "phone", "+442071234567"),
    ],
)
@pytest.mark.parametrize("rule", ["create", "update", "skip"])
def test_contacts_match_by_each_key_with_each_rule(
    actor: Actor, match_key: str, field: str, value: str, rule: str
) -> None:
    existing = contact_create(
        actor=actor,
        data={
            "external_id": "crm-1",
            "given_name": "Ada",
            "family_name": "Old",
            "emails": [{"email": "ada@example.com"}],
            "phones": [{"number": "+442071234567"}],
        },
    )

    run = run_import(
        actor, "contacts", [{field: value, "family_name": "New"}], match_key=match_key, on_duplicate=rule
    )

    existing.refresh_from_db()
    assert counts(run) == {"create": (1, 0, 0, 0), "update": (0, 1, 0, 0), "skip": (0, 0, 1, 0)}[rule]
    assert existing.family_name == ("New" if rule == "update" else "Old")
    assert Contact.objects.count() == (2 if rule == "create" else 1)


def test_a_match_the_actor_may_not_change_is_rejected_without_saying_whose(actor: Actor) -> None:
    from accord.access.models import Role, SharingDefault
    from accord.core.actors import SYSTEM
    from accord.users.models import User

    SharingDefault.objects.update_or_create(object_type="contact", defaults={"visibility": "private"})
    rep = User.objects.create_user(username="rep2", role=Role.objects.get(key="sales_rep"))
    contact_create(actor=SYSTEM, data={"family_name": "Secret", "emails": [{"email": "boss@example.com"}]})
    rows = [
        {"family_name": "Mine", "email": "boss@example.com"},
        {"family_name": "Fresh", "email": "new@example.com"},
    ]

    run = run_import(Actor(user=rep, via="cli"), "contacts", rows, match_key="email", on_duplicate="update")

    assert counts(run) == (1, 0, 0, 1)
    assert errors(run) == [(2, "", "This row matches an existing record that you may not change.")]
    assert sorted(Contact.objects.values_list("family_name", flat=True)) == ["Fresh", "Secret"]


def test_a_role_that_hides_phones_cannot_import_them_and_one_without_create_cannot_import(
    actor: Actor,
) -> None:
    from accord.access.models import Role
    from accord.core.errors import PermissionDenied
    from accord.users.models import User

    marketer = User.objects.create_user(username="marketer", role=Role.objects.get(key="marketer"))
    support = User.objects.create_user(username="support", role=Role.objects.get(key="support_agent"))

    with pytest.raises(PermissionDenied, match="phones"):
        run_import(
            Actor(user=marketer, via="cli"), "contacts", [{"family_name": "A", "phone": "+442071234567"}]
        )
    with pytest.raises(PermissionDenied, match="may not create contacts"):
        run_import(Actor(user=support, via="cli"), "contacts", [{"family_name": "A"}])
    assert Contact.objects.count() == 0


def test_queries_per_batch_do_not_depend_on_the_batch_size(actor: Actor) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.imports.services import import_run_create, import_run_execute
    from accord.imports.tests.writer_rows import mapping_for, parsed

    def queries(size: int, start: int) -> int:
        records = [
            {**record, "company_name": f"Company {i % 3}", "tags": ["a"], "phone": f"+4420712345{i:02d}"}
            for i, record in enumerate(_people(size, start=start))
        ]
        run = import_run_create(
            actor=actor,
            kind="contacts",
            file_name="x.csv",
            mapping=mapping_for(records),
            match_key="email",
            on_duplicate="update",
        )
        with CaptureQueriesContext(connection) as captured:
            import_run_execute(run, parsed(records), batch_size=size)
        return len(captured)

    queries(3, 1000)  # the companies and the tag exist from here on
    new_few, new_many = queries(5, 0), queries(40, 100)
    updates_few, updates_many = queries(5, 100), queries(40, 100)
    assert (new_few, updates_few) == (new_many, updates_many)
