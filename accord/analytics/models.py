"""What the customer value analysis stores: each refresh (its settings, fitted models and the figures the
analytics page draws) and the latest scores of each contact."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from accord.customers.models import Contact
from accord.customers.scores import ChurnRisk, RfmSegment, ValueTier

__all__ = ["AnalyticsRun", "ChurnRisk", "ContactScore", "RfmSegment", "ValueTier"]


class AnalyticsRun(models.Model):
    """One refresh of the customer value analysis.

    ``parameters`` holds what the run was asked (analysis date, horizon, discount rate, time unit, rules);
    ``fitted_models`` the fitted purchase and spend models (parameters, standard errors, log-likelihood);
    ``report`` the aggregates the analytics page draws (calibration against holdout, RFM grid, value
    distribution, concentration, cohorts), so the page reads one row instead of recomputing; ``timings``
    the seconds each step took.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    analysis_date = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parameters = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    fitted_models = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    report = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    timings = models.JSONField(default=dict)
    customers = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-started_at"], name="analytics_run_status_idx")]

    def __str__(self) -> str:
        return f"Analytics run {self.pk} ({self.analysis_date})"


class ContactScore(models.Model):
    """The latest value scores of one contact who has bought, written whole by each refresh.

    Money is in the run's currency. Frequency counts repeat purchase days (the first purchase is not a
    repeat, and same-day orders count once), as the purchase models do.
    """

    contact = models.OneToOneField(Contact, primary_key=True, on_delete=models.CASCADE, related_name="score")
    run = models.ForeignKey(AnalyticsRun, on_delete=models.CASCADE, related_name="scores")
    first_purchase_on = models.DateField()
    last_purchase_on = models.DateField()
    recency_days = models.PositiveIntegerField(help_text="days from the last purchase to the analysis date")
    frequency = models.PositiveIntegerField(help_text="repeat purchase days")
    monetary = models.DecimalField(max_digits=16, decimal_places=2, help_text="revenue to the analysis date")
    recency_score = models.PositiveSmallIntegerField()
    frequency_score = models.PositiveSmallIntegerField()
    monetary_score = models.PositiveSmallIntegerField()
    rfm_segment = models.CharField(max_length=20, choices=RfmSegment.choices)
    probability_alive = models.FloatField()
    expected_purchases = models.FloatField(help_text="over the run's horizon")
    expected_average_spend = models.DecimalField(max_digits=14, decimal_places=2)
    lifetime_value = models.DecimalField(
        max_digits=16, decimal_places=2, help_text="discounted, over the horizon"
    )
    cost_to_serve = models.DecimalField(max_digits=16, decimal_places=2)
    profitability = models.DecimalField(max_digits=16, decimal_places=2)
    value_tier = models.CharField(max_length=12, choices=ValueTier.choices)
    churn_risk = models.CharField(max_length=6, choices=ChurnRisk.choices)
    days_overdue = models.FloatField(null=True, blank=True, help_text="past the customer's usual gap")
    value_at_stake = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["rfm_segment", "contact"], name="score_segment_idx"),
            models.Index(fields=["value_tier", "contact"], name="score_tier_idx"),
            models.Index(fields=["churn_risk", "contact"], name="score_churn_idx"),
            models.Index(fields=["lifetime_value", "contact"], name="score_value_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recency_score__range=(1, 5))
                & Q(frequency_score__range=(1, 5))
                & Q(monetary_score__range=(1, 5)),
                name="score_rfm_scores_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(probability_alive__gte=0) & Q(probability_alive__lte=1),
                name="score_probability_alive_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Scores of contact {self.contact_id}"
