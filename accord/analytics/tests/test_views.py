"""The analytics page: the empty state, every chart of a hand-built run with its table and download, who
sees which part (the report, the churn list, the forecast), and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.access.models import SharingDefault
from accord.analytics.models import AnalyticsRun, ContactScore
from accord.analytics.services import analytics_refresh
from accord.analytics.tests.page_fixtures import make_run
from accord.core.actors import SYSTEM
from accord.customers.models import Contact
from accord.demo.generate import load_demo
from accord.jobs.models import Job
from accord.users.models import User
from accord.web.tests import builders as b

pytestmark = pytest.mark.django_db

CHART_KEYS = [
    "rfm-map",
    "segments",
    "lifetime-value",
    "cohorts",
    "pareto",
    "alive-matrix",
    "calibration",
    "calibration-weekly",
    "tiers",
    "churn",
]


def page_of(client: Client, query: str = "") -> str:
    response = client.get(f"/analytics/{query}")
    assert response.status_code == 200
    return response.content.decode()


def download(client: Client, chart: str, file_format: str = "csv") -> tuple[int, str]:
    response = client.get(f"/analytics/?format={file_format}&chart={chart}")
    if response.status_code != 200:
        return response.status_code, response.content.decode()
    return 200, b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]


def score(
    contact: Contact, run: AnalyticsRun, *, risk: str, at_stake: str, alive: float = 0.2
) -> ContactScore:
    return ContactScore.objects.create(
        contact=contact,
        run=run,
        first_purchase_on=dt.date(2025, 1, 5),
        last_purchase_on=dt.date(2025, 6, 1),
        recency_days=300,
        frequency=4,
        monetary=Decimal("800.00"),
        recency_score=1,
        frequency_score=4,
        monetary_score=3,
        rfm_segment="cant_lose",
        probability_alive=alive,
        expected_purchases=0.4,
        expected_average_spend=Decimal("150.00"),
        lifetime_value=Decimal("310.50"),
        cost_to_serve=Decimal("20.00"),
        profitability=Decimal("290.50"),
        value_tier="profitable",
        churn_risk=risk,
        days_overdue=120.0,
        value_at_stake=Decimal(at_stake),
    )


@pytest.fixture
def ada() -> User:
    return b.make_user("ada", "administrator")


# ---------------------------------------------------------------------------- empty state and charts


def test_before_the_first_run_the_page_says_what_to_do(ada: User) -> None:
    html = page_of(b.browser(ada))

    assert "No analysis yet:" in html
    assert "accord analytics refresh" in html
    assert 'aria-current="page">Analytics</a>' in html
    assert "<svg" not in html


def test_the_page_is_for_signed_in_users_only() -> None:
    response = Client().get("/analytics/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_every_chart_of_the_latest_successful_run_with_its_table_and_downloads(ada: User) -> None:
    # Given an older run, the latest successful one, and a failed one after it
    make_run(analysis_date=dt.date(2026, 1, 31), customers=5)
    make_run()
    make_run(status=AnalyticsRun.Status.FAILED, error="the database went away")

    html = page_of(b.browser(ada))

    # Then each chart is a figure with its downloads, in page order
    assert re.findall(r'<figure class="card chart-card [^"]*" id="chart-([a-z-]+)"', html) == CHART_KEYS
    for key in CHART_KEYS:
        assert f'href="?format=csv&amp;chart={key}"' in html
    # and each drawing is an image with a name and a description, with its table beside it
    assert html.count('role="img"') == 7
    assert '<title id="svg-title-pareto">Pareto curve: revenue concentration</title>' in html
    assert html.count('<details class="chart-table">') == 7
    assert "as of 31 March 2026 · 111 customers" in html
    assert "The latest refresh" in html
    assert "failed: the database went away" in html


def test_the_segment_map_colours_each_filled_cell_by_its_segment(ada: User) -> None:
    make_run()

    html = page_of(b.browser(ada))

    figure = html.split('id="chart-rfm-map"')[1].split("</figure>")[0]
    # 7 of the 25 cells have customers; the champions' cells are green, can't-lose red
    assert figure.count('class="heat-cell"') == 7
    assert figure.count('fill="#7fcf97"') == 2
    assert figure.count('fill="#ee9090"') == 1
    assert re.findall(r'dominant-baseline="middle">(\d+)</text>', figure) == [
        "15",
        "45",
        "55",
        "54",
        "33",
        "11",
        "51",
    ]
    assert '<th scope="col">Segment</th>' in figure


def test_the_cohort_heatmap_leaves_unobservable_periods_blank(ada: User) -> None:
    make_run()

    html = page_of(b.browser(ada))

    figure = html.split('id="chart-cohorts"')[1].split("</figure>")[0]
    assert figure.count('class="heat-cell"') == 6  # 3 + 2 + 1 observed periods, not 9
    assert re.findall(r'dominant-baseline="middle">(\d+)</text>', figure) == [
        "100",
        "25",
        "20",
        "100",
        "25",
        "100",
    ]
    # The table shows the same: blank where the period lies after the analysis date
    assert (
        '<th scope="row">2026-03</th><td class="num">8</td><td class="num">100.0%</td><td class="num"></td>'
        in figure
    )


def test_the_pareto_curve_writes_the_top_share_and_gini_beside_the_diagonal(ada: User) -> None:
    make_run()

    html = page_of(b.browser(ada))

    figure = html.split('id="chart-pareto"')[1].split("</figure>")[0]
    assert "<dt>Top 20% of customers make</dt><dd>65.1%</dd>" in figure
    assert "<dt>Gini coefficient</dt><dd>0.583</dd>" in figure
    assert "<dt>80% of revenue comes from</dt><dd>41.0% of customers</dd>" in figure
    assert 'class="chart-diagonal"' in figure
    # Read from the largest customers: (0, 0), (20%, 65.12%), (50%, 90%), (100%, 100%), in a plot from
    # x 44 to 392 and y 296 (0%) up to 10 (100%)
    points = re.search(r'<polyline class="line-series-0" points="([^"]+)"', figure)
    assert points is not None
    assert points.group(1) == "44.0,296.0 113.6,109.8 218.0,38.6 392.0,10.0"


def test_the_tier_rule_is_shown_with_the_tiers(ada: User) -> None:
    make_run()

    html = page_of(b.browser(ada))

    figure = html.split('id="chart-tiers"')[1].split("</figure>")[0]
    assert "Strategically significant: the most profitable customers who make half of all profit." in figure
    assert '<th scope="row">Unprofitable</th><td class="num">3</td><td class="num">10.00</td>' in figure
    assert "-300.00" in figure


def test_a_run_without_calibration_leaves_its_two_charts_out(ada: User) -> None:
    run = make_run()
    run.report["calibration"] = None
    run.save()

    html = page_of(b.browser(ada))

    assert 'id="chart-calibration"' not in html
    assert 'id="chart-calibration-weekly"' not in html
    assert download(b.browser(ada), "calibration")[0] == 404


# ---------------------------------------------------------------------------- downloads


def test_the_cohort_csv_carries_counts_retention_and_revenue_per_period(ada: User) -> None:
    make_run()

    status, text = download(b.browser(ada), "cohorts")

    assert status == 200
    assert text.splitlines() == [
        "Cohort,Customers,Month,Active customers,Retention,Revenue (EUR)",
        "2026-01,40,0,40,1.0,4000.0",
        "2026-01,40,1,10,0.25,900.0",
        "2026-01,40,2,8,0.2,700.0",
        "2026-02,20,0,20,1.0,2000.0",
        "2026-02,20,1,5,0.25,450.0",
        "2026-03,8,0,8,1.0,640.0",
    ]


def test_a_csv_holds_what_its_table_shows(ada: User) -> None:
    make_run()
    client = b.browser(ada)

    assert download(client, "calibration")[1].splitlines() == [
        "Repeat purchases before,Customers,Predicted,Actual",
        "0,30,0.21,0.2",
        "7+,4,2.5,2.75",
    ]
    assert download(client, "alive-matrix")[1].splitlines() == [
        "Repeat purchases,0–4 weeks,5–12 weeks,13+ weeks",
        "3+,,0.8,0.35",
        "1–2,0.95,0.7,0.2",
        "0,0.9,0.5,",
    ]
    assert download(client, "lifetime-value")[1].splitlines() == [
        "From (EUR),To (EUR),Customers",
        "0.0,100.0,70",
        "100.0,1000.0,25",
        "1000.0,10000.0,5",
    ]


def test_xlsx_downloads_and_bad_requests(ada: User) -> None:
    make_run()
    client = b.browser(ada)

    xlsx = client.get("/analytics/?format=xlsx&chart=segments")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx["Content-Disposition"] == 'attachment; filename="analytics-segments.xlsx"'
    assert download(client, "segments", "pdf")[0] == 400
    assert download(client, "no-such-chart")[0] == 404
    assert download(client, "<script>")[0] == 404
    assert client.get("/analytics/?chart=").status_code == 404
    assert client.post("/analytics/").status_code == 405


# ---------------------------------------------------------------------------- who sees what


def test_a_role_that_sees_only_some_customers_gets_no_report_figures() -> None:
    # Given a run, and a sales representative under the default (team) sharing
    make_run()
    rita = b.make_user("rita", "sales_rep")
    client = b.browser(rita)

    html = page_of(client)

    # Then the page explains, draws no report chart, and no download of one answers
    assert "Your role sees only some of them" in html
    assert 'id="chart-rfm-map"' not in html
    assert "111 customers" not in html
    assert download(client, "rfm-map")[0] == 404
    assert download(client, "segments")[0] == 404


@pytest.mark.parametrize(
    ("role", "sees_report"),
    [("sales_rep", True), ("analyst", True), ("read_only", False), ("marketer", False)],
)
def test_under_public_defaults_roles_seeing_every_order_amount_get_the_report(
    role: str, sees_report: bool
) -> None:
    # Given contacts and orders readable by everyone
    for object_type in ("contact", "order"):
        SharingDefault.objects.update_or_create(
            object_type=object_type, defaults={"visibility": "public_read"}
        )
    make_run()

    html = page_of(b.browser(b.make_user("viewer", role)))

    # Then the roles that view orders with their totals see the report; read-only (totals hidden) and
    # marketers (no orders) do not
    assert ('id="chart-rfm-map"' in html) is sees_report


def test_the_churn_list_shows_the_visible_high_risk_customers_most_at_stake_first() -> None:
    # Given private contacts: Rita's two at high risk and one at low risk, and Sam's at high risk
    b.private("contact")
    rita, sam = b.make_user("rita", "sales_rep"), b.make_user("sam", "sales_rep")
    run = make_run()
    small = score(b.contact("Ada", "Small", rita), run, risk="high", at_stake="100.00")
    large = score(b.contact("Bea", "Large", rita), run, risk="high", at_stake="2500.00")
    score(b.contact("Cy", "Calm", rita), run, risk="low", at_stake="9000.00")
    score(b.contact("Sam's", "Customer", sam), run, risk="high", at_stake="99999.00")

    html = page_of(b.browser(rita))

    # Then Rita's list holds her two high-risk customers, linked to their pages, most at stake first
    section = html.split('id="churn"')[1].split("</section>")[0]
    links = re.findall(r'<a href="/contacts/(\d+)/">([^<]+)</a>', section)
    assert links == [(str(large.contact_id), "Bea Large"), (str(small.contact_id), "Ada Small")]
    assert "2,500.00" in section
    assert "Can&#x27;t Lose Them" in section
    assert "20%" in section
    assert "99,999.00" not in section


def test_the_churn_list_leaves_money_out_for_roles_without_order_totals() -> None:
    SharingDefault.objects.update_or_create(object_type="contact", defaults={"visibility": "public_read"})
    owner = b.make_user("rita", "sales_rep")
    score(b.contact("Bea", "Large", owner), make_run(), risk="high", at_stake="2500.00")

    html = page_of(b.browser(b.make_user("reader", "read_only")))

    section = html.split('id="churn"')[1].split("</section>")[0]
    assert "Bea Large" in section
    assert "Value at stake" not in section
    assert "2,500" not in section


def test_a_role_without_deal_amounts_is_told_why_there_is_no_forecast() -> None:
    html = page_of(b.browser(b.make_user("reader", "read_only")))

    assert "Your role does not show deal amounts, so it has no forecast." in html


def test_the_forecast_section_draws_each_currency_and_the_win_rates(ada: User) -> None:
    stages = b.make_pipeline()
    today = dt.date.today()
    b.deal("Euro deal", ada, stages["Propose"], amount="1000.00", closes=today)
    b.deal("Dollar deal", ada, stages["Qualify"], amount="500.00", closes=today, currency="USD")
    client = b.browser(ada)

    html = page_of(client)

    assert re.findall(r'id="chart-(forecast-[a-z]+|win-rates)"', html) == [
        "forecast-eur",
        "forecast-usd",
        "win-rates",
    ]
    status, text = download(client, "forecast-eur")
    assert status == 200
    this_month = today.strftime("%b %Y")
    assert f"{this_month},1,1000.00,500.00,500.00,0,0.00" in text.splitlines()


def test_the_refresh_job_shows_its_live_progress_bar(ada: User) -> None:
    job = Job.objects.create(
        name="analytics.refresh",
        module="accord.analytics.tasks",
        created_by=ada,
        progress_done=3,
        progress_total=10,
        status="running",
    )

    html = page_of(b.browser(ada))

    assert f'id="job-progress-{job.pk}"' in html
    assert f'hx-get="/jobs/{job.pk}/"' in html
    assert "30%" in html


# ---------------------------------------------------------------------------- cost


@pytest.mark.parametrize("customers", [2, 20])
def test_the_page_reads_a_fixed_number_of_queries(ada: User, customers: int) -> None:
    run = make_run()
    for number in range(customers):
        score(b.contact("Customer", f"{number}", ada), run, risk="high", at_stake=f"{number}.00")
    client = b.browser(ada)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        page_of(client)

    # Request: session, user, role (3; an administrator's scope needs no teams or shares) + the latest
    # successful and the newest run (2) + forecast: history, open, won (3; their stages only when there are
    # deals) + churn list (1) + refresh job (1)
    assert len(queries) == 10


# ---------------------------------------------------------------------------- refresh now


@pytest.mark.parametrize(
    ("role", "may_refresh"), [("administrator", True), ("sales_manager", True), ("sales_rep", False)]
)
def test_refresh_now_is_offered_to_those_who_may_run_it(role: str, may_refresh: bool) -> None:
    client = b.browser(b.make_user("someone", role))

    html = page_of(client)
    response = client.post("/analytics/refresh/")

    assert ("Refresh now</button>" in html) is may_refresh
    if may_refresh:
        assert response.status_code == 302
        assert response["Location"] == "/analytics/"
        job = Job.objects.get(name="analytics.refresh")
        after = page_of(client)
        assert f'id="job-progress-{job.pk}"' in after
        assert "The analysis is being refreshed" in after
    else:
        assert response.status_code == 403
        assert not Job.objects.exists()


def test_refresh_takes_a_post() -> None:
    client = b.browser(b.make_user("ada", "administrator"))

    assert client.get("/analytics/refresh/").status_code == 405


# ---------------------------------------------------------------------------- after a real refresh


def test_the_page_after_a_real_refresh_of_demo_data(ada: User) -> None:
    # Given demo data (contacts with orders over two years, deals with their stage history), refreshed
    today = dt.date(2026, 6, 15)
    load_demo(contacts=400, seed=5, today=today, out=io.StringIO())
    run = analytics_refresh(actor=SYSTEM, analysis_date=today)

    # When the administrator opens the page
    client = b.browser(ada)
    html = page_of(client)

    # Then every chart of the report is drawn, each with its table
    keys = re.findall(r'<figure class="card chart-card [^"]*" id="chart-([a-z-]+)"', html)
    expected = (
        CHART_KEYS
        if run.report["calibration"] is not None
        else [k for k in CHART_KEYS if "calibration" not in k]
    )
    assert keys[: len(expected)] == expected
    assert f"{run.customers:,} customers" in html or f"{run.customers} customers" in html
    # and each download holds its chart's numbers: the segments add up to the customers analysed
    status, text = download(client, "segments")
    assert status == 200
    rows = list(csv.reader(io.StringIO(text)))
    assert sum(int(row[1]) for row in rows[1:]) == run.customers
