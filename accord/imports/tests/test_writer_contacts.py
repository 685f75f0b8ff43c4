"""Contacts through the import writer: created with their emails, phones, company, tags, search entry and
audit entry; matched on each key with each rule; duplicates within the file; bad rows beside good ones."""

from __future__ import annotations

import pytest

from accord.core.actors import Actor
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.models import Company, Contact, Employment
from accord.customers.services import contact_create
from accord.imports.models import ImportedRecord
from accord.imports.tests.writer_rows import counts, errors, run_import

pytestmark = pytest.mark.django_db


def test_contacts_are_created_with_their_children_index_audit_and_imported_records(actor: Actor) -> None:
    records = [
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
        {"full_name": "Charles Babbage", "email": "charles@example.com", "company_name": "Analytical Engines"},
    ]

    run = run_import(actor, "contacts", records)

    assert (counts(run), run.companies_created_count, errors(run)) == ((2, 0, 0, 0), 1, [])
    ada = Contact.objects.get(given_name="Ada")
    assert [(e.email, e.is_primary) for e in ada.emails.all()] == [("ada@example.com", True), ("ada@home.example", False)]
    assert [(p.number, p.is_primary) for p in ada.phones.all()] == [("+442071234567", True)]
    assert sorted(tag.name for tag in ada.tags.all()) == ["math", "vip"]
    assert (ada.owner_id, ada.version, ada.job_title) == (actor.user_id, 1, "Analyst")
    charles = Contact.objects.get(family_name="Babbage")
    assert charles.given_name == "Charles"
    company = Company.objects.get()
    assert (company.name, company.domain, company.owner_id) == ("Analytical Engines", "engines.example", actor.user_id)
    assert sorted(Employment.objects.values_list("contact_id", "company_id", "role")) == [
        (ada.pk, company.pk, "Analyst"),
        (charles.pk, company.pk, ""),
    ]
    entry = SearchEntry.objects.get(kind="contact", object_id=ada.pk)
    assert (entry.title, entry.subtitle, entry.owner_id) == ("Ada Lovelace", "ada@example.com · Analytical Engines", actor.user_id)
    assert "442071234567" in entry.text
    assert SearchEntry.objects.filter(kind="company", object_id=company.pk).exists()
    audits = AuditEntry.objects.filter(via="import").order_by("object_type", "object_id")
    assert [(a.action, a.object_type, a.object_id, a.changes, a.actor_id) for a in audits] == [
        ("create", "customers.company", company.pk, {}, actor.user_id),
        ("create", "customers.contact", ada.pk, {}, actor.user_id),
        ("create", "customers.contact", charles.pk, {}, actor.user_id),
    ]
    tags = sorted(ada.tags.values_list("pk", flat=True))
    assert sorted(ImportedRecord.objects.filter(run=run).values_list("object_type", "object_id", "action")) == [
        ("company", company.pk, "created"),
        ("contact", ada.pk, "created"),
        ("contact", charles.pk, "created"),
        *(("tag", pk, "created") for pk in tags),
    ]


def test_match_on_email_updates_skips_or_creates(actor: Actor) -> None:
    existing = contact_create(
        actor=actor, data={"given_name": "Ada", "family_name": "Old", "emails": [{"email": "ada@example.com"}]}
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
