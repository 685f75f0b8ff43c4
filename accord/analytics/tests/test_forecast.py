"""The pipeline forecast: the win-rate arithmetic on hand-built counts, and the selector and API on real
deals moved through real stages, scoped to what each user may see."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pytest
import time_machine
from django.test import Client

from accord.analytics.engine.forecast import MIN_PRIOR_STRENGTH, monthly_pipeline, prior_strengths, win_rates
from accord.analytics.forecast import pipeline_forecast
from accord.core.actors import SYSTEM, Actor
from accord.core.errors import PermissionDenied
from accord.sales.models import Deal, Stage
from accord.sales.services import deal_move
from accord.users.models import User
from accord.web.tests import builders as b


def ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


# ---------------------------------------------------------------------------- the arithmetic


def kleinman_oracle(closed: list[int], won: list[int]) -> float:
    """m = 1/rho - 1 from the moment equation E[S] = p(1-p) Σ (1 + (n-1) rho)(1 - n/N), written out with
    plain Python as the docstring of ``prior_strengths`` states it."""
    total = sum(closed)
    pooled = sum(won) / total
    spread = sum(n * (w / n - pooled) ** 2 for n, w in zip(closed, won, strict=True))
    chance = sum(1 - n / total for n in closed)
    slope = sum((n - 1) * (1 - n / total) for n in closed)
    rho = (spread / (pooled * (1 - pooled)) - chance) / slope
    return max(1 / min(rho, 1.0) - 1, MIN_PRIOR_STRENGTH)


def test_owner_rates_are_shrunk_towards_the_stage_rate_by_the_estimated_prior_strength() -> None:
    # Given one stage where three owners differ more than chance would make them
    closed, won = [40, 40, 4], [32, 12, 4]

    # When the win rates are computed
    rates = win_rates(ints(7, 7, 7), ints(1, 2, 3), ints(*closed), ints(*won))

    # Then the stage's rate pools the owners, and each owner's is the beta-binomial posterior mean
    m = kleinman_oracle(closed, won)
    assert rates.stage_rate.tolist() == [48 / 84]
    assert rates.prior_strength[0] == pytest.approx(m, rel=1e-12)
    expected = [(w + m * 48 / 84) / (n + m) for n, w in zip(closed, won, strict=True)]
    assert rates.pair_rate.tolist() == pytest.approx(expected, rel=1e-12)
    # The owner with 4 of 4 won is pulled far from 100%, the owners with 40 deals much less.
    assert rates.pair_rate[2] < 0.85
    assert abs(rates.pair_rate[0] - 0.8) < abs(rates.pair_rate[2] - 1.0)


def test_owners_who_differ_no_more_than_chance_all_get_the_stage_rate() -> None:
    rates = win_rates(ints(1, 1), ints(1, 2), ints(10, 20), ints(5, 10))

    assert math.isinf(rates.prior_strength[0])
    assert rates.pair_rate.tolist() == [0.5, 0.5]


def test_extreme_spread_keeps_the_minimum_prior_strength() -> None:
    # Given two owners, one who won everything and one who won nothing (rho estimated above 1)
    strength = prior_strengths(ints(0, 0), ints(10, 10), ints(10, 0), 1)

    # Then m is the floor: 10 deals of one's own outweigh 5 pseudo-deals of the stage's rate, no more
    assert strength.tolist() == [MIN_PRIOR_STRENGTH]
    rates = win_rates(ints(1, 1), ints(1, 2), ints(10, 10), ints(10, 0))
    assert rates.pair_rate.tolist() == pytest.approx([12.5 / 15, 2.5 / 15], rel=1e-12)


def test_a_single_owner_or_a_stage_won_always_cannot_estimate_spread() -> None:
    assert math.isinf(prior_strengths(ints(0), ints(8), ints(3), 1)[0])
    assert math.isinf(prior_strengths(ints(0, 0), ints(3, 9), ints(3, 9), 1)[0])


def test_lookup_falls_back_to_the_stage_rate_then_to_the_stage_probability() -> None:
    rates = win_rates(ints(5, 5, 9), ints(1, 2, 1), ints(10, 10, 4), ints(10, 0, 1))

    found = rates.rate(ints(5, 5, 9, 11), ints(2, 3, 7, 1), np.array([0.1, 0.2, 0.3, 0.4]))

    # (5, 2): the pair's own shrunk rate; (5, 3): no history for that owner, the stage's 50%;
    # (9, 7): stage 9's 25%; stage 11 has no history: its probability
    assert found.tolist() == pytest.approx([2.5 / 15, 0.5, 0.25, 0.4], rel=1e-12)


def test_an_empty_history_uses_every_stage_probability() -> None:
    rates = win_rates(ints(), ints(), ints(), ints())

    assert rates.rate(ints(3), ints(1), np.array([0.35])).tolist() == [0.35]


def test_monthly_pipeline_sums_groups_by_month_and_leaves_out_the_rest() -> None:
    pipeline = monthly_pipeline(
        ints(0, 2, 2, 5, -1),
        ints(1, 2, 3, 1, 1),
        np.array([100.0, 200.0, 300.0, 50.0, 70.0]),
        np.array([0.1, 0.5, 0.5, 1.0, 1.0]),
        np.array([0.2, 0.25, 0.75, 1.0, 1.0]),
        months=3,
    )

    assert pipeline.deals.tolist() == [1, 0, 5]
    assert pipeline.amount.tolist() == [100.0, 0.0, 500.0]
    assert pipeline.by_probability.tolist() == [10.0, 0.0, 250.0]
    assert pipeline.by_win_rate.tolist() == [20.0, 0.0, 275.0]


# ---------------------------------------------------------------------------- the selector and the API

NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def history(owner: User, stages: dict[str, Stage], outcomes: str, *, closed: dt.datetime) -> None:
    """Deals of ``owner`` that went Qualify → Propose and then won (W) or lost (L), closed at ``closed``;
    a lower-case letter skips Propose."""
    for number, outcome in enumerate(outcomes):
        deal = b.deal(f"{owner.username} history {number}", owner, stages["Qualify"], amount="100.00")
        if outcome.isupper():
            deal = deal_move(actor=SYSTEM, instance=deal, stage_id=stages["Propose"].pk)
        target = stages["Won"] if outcome.upper() == "W" else stages["Lost"]
        deal_move(
            actor=SYSTEM,
            instance=deal,
            stage_id=target.pk,
            lost_reason="price" if target.kind == "lost" else None,
        )
        b.closed_on([deal], closed)


@pytest.fixture
def team(db: None, frozen: None) -> dict[str, User]:
    b.private("deal")
    return {
        "rita": b.make_user("rita"),
        "sam": b.make_user("sam"),
        "ada": b.make_user("ada", "administrator"),
    }


@pytest.mark.django_db
def test_forecast_by_month_weighted_two_ways_beside_the_wins(team: dict[str, User]) -> None:
    # Given Rita's history: 4 deals went through Qualify and Propose (3 won), 1 only through Qualify (lost),
    # and 2 won deals closed in January and this month
    rita = team["rita"]
    stages = b.make_pipeline()
    history(rita, stages, "WWWL", closed=dt.datetime(2026, 1, 10, tzinfo=dt.UTC))
    history(rita, stages, "l", closed=dt.datetime(2026, 2, 10, tzinfo=dt.UTC))
    Deal.objects.filter(owner=rita, stage__kind="won", name__endswith="2").update(
        closed_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    )
    # and open deals: one late (February), one this month, one in May, one undated, one after the horizon
    b.deal("Late", rita, stages["Propose"], amount="1000.00", closes=dt.date(2026, 2, 20))
    b.deal("Now", rita, stages["Qualify"], amount="2000.00", closes=dt.date(2026, 3, 30))
    b.deal("May", rita, stages["Propose"], amount="10000.00", closes=dt.date(2026, 5, 5))
    b.deal("Undated", rita, stages["Qualify"], amount="500.00")
    b.deal("Far", rita, stages["Qualify"], amount="700.00", closes=dt.date(2027, 1, 1))

    # When Rita reads the forecast (2 months back, 3 ahead)
    forecast = pipeline_forecast(actor=Actor(user=rita, via="web"), months_back=2, months_ahead=3)

    # Then the stages' historical rates: Qualify 3 won of 5 closed, Propose 3 of 4 (one owner: no shrinkage)
    rates = {stage.label: stage for stage in forecast.stages}
    assert (rates["Qualify"].closed_deals, rates["Qualify"].won_deals, rates["Qualify"].win_rate) == (
        5,
        3,
        0.6,
    )
    assert (rates["Propose"].closed_deals, rates["Propose"].won_deals, rates["Propose"].win_rate) == (
        4,
        3,
        0.75,
    )
    assert rates["Qualify"].prior_strength is None
    # and the months: January, February (actual wins), March (now: late + this month's), April, May
    (euros,) = forecast.currencies
    assert [month.month for month in euros.months] == [dt.date(2026, m, 1) for m in (1, 2, 3, 4, 5)]
    table = [
        (
            m.open_deals,
            m.open_amount,
            m.weighted_by_probability,
            m.weighted_by_win_rate,
            m.won_deals,
            m.won_amount,
        )
        for m in euros.months
    ]
    zero = Decimal("0.00")
    assert table == [
        (0, zero, zero, zero, 2, Decimal("200.00")),
        (0, zero, zero, zero, 0, zero),
        # 1000 × 50% + 2000 × 10% = 700; 1000 × 75% + 2000 × 60% = 1950
        (2, Decimal("3000.00"), Decimal("700.00"), Decimal("1950.00"), 1, Decimal("100.00")),
        (0, zero, zero, zero, 0, zero),
        (1, Decimal("10000.00"), Decimal("5000.00"), Decimal("7500.00"), 0, zero),
    ]
    assert (euros.late_deals, euros.undated_deals, euros.undated_amount) == (1, 1, Decimal("500.00"))
    assert (euros.later_deals, euros.later_amount) == (1, Decimal("700.00"))


@pytest.mark.django_db
def test_the_forecast_covers_only_the_deals_the_reader_may_see(team: dict[str, User]) -> None:
    # Given private deals: Rita's and Sam's, each with history
    stages = b.make_pipeline()
    history(team["rita"], stages, "WW", closed=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    history(team["sam"], stages, "LLLL", closed=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    b.deal("Rita's", team["rita"], stages["Propose"], amount="1000.00", closes=dt.date(2026, 4, 1))
    b.deal("Sam's", team["sam"], stages["Propose"], amount="3000.00", closes=dt.date(2026, 4, 1))

    # When each reads the forecast
    def april(user: User) -> tuple[int, Decimal, Decimal, int, float | None]:
        forecast = pipeline_forecast(actor=Actor(user=user, via="web"), months_back=1, months_ahead=2)
        month = forecast.currencies[0].months[2]
        propose = next(stage for stage in forecast.stages if stage.label == "Propose")
        return (
            month.open_deals,
            month.open_amount,
            month.weighted_by_win_rate,
            propose.closed_deals,
            propose.win_rate,
        )

    # Then Rita's figures hold only her deals and her history (2 won of 2: 100%)
    assert april(team["rita"]) == (1, Decimal("1000.00"), Decimal("1000.00"), 2, 1.0)
    # and the administrator's everyone's: Propose 2 of 6 won; Rita's rate shrunk towards it, Sam's too
    forecast = pipeline_forecast(actor=Actor(user=team["ada"], via="web"), months_back=1, months_ahead=2)
    propose = next(stage for stage in forecast.stages if stage.label == "Propose")
    assert (propose.closed_deals, propose.won_deals, propose.owners) == (6, 2, 2)
    owners = {
        rate.owner_id: rate.win_rate for rate in forecast.owner_rates if rate.stage_id == propose.stage_id
    }
    m = MIN_PRIOR_STRENGTH  # 2 of 2 against 0 of 4: a spread beyond chance, so the floor
    assert owners == {
        team["rita"].pk: round((2 + m / 3) / (2 + m), 4),
        team["sam"].pk: round((0 + m / 3) / (4 + m), 4),
    }
    assert forecast.currencies[0].months[2].open_amount == Decimal("4000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("read_only", 403), ("marketer", 403), ("sales_rep", 200)])
def test_the_api_answers_to_roles_that_see_deal_amounts(
    team: dict[str, User], role: str, status: int
) -> None:
    client = Client()
    client.force_login(b.make_user("viewer", role))

    response = client.get("/api/v1/analytics/forecast")

    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_the_api_returns_months_and_rates(team: dict[str, User]) -> None:
    stages = b.make_pipeline()
    b.deal("Next month", team["rita"], stages["Propose"], amount="1234.50", closes=dt.date(2026, 4, 9))
    client = Client()
    client.force_login(team["rita"])

    response = client.get("/api/v1/analytics/forecast?months_back=0&months_ahead=2")

    assert response.status_code == 200
    body = response.json()
    assert (body["current_month"], body["first_month"], body["last_month"]) == (
        "2026-03-01",
        "2026-03-01",
        "2026-04-01",
    )
    (euros,) = body["currencies"]
    assert euros["months"][1] == {
        "month": "2026-04-01",
        "open_deals": 1,
        "open_amount": "1234.50",
        "weighted_by_probability": "617.25",
        "weighted_by_win_rate": "617.25",
        "won_deals": 0,
        "won_amount": "0.00",
    }
    assert client.get("/api/v1/analytics/forecast?months_ahead=0").status_code == 422


@pytest.mark.django_db
def test_a_role_without_deal_amounts_is_refused(team: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        pipeline_forecast(actor=Actor(user=b.make_user("reader", "read_only"), via="web"))
