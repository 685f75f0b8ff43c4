"""The analytics endpoints: a contact's scores (following the contact's visibility), the runs, and
queueing a refresh; every role's answer."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import SharingDefault
from accord.analytics.models import AnalyticsRun
from accord.analytics.tests.scores import make_run, make_score
from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.jobs.models import Job
from accord.users.models import User
from accord.users.services import token_create
from accord.web.tests.builders import contact, make_user, private

pytestmark = pytest.mark.django_db


def api_as(user: User) -> Client:
    issued = token_create(actor=Actor(user=user, via="cli"), user=user, name="tests", scope="write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")


def test_scores_of_a_visible_contact() -> None:
    # Given a rep's contact with scores
    rep = make_user("rep")
    ada = contact("Ada", "Lovelace", rep)
    run = make_run()
    make_score(ada, run, rfm_segment="champions", days_overdue=12.5)
    # When the rep asks for them
    response = api_as(rep).get(f"/api/v1/contacts/{ada.pk}/scores")
    # Then they are the stored scores, with the run's date and currency
    assert response.status_code == 200
    assert response.json() == {
        "contact_id": ada.pk,
        "run_id": run.pk,
        "analysis_date": "2025-06-30",
        "currency": "EUR",
        "first_purchase_on": "2024-01-10",
        "last_purchase_on": "2025-05-01",
        "recency_days": 60,
        "frequency": 4,
        "monetary": "500.00",
        "recency_score": 3,
        "frequency_score": 4,
        "monetary_score": 4,
        "rfm_segment": "champions",
        "probability_alive": 0.8,
        "expected_purchases": 2.5,
        "expected_average_spend": "110.00",
        "lifetime_value": "250.00",
        "cost_to_serve": "12.00",
        "profitability": "238.00",
        "value_tier": "profitable",
        "churn_risk": "low",
        "days_overdue": 12.5,
        "value_at_stake": "250.00",
    }


def test_scores_of_an_invisible_contact_answer_404_like_a_missing_one() -> None:
    private("contact")
    rep, other = make_user("rep"), make_user("other")
    theirs = contact("Bob", "Other", other)
    make_score(theirs, make_run())
    client = api_as(rep)
    hidden = client.get(f"/api/v1/contacts/{theirs.pk}/scores")
    missing = client.get("/api/v1/contacts/999999/scores")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"


def test_a_contact_without_scores_answers_404() -> None:
    rep = make_user("rep")
    ada = contact("Ada", "Lovelace", rep)
    response = api_as(rep).get(f"/api/v1/contacts/{ada.pk}/scores")
    assert response.status_code == 404
    assert "no scores" in response.json()["error"]["message"]


def test_money_is_left_out_for_roles_that_may_not_see_order_totals() -> None:
    reader = make_user("reader", "read_only")
    ada = contact("Ada", "Lovelace", reader)
    make_score(ada, make_run())
    body = api_as(reader).get(f"/api/v1/contacts/{ada.pk}/scores").json()
    assert set(body) == {
        "contact_id",
        "run_id",
        "analysis_date",
        "currency",
        "first_purchase_on",
        "last_purchase_on",
        "recency_days",
        "frequency",
        "recency_score",
        "frequency_score",
        "monetary_score",
        "rfm_segment",
        "probability_alive",
        "expected_purchases",
        "value_tier",
        "churn_risk",
        "days_overdue",
    }


@pytest.mark.parametrize(
    ("role", "public_defaults", "status"),
    [
        ("administrator", False, 200),
        ("sales_manager", False, 403),
        ("sales_rep", False, 403),
        ("sales_manager", True, 200),
        ("sales_rep", True, 200),
        ("analyst", True, 200),
        ("read_only", True, 403),
        ("marketer", True, 403),
    ],
)
def test_runs_are_read_by_those_who_see_every_contact_and_order_amount(
    role: str, public_defaults: bool, status: int
) -> None:
    # Given runs, and contacts and orders private to their owners or readable by everyone
    if public_defaults:
        for object_type in ("contact", "order"):
            SharingDefault.objects.update_or_create(
                object_type=object_type, defaults={"visibility": "public_read"}
            )
    make_run(status=AnalyticsRun.Status.FAILED, error="boom")
    latest = make_run(customers=3)
    client = api_as(make_user("someone", role))
    # When they list the runs and ask for the latest
    listed = client.get("/api/v1/analytics/runs")
    newest = client.get("/api/v1/analytics/runs/latest")
    # Then only users whose scope covers every order with its total read them (the page's rule): a run's
    # report sums every customer's orders
    assert (listed.status_code, newest.status_code) == (status, status)
    if status == 200:
        assert [item["status"] for item in listed.json()["items"]] == ["succeeded", "failed"]
        assert (newest.json()["id"], newest.json()["customers"]) == (latest.pk, 3)


def test_runs_filter_by_status_and_page() -> None:
    failed = make_run(status=AnalyticsRun.Status.FAILED, error="boom")
    make_run()
    client = api_as(make_user("boss", "administrator"))
    assert [item["id"] for item in client.get("/api/v1/analytics/runs?status=failed").json()["items"]] == [
        failed.pk
    ]
    first = client.get("/api/v1/analytics/runs?limit=1").json()
    second = client.get(f"/api/v1/analytics/runs?limit=1&cursor={first['next_cursor']}").json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [failed.pk + 1, failed.pk]
    assert second["next_cursor"] is None
    assert client.get("/api/v1/analytics/runs?status=nonsense").status_code == 422


def test_latest_run_before_any_answers_404() -> None:
    make_run(status=AnalyticsRun.Status.FAILED)
    response = api_as(make_user("boss", "administrator")).get("/api/v1/analytics/runs/latest")
    assert response.status_code == 404


def test_refresh_queues_the_job_and_answers_202() -> None:
    manager = make_user("manager", "sales_manager")
    response = api_as(manager).post(
        "/api/v1/analytics/refresh",
        data={"analysis_date": "2025-06-30", "horizon_weeks": 26, "model": "paretonbd"},
        content_type="application/json",
    )
    assert response.status_code == 202
    queued = Job.objects.get(pk=response.json()["id"])
    assert (queued.name, queued.status, queued.created_by_id) == ("analytics.refresh", "queued", manager.pk)
    assert queued.arguments == {
        "analysis_date": "2025-06-30",
        "horizon_weeks": 26,
        "annual_discount_rate": 0.1,
        "model": "paretonbd",
    }
    entry = AuditEntry.objects.get(action="analytics_refresh_queued")
    assert (entry.actor_id, entry.changes) == (manager.pk, {"job": [None, queued.pk]})


def test_a_sales_rep_may_not_refresh() -> None:
    response = api_as(make_user("rep")).post(
        "/api/v1/analytics/refresh", data={}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Job.objects.filter(name="analytics.refresh").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"horizon_weeks": 0}, "horizon_weeks"),
        ({"annual_discount_rate": 1.5}, "annual_discount_rate"),
        ({"model": "magic"}, "model"),
        ({"analysis_date": "2999-01-01"}, "analysis_date"),
        ({"analysis_date": "not a date"}, "analysis_date"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_refresh_refuses_bad_parameters(body: dict[str, object], field: str) -> None:
    response = api_as(make_user("boss", "administrator")).post(
        "/api/v1/analytics/refresh", data=body, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in str(response.json()["error"])
    assert not Job.objects.exists()
