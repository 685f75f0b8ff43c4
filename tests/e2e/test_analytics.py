"""The analytics page in a real browser: the empty state and Refresh now, every chart after a real refresh
of demo data at desktop and phone width, the tables opened from the keyboard, and a CSV download."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from accord.analytics.services import analytics_refresh
from accord.core.actors import SYSTEM
from accord.demo.generate import load_demo
from accord.web.tests import builders as b

SignIn = Callable[[Page, str, str], None]
Screenshot = Callable[[Page, str], Path]

CHARTS = [
    "rfm-map",
    "lifetime-value",
    "cohorts",
    "pareto",
    "alive-matrix",
    "calibration",
    "calibration-weekly",
]


def test_before_the_first_run_and_refresh_now(page: Page, sign_in: SignIn, screenshot: Screenshot) -> None:
    b.make_user("ada", "administrator")
    sign_in(page, "ada", b.PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Analytics")
    expect(page.get_by_text("No analysis yet:")).to_be_visible()
    screenshot(page, "analytics-empty-desktop")
    # Refresh now queues the job and the page shows its live progress bar
    page.get_by_role("button", name="Refresh now").click()
    expect(page).to_have_url(re.compile(r"/analytics/$"))
    expect(page.locator(".job-progress")).to_contain_text("Queued")


def test_every_chart_after_a_real_refresh_at_desktop_and_phone_width(
    page: Page, phone_page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    # Given demo data (customers with orders, deals with their history) and a real refresh of it
    b.make_user("ada", "administrator")
    today = timezone.localdate()
    load_demo(contacts=600, seed=11, today=today, out=io.StringIO())
    analytics_refresh(actor=SYSTEM, analysis_date=today)

    for viewport, current in (("desktop", page), ("phone", phone_page)):
        sign_in(current, "ada", b.PASSWORD)
        current.goto("/analytics/")
        # Then every chart is drawn, with an accessible name, and the forecast beside the customer value
        for key in CHARTS:
            chart = current.locator(f"#chart-{key}")
            expect(chart.locator("svg")).to_be_visible()
            expect(chart.get_by_role("img")).to_have_accessible_name(re.compile(r"\w"))
        expect(current.locator("#chart-forecast-eur svg")).to_be_visible()
        expect(current.locator("#chart-pareto")).to_contain_text("Top 20% of customers make")
        expect(current.locator("#chart-tiers")).to_contain_text("Strategically significant")
        # Nothing wider than the screen: heat maps scroll inside their own box
        assert current.viewport_size is not None
        width = current.evaluate("document.documentElement.scrollWidth")
        assert width <= current.viewport_size["width"], (viewport, width)
        screenshot(current, f"analytics-{viewport}")

    # The table behind a chart opens from the keyboard
    cohorts = page.locator("#chart-cohorts")
    cohorts.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(cohorts.get_by_role("table")).to_be_visible()
    expect(cohorts.get_by_role("columnheader", name="Month 0")).to_be_visible()

    # and its numbers download as CSV
    with page.expect_download() as download:
        page.locator("#chart-segments").get_by_role("link", name="CSV").click()
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Segment", "Customers", "Revenue (EUR)", "Lifetime value (EUR)"]
    assert sum(int(row[1]) for row in rows[1:]) == int(
        page.locator(".run-summary").inner_text().split("·")[1].split()[0].replace(",", "")
    )
