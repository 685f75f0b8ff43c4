"""Lead conversion (/leads/<id>/convert/): the page names the existing contact and company the conversion
reuses (the matching ``lead_convert`` applies), converts through ``lead_convert`` and opens the contact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accord.core.actors import SYSTEM
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create
from accord.sales.models import Deal, Lead
from accord.sales.services import lead_create, lead_update
from accord.sales.tests.board_support import Org, make_user, query_count, text_of
from accord.web.tests.builders import browser

pytestmark = pytest.mark.django_db


def a_lead(owner: Any, **data: Any) -> Lead:
    fields = {
        "given_name": "Lena",
        "family_name": "Lindqvist",
        "email": "lena@acme.example",
        "company_name": "Acme",
        "company_domain": "acme.example",
        "phone": "+14155552671",
        "owner_id": owner.pk,
        **data,
    }
    return lead_create(actor=SYSTEM, data=fields)


@pytest.fixture
def existing(org: Org) -> tuple[Contact, Company]:
    """A contact with the lead's email and a company with its website, both alice's."""
    company = company_create(
        actor=SYSTEM, data={"name": "ACME Corporation", "domain": "acme.example", "owner_id": org.alice.pk}
    )
    contact = contact_create(
        actor=SYSTEM,
        data={
            "given_name": "Lena",
            "family_name": "L.",
            "emails": [{"email": "lena@acme.example"}],
            "owner_id": org.alice.pk,
        },
    )
    return contact, company


def test_the_page_names_the_contact_and_company_that_will_be_reused(
    org: Org, alice: Client, existing: tuple[Contact, Company]
) -> None:
    contact, company = existing
    lead = a_lead(org.alice)

    response = alice.get(f"/leads/{lead.pk}/convert/")

    assert response.status_code == 200
    html, page = response.content.decode(), text_of(response)
    assert f'<a href="/contacts/{contact.pk}/">Lena L.</a>' in html
    assert "Reuses the existing contact Lena L. : it has the lead's email address" in page
    assert f'<a href="/companies/{company.pk}/">ACME Corporation</a>' in html
    assert "its website is the lead's company website" in page
    assert "Creates" not in page
    assert "+14155552671" in page  # a sales representative sees the lead's phone


def test_without_matches_the_page_says_what_will_be_created(org: Org, alice: Client) -> None:
    lead = a_lead(org.alice, email="new@fresh.example", company_name="Fresh", company_domain="fresh.example")

    page = text_of(alice.get(f"/leads/{lead.pk}/convert/"))

    assert "Creates a new contact “Lena Lindqvist”" in page
    assert "Creates a new company “Fresh”" in page


def test_records_the_user_may_not_see_are_not_offered_for_reuse(org: Org, alice: Client) -> None:
    company_create(
        actor=SYSTEM, data={"name": "Hidden Acme", "domain": "acme.example", "owner_id": org.carol.pk}
    )
    lead = a_lead(org.alice)

    page = text_of(alice.get(f"/leads/{lead.pk}/convert/"))

    assert "Hidden Acme" not in page
    assert "Creates a new company" in page


def test_converting_reuses_the_existing_contact_and_company_and_opens_the_contact(
    org: Org, alice: Client, existing: tuple[Contact, Company]
) -> None:
    contact, company = existing
    lead = a_lead(org.alice)
    contacts_before, companies_before = Contact.objects.count(), Company.objects.count()

    response = alice.post(f"/leads/{lead.pk}/convert/", {"version": lead.version})

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    lead.refresh_from_db()
    assert (lead.status, lead.converted_contact_id, lead.converted_company_id, lead.converted_deal_id) == (
        "converted", contact.pk, company.pk, None,
    )  # fmt: skip
    assert (Contact.objects.count(), Company.objects.count()) == (contacts_before, companies_before)
    assert Deal.objects.count() == 0


def test_converting_can_open_a_deal_in_the_chosen_stage(
    org: Org, alice: Client, existing: tuple[Contact, Company]
) -> None:
    contact, company = existing
    lead = a_lead(org.alice)
    data = {
        "version": lead.version,
        "open_deal": "on",
        "deal_name": "Acme rollout",
        "stage": org.stages["Propose"].pk,
        "amount": "5000.00",
        "expected_close_date": "2030-09-30",
    }

    response = alice.post(f"/leads/{lead.pk}/convert/", data)

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.name, deal.stage_id, deal.amount, deal.expected_close_date, deal.company_id, deal.owner_id) == (
        "Acme rollout", org.stages["Propose"].pk, Decimal("5000.00"), dt.date(2030, 9, 30), company.pk, org.alice.pk,
    )  # fmt: skip
    assert list(deal.deal_contacts.values_list("contact_id", flat=True)) == [contact.pk]


def test_the_deal_options_are_labelled(org: Org, alice: Client) -> None:
    html = alice.get(f"/leads/{a_lead(org.alice).pk}/convert/").content.decode()

    for name in ("open_deal", "deal_name", "stage", "amount", "expected_close_date"):
        assert f'<label for="id_{name}">' in html
    assert '<optgroup label="New business">' in html


def test_invalid_deal_options_are_shown_beside_their_fields(org: Org, alice: Client) -> None:
    lead = a_lead(org.alice)
    data = {
        "version": lead.version,
        "open_deal": "on",
        "amount": "-5",
        "stage": "12345",
        "expected_close_date": "soon",
    }

    response = alice.post(f"/leads/{lead.pk}/convert/", data)

    assert response.status_code == 422
    html = response.content.decode()
    for name in ("amount", "stage", "expected_close_date"):
        assert f'id="id_{name}_error"' in html
    lead.refresh_from_db()
    assert lead.status == "new"


def test_service_errors_about_the_deal_are_shown_beside_the_field(org: Org, alice: Client) -> None:
    lead = a_lead(org.alice)
    data = {"version": lead.version, "open_deal": "on", "stage": org.stages["Lost"].pk}

    response = alice.post(f"/leads/{lead.pk}/convert/", data)

    assert response.status_code == 422
    assert "Say why the deal is lost." in text_of(response)
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert not Deal.objects.exists()


def test_a_lead_changed_since_the_page_was_read_is_not_converted(org: Org, alice: Client) -> None:
    lead = a_lead(org.alice)
    lead_update(actor=SYSTEM, instance=lead, data={"job_title": "CTO"})

    response = alice.post(f"/leads/{lead.pk}/convert/", {"version": 1})

    assert response.status_code == 409
    assert "changed since you opened the page" in text_of(response)
    assert 'name="version" value="2"' in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_a_converted_lead_shows_its_records_and_cannot_be_converted_again(org: Org, alice: Client) -> None:
    lead = a_lead(org.alice)
    alice.post(f"/leads/{lead.pk}/convert/", {"version": lead.version})
    lead.refresh_from_db()

    page = alice.get(f"/leads/{lead.pk}/convert/")
    again = alice.post(f"/leads/{lead.pk}/convert/", {"version": lead.version})

    assert page.status_code == 200
    assert "This lead was converted" in text_of(page)
    assert f'href="/contacts/{lead.converted_contact_id}/"' in page.content.decode()
    assert again.status_code == 409
    assert Contact.objects.count() == 1


def test_a_lead_the_user_may_not_see_answers_404(org: Org, alice: Client) -> None:
    lead = a_lead(org.carol)

    assert alice.get(f"/leads/{lead.pk}/convert/").status_code == 404
    assert alice.post(f"/leads/{lead.pk}/convert/", {"version": 1}).status_code == 404
    assert alice.get("/leads/99999999999999999999999/convert/").status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_a_role_without_lead_view_is_refused(org: Org) -> None:
    lead = a_lead(org.alice)

    assert browser(make_user("sam", "support_agent")).get(f"/leads/{lead.pk}/convert/").status_code == 403


def test_a_role_that_may_view_but_not_edit_leads_is_refused_on_convert(org: Org) -> None:
    lead = a_lead(org.alice)
    viewer = browser(make_user("vera", "read_only"))

    page = viewer.get(f"/leads/{lead.pk}/convert/")
    response = viewer.post(f"/leads/{lead.pk}/convert/", {"version": lead.version})

    assert page.status_code == 200
    assert "+14155552671" not in page.content.decode()  # read-only hides the lead's phone
    assert "Open a deal" not in text_of(page)  # nor may it create deals
    assert response.status_code == 403
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_the_page_reads_a_bounded_number_of_queries(
    org: Org, alice: Client, existing: tuple[Contact, Company]
) -> None:
    lead = a_lead(org.alice)

    assert query_count(alice, f"/leads/{lead.pk}/convert/") <= 12
