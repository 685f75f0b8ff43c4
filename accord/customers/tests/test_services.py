import pytest

from accord.core.actors import Actor
from accord.core.errors import Conflict, PreconditionFailed, ValidationFailed
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.models import Company, Contact, ContactEmail
from accord.customers.services import (
    company_create,
    company_delete,
    company_update,
    contact_create,
    contact_delete,
    contact_update,
)

pytestmark = pytest.mark.django_db


def test_company_create_normalises_audits_and_indexes(actor: Actor) -> None:
    company = company_create(
        actor=actor,
        data={
            "name": "Acme GmbH",
            "domain": "https://www.ACME.de/impressum",
            "phone": "+49 30 901820",
            "tags": ["b", "a"],
        },
    )
    assert (company.domain, company.phone, company.owner_id) == ("acme.de", "+4930901820", actor.user_id)
    assert sorted(company.tags.values_list("name", flat=True)) == ["a", "b"]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id, entry.actor_id, entry.via) == (
        "create",
        "customers.company",
        company.pk,
        actor.user_id,
        "api",
    )
    assert SearchEntry.objects.get(kind="company").text == "acme gmbh acme.de 4930901820"


def test_company_validation_reports_every_bad_field(actor: Actor) -> None:
    with pytest.raises(ValidationFailed) as error:
        company_create(
            actor=actor,
            data={
                "name": "X",
                "domain": "not a domain",
                "phone": "12",
                "currency": "euro",
                "country": "Germany",
                "parent_id": 999,
                "owner_id": 999,
            },
        )
    assert set(error.value.fields) == {"domain", "phone", "currency", "country", "parent_id", "owner_id"}
    assert not Company.objects.exists()
    assert not AuditEntry.objects.exists()


def test_company_parent_cycles_are_refused(actor: Actor) -> None:
    group = company_create(actor=actor, data={"name": "Group"})
    subsidiary = company_create(actor=actor, data={"name": "Sub", "parent_id": group.pk})
    with pytest.raises(ValidationFailed) as error:
        company_update(actor=actor, instance=group, data={"parent_id": subsidiary.pk})
    assert list(error.value.fields) == ["parent_id"]
    with pytest.raises(ValidationFailed):
        company_update(actor=actor, instance=group, data={"parent_id": group.pk})


def test_update_records_old_and_new_values_and_bumps_version(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "Old name", "industry": "Retail"})
    updated = company_update(actor=actor, instance=company, data={"name": "New name", "industry": "Retail"})
    assert (updated.name, updated.version) == ("New name", 2)
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {"name": ["Old name", "New name"]}
    assert SearchEntry.objects.get(kind="company").title == "New name"


def test_an_update_that_changes_nothing_keeps_the_version(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "Same"})
    assert company_update(actor=actor, instance=company, data={"name": "Same"}).version == 1
    assert not AuditEntry.objects.filter(action="update").exists()


def test_stale_versions_are_refused(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "A"})
    company_update(actor=actor, instance=company, data={"name": "B"}, expected_version=1)
    with pytest.raises(PreconditionFailed):
        company_update(actor=actor, instance=company, data={"name": "C"}, expected_version=1)
    assert Company.objects.get().name == "B"


def test_company_delete_removes_search_entry_and_audits(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "Gone"})
    company_delete(actor=actor, instance=company)
    assert not Company.objects.exists()
    assert not SearchEntry.objects.exists()
    assert AuditEntry.objects.filter(action="delete", object_id=company.pk).count() == 1


def test_company_with_orders_cannot_be_deleted(actor: Actor) -> None:
    from django.utils import timezone

    from accord.sales.models import Order

    company = company_create(actor=actor, data={"name": "Customer"})
    Order.objects.create(number="O-1", company=company, ordered_at=timezone.now())
    with pytest.raises(Conflict):
        company_delete(actor=actor, instance=company)
    assert Company.objects.filter(pk=company.pk).exists()


def test_contact_create_with_emails_phones_and_employment(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "Acme"})
    contact = contact_create(
        actor=actor,
        data={
            "given_name": " Ada ",
            "family_name": "Lovelace",
            "emails": [{"email": "ADA@example.com"}, {"email": "ada@home.org", "label": "home"}],
            "phones": [{"number": "+1 415 555 2671", "label": "mobile"}],
            "employments": [{"company_id": company.pk, "role": "CTO"}],
        },
    )
    assert contact.given_name == "Ada"
    assert [(e.email, e.is_primary) for e in contact.emails.all()] == [
        ("ada@example.com", True),
        ("ada@home.org", False),
    ]
    assert [p.number for p in contact.phones.all()] == ["+14155552671"]
    assert list(contact.employments.values_list("company__name", "role", "is_current")) == [
        ("Acme", "CTO", True)
    ]
    entry = SearchEntry.objects.get(kind="contact")
    assert (entry.title, entry.subtitle) == ("Ada Lovelace", "ada@example.com · Acme")


def test_contact_validation_names_nested_fields(actor: Actor) -> None:
    with pytest.raises(ValidationFailed) as error:
        contact_create(
            actor=actor,
            data={
                "given_name": "",
                "family_name": "",
                "emails": [{"email": "ok@example.com"}, {"email": "OK@example.com"}, {"email": "bad"}],
                "phones": [
                    {"number": "+14155552671", "is_primary": True},
                    {"number": "+14155552672", "is_primary": True},
                ],
                "employments": [{"company_id": 42}],
            },
        )
    assert set(error.value.fields) == {
        "family_name",
        "emails.1.email",
        "emails.2.email",
        "phones",
        "employments.0.company_id",
    }
    assert not Contact.objects.exists()


def test_contact_update_replaces_children_and_audits_them(actor: Actor) -> None:
    contact = contact_create(
        actor=actor, data={"family_name": "Curie", "emails": [{"email": "marie@example.com"}]}
    )
    contact_update(actor=actor, instance=contact, data={"emails": [{"email": "m.curie@example.org"}]})
    assert list(ContactEmail.objects.values_list("email", "is_primary")) == [("m.curie@example.org", True)]
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"emails": [["marie@example.com"], ["m.curie@example.org"]]}
    assert "m.curie@example.org" in SearchEntry.objects.get(kind="contact").text


def test_contact_name_rule_holds_on_update(actor: Actor) -> None:
    contact = contact_create(actor=actor, data={"family_name": "Noether"})
    with pytest.raises(ValidationFailed) as error:
        contact_update(actor=actor, instance=contact, data={"family_name": ""})
    assert list(error.value.fields) == ["family_name"]


def test_contact_delete_cascades_children(actor: Actor) -> None:
    contact = contact_create(
        actor=actor, data={"family_name": "Hopper", "emails": [{"email": "g@example.com"}]}
    )
    contact_delete(actor=actor, instance=contact)
    assert not ContactEmail.objects.exists()
    assert not SearchEntry.objects.exists()


def _summary(contact: Contact) -> tuple[str | None, str | None, int | None]:
    return Contact.objects.values_list("primary_email", "primary_phone", "current_company_id").get(
        pk=contact.pk
    )


def test_contact_row_keeps_the_list_summary_through_create_update_and_company_delete(actor: Actor) -> None:
    acme = company_create(actor=actor, data={"name": "Acme"})
    globex = company_create(actor=actor, data={"name": "Globex"})
    contact = contact_create(
        actor=actor,
        data={
            "family_name": "Lovelace",
            "emails": [{"email": "ada@example.com"}],
            "phones": [{"number": "+1 415 555 2671"}],
            "employments": [{"company_id": acme.pk}, {"company_id": globex.pk}],
        },
    )
    assert _summary(contact) == ("ada@example.com", "+14155552671", acme.pk)
    assert (contact.primary_email, contact.current_company_id) == ("ada@example.com", acme.pk)

    # A later change of the name alone saves the whole instance: the summary must survive it.
    contact = contact_update(actor=actor, instance=contact, data={"emails": [], "phones": []})
    contact = contact_update(actor=actor, instance=contact, data={"given_name": "Ada"})
    assert _summary(contact) == (None, None, acme.pk)

    company_delete(actor=actor, instance=acme)
    assert _summary(contact) == (None, None, globex.pk)
