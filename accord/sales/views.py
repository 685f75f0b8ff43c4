"""The lead, deal and order lists: declarations for ``accord.core.listing`` (the pages are shared).
The deal board and the deal page are in ``board_views``."""

from collections.abc import Sequence

from accord.core.actors import Actor
from accord.core.listing import (
    CREATED_FILTERS,
    NEWEST_FIRST,
    OWNED,
    OWNER,
    OWNER_FILTER,
    TAGGED_FILTERS,
    TAGS,
    UPDATED,
    UPDATED_FILTERS,
    Column,
    Domain,
    Filter,
    rows_by_id,
)
from accord.customers.models import Contact
from accord.customers.views import COMPANY
from accord.sales import filters, schemas, selectors, services
from accord.sales.models import Deal, Lead, Order


def pipelines(actor: Actor) -> Sequence[tuple[str, str]]:
    return [(str(pipeline.pk), pipeline.name) for pipeline in selectors.pipeline_list(actor=actor)]


def stages(actor: Actor) -> Sequence[tuple[str, str]]:
    listed = (
        selectors.stage_list(actor=actor)
        .select_related("pipeline")
        .order_by("pipeline__position", "position")
    )
    return [(str(stage.pk), f"{stage.pipeline.name} · {stage.name}") for stage in listed]


SALES = Domain(selectors, services, filters, schemas)

LEADS = SALES.declare(
    Lead,
    new_url="/leads/new/",
    hint="Leads from web forms, fairs and lists appear here once they are captured through the API or an import.",
    columns=(
        Column("name", "Name", str, link="/leads/{id}/convert/", sort="family_name"),
        Column("company", "Company", "company_name"),
        Column("email", "Email"),
        Column("phone", "Phone", field="phone", shown=False),
        Column("status", "Status", choices=Lead.Status),
        Column("source", "Source"),
        OWNER,
        TAGS,
        NEWEST_FIRST,
        UPDATED,
    ),
    filters=(
        Filter("status", "Status"),
        *TAGGED_FILTERS,
        Filter("source", "Source"),
        Filter("email", "Email"),
        Filter("company_domain", "Company website"),
        *UPDATED_FILTERS,
    ),
)


def contact_names(deal: Deal) -> str:
    return ", ".join(role.contact.full_name for role in deal.deal_contacts.all())


DEALS = SALES.declare(
    Deal,
    new_url="/deals/new/",
    hint="Open a deal from a contact's or company's page, or convert a lead into one.",
    columns=(
        Column("name", "Name", link="/deals/{id}/", sort="name"),
        COMPANY,
        Column("contacts", "Contacts", contact_names, shown=False),
        Column("pipeline", "Pipeline", "pipeline.name", shown=False),
        Column("stage", "Stage", "stage.name"),
        Column("amount", "Amount", kind="money", sort="amount", field="amount"),
        Column("close", "Expected close", "expected_close_date", kind="date"),
        Column("closed", "Closed", "closed_at", kind="datetime", shown=False),
        OWNER,
        TAGS,
        NEWEST_FIRST,
        UPDATED,
    ),
    filters=(
        Filter("pipeline_id", "Pipeline", pipelines, alias="pipeline"),
        Filter("stage_id", "Stage", stages),
        Filter("stage_kind", "Open, won or lost"),
        *TAGGED_FILTERS,
        Filter("amount_min", "Amount from", field="amount"),
        Filter("amount_max", "Amount up to", field="amount"),
        Filter("expected_close_after", "Closing from"),
        Filter("expected_close_before", "Closing up to"),
        Filter("closed_after", "Closed from"),
        Filter("closed_before", "Closed before"),
    ),
    load_rows=rows_by_id(lambda: selectors.deal_queryset().select_related("pipeline", "company")),
)

ORDERS = SALES.declare(
    Order,
    hint="Orders appear here as your shop, your sales team or an import records purchases through the API.",
    columns=(
        Column("number", "Number"),
        Column("ordered", "Ordered", "ordered_at", kind="datetime", sort="ordered_at", initial="descending"),
        Column("contact", "Contact", "contact.full_name", link="/contacts/{contact_id}/", related=Contact),
        COMPANY,
        Column("deal", "Deal", "deal.name", link="/deals/{deal_id}/", related=Deal, shown=False),
        Column("status", "Status", choices=Order.Status),
        Column("channel", "Channel", "sales_channel", choices=Order.Channel),
        Column("total", "Total", kind="money", sort="total", field="total"),
        *OWNED,
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
    # The lines are not shown: the orders are read without them.
    load_rows=rows_by_id(
        lambda: selectors.order_queryset().prefetch_related(None).select_related("contact", "company", "deal")
    ),
)
