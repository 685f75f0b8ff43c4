"""The company and contact lists: declarations for ``accord.core.listing`` (the pages are shared)."""

from typing import Any

from accord.core.listing import TAGGED, TAGGED_FILTERS, Column, Domain, Filter
from accord.customers import filters, schemas, selectors, services
from accord.customers.models import Company, Contact
from accord.customers.scores import ChurnRisk, RfmSegment

CUSTOMERS = Domain(selectors, services, filters, schemas)
# The company a deal, an order, an interaction or a task is about.
COMPANY = Column("company", "Company", "company.name", link="/companies/{company_id}/", related=Company)
UPDATED_AFTER = Filter("updated_after", "Updated from")


def _probability_alive(row: Any) -> str:
    value = row.get("probability_alive")
    return "" if value is None else f"{value:.0%}"


# Optional columns and filters of the latest analysis' scores (docs/analytics-refresh.md).
SCORE_COLUMNS = (
    Column("segment", "Segment", "rfm_segment", choices=RfmSegment, shown=False),
    Column("lifetime_value", "Lifetime value", kind="money", shown=False),
    Column("churn_risk", "Churn risk", choices=ChurnRisk, shown=False),
    Column("probability_alive", "P(alive)", _probability_alive, shown=False),
)
SCORE_FILTERS = (
    Filter("rfm_segment", "Segment"),
    Filter("value_tier", "Value tier"),
    Filter("churn_risk", "Churn risk"),
    Filter("min_lifetime_value", "Lifetime value from", field="lifetime_value"),
    Filter("min_probability_alive", "P(alive) from (0–1)"),
)

COMPANIES = CUSTOMERS.declare(
    Company,
    new_url="/companies/new/",
    hint="Companies appear here as you add them through the API or an import, or convert leads.",
    columns=(
        Column("name", "Name", link="/companies/{id}/", sort="name", initial="ascending"),
        Column("domain", "Website"),
        Column("industry", "Industry"),
        Column("size", "Size", "size_band", choices=Company.SizeBand),
        Column("city", "City", shown=False),
        Column("country", "Country"),
        Column(
            "revenue", "Annual revenue", "annual_revenue", kind="money", field="annual_revenue", shown=False
        ),
        *TAGGED,
    ),
    filters=(
        *TAGGED_FILTERS,
        Filter("industry", "Industry"),
        Filter("size_band", "Size"),
        Filter("country", "Country (two letters)"),
        UPDATED_AFTER,
    ),
)

CONTACTS = CUSTOMERS.declare(
    Contact,
    new_url="/contacts/new/",
    hint="Contacts appear here as you add them through the API or an import, or convert leads.",
    columns=(
        Column("name", "Name", "full_name", link="/contacts/{id}/", sort="family_name", initial="ascending"),
        Column("given_name", "First name", sort="given_name", shown=False),
        Column("email", "Email", "primary_email"),
        Column("phone", "Phone", "primary_phone", field="primary_phone"),
        Column("company", "Company", "company_name", link="/companies/{company_id}/", related=Company),
        Column("job_title", "Job title", shown=False),
        Column("stage", "Lifecycle stage", "lifecycle_stage", choices=Contact.LifecycleStage),
        Column("source", "Source", "acquisition_source", shown=False),
        *TAGGED,
        *SCORE_COLUMNS,
    ),
    filters=(
        Filter("lifecycle_stage", "Lifecycle stage"),
        *TAGGED_FILTERS,
        Filter("email", "Email"),
        Filter("acquisition_source", "Source"),
        Filter("acquisition_channel", "Channel"),
        UPDATED_AFTER,
        *SCORE_FILTERS,
    ),
    load_rows=selectors.contact_rows,
    # Served by accord.exports (a layer above): the view's contacts as vCards.
    more_exports=(("vCard", "/contacts/export/vcard/"),),
)
