"""The value-scores panel of the customer 360 page: scores as of the run, and its empty states."""

from __future__ import annotations

import re

import pytest

from accord.analytics.models import AnalyticsRun
from accord.analytics.tests.scores import make_run, make_score
from accord.web.tests.builders import browser, company, contact, make_user

pytestmark = pytest.mark.django_db


def panel(page: str) -> str:
    found = re.search(r'<section id="scores".*?</section>', page, re.S)
    assert found is not None
    return " ".join(found.group(0).split())


def test_the_panel_shows_the_scores_as_of_the_run() -> None:
    rep = make_user("rep")
    ada = contact("Ada", "Lovelace", rep)
    make_score(
        ada,
        make_run(),
        rfm_segment="cant_lose",
        probability_alive=0.734,
        expected_purchases=1.26,
        lifetime_value="1234.50",
        churn_risk="high",
        days_overdue=41.6,
        value_at_stake="987.00",
        value_tier="strategic",
        recency_score=1,
        frequency_score=5,
        monetary_score=4,
    )
    shown = panel(browser(rep).get(f"/contacts/{ada.pk}/").content.decode())
    for text in (
        "<dt>Segment</dt><dd>Can&#x27;t Lose Them</dd>",
        "<dt>Probability alive</dt><dd>73%</dd>",
        '<dt>Expected purchases</dt><dd>1.3 <span class="muted">in 52 weeks</span></dd>',
        "<dt>Lifetime value</dt><dd>1234.50 EUR</dd>",
        '<dt>Churn risk</dt><dd>High <span class="muted">42 days overdue</span></dd>',
        "<dt>Value at stake</dt><dd>987.00 EUR</dd>",
        "<dt>Value tier</dt><dd>Strategically significant</dd>",
        ">R1 F5 M4</abbr>",
        'As of <time datetime="2025-06-30">30 Jun 2025</time>: last purchase 60 days before, 4 repeat purchase days.',
    ):
        assert text in shown


def test_money_is_not_shown_to_roles_that_may_not_see_order_totals() -> None:
    reader = make_user("reader", "read_only")
    ada = contact("Ada", "Lovelace", reader)
    make_score(ada, make_run())
    shown = panel(browser(reader).get(f"/contacts/{ada.pk}/").content.decode())
    assert "<dt>Segment</dt><dd>Loyal</dd>" in shown
    assert "Lifetime value" not in shown
    assert "Value at stake" not in shown


def test_before_any_analysis_the_panel_says_how_to_get_one() -> None:
    rep = make_user("rep")
    ada = contact("Ada", "Lovelace", rep)
    make_run(status=AnalyticsRun.Status.FAILED)
    shown = panel(browser(rep).get(f"/contacts/{ada.pk}/").content.decode())
    assert "No analysis yet." in shown
    assert "accord analytics refresh" in shown


def test_a_contact_without_purchases_is_told_why() -> None:
    rep = make_user("rep")
    ada = contact("Ada", "Lovelace", rep)
    make_run(analysis_date="2025-07-31")
    shown = panel(browser(rep).get(f"/contacts/{ada.pk}/").content.decode())
    assert (
        'No purchases analysed: the analysis of <time datetime="2025-07-31">31 Jul 2025</time> found no paid '
        "order of this contact in EUR." in shown
    )


def test_a_company_page_points_to_its_people() -> None:
    rep = make_user("rep")
    acme = company("Acme", rep)
    shown = panel(browser(rep).get(f"/companies/{acme.pk}/").content.decode())
    assert "Value scores are kept per person" in shown


def test_the_panel_costs_a_fixed_number_of_queries(django_assert_max_num_queries) -> None:
    rep = make_user("rep")
    ada = contact("Ada", "Lovelace", rep)
    make_score(ada, make_run())
    client = browser(rep)
    client.get(f"/contacts/{ada.pk}/")  # warm the session and caches
    with django_assert_max_num_queries(60) as counted:
        client.get(f"/contacts/{ada.pk}/")
    score_queries = [query for query in counted.captured_queries if "analytics_" in query["sql"]]
    assert len(score_queries) == 1  # the score joined with its run
