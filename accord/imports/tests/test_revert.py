"""Reverting an import puts the database back as it was (but for versions and audit entries), leaves records
changed since alone and reports them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from accord.core.actors import Actor
from accord.core.errors import NotFound, ValidationFailed
from accord.core.models import AuditEntry
from accord.customers.models import Contact
from accord.customers.services import company_create, contact_create, contact_update
from accord.imports.models import ImportRun
from accord.imports.services import import_revert
from accord.imports.tests.writer_rows import counts, run_import
from accord.sales.services import deal_create, pipeline_create

pytestmark = pytest.mark.django_db

DOMAIN_TABLES = [
    "customers_company", "customers_contact", "customers_contactemail", "customers_contactphone",
    "customers_employment", "customers_company_tags", "customers_contact_tags", "core_tag", "core_searchentry",
    "sales_lead", "sales_deal", "sales_dealcontact", "sales_dealstagechange", "sales_order", "sales_orderline",
    "activities_interaction", "activities_interactioncontact",
]  # fmt: skip
# A revert is a change of its own: restored records take a new version and time, search entries new ids.
IGNORED = {"version", "updated_at", "id", "changed_at"}


def dump() -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in DOMAIN_TABLES:
            cursor.execute(f"SELECT * FROM {table}")
            names = [column[0] for column in cursor.description]
            keep = [index for index, name in enumerate(names) if name not in IGNORED]
            tables[table] = sorted(tuple(str(row[i]) for i in keep) for row in cursor.fetchall())
    return tables


def test_revert_restores_the_database_as_it_was(actor: Actor) -> None:
    company_create(actor=actor, data={"name": "Existing Co", "domain": "existing.example"})
    old = contact_create(
        actor=actor,
        data={
            "given_name": "Ada",
            "family_name": "Old",
            "emails": [{"email": "ada@example.com"}],
            "tags": ["kept"],
        },
    )
    before = dump()
    rows = [
        {
            "family_name": "Lovelace",
            "email": "ada@example.com",
            "other_emails": ["ada@home.example"],
            "phone": "+442071234567",
            "company_name": "New Co",
            "tags": ["fresh", "kept"],
            "job_title": "Countess",
        },
        *(
            {
                "family_name": f"New{i}",
                "email": f"new{i}@example.com",
                "company_domain": "existing.example",
                "tags": ["fresh"],
            }
            for i in range(12)
        ),
    ]
    run = run_import(actor, "contacts", rows, match_key="email", on_duplicate="update", batch_size=5)
    assert (counts(run), run.companies_created_count) == ((12, 1, 0, 0), 1)
    assert dump() != before

    reverted = import_revert(actor=actor, run=run)

    assert dump() == before
    assert (reverted.status, reverted.revert_conflicts, reverted.reverted_at is not None) == (
        "reverted",
        [],
        True,
    )
    old.refresh_from_db()
    assert old.version == 3  # created, imported, reverted: a client holding version 2 cannot overwrite it
    actions = AuditEntry.objects.filter(via="api", object_type="customers.contact").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create"] + ["delete"] * 12 + ["update"]


def test_a_record_changed_since_the_import_is_reported_not_overwritten(actor: Actor) -> None:
    pipeline_create(actor=actor, data={"name": "Sales", "stages": [{"name": "Open"}]})
    existing = contact_create(
        actor=actor, data={"family_name": "Old", "emails": [{"email": "a@example.com"}]}
    )
    rows = [
        {"family_name": "Imported", "email": "a@example.com"},
        {"family_name": "Created", "email": "b@example.com"},
    ]
    run = run_import(actor, "contacts", rows, match_key="email", on_duplicate="update")
    created = Contact.objects.get(family_name="Created")
    contact_update(actor=actor, instance=Contact.objects.get(pk=existing.pk), data={"job_title": "Edited"})
    contact_update(actor=actor, instance=created, data={"job_title": "Edited too"})

    reverted = import_revert(actor=actor, run=run)

    assert sorted(Contact.objects.values_list("family_name", "job_title")) == [
        ("Created", "Edited too"),
        ("Imported", "Edited"),
    ]
    assert sorted((c["object_id"], c["reason"]) for c in reverted.revert_conflicts) == [
        (existing.pk, "changed since the import, so it was kept"),
        (created.pk, "changed since the import, so it was kept"),
    ]


def test_a_created_company_used_since_is_kept(actor: Actor) -> None:
    pipeline_create(actor=actor, data={"name": "Sales", "stages": [{"name": "Open"}]})
    run = run_import(actor, "contacts", [{"family_name": "A", "company_name": "Shared Co"}])
    company_id = run.records.get(object_type="company").object_id
    deal_create(actor=actor, data={"name": "Uses it", "company_id": company_id, "amount": Decimal("1")})

    reverted = import_revert(actor=actor, run=run)

    assert Contact.objects.count() == 0
    assert reverted.revert_conflicts == [
        {
            "object_type": "company",
            "object_id": company_id,
            "reason": "used by other records since the import, so it was kept",
        }
    ]


def test_only_its_creator_or_an_administrator_reverts_and_only_once(actor: Actor) -> None:
    from accord.access.models import Role
    from accord.users.models import User

    run = run_import(actor, "contacts", [{"family_name": "A"}])
    rep = User.objects.create_user(username="rep2", role=Role.objects.get(key="sales_rep"))
    dry = run_import(actor, "contacts", [{"family_name": "A"}], dry_run=True)

    with pytest.raises(NotFound):
        import_revert(actor=Actor(user=rep, via="web"), run=run)
    import_revert(actor=actor, run=run)
    with pytest.raises(ValidationFailed) as again:
        import_revert(actor=actor, run=run)
    with pytest.raises(ValidationFailed) as nothing:
        import_revert(actor=actor, run=dry)
    assert again.value.fields == {"run": ["This import is already reverted."]}
    assert nothing.value.fields == {"run": ["A dry run wrote nothing: there is nothing to revert."]}
    assert ImportRun.objects.get(pk=run.pk).status == "reverted"
