"""Reads of the analysis: scores follow the contact's visibility, money follows the order totals' field
rule, runs are for those who may run the analysis."""

from __future__ import annotations

import pytest

from accord.analytics import selectors
from accord.analytics.models import AnalyticsRun
from accord.analytics.tests.scores import make_run, make_score
from accord.core.actors import SYSTEM, Actor
from accord.core.errors import NotFound, PermissionDenied
from accord.web.tests.builders import contact, make_team, make_user, private

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "money_hidden"),
    [
        ("administrator", False),
        ("sales_manager", False),
        ("sales_rep", False),
        ("analyst", False),
        ("read_only", True),
    ],
)
def test_money_fields_follow_the_order_totals_rule(role: str, money_hidden: bool) -> None:
    actor = Actor(user=make_user("someone", role))
    assert selectors.hidden_score_fields(actor) == (selectors.MONEY_FIELDS if money_hidden else frozenset())


def test_a_teammate_sees_the_scores_and_an_outsider_does_not() -> None:
    private("contact")
    owner, teammate, outsider = make_user("owner"), make_user("teammate"), make_user("outsider")
    make_team("East", owner, teammate)
    ada = contact("Ada", "Lovelace", owner)
    make_score(ada, make_run())
    assert selectors.contact_score(actor=Actor(user=owner), contact_id=ada.pk).contact_id == ada.pk
    with pytest.raises(NotFound):
        selectors.contact_score(actor=Actor(user=outsider), contact_id=ada.pk)
    with pytest.raises(NotFound):
        selectors.contact_score(actor=Actor(user=teammate), contact_id=ada.pk)  # private: not teammates


def test_the_panel_uses_the_contacts_own_run_or_the_latest_successful_one() -> None:
    ada = contact("Ada", "Lovelace", None)
    bob = contact("Bob", "Byron", None)
    older = make_run(analysis_date="2025-05-31")
    make_score(ada, older)
    latest = make_run(analysis_date="2025-06-30")
    make_run(status=AnalyticsRun.Status.FAILED, analysis_date="2025-07-31")
    with_scores = selectors.score_panel(actor=SYSTEM, contact=ada)
    without = selectors.score_panel(actor=SYSTEM, contact=bob)
    assert (with_scores.score is not None, with_scores.latest_run) == (True, older)
    assert (without.score, without.latest_run) == (None, latest)


def test_runs_are_refused_to_a_sales_rep() -> None:
    rep = Actor(user=make_user("rep"))
    with pytest.raises(PermissionDenied):
        selectors.run_list(actor=rep)
    with pytest.raises(PermissionDenied):
        selectors.run_latest(actor=rep)
    assert selectors.run_list(actor=SYSTEM).items == []


def test_the_run_status_literal_lists_the_models_statuses() -> None:
    import typing

    from accord.analytics.schemas import RunStatus

    assert list(typing.get_args(RunStatus)) == AnalyticsRun.Status.values
