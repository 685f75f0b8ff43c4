"""Inline editing on the 360 pages: each field saves through the record's update service at the version
its editor was opened at; errors are shown beside the field; a version conflict shows both values and
overwrites nothing until the user chooses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry, CustomField
from accord.customers.models import Company, Contact
from accord.customers.services import company_update, contact_update
from accord.users.models import User
from accord.web.tests.builders import HTMX, browser, make_team, make_user
from accord.web.tests.customer_fixtures import company_of, contact_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep() -> User:
    return make_user("rita", "sales_rep")


@pytest.fixture
def client(rep: User) -> Client:
    return browser(rep)


@pytest.fixture
def contact(rep: User) -> Contact:
    return contact_of(rep, job_title="Countess", emails=[{"email": "ada@example.com", "label": "work"}])


def text(response: Any) -> str:
    return str(response.content.decode())


def save(
    client: Client,
    record: Contact | Company,
    field: str,
    value: str,
    *,
    version: int | None = None,
    htmx: bool = True,
) -> Any:
    plural = "contacts" if isinstance(record, Contact) else "companies"
    data = {"value": value, "version": record.version if version is None else version}
    headers: dict[str, Any] = HTMX if htmx else {}
    return client.post(f"/{plural}/{record.pk}/fields/{field}/", data, **headers)


def updates_of(record: Contact | Company) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=record._meta.label_lower, object_id=record.pk, action="update")
    )


def test_the_editor_opens_with_the_current_value_and_version(client: Client, contact: Contact) -> None:
    response = client.get(f"/contacts/{contact.pk}/fields/job_title/edit/", **HTMX)

    body = text(response)
    assert response.status_code == 200
    assert 'value="Countess"' in body
    assert 'name="version" value="1"' in body
    assert '<label for="edit-job_title-value">Job title</label>' in body
    assert "autofocus" in body
    assert "data-inline-cancel" in body
    assert "<html" not in body


def test_a_save_goes_through_the_service_with_its_audit_entry(
    client: Client, contact: Contact, rep: User
) -> None:
    response = save(client, contact, "job_title", "Mathematician")

    contact.refresh_from_db()
    assert response.status_code == 200
    assert "Mathematician" in text(response)
    assert "c360-value" in text(response)
    assert contact.job_title == "Mathematician"
    assert contact.version == 2
    [entry] = updates_of(contact)
    assert entry.via == "web"
    assert entry.actor_id == rep.pk
    assert entry.changes == {"job_title": ["Countess", "Mathematician"]}


def test_renaming_updates_the_heading_in_place(client: Client, contact: Contact) -> None:
    body = text(save(client, contact, "given_name", "Augusta"))

    assert re.search(r'<h1 id="c360-name"[^>]*hx-swap-oob="true">Augusta Lovelace</h1>', body)


def test_cancel_shows_the_saved_value_again(client: Client, contact: Contact) -> None:
    response = client.get(f"/contacts/{contact.pk}/fields/job_title/", **HTMX)

    assert response.status_code == 200
    assert "Countess" in text(response)
    assert "<form" not in text(response)


def test_a_form_error_is_shown_beside_the_field_and_nothing_is_saved(rep: User, client: Client) -> None:
    company = company_of(rep)

    response = save(client, company, "name", "")

    body = text(response)
    assert response.status_code == 422
    assert 'class="field-error" id="edit-name-value_error"' in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="edit-name-value_error"' in body
    assert updates_of(company) == []


def test_a_service_error_is_shown_beside_the_field(client: Client, rep: User) -> None:
    contact = contact_of(rep, given_name="")

    family = save(client, contact, "family_name", "  ")
    email = save(client, contact, "emails", "not an address")

    assert family.status_code == email.status_code == 422
    assert "A contact needs a given name or a family name." in text(family)
    assert 'id="edit-emails-value_error"' in text(email)
    contact.refresh_from_db()
    assert contact.family_name == "Lovelace"
    assert contact.version == 1


def test_a_version_conflict_shows_both_values_and_overwrites_nothing(
    client: Client, contact: Contact
) -> None:
    opened_at = contact.version
    contact_update(actor=SYSTEM, instance=contact, data={"job_title": "Their title"})

    conflict = save(client, contact, "job_title", "My title", version=opened_at)

    body = text(conflict)
    assert conflict.status_code == 409
    assert "My title" in body
    assert "Their title" in body
    assert "Current value (version 2)" in body
    assert "by Accord" in body
    assert 'name="version" value="2"' in body
    assert 'name="value" value="My title"' in body
    contact.refresh_from_db()
    assert contact.job_title == "Their title"

    # "Use my value" sends the user's value at the version they have now seen.
    chosen = save(client, contact, "job_title", "My title", version=2)

    contact.refresh_from_db()
    assert chosen.status_code == 200
    assert contact.job_title == "My title"
    assert contact.version == 3


def test_a_conflict_without_htmx_renders_the_whole_page(client: Client, contact: Contact) -> None:
    contact_update(actor=SYSTEM, instance=contact, data={"job_title": "Their title"})

    response = save(client, contact, "job_title", "Mine", version=1, htmx=False)

    assert response.status_code == 409
    assert "<html" in text(response)
    assert "Your value" in text(response)


def test_without_htmx_a_save_redirects_and_an_error_renders_the_page(
    client: Client, contact: Contact
) -> None:
    saved = save(client, contact, "job_title", "Analyst", htmx=False)
    invalid = save(client, contact, "lifecycle_stage", "astronaut", htmx=False)
    editor = client.get(f"/contacts/{contact.pk}/fields/job_title/edit/")

    assert saved.status_code == 302
    assert saved["Location"] == f"/contacts/{contact.pk}/#field-job_title"
    assert invalid.status_code == 422
    assert "<html" in text(invalid)
    assert "Select a valid choice" in text(invalid)
    assert editor.status_code == 200
    assert "<html" in text(editor)
    assert 'name="value"' in text(editor)


@pytest.mark.parametrize("version", [None, "", "abc", "0", "99999999999"])
def test_a_missing_or_malformed_version_is_a_bad_request(
    client: Client, contact: Contact, version: str | None
) -> None:
    data = {"value": "x"} if version is None else {"value": "x", "version": version}

    response = client.post(f"/contacts/{contact.pk}/fields/job_title/", data, **HTMX)

    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.job_title == "Countess"


@pytest.mark.parametrize("field", ["nope", "version", "created_at", "cf-undefined", "custom_fields"])
def test_unknown_fields_answer_404(client: Client, contact: Contact, field: str) -> None:
    assert client.get(f"/contacts/{contact.pk}/fields/{field}/edit/").status_code == 404
    assert save(client, contact, field, "x").status_code == 404


def test_a_user_who_may_view_but_not_edit_is_refused(contact: Contact) -> None:
    reader = make_user("reader", "read_only")
    client = browser(reader)
    contact_update(actor=SYSTEM, instance=contact, data={"owner_id": reader.pk})
    contact.refresh_from_db()

    assert client.get(f"/contacts/{contact.pk}/fields/job_title/edit/").status_code == 403
    assert save(client, contact, "job_title", "x").status_code == 403
    contact.refresh_from_db()
    assert contact.job_title == "Countess"


def test_a_field_hidden_from_the_role_cannot_be_edited(rep: User) -> None:
    marketer = make_user("mark", "marketer")
    contact = contact_of(marketer, phones=[{"number": "+14155552671"}])
    client = browser(marketer)

    assert client.get(f"/contacts/{contact.pk}/fields/phones/edit/").status_code == 404
    assert save(client, contact, "phones", "+14155550000").status_code == 404
    assert save(client, contact, "job_title", "Marketer's pick").status_code == 200


def test_emails_are_one_per_line_with_the_first_primary_and_labels_kept(
    client: Client, contact: Contact
) -> None:
    response = save(client, contact, "emails", "countess@example.com\n ada@example.com \n\n")

    assert response.status_code == 200
    emails = [
        (email.email, email.label, email.is_primary)
        for email in contact.emails.order_by("-is_primary", "email")
    ]
    assert emails == [("countess@example.com", "", True), ("ada@example.com", "work", False)]


def test_tags_owner_and_choices(client: Client, contact: Contact, rep: User) -> None:
    other = make_user("otto", "sales_rep")
    make_team("East", rep, other)  # so that rita still sees the contact once otto owns it

    tags = save(client, contact, "tags", "vip, engines ,vip")
    contact.refresh_from_db()
    owner = save(client, contact, "owner_id", str(other.pk))
    contact.refresh_from_db()
    stage = save(client, contact, "lifecycle_stage", "customer")

    contact.refresh_from_db()
    assert tags.status_code == owner.status_code == stage.status_code == 200
    assert sorted(tag.name for tag in contact.tags.all()) == ["engines", "vip"]
    assert contact.owner_id == other.pk
    assert "otto" in text(owner)
    assert contact.lifecycle_stage == "customer"
    assert "Customer" in text(stage)
    assert save(client, contact, "owner_id", "123456").status_code == 422


def test_custom_fields_are_typed(client: Client, contact: Contact) -> None:
    CustomField.objects.create(object_type="contact", key="seats", label="Seats", field_type="number")
    CustomField.objects.create(
        object_type="contact", key="plan", label="Plan", field_type="choice", choices=["basic", "pro"]
    )
    CustomField.objects.create(object_type="contact", key="renewal", label="Renewal", field_type="date")

    assert save(client, contact, "cf-seats", "12").status_code == 200
    contact.refresh_from_db()
    assert save(client, contact, "cf-plan", "pro").status_code == 200
    contact.refresh_from_db()
    assert save(client, contact, "cf-renewal", "2027-01-31").status_code == 200
    contact.refresh_from_db()
    assert contact.custom_fields == {"seats": 12, "plan": "pro", "renewal": "2027-01-31"}

    assert save(client, contact, "cf-seats", "twelve").status_code == 422
    assert save(client, contact, "cf-plan", "enterprise").status_code == 422
    cleared = save(client, contact, "cf-seats", "")
    contact.refresh_from_db()
    assert cleared.status_code == 200
    assert "seats" not in contact.custom_fields


def test_a_required_custom_field_error_comes_from_the_service(client: Client, contact: Contact) -> None:
    CustomField.objects.create(object_type="contact", key="region", label="Region", field_type="text")
    contact = contact_update(actor=SYSTEM, instance=contact, data={"custom_fields": {"region": "North"}})
    CustomField.objects.filter(key="region").update(is_required=True)

    response = save(client, contact, "cf-region", "")

    assert response.status_code == 422
    assert "This field is required." in text(response)


def test_company_fields_are_normalised_by_the_service(rep: User, client: Client) -> None:
    company = company_of(rep)

    domain = save(client, company, "domain", "https://WWW.Engines.Example/about")
    company.refresh_from_db()
    revenue = save(client, company, "annual_revenue", "-5")
    bad_domain = save(client, company, "domain", "not a domain")

    assert domain.status_code == 200
    assert company.domain == "engines.example"
    assert revenue.status_code == 422
    assert bad_domain.status_code == 422
    company_update(actor=SYSTEM, instance=company, data={})  # still consistent
    company.refresh_from_db()
    assert company.version == 2


@pytest.mark.parametrize("value", ["x" * 101, "bad\x00nul"])
def test_too_long_or_nul_text_is_a_field_error_not_a_server_error(
    client: Client, contact: Contact, value: str
) -> None:
    response = save(client, contact, "acquisition_source", value)

    assert response.status_code == 422
