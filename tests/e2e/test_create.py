"""The new-record pages in a browser: create a company, then a contact at that company chosen with the
picker (typing, Enter, the keyboard), and land on the contact's 360 page showing both; and the contact
form at phone width, with a server error shown beside its input."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from accord.customers.models import Company, Contact
from accord.sales.models import Deal
from accord.web.tests import builders as b

SignIn = Callable[[Page, str, str], None]
Screenshot = Callable[[Page, str], Path]


def test_create_a_company_then_a_contact_at_it(page: Page, sign_in: SignIn, screenshot: Screenshot) -> None:
    b.make_user("rita", first_name="Rita")
    sign_in(page, "rita", b.PASSWORD)

    page.goto("/companies/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New company")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    page.get_by_label("Name", exact=True).fill("Zephyr Looms")
    page.get_by_label("Domain").fill("https://www.zephyr-looms.example/")
    page.get_by_label("Industry").fill("Textiles")
    screenshot(page, "create-company")
    page.get_by_role("button", name="Create company").click()

    company = Company.objects.get(name="Zephyr Looms")
    expect(page).to_have_url(re.compile(rf"/companies/{company.pk}/$"))
    expect(page.get_by_text("Company “Zephyr Looms” created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zephyr Looms")

    page.goto("/contacts/new/")
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Lovelace")
    page.get_by_label("Emails").fill("ada@zephyr-looms.example")
    search = page.get_by_label("Find a company")
    search.fill("zephyr")
    search.press("Enter")  # searches at once; it does not create the contact
    match = page.get_by_role("radio", name="Zephyr Looms")
    expect(match).to_be_visible()
    expect(page).to_have_url(re.compile(r"/contacts/new/$"))
    assert not Contact.objects.exists()
    search.press("ArrowDown")  # to the first match
    expect(match).to_be_focused()
    page.keyboard.press("Space")
    expect(match).to_be_checked()
    screenshot(page, "create-contact")
    page.get_by_role("button", name="Create contact").click()

    contact = Contact.objects.get()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))
    expect(page.get_by_text("Contact “Ada Lovelace” created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Lovelace")
    expect(page.get_by_role("link", name="Zephyr Looms").first).to_have_attribute(
        "href", f"/companies/{company.pk}/"
    )
    expect(page.get_by_text("ada@zephyr-looms.example").first).to_be_visible()
    screenshot(page, "create-contact-done")


def test_the_contact_form_at_phone_width_shows_errors_beside_the_inputs(
    phone_page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    b.make_user("rita")
    sign_in(phone_page, "rita", b.PASSWORD)

    phone_page.goto("/contacts/new/")
    phone_page.get_by_label("Given name").fill("Ada")
    phone_page.get_by_label("Emails").fill("ada@@example")
    phone_page.get_by_role("button", name="Create contact").click()

    emails = phone_page.get_by_label("Emails")
    expect(emails).to_have_attribute("aria-invalid", "true")
    expect(emails).to_be_focused()
    expect(phone_page.locator("#id_emails_error")).to_contain_text("ada@@example:")
    expect(phone_page.get_by_role("alert")).to_contain_text("One thing to correct")
    expect(phone_page.get_by_label("Given name")).to_have_value("Ada")
    assert phone_page.viewport_size is not None
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"], width
    screenshot(phone_page, "create-contact-phone")
    assert not Contact.objects.exists()


def test_create_a_deal_in_another_pipeline_for_a_company_and_a_person(
    page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    rita = b.make_user("rita")
    b.make_pipeline("New business")
    renewals = b.make_pipeline("Renewals", is_default=False)
    acme = b.company("Acme Robotics", rita)
    ada = b.contact("Ada", "Lovelace", rita)
    sign_in(page, "rita", b.PASSWORD)

    page.goto(f"/deals/new/?company={acme.pk}")
    expect(page.get_by_role("radio", name="Acme Robotics")).to_be_checked()
    page.get_by_label("Name", exact=True).fill("Acme renewal")
    page.get_by_label("Amount").fill("1200")
    page.get_by_label("Pipeline", exact=True).select_option(label="Renewals")
    # The stage choices follow the pipeline (htmx), the first stage chosen.
    expect(page.get_by_label("Stage", exact=True)).to_have_value(str(renewals["Qualify"].pk))
    page.get_by_label("Stage", exact=True).select_option(str(renewals["Propose"].pk))
    people = page.get_by_label("Find a person")
    people.fill("ada")
    expect(page.get_by_role("checkbox", name="Ada Lovelace")).to_be_visible()
    people.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Ada Lovelace")).to_be_checked()
    screenshot(page, "create-deal")
    page.get_by_role("button", name="Create deal").click()

    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    deal = Deal.objects.get()
    assert page.url.endswith(f"/deals/{deal.pk}/")
    assert (deal.name, deal.pipeline_id, deal.stage_id, deal.company_id) == (
        "Acme renewal",
        renewals["Propose"].pipeline_id,
        renewals["Propose"].pk,
        acme.pk,
    )
    assert list(deal.contacts.values_list("pk", flat=True)) == [ada.pk]
    expect(page.get_by_text("Deal “Acme renewal” created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme renewal")
    screenshot(page, "create-deal-done")
