"""The lead, deal and order lists: declarations for ``accord.core.listing`` (the pages are shared).
The deal board and the deal page are in ``board_views``."""

from collections.abc import Sequence
from dataclasses import replace

from accord.core.actors import Actor
from accord.core.listing import (
    CREATED,
    CREATED_FILTERS,
    OWNER,
    OWNER_FILTER,
    TAG_FILTER,
    TAGS,
    UPDATED,
    UPDATED_FILTERS,
    Bulk,
    Column,
    Filter,
    ListSpec,
    rows_by_id,
)
from accord.customers.models import Contact
from accord.customers.views import COMPANY
from accord.sales import selectors, services
from accord.sales.filters import DealFilter, LeadFilter, OrderFilter
from accord.sales.models import Deal, Lead, Order
from accord.sales.schemas import DealOut, LeadOut, OrderOut


def pipelines(actor: Actor) -> Sequence[tuple[str, str]]:
    return [(str(pipeline.pk), pipeline.name) for pipeline in selectors.pipeline_list(actor=actor)]


def stages(actor: Actor) -> Sequence[tuple[str, str]]:
    listed = (
        selectors.stage_list(actor=actor)
        .select_related("pipeline")
        .order_by("pipeline__position", "position")
    )
    return [(str(stage.pk), f"{stage.pipeline.name} · {stage.name}") for stage in listed]


LEADS = ListSpec(
    key="leads",
    title="Leads",
    model=Lead,
    records=selectors.lead_list,
    filter_schema=LeadFilter,
    columns=(
        Column("name", "Name", str, link="/leads/{id}/convert/", sort="family_name"),
        Column("company", "Company", "company_name"),
        Column("email", "Email"),
        Column("phone", "Phone", field="phone", shown=False),
        Column("status", "Status", choices=Lead.Status),
        Column("source", "Source"),
        OWNER,
        TAGS,
        replace(CREATED, shown=True),
        UPDATED,
    ),
    filters=(
        OWNER_FILTER,
        Filter("status", "Status"),
        Filter("source", "Source"),
        TAG_FILTER,
        Filter("email", "Email"),
        Filter("company_domain", "Company website"),
        *CREATED_FILTERS,
        *UPDATED_FILTERS,
    ),
    default_sort="-created_at",
    load_rows=rows_by_id(selectors.lead_queryset),
    export_schema=LeadOut,
    bulk=Bulk(get=selectors.lead_get, update=services.lead_update, delete=services.lead_delete, tags=True),
    empty_hint="Leads from web forms, fairs and lists appear here once they are captured through the API or an import.",
    custom_fields="lead",
)

DEALS = ListSpec(
    key="deals",
    title="Deals",
    model=Deal,
    records=selectors.deal_list,
    filter_schema=DealFilter,
    columns=(
        Column("name", "Name", link="/deals/{id}/", sort="name"),
        COMPANY,
        Column(
            "contacts",
            "Contacts",
            lambda deal: ", ".join(role.contact.full_name for role in deal.deal_contacts.all()),
            shown=False,
        ),
        Column("pipeline", "Pipeline", "pipeline.name", shown=False),
        Column("stage", "Stage", "stage.name"),
        Column("amount", "Amount", kind="money", sort="amount", field="amount"),
        Column("close", "Expected close", "expected_close_date", kind="date"),
        Column("closed", "Closed", "closed_at", kind="datetime", shown=False),
        OWNER,
        TAGS,
        replace(CREATED, shown=True),
        UPDATED,
    ),
    filters=(
        OWNER_FILTER,
        Filter("pipeline_id", "Pipeline", pipelines, alias="pipeline"),
        Filter("stage_id", "Stage", stages),
        Filter("stage_kind", "Open, won or lost"),
        TAG_FILTER,
        Filter("amount_min", "Amount from", field="amount"),
        Filter("amount_max", "Amount up to", field="amount"),
        Filter("expected_close_after", "Closing from"),
        Filter("expected_close_before", "Closing up to"),
        Filter("closed_after", "Closed from"),
        Filter("closed_before", "Closed before"),
        *CREATED_FILTERS,
    ),
    default_sort="-created_at",
    load_rows=rows_by_id(lambda: selectors.deal_queryset().select_related("pipeline", "company")),
    export_schema=DealOut,
    bulk=Bulk(get=selectors.deal_get, update=services.deal_update, delete=services.deal_delete, tags=True),
    empty_hint="Open a deal from a contact's or company's page, or convert a lead into one.",
    custom_fields="deal",
)

ORDERS = ListSpec(
    key="orders",
    title="Orders",
    model=Order,
    records=selectors.order_list,
    filter_schema=OrderFilter,
    columns=(
        Column("number", "Number"),
        Column("ordered", "Ordered", "ordered_at", kind="datetime", sort="ordered_at"),
        Column("contact", "Contact", "contact.full_name", link="/contacts/{contact_id}/", related=Contact),
        COMPANY,
        Column("deal", "Deal", "deal.name", link="/deals/{deal_id}/", related=Deal, shown=False),
        Column("status", "Status", choices=Order.Status),
        Column("channel", "Channel", "sales_channel", choices=Order.Channel),
        Column("total", "Total", kind="money", sort="total", field="total"),
        OWNER,
        CREATED,
        UPDATED,
    ),
    filters=(
        OWNER_FILTER,
        Filter("status", "Status"),
        Filter("sales_channel", "Channel"),
        Filter("ordered_after", "Ordered from"),
        Filter("ordered_before", "Ordered before"),
        Filter("total_min", "Total from", field="total"),
        Filter("total_max", "Total up to", field="total"),
        Filter("currency", "Currency"),
        *CREATED_FILTERS,
    ),
    default_sort="-ordered_at",
    # The lines are not shown: read the orders without them.
    load_rows=rows_by_id(
        lambda: selectors.order_queryset().prefetch_related(None).select_related("contact", "company", "deal")
    ),
    export_schema=OrderOut,
    bulk=Bulk(get=selectors.order_get, update=services.order_update, delete=services.order_delete),
    empty_hint="Orders appear here as your shop, your sales team or an import records purchases through the API.",
)
