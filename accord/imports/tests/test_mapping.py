"""Header mapping: the real export headers of other CRMs and address books find the right fields."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from accord.imports.fields import KINDS
from accord.imports.mapping import normalize_header, suggest_mapping, validate_mapping
from accord.imports.readers import open_table

FILES = Path(__file__).parent / "files"

# file -> (kind, {header: field} for every mapped header; all other headers stay unmapped)
EXPECTED = {
    "hubspot_contacts.csv": ("contacts", {
        "Record ID": "external_id", "First Name": "given_name", "Last Name": "family_name", "Email": "email",
        "Phone Number": "phone", "Mobile Phone Number": "mobile_phone", "Job Title": "job_title",
        "Company Name": "company_name", "Lifecycle Stage": "lifecycle_stage", "Contact owner": "owner",
        "Create Date": "created_at", "Original Source": "acquisition_source",
    }),
    "hubspot_companies.csv": ("companies", {
        "Record ID": "external_id", "Company name": "name", "Company Domain Name": "domain",
        "Industry": "industry", "Phone Number": "phone", "Street Address": "street", "City": "city",
        "State/Region": "region", "Postal Code": "postal_code", "Country/Region": "country",
        "Number of Employees": "size_band", "Annual Revenue": "annual_revenue", "Company owner": "owner",
        "Create Date": "created_at",
    }),
    "hubspot_deals.csv": ("deals", {
        "Record ID": "external_id", "Deal Name": "name", "Amount": "amount", "Deal Stage": "stage",
        "Pipeline": "pipeline", "Close Date": "expected_close_date", "Deal owner": "owner",
        "Create Date": "created_at", "Associated Company": "company_name",
    }),
    "salesforce_contacts_report.csv": ("contacts", {
        "Contact ID": "external_id", "First Name": "given_name", "Last Name": "family_name",
        "Title": "job_title", "Account Name": "company_name", "Email": "email", "Phone": "phone",
        "Mobile": "mobile_phone", "Lead Source": "acquisition_source", "Contact Owner": "owner",
        "Created Date": "created_at",
    }),
    "salesforce_dataloader_contacts.csv": ("contacts", {
        "ID": "external_id", "FIRSTNAME": "given_name", "LASTNAME": "family_name", "TITLE": "job_title",
        "EMAIL": "email", "PHONE": "phone", "MOBILEPHONE": "mobile_phone", "LEADSOURCE": "acquisition_source",
        "CREATEDDATE": "created_at",
    }),
    "salesforce_dataloader_accounts.csv": ("companies", {
        "Id": "external_id", "Name": "name", "Website": "domain", "Industry": "industry", "Phone": "phone",
        "BillingStreet": "street", "BillingCity": "city", "BillingState": "region",
        "BillingPostalCode": "postal_code", "BillingCountry": "country", "AnnualRevenue": "annual_revenue",
        "NumberOfEmployees": "size_band", "CreatedDate": "created_at",
    }),
    "salesforce_leads_report.csv": ("leads", {
        "Lead ID": "external_id", "First Name": "given_name", "Last Name": "family_name", "Title": "job_title",
        "Company / Account": "company_name", "Email": "email", "Phone": "phone", "Lead Source": "source",
        "Lead Status": "status", "Lead Owner": "owner", "Create Date": "created_at",
    }),
    "salesforce_opportunities_report.csv": ("deals", {
        "Opportunity ID": "external_id", "Opportunity Name": "name", "Account Name": "company_name",
        "Amount": "amount", "Stage": "stage", "Close Date": "expected_close_date",
        "Opportunity Owner": "owner", "Created Date": "created_at", "Opportunity Currency": "currency",
    }),
    "pipedrive_persons.csv": ("contacts", {
        "Person - ID": "external_id", "Person - Name": "full_name", "Person - First name": "given_name",
        "Person - Last name": "family_name", "Person - Email - Work": "email",
        "Person - Email - Home": "other_emails", "Person - Phone - Work": "phone",
        "Person - Phone - Mobile": "mobile_phone", "Person - Organization": "company_name",
        "Person - Label": "tags", "Person - Owner": "owner", "Person - Person created": "created_at",
        "Person - Job title": "job_title",
    }),
    "pipedrive_organizations.csv": ("companies", {
        "Organization - ID": "external_id", "Organization - Name": "name", "Organization - Owner": "owner",
        "Organization - Label": "tags", "Organization - Address": "street",
        "Organization - Address - City/town/village/locality": "city",
        "Organization - Address - Country": "country", "Organization - Address - ZIP/Postal code": "postal_code",
        "Organization - Organization created": "created_at", "Organization - Number of employees": "size_band",
    }),
    "pipedrive_deals.csv": ("deals", {
        "Deal - ID": "external_id", "Deal - Title": "name", "Deal - Value": "amount",
        "Deal - Currency": "currency", "Deal - Stage": "stage", "Deal - Pipeline": "pipeline",
        "Deal - Owner": "owner", "Deal - Organization": "company_name",
        "Deal - Expected close date": "expected_close_date", "Deal - Deal created": "created_at",
        "Deal - Lost reason": "lost_reason", "Person - Email - Work": "contact_emails",
    }),
    "google_contacts_old.csv": ("contacts", {
        "Name": "full_name", "Given Name": "given_name", "Family Name": "family_name",
        "Group Membership": "tags", "E-mail 1 - Value": "email", "E-mail 2 - Value": "other_emails",
        "Phone 1 - Value": "phone", "Phone 2 - Value": "other_phones", "Organization 1 - Name": "company_name",
        "Organization 1 - Title": "job_title",
    }),
    "google_contacts_new.csv": ("contacts", {
        "First Name": "given_name", "Last Name": "family_name", "Organization Name": "company_name",
        "Organization Title": "job_title", "Labels": "tags", "E-mail 1 - Value": "email",
        "E-mail 2 - Value": "other_emails", "Phone 1 - Value": "phone", "Phone 2 - Value": "other_phones",
    }),
    "outlook_contacts.csv": ("contacts", {
        "First Name": "given_name", "Last Name": "family_name", "E-mail Address": "email",
        "E-mail 2 Address": "other_emails", "E-mail 3 Address": "other_emails", "Home Phone": "other_phones",
        "Home Phone 2": "other_phones", "Business Phone": "phone", "Business Phone 2": "other_phones",
        "Mobile Phone": "mobile_phone", "Car Phone": "other_phones", "Other Phone": "other_phones",
        "Primary Phone": "other_phones", "Job Title": "job_title", "Company": "company_name",
        "Web Page": "company_domain", "Categories": "tags",
    }),
    "accord_contacts_export.csv": ("contacts", {
        name: name for name in (
            "external_id", "given_name", "family_name", "email", "other_emails", "phone", "mobile_phone",
            "job_title", "company_name", "company_domain", "lifecycle_stage", "acquisition_source",
            "acquisition_channel", "owner", "tags", "created_at",
        )
    }),
}  # fmt: skip


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_export_headers_of_each_product_map_to_the_right_fields(file_name: str) -> None:
    # Given a file exported from another product
    kind_name, expected = EXPECTED[file_name]
    kind = KINDS[kind_name]
    with (FILES / file_name).open("rb") as file:
        headers = open_table(file).headers

    # When the mapping is suggested
    mapping = suggest_mapping(kind, headers)

    # Then every header maps as expected, the others stay unmapped, and the mapping is usable
    assert mapping == {header: expected.get(header) for header in headers}
    assert validate_mapping(kind, mapping) == []


def test_outlook_title_is_the_salutation_so_job_title_wins_it() -> None:
    # Given Outlook's headers, where "Title" is "Dr." and "Job Title" the job
    headers = ["First Name", "Title", "Job Title"]

    # When mapped, then the job title column wins and the salutation stays unmapped
    assert suggest_mapping(KINDS["contacts"], headers) == {
        "First Name": "given_name", "Title": None, "Job Title": "job_title"
    }  # fmt: skip
    # And alone (as in Salesforce), "Title" is the job title
    assert suggest_mapping(KINDS["contacts"], ["Title"]) == {"Title": "job_title"}


def test_a_single_value_field_takes_the_better_column_and_the_weaker_falls_back() -> None:
    # Given a work and a home email (Pipedrive) and two plain "Email" columns
    mapping = suggest_mapping(
        KINDS["contacts"], ["Person - Email - Home", "Person - Email - Work", "Email", "E-mail"]
    )

    # Then the work email is the email, home an other email, and the duplicates stay unmapped
    assert mapping == {
        "Person - Email - Home": "other_emails",
        "Person - Email - Work": "email",
        "Email": None,
        "E-mail": None,
    }
    # And alone, the home email is the email
    assert suggest_mapping(KINDS["contacts"], ["Person - Email - Home"]) == {"Person - Email - Home": "email"}


@pytest.mark.parametrize(
    ("header", "normalized"),
    [
        ("E-Mail", "email"),
        ("e mail address", "email address"),
        ("FirstName", "first name"),
        ("  Société  ", "societe"),
        ("Billing Zip/Postal Code", "billing zip postal code"),
        ("Person - Email - Work", "person email work"),
    ],
)
def test_headers_are_compared_without_case_accents_or_punctuation(header: str, normalized: str) -> None:
    assert normalize_header(header) == normalized


def test_fuzzy_match_finds_a_typo_but_not_a_different_word() -> None:
    mapping = suggest_mapping(KINDS["contacts"], ["Emial", "Frist Name", "Favourite colour"])

    assert mapping == {"Emial": "email", "Frist Name": "given_name", "Favourite colour": None}


def test_custom_fields_map_by_key_or_label_also_behind_an_entity_prefix() -> None:
    # Given two custom fields on contacts
    custom = [
        SimpleNamespace(key="shoe_size", label="Shoe size"),
        SimpleNamespace(key="birthday", label="Date of birth"),
    ]

    # When headers name them by key, by label and behind Pipedrive's prefix
    mapping = suggest_mapping(KINDS["contacts"], ["shoe_size", "Person - Date of birth"], custom)

    # Then both map to custom:<key>
    assert mapping == {"shoe_size": "custom:shoe_size", "Person - Date of birth": "custom:birthday"}
    assert (
        validate_mapping(KINDS["contacts"], {"Name": "full_name", "shoe_size": "custom:shoe_size"}, custom)
        == []
    )


def test_validate_mapping_names_every_problem() -> None:
    # Given a deals mapping with an unknown field, an unknown custom field, a field taken twice, and the
    # required stage left unmapped
    mapping = {
        "Title": "name",
        "Deal name": "name",
        "Colour": "colour",
        "Size": "custom:size",
        "Notes": None,
    }

    # When validated
    problems = validate_mapping(KINDS["deals"], mapping)

    # Then each is named
    assert problems == [
        "Column 'Colour': Deals have no field 'colour'.",
        "Column 'Size': there is no custom field 'size' on deals.",
        "Name can take only one column, but 'Title', 'Deal name' are mapped to it.",
        "Required: map a column to Stage.",
    ]


def test_validate_mapping_asks_for_one_of_the_fields_a_kind_needs() -> None:
    assert validate_mapping(KINDS["contacts"], {"Job": "job_title"}) == [
        "Map a column to at least one of: First name, Last name, Full name, Email."
    ]


def test_list_fields_may_take_several_columns() -> None:
    mapping = {"Tags": "tags", "Labels": "tags", "Name": "full_name"}

    assert validate_mapping(KINDS["contacts"], mapping) == []
