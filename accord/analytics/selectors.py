"""Reads of the analysis: a contact's scores follow the contact (404 when it is not visible), runs are for
those who may run the analysis (their report covers every customer).

Scores are computed from order totals, so a role that may not see order totals sees no money among them
either (lifetime value, spend, cost to serve, value at stake): the same rule as the timeline's totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accord.analytics.filters import AnalyticsRunFilter
from accord.analytics.models import AnalyticsRun, ContactScore
from accord.analytics.permissions import require_report_reader
from accord.core.actors import Actor
from accord.core.errors import NotFound
from accord.core.pagination import Page, paginate
from accord.core.permissions import get_visible, hidden_keys
from accord.customers.models import Contact
from accord.sales.models import Order

MONEY_FIELDS = frozenset(
    {
        "monetary",
        "expected_average_spend",
        "lifetime_value",
        "cost_to_serve",
        "profitability",
        "value_at_stake",
    }
)


def hidden_score_fields(actor: Actor) -> frozenset[str]:
    """The score fields the actor's role may not see: the money ones when order totals are hidden."""
    return MONEY_FIELDS if "total" in hidden_keys(actor, Order) else frozenset()


def contact_score(*, actor: Actor, contact_id: int) -> ContactScore:
    """The scores of a contact the actor may see; NotFound when the contact is not visible (so its
    existence does not leak) or has no scores (it has not bought, or no analysis ran since)."""
    get_visible(actor, Contact.objects.only("pk", "owner_id"), contact_id)
    found = ContactScore.objects.select_related("run").filter(contact_id=contact_id).first()
    if found is None:
        raise NotFound(f"Contact {contact_id} has no scores: it has no paid order analysed yet.")
    return found


@dataclass(frozen=True)
class ScorePanel:
    """What the customer 360 page's value panel shows: the contact's scores, or why there are none."""

    score: ContactScore | None
    latest_run: AnalyticsRun | None  # the latest successful analysis, for the empty state
    hidden: frozenset[str]


def score_panel(*, actor: Actor, contact: Contact) -> ScorePanel:
    """For a contact the page already read (so it is visible): two small indexed queries."""
    score = ContactScore.objects.select_related("run").filter(contact_id=contact.pk).first()
    latest = score.run if score is not None else latest_successful_run()
    return ScorePanel(score=score, latest_run=latest, hidden=hidden_score_fields(actor))


def latest_successful_run() -> AnalyticsRun | None:
    return (
        AnalyticsRun.objects.filter(status=AnalyticsRun.Status.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )


def run_list(
    *, actor: Actor, filters: AnalyticsRunFilter | None = None, cursor: str | None = None, limit: int = 50
) -> Page[AnalyticsRun]:
    """Every run, newest first."""
    require_report_reader(actor)
    runs: QuerySet[AnalyticsRun] = AnalyticsRun.objects.all()
    if filters is not None:
        runs = filters.filter(runs)
    return paginate(runs, sort="-started_at", cursor=cursor, limit=limit)


def run_latest(*, actor: Actor) -> AnalyticsRun:
    """The latest successful run: the one whose scores the contacts carry."""
    require_report_reader(actor)
    run = latest_successful_run()
    if run is None:
        raise NotFound("No analysis has run yet: run `accord analytics refresh` or POST /analytics/refresh.")
    return run
