"""Analytical CRM: customer value analysis (RFM, probabilistic lifetime value, cohorts, churn risk, Pareto
concentration, value tiers) and the pipeline forecast. ``engine/`` is pure numpy/scipy; the rest feeds it
from SQL aggregates and stores its scores per contact (docs/analytics.md)."""
