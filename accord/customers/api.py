"""REST endpoints for companies and contacts."""

from ninja import Router

from accord.core.crud import Resource, add_crud_routes
from accord.customers import selectors, services
from accord.customers.filters import CompanyFilter, ContactFilter
from accord.customers.models import Company, Contact
from accord.customers.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    ContactIn,
    ContactListItem,
    ContactOut,
    ContactPatch,
)

companies = Router(tags=["Companies"])
contacts = Router(tags=["Contacts"])

add_crud_routes(
    companies,
    Resource(
        plural="companies",
        singular="company",
        model=Company,
        out_schema=CompanyOut,
        create_schema=CompanyIn,
        update_schema=CompanyPatch,
        filter_schema=CompanyFilter,
        sort_fields=("name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"),
        list_records=selectors.company_list,
        get_record=selectors.company_get,
        create=services.company_create,
        update=services.company_update,
        delete=services.company_delete,
        detects_duplicates=True,
    ),
)

add_crud_routes(
    contacts,
    Resource(
        plural="contacts",
        singular="contact",
        model=Contact,
        out_schema=ContactOut,
        create_schema=ContactIn,
        update_schema=ContactPatch,
        filter_schema=ContactFilter,
        sort_fields=(
            "family_name",
            "-family_name",
            "given_name",
            "-given_name",
            "created_at",
            "-created_at",
            "updated_at",
            "-updated_at",
        ),
        list_records=selectors.contact_list,
        list_schema=ContactListItem,
        load_rows=selectors.contact_rows,
        get_record=selectors.contact_get,
        create=services.contact_create,
        update=services.contact_update,
        delete=services.contact_delete,
        detects_duplicates=True,
    ),
)
