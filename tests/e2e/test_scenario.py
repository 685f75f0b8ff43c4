"""The end-to-end story of the web application, as a sales rep: sign in, create a company and a contact at
it, log a call, open a deal and drag it to the next stage, find it with the global search, convert a lead
that reuses the contact, and see all of it on the contact's 360 page. Then a rep of another team, opening
that rep's private contact by its URL, gets the 404 page. A screenshot after each step
(``scenario-<n>-<step>.png``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from accord.access.models import SharingDefault
from accord.activities.models import Interaction
from accord.customers.models import Company, Contact
from accord.sales.models import Deal, DealStageChange, Lead
from accord.web.tests import builders as b

SignIn = Callable[[Page, str, str], None]
Screenshot = Callable[[Page, str], Path]

EMAIL = "ada@zephyr-looms.example"


def test_a_sales_reps_day_from_a_new_company_to_a_converted_lead(
    page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    rita = b.make_user("rita", first_name="Rita")
    b.make_team("East", rita)
    stages = b.make_pipeline()
    lead = b.lead("Ada", "Lovelace", rita, email=EMAIL, company_name="Zephyr Looms")

    # 1. Sign in.
    sign_in(page, "rita", b.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good day, Rita")
    screenshot(page, "scenario-01-signed-in")

    # 2. A company, from the list's "New company" link.
    page.goto("/companies/")
    page.get_by_role("link", name="New company").first.click()
    expect(page).to_have_url(re.compile(r"/companies/new/$"))
    page.get_by_label("Name", exact=True).fill("Zephyr Looms")
    page.get_by_label("Domain").fill("zephyr-looms.example")
    page.get_by_role("button", name="Create company").click()
    expect(page.get_by_text("Company “Zephyr Looms” created.")).to_be_visible()
    company = Company.objects.get(name="Zephyr Looms")
    expect(page).to_have_url(re.compile(rf"/companies/{company.pk}/$"))
    screenshot(page, "scenario-02-company")

    # 3. A contact at it, from the company page's "New contact here" (the company is chosen already).
    page.get_by_role("link", name="New contact here").click()
    expect(page).to_have_url(re.compile(rf"/contacts/new/\?company={company.pk}$"))
    expect(page.get_by_role("radio", name="Zephyr Looms")).to_be_checked()
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Lovelace")
    page.get_by_label("Emails").fill(EMAIL)
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_text("Contact “Ada Lovelace” created.")).to_be_visible()
    contact = Contact.objects.get()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))
    expect(page.get_by_role("link", name="Zephyr Looms").first).to_be_visible()
    screenshot(page, "scenario-03-contact")

    # 4. Log a call on the contact's 360 page (quick action, htmx).
    page.get_by_role("link", name="Log a call").click()
    panel = page.locator("#quick-action-panel")
    panel.get_by_label("Subject").fill("Discovery call")
    panel.get_by_label("Outcome").fill("interested")
    panel.get_by_role("button", name="Save").click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Discovery call")
    assert Interaction.objects.filter(kind="call", subject="Discovery call").count() == 1
    screenshot(page, "scenario-04-call-logged")

    # 5. A deal for the contact, from its page's "New deal" link.
    page.get_by_role("link", name="New deal").click()
    expect(page).to_have_url(re.compile(rf"/deals/new/\?contact={contact.pk}$"))
    expect(page.get_by_role("checkbox", name="Ada Lovelace")).to_be_checked()
    page.get_by_label("Name", exact=True).fill("Zephyr looms rollout")
    page.get_by_label("Amount").fill("24000")
    expect(page.get_by_label("Stage", exact=True)).to_have_value(str(stages["Qualify"].pk))
    page.get_by_role("button", name="Create deal").click()
    expect(page.get_by_text("Deal “Zephyr looms rollout” created.")).to_be_visible()
    deal = Deal.objects.get()
    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    screenshot(page, "scenario-05-deal")

    # 6. Drag it on the board to the next stage.
    page.goto("/deals/board/")
    card = page.locator(f"#deal-{deal.pk}")
    qualify, propose = stages["Qualify"], stages["Propose"]
    expect(page.locator(f"#stage-{qualify.pk}-cards").locator(f"#deal-{deal.pk}")).to_be_visible()
    card.drag_to(page.locator(f"#stage-{propose.pk}"))
    moved = page.locator(f"#stage-{propose.pk}-cards").locator(f"#deal-{deal.pk}")
    expect(moved).to_be_visible()
    expect(moved).not_to_have_class(re.compile(r"\bpending\b"))  # the server confirmed the move
    expect(page.locator(f"#stage-{qualify.pk}-cards").locator(f"#deal-{deal.pk}")).to_have_count(0)
    assert DealStageChange.objects.filter(deal=deal, from_stage=qualify, to_stage=propose).exists()
    deal.refresh_from_db()
    assert deal.stage_id == propose.pk
    screenshot(page, "scenario-06-dragged")

    # 7. Find it with the global search: type in the header box, the result appears, Enter opens it.
    box = page.locator("#global-search-input")
    popup = page.locator("#global-search-results")
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("rollout")
    hit = popup.get_by_role("link", name=re.compile("Zephyr looms rollout"))
    expect(hit).to_be_visible()
    screenshot(page, "scenario-07-search")
    page.keyboard.press("ArrowDown")
    expect(hit).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zephyr looms rollout")
    screenshot(page, "scenario-08-found")

    # 8. Convert a lead with the contact's email: the page names the contact it reuses.
    page.goto(f"/leads/{lead.pk}/convert/")
    reuse = page.locator("[data-reuse=contact]")
    expect(reuse).to_contain_text("Reuses")
    expect(reuse.get_by_role("link", name="Ada Lovelace")).to_have_attribute(
        "href", f"/contacts/{contact.pk}/"
    )
    expect(page.locator("[data-reuse=company]").get_by_role("link", name="Zephyr Looms")).to_be_visible()
    screenshot(page, "scenario-09-convert")
    open_deal = page.get_by_label("Open a deal")
    if open_deal.count() and open_deal.is_checked():
        open_deal.uncheck()
    page.get_by_role("button", name="Convert the lead").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))
    expect(page.get_by_text("Lead converted: contact “Ada Lovelace” reused.")).to_be_visible()
    lead.refresh_from_db()
    assert lead.converted_contact_id == contact.pk
    assert Contact.objects.count() == 1
    assert Lead.objects.get().status == "converted"

    # 9. All of it on the contact's 360 page: the call and the stage change in the timeline, the deal.
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Discovery call")
    expect(timeline).to_contain_text("Deal moved from Qualify to Propose.")
    deals = page.locator("#deals")
    expect(deals.get_by_role("link", name="Zephyr looms rollout")).to_have_attribute(
        "href", f"/deals/{deal.pk}/"
    )
    expect(deals).to_contain_text("Propose")
    screenshot(page, "scenario-10-contact-360")


def test_a_rep_of_another_team_gets_404_for_a_private_contact(
    page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    rita = b.make_user("rita")
    otto = b.make_user("otto")
    b.make_team("East", rita)
    b.make_team("West", otto)
    SharingDefault.objects.update_or_create(object_type="contact", defaults={"visibility": "private"})
    secret = b.contact("Grace", "Hopper", rita, emails=[{"email": "grace@navy.example"}])

    sign_in(page, "otto", b.PASSWORD)
    response = page.goto(f"/contacts/{secret.pk}/")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("not found", re.IGNORECASE))
    html = page.content()
    for text in ("Grace", "Hopper", "grace@navy.example"):
        assert text not in html
    screenshot(page, "scenario-11-other-team-404")
