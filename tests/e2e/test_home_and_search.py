"""Sign in, the home page at desktop and phone width, and global search driven by the keyboard alone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from accord.web.tests import builders as b

SignIn = Callable[[Page, str, str], None]
Screenshot = Callable[[Page, str], Path]


def test_sign_in(page: Page, sign_in: SignIn, screenshot: Screenshot) -> None:
    b.make_user("rita", first_name="Rita")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    screenshot(page, "sign-in")

    sign_in(page, "rita", b.PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Good day, Rita")


def _my_day(username: str) -> None:
    rita = b.make_user(username, first_name="Rita")
    stages = b.make_pipeline()
    now = timezone.now()
    acme = b.company("Acme Robotics", rita)
    ada = b.contact("Ada", "Lovelace", rita)
    deal = b.deal(
        "Acme expansion", rita, stages["Propose"], amount="48000.00", closes=timezone.localdate(now)
    )
    b.deal("Acme pilot", rita, stages["Qualify"], amount="12000.00", company_id=acme.pk)
    b.closed_on([b.deal("Acme starter", rita, stages["Won"], amount="9000.00")], now)
    b.task("Call Ada back", rita, due=now - dt.timedelta(days=1), contact_id=ada.pk, priority="high")
    b.task("Send the proposal", rita, due=now + dt.timedelta(days=2), deal_id=deal.pk)
    b.interaction(
        "Discovery call", rita, at=now - dt.timedelta(hours=3), contact_ids=[ada.pk], deal_id=deal.pk
    )


def test_home_page_at_desktop_and_phone_width(
    page: Page, phone_page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    _my_day("rita")

    for viewport, current in (("desktop", page), ("phone", phone_page)):
        sign_in(current, "rita", b.PASSWORD)
        overdue = current.locator(".row.is-overdue", has_text="Call Ada back")
        expect(overdue).to_contain_text("Overdue")
        deals = current.get_by_role("region", name=re.compile("My deals closing"))
        expect(deals.get_by_role("link", name="Acme expansion")).to_be_visible()
        expect(current.locator(".kpi", has_text="Weighted forecast")).to_contain_text("25,200.00 EUR")
        expect(current.locator("svg.bar-chart")).to_be_visible()
        expect(current.locator("svg.column-chart")).to_be_visible()
        # Nothing wider than the screen: no sideways scrolling at phone width. (A mobile browser widens
        # its layout to fit wide content, so compare with the device's width rather than innerWidth.)
        assert current.viewport_size is not None
        width = current.evaluate("document.documentElement.scrollWidth")
        assert width <= current.viewport_size["width"], (viewport, width)
        screenshot(current, f"home-{viewport}")


def test_global_search_with_the_keyboard(page: Page, sign_in: SignIn, screenshot: Screenshot) -> None:
    rita = b.make_user("rita")
    company = b.company("Zephyr Industries", rita)
    b.contact("Zoe", "Zephyr", rita)
    sign_in(page, "rita", b.PASSWORD)
    box = page.locator("#global-search-input")
    popup = page.locator("#global-search-results")

    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("zeph")
    expect(popup).to_contain_text("2 results for zeph;")
    screenshot(page, "search-popup")

    page.keyboard.press("ArrowDown")
    expect(popup.locator("a.search-hit").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(popup).to_be_empty()
    expect(box).to_be_focused()

    page.keyboard.type("y")
    expect(popup).to_contain_text("2 results for zephy;")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(popup.get_by_role("link", name=re.compile("Zephyr Industries"))).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/companies/{company.pk}/$"))
