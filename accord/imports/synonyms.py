"""Column headers that mean a field, as other products export them. Read by ``mapping.suggest_mapping``.

Headers are written here as the products write them and normalised when the table is built, so that
"E-mail 1 - Value", "FirstName" (Salesforce Data Loader) and "Person - Email - Work" (Pipedrive) can be
checked against their source. Each entry is ``header: score``: 100 for a header that means the field
beyond doubt, less for one that is ambiguous, so that the better column wins a single-value field and the
weaker one may fall back to its next meaning ("Person - Email - Home" is the email when no work email is
there, else one of the other emails).

Sources (headers of each product's standard export):
- HubSpot: contacts, companies and deals exports ("Record ID", "Company Domain Name", "Deal Stage").
- Salesforce: report exports ("Account Name", "Mailing City", "Lead Source", "Opportunity Owner") and
  Data Loader's API names ("Id", "FirstName", "BillingPostalCode", "StageName", "CurrencyIsoCode").
- Pipedrive: "<Entity> - <Field>" exports ("Person - Phone - Mobile", "Deal - Value").
- Google Contacts: the old ("Given Name", "Group Membership", "Organization 1 - Name") and the newer
  ("First Name", "Labels", "Organization Name") formats; both use "E-mail 1 - Value", "Phone 1 - Value".
- Outlook / Microsoft 365: "E-mail Address", "Business Phone", "Mobile Phone", "Company", "Categories";
  its "Title" is the salutation (Mr., Dr.), so "Title" is only a weak job title.
- Accord's own exports: every field's name and label (added in ``mapping.py``).
"""

from __future__ import annotations

Synonyms = dict[str, dict[str, int]]

# Fields shared by several kinds: one table, applied to a kind only for the fields it has.
COMMON: Synonyms = {
    "given_name": {
        "First Name": 100, "Given Name": 100, "Firstname": 100, "Forename": 100, "First": 90,
        "Person - First name": 100, "Lead - First name": 100, "Vorname": 100,
    },
    "family_name": {
        "Last Name": 100, "Family Name": 100, "Surname": 100, "Lastname": 100, "Last": 90,
        "Person - Last name": 100, "Lead - Last name": 100, "Nachname": 100,
    },
    "full_name": {
        "Name": 95, "Full Name": 100, "Contact Name": 100, "Person - Name": 100, "Display Name": 95,
        "Contact": 85, "Person": 85, "Lead Name": 100, "Customer Name": 95,
    },
    "email": {
        "Email": 100, "Email Address": 100, "E-mail Address": 100, "E-mail 1 - Value": 100,
        "Person - Email": 100, "Person - Email - Work": 100, "Work Email": 100, "Business Email": 100,
        "Primary Email": 100, "Mail": 85, "Person - Email - Home": 90, "Person - Email - Other": 85,
        "E-mail 2 - Value": 80, "E-mail 2 Address": 80, "Personal Email": 85, "Home Email": 85,
        "Lead - Email": 100,
    },
    "other_emails": {
        "E-mail 2 - Value": 100, "E-mail 3 - Value": 100, "E-mail 4 - Value": 100,
        "E-mail 2 Address": 100, "E-mail 3 Address": 100, "Person - Email - Home": 85,
        "Person - Email - Other": 80, "Other Email": 100, "Other Emails": 100, "Secondary Email": 100,
        "Additional email addresses": 100, "Personal Email": 80, "Home Email": 80, "Emails": 90,
    },
    "phone": {
        "Phone": 100, "Phone Number": 100, "Telephone": 100, "Tel": 95, "Business Phone": 100,
        "Work Phone": 100, "Office Phone": 100, "Direct Phone": 95, "Phone 1 - Value": 100,
        "Person - Phone": 100, "Person - Phone - Work": 100, "Primary Phone": 95, "Main Phone": 100,
        "Company Main Telephone": 90, "Organization - Phone": 100, "Company Phone": 95,
        "Home Phone": 85, "Phone 2 - Value": 80, "Person - Phone - Home": 85, "Lead - Phone": 100,
    },
    "mobile_phone": {
        "Mobile": 100, "Mobile Phone": 100, "Mobile Phone Number": 100, "Cell": 100, "Cell Phone": 100,
        "Person - Phone - Mobile": 100, "Handy": 100, "MobilePhone": 100,
    },
    "other_phones": {
        "Phone 2 - Value": 100, "Phone 3 - Value": 100, "Phone 4 - Value": 100, "Home Phone": 90,
        "Home Phone 2": 100, "Business Phone 2": 100, "Other Phone": 100, "Other Phones": 100,
        "Person - Phone - Home": 90, "Person - Phone - Other": 100, "Car Phone": 90, "Phones": 90,
        "Primary Phone": 80,
    },
    "job_title": {
        "Job Title": 100, "Title": 85, "Position": 95, "Jobtitle": 100, "Job": 85,
        "Organization 1 - Title": 100, "Organization Title": 100, "Person - Job title": 100,
        "Lead - Job title": 100,
    },
    "company_name": {
        "Company": 100, "Company Name": 100, "Account Name": 100, "Account": 90, "Organization": 100,
        "Organisation": 100, "Organization Name": 100, "Organization 1 - Name": 100,
        "Organization - Name": 95, "Person - Organization": 100, "Deal - Organization": 100,
        "Lead - Organization": 100, "Associated Company": 95, "Company / Account": 100, "Employer": 90,
        "Billing Company": 90, "Account.Name": 100, "Activity - Organization": 100,
    },
    "company_domain": {
        "Website": 100, "Company Website": 100, "Company Domain Name": 100, "Company Domain": 100,
        "Domain": 95, "Website URL": 95, "Web Page": 90, "Web Site": 95, "URL": 85,
    },
    "owner": {
        "Owner": 100, "Contact Owner": 100, "Company Owner": 100, "Account Owner": 100, "Lead Owner": 100,
        "Deal Owner": 100, "Opportunity Owner": 100, "Record Owner": 100, "Person - Owner": 100,
        "Organization - Owner": 100, "Deal - Owner": 100, "Lead - Owner": 100, "Activity - Assigned to user": 100,
        "Assigned To": 95, "Sales Rep": 90, "Owner Email": 100, "HubSpot Owner": 100, "Activity Owner": 100,
    },
    "tags": {
        "Tags": 100, "Tag": 100, "Labels": 100, "Label": 95, "Categories": 100, "Group Membership": 100,
        "Person - Label": 100, "Organization - Label": 100, "Deal - Label": 100, "Lead - Labels": 100,
    },
    "created_at": {
        "Created": 95, "Created At": 100, "Create Date": 100, "Created Date": 100, "Date Created": 100,
        "Created On": 100, "Creation Date": 100, "Person - Person created": 100,
        "Organization - Organization created": 100, "Deal - Deal created": 100, "Lead - Lead created": 100,
    },
    "currency": {
        "Currency": 100, "Currency Code": 100, "CurrencyIsoCode": 100, "Deal - Currency": 100,
        "Opportunity Currency": 100, "Deal Currency Code": 100, "Organization - Currency": 90,
    },
    "contact_emails": {
        "Contact Email": 100, "Contact Emails": 100, "Person - Email": 100, "Person - Email - Work": 100,
        "Email": 90, "Emails": 95, "Email Address": 90, "Attendee Emails": 95, "Person - Email - Home": 90,
    },
}  # fmt: skip

# What a header means in one kind only ("Name" is a company's name, a deal's name, a person's full name).
BY_KIND: dict[str, Synonyms] = {
    "companies": {
        "external_id": {
            "Id": 95, "Record ID": 100, "Account ID": 100, "Company ID": 100, "Organization - ID": 100,
        },
        "name": {
            "Name": 100, "Company": 100, "Company Name": 100, "Account Name": 100, "Organization": 100,
            "Organisation": 100, "Organization - Name": 100, "Organization Name": 100,
            "Business Name": 100, "Account": 95,
        },
        "domain": {
            "Website": 100, "Domain": 100, "Company Domain Name": 100, "Website URL": 95, "Web Page": 90,
            "URL": 85, "Organization - Website": 100, "Company Website": 100,
        },
        "industry": {"Industry": 100, "Sector": 95, "Organization - Industry": 100},
        "size_band": {
            "Size": 100, "Company Size": 100, "Employees": 100, "Number of Employees": 100,
            "NumberOfEmployees": 100, "Headcount": 100, "Organization - Number of employees": 100,
        },
        "annual_revenue": {
            "Annual Revenue": 100, "Revenue": 95, "AnnualRevenue": 100, "Organization - Annual revenue": 100,
        },
        "street": {
            "Street": 100, "Street Address": 100, "Address": 90, "Billing Street": 100,
            "Address Line 1": 100, "Business Street": 100, "Organization - Address - Street/road name": 100,
            "Organization - Address": 85,
        },
        "city": {
            "City": 100, "Town": 95, "Billing City": 100, "Business City": 100,
            "Organization - Address - City/town/village/locality": 100,
        },
        "region": {
            "State": 100, "Region": 100, "State/Region": 100, "State/Province": 100,
            "Billing State/Province": 100, "BillingState": 100, "County": 90, "Province": 95,
            "Business State": 100, "Organization - Address - State/county": 100,
        },
        "postal_code": {
            "Postal Code": 100, "Zip": 100, "Zip Code": 100, "ZIP/Postal code": 100,
            "Billing Zip/Postal Code": 100, "BillingPostalCode": 100, "Postcode": 100, "PLZ": 95,
            "Business Postal Code": 100, "Organization - Address - ZIP/Postal code": 100,
        },
        "country": {
            "Country": 100, "Country/Region": 100, "Billing Country": 100, "BillingCountry": 100,
            "Country Code": 95, "Business Country/Region": 100, "Organization - Address - Country": 100,
        },
        "parent_domain": {
            "Parent Company Website": 100, "Parent Domain": 100, "Parent Company Domain": 100,
            "Parent Website": 100,
        },
        "phone": {"Company Main Telephone": 100},
    },
    "contacts": {
        "external_id": {"Id": 95, "Record ID": 100, "Contact ID": 100, "Person - ID": 100},
        "lifecycle_stage": {"Lifecycle Stage": 100, "Lifecycle": 100, "Stage": 80},
        "acquisition_source": {
            "Source": 100, "Lead Source": 100, "Original Source": 100, "Contact Source": 100,
            "LeadSource": 100, "Person - Source": 90,
        },
        "acquisition_channel": {
            "Channel": 100, "Acquisition Channel": 100, "Medium": 90, "UTM Medium": 90,
            "Original Source Drill-Down 1": 80,
        },
    },
    "leads": {
        "external_id": {"Id": 95, "Record ID": 100, "Lead ID": 100, "Lead - ID": 100},
        "company_name": {"Company": 100, "Lead - Organization": 100, "Company / Account": 100},
        "source": {
            "Source": 100, "Lead Source": 100, "LeadSource": 100, "Original Source": 95, "Lead - Source": 100,
        },
        "status": {"Status": 100, "Lead Status": 100, "Lead - Status": 100},
        "disqualified_reason": {
            "Disqualification Reason": 100, "Disqualified Reason": 100, "Unqualified Reason": 100,
            "Reason": 80,
        },
        "notes": {"Notes": 100, "Note": 100, "Description": 95, "Comments": 95, "Lead - Note": 100},
    },
    "deals": {
        "external_id": {
            "Id": 95, "Record ID": 100, "Deal ID": 100, "Opportunity ID": 100, "Deal - ID": 100,
        },
        "name": {
            "Name": 100, "Deal Name": 100, "Opportunity Name": 100, "Deal - Title": 100, "Title": 90,
            "Deal": 90, "Opportunity": 90,
        },
        "amount": {
            "Amount": 100, "Value": 95, "Deal - Value": 100, "Deal Amount": 100, "Opportunity Amount": 100,
            "Deal Value": 100,
        },
        "pipeline": {"Pipeline": 100, "Deal - Pipeline": 100, "Sales Pipeline": 100},
        "stage": {
            "Stage": 100, "Deal Stage": 100, "Stage Name": 100, "StageName": 100, "Deal - Stage": 100,
            "Opportunity Stage": 100,
        },
        "expected_close_date": {
            "Close Date": 100, "Expected Close Date": 100, "CloseDate": 100,
            "Deal - Expected close date": 100, "Closing Date": 95,
        },
        "closed_at": {
            "Closed At": 100, "Closed Date": 100, "Deal - Deal closed on": 100, "Deal - Won time": 85,
            "Deal - Lost time": 85,
        },
        "lost_reason": {
            "Lost Reason": 100, "Closed Lost Reason": 100, "Deal - Lost reason": 100, "Loss Reason": 100,
        },
    },
    "orders": {
        "number": {
            "Order Number": 100, "Order": 95, "Order ID": 100, "Order No": 100, "Order #": 100,
            "Name": 85, "Number": 95, "Order Name": 95, "Id": 85,
        },
        "ordered_at": {
            "Ordered At": 100, "Order Date": 100, "Created At": 90, "Date": 90, "Processed At": 90,
            "Purchase Date": 100, "Created Date": 85,
        },
        "status": {"Status": 100, "Order Status": 100},
        "sales_channel": {"Channel": 100, "Sales Channel": 100, "Source": 85},
        "contact_email": {
            "Email": 100, "Customer Email": 100, "Contact Email": 100, "Buyer Email": 100,
            "Billing Email": 95, "Email Address": 100,
        },
        "product_sku": {
            "SKU": 100, "Product SKU": 100, "Lineitem sku": 100, "Item SKU": 100, "Product Code": 95,
            "Article Number": 90,
        },
        "line_description": {
            "Line Description": 100, "Description": 95, "Lineitem name": 100, "Item": 90, "Product": 90,
            "Product Name": 95, "Item Name": 95,
        },
        "quantity": {"Quantity": 100, "Qty": 100, "Lineitem quantity": 100},
        "unit_price": {"Unit Price": 100, "Price": 95, "Lineitem price": 100, "Item Price": 100},
        "discount": {"Discount": 100, "Lineitem discount": 100, "Discount Amount": 95},
        "tax_rate": {"Tax Rate": 100, "VAT Rate": 100, "Tax %": 100, "VAT": 85, "Tax Rate (%)": 100},
    },
    "interactions": {
        "external_id": {"Id": 95, "Activity ID": 100, "Activity - ID": 100, "Engagement ID": 100},
        "kind": {
            "Kind": 100, "Type": 95, "Activity Type": 100, "Activity - Type": 100, "Engagement Type": 100,
        },
        "channel": {"Channel": 100, "Medium": 90},
        "direction": {"Direction": 100, "Call Direction": 100},
        "subject": {
            "Subject": 100, "Title": 90, "Activity - Subject": 100, "Activity Subject": 100, "Summary": 90,
        },
        "body": {
            "Body": 100, "Notes": 95, "Note": 95, "Description": 95, "Activity - Note": 100, "Details": 90,
            "Comments": 90, "Content": 90, "Message": 90,
        },
        "occurred_at": {
            "Occurred At": 100, "Date": 95, "Activity Date": 100, "Timestamp": 95, "Date Time": 95,
            "Activity - Due date": 90, "Activity - Marked as done time": 100, "Call Date": 95,
            "Start Time": 90, "Created Date": 80,
        },
        "duration_seconds": {"Duration": 100, "Call Duration": 100, "Activity - Duration": 100},
        "outcome": {"Outcome": 100, "Result": 90, "Call Outcome": 100, "Disposition": 90},
        "deal_external_id": {
            "Deal ID": 100, "Deal External ID": 100, "Deal - ID": 100, "Opportunity ID": 95,
        },
    },
}  # fmt: skip

# Prefixes that Pipedrive and Salesforce put before a field's own name ("Person - Birthday",
# "Account.Industry"): without them a header may still name a field or a custom field, at a lower score.
ENTITY_PREFIXES = (
    "person", "organization", "deal", "lead", "activity", "contact", "company", "account", "opportunity",
)  # fmt: skip
