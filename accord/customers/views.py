"""The company and contact lists: declarations for ``accord.core.listing`` (the pages are shared)."""

from accord.core.listing import (
    CREATED,
    CREATED_FILTERS,
    OWNER,
    OWNER_FILTER,
    TAG_FILTER,
    TAGS,
    UPDATED,
    Bulk,
    Column,
    Filter,
    ListSpec,
    rows_by_id,
)
from accord.customers import selectors, services
from accord.customers.filters import CompanyFilter, ContactFilter
from accord.customers.models import Company, Contact
from accord.customers.schemas import CompanyOut, ContactListItem

# The company a deal, an order, an interaction or a task is about.
COMPANY = Column("company", "Company", "company.name", link="/companies/{company_id}/", related=Company)

COMPANIES = ListSpec(
    key="companies",
    title="Companies",
    model=Company,
    records=selectors.company_list,
    filter_schema=CompanyFilter,
    columns=(
        Column("name", "Name", link="/companies/{id}/", sort="name"),
        Column("domain", "Website"),
        Column("industry", "Industry"),
        Column("size", "Size", "size_band", choices=Company.SizeBand),
        Column("city", "City", shown=False),
        Column("country", "Country"),
        Column(
            "revenue", "Annual revenue", "annual_revenue", kind="money", field="annual_revenue", shown=False
        ),
        OWNER,
        TAGS,
        CREATED,
        UPDATED,
    ),
    filters=(
        OWNER_FILTER,
        Filter("industry", "Industry"),
        Filter("size_band", "Size"),
        Filter("country", "Country (two letters)"),
        TAG_FILTER,
        *CREATED_FILTERS,
        Filter("updated_after", "Updated from"),
    ),
    default_sort="name",
    load_rows=rows_by_id(selectors.company_queryset),
    export_schema=CompanyOut,
    bulk=Bulk(
        get=selectors.company_get, update=services.company_update, delete=services.company_delete, tags=True
    ),
    empty_hint="Companies appear here as you add them through the API or an import, or convert leads.",
    custom_fields="company",
)

CONTACTS = ListSpec(
    key="contacts",
    title="Contacts",
    model=Contact,
    records=selectors.contact_list,
    filter_schema=ContactFilter,
    columns=(
        Column("name", "Name", "full_name", link="/contacts/{id}/", sort="family_name"),
        Column("given_name", "First name", sort="given_name", shown=False),
        Column("email", "Email", "primary_email"),
        Column("phone", "Phone", "primary_phone", field="primary_phone"),
        Column("company", "Company", "company_name", link="/companies/{company_id}/", related=Company),
        Column("job_title", "Job title", shown=False),
        Column("stage", "Lifecycle stage", "lifecycle_stage", choices=Contact.LifecycleStage),
        Column("source", "Source", "acquisition_source", shown=False),
        OWNER,
        TAGS,
        CREATED,
        UPDATED,
    ),
    filters=(
        OWNER_FILTER,
        Filter("lifecycle_stage", "Lifecycle stage"),
        TAG_FILTER,
        Filter("email", "Email"),
        Filter("acquisition_source", "Source"),
        Filter("acquisition_channel", "Channel"),
        *CREATED_FILTERS,
        Filter("updated_after", "Updated from"),
    ),
    default_sort="family_name",
    load_rows=selectors.contact_rows,
    export_schema=ContactListItem,
    export_rows=selectors.contact_rows,
    bulk=Bulk(
        get=selectors.contact_get, update=services.contact_update, delete=services.contact_delete, tags=True
    ),
    empty_hint="Contacts appear here as you add them through the API or an import, or convert leads.",
    custom_fields="contact",
)
