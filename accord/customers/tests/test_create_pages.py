"""The new company and new contact pages: who may open them, what they create (one record, one audit entry
written via the web, through the same services as the API), errors beside the inputs, the company picker
(scoped to what the user sees) and a fixed number of queries whatever the number of users and records."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create
from accord.customers.tests.create_support import (
    created_entries,
    custom_fields,
    custom_role,
    error_beside,
    input_tag,
    text,
)
from accord.users.models import User
from accord.web.tests.builders import HTMX, browser, make_user, private

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep() -> User:
    return make_user("rita")


@pytest.fixture
def client(rep: User) -> Client:
    return browser(rep)


def company_of(owner: User | None, name: str = "Acme Robotics", **data: Any) -> Company:
    return company_create(actor=SYSTEM, data={"name": name, "owner_id": owner and owner.pk, **data})


def contact_form(owner: User, **data: Any) -> dict[str, Any]:
    return {
        "given_name": "Grace",
        "family_name": "Hopper",
        "job_title": "Rear admiral",
        "lifecycle_stage": "customer",
        "owner_id": str(owner.pk),
        **data,
    }


def company_form(owner: User, **data: Any) -> dict[str, Any]:
    return {"name": "Analytical Engines", "currency": "eur", "owner_id": str(owner.pk), **data}


# ---------------------------------------------------------------- who may open the pages


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("administrator", "/companies/new/", 200),
        ("sales_manager", "/companies/new/", 200),
        ("sales_rep", "/companies/new/", 200),
        ("marketer", "/companies/new/", 200),
        ("support_agent", "/companies/new/", 403),
        ("analyst", "/companies/new/", 403),
        ("read_only", "/companies/new/", 403),
        ("external_partner", "/companies/new/", 403),
        ("administrator", "/contacts/new/", 200),
        ("sales_rep", "/contacts/new/", 200),
        ("marketer", "/contacts/new/", 200),
        ("support_agent", "/contacts/new/", 403),
        ("read_only", "/contacts/new/", 403),
        ("external_partner", "/contacts/new/", 403),
    ],
)
def test_the_page_answers_by_the_role_s_create_right(role: str, path: str, status: int) -> None:
    response = browser(make_user("someone", role)).get(path)

    assert response.status_code == status
    if status == 403:
        assert "Your role may not create" in text(response)
        assert "<form" not in text(response).split('id="main"')[1]


def test_a_role_without_create_right_cannot_post_either() -> None:
    response = browser(make_user("sam", "support_agent")).post("/contacts/new/", {"family_name": "X"})

    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_signed_out_visitors_go_to_the_sign_in_page() -> None:
    response = Client().get("/contacts/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_other_methods_are_refused(client: Client) -> None:
    assert client.put("/contacts/new/").status_code == 405
    assert client.delete("/companies/new/").status_code == 405
    assert client.post("/new/choose/company_id/").status_code == 405


def test_the_contact_page_has_labels_a_create_button_and_a_cancel_link(client: Client) -> None:
    response = client.get("/contacts/new/")
    body = text(response)

    assert response.status_code == 200
    for input_id in (
        "id_given_name",
        "id_family_name",
        "id_emails",
        "id_phones",
        "id_company_id_query",
        "id_tags",
    ):
        assert f'<label for="{input_id}">' in body, input_id
    assert '<button class="primary" type="submit">Create contact</button>' in body
    assert '<a class="button secondary" href="/contacts/">Cancel</a>' in body
    assert "autofocus" in input_tag(response, "id_given_name")
    assert 'aria-live="polite"' in body  # the picker's matches


# ---------------------------------------------------------------- creating


def test_creating_a_company_makes_one_company_and_one_audit_entry_via_the_web(
    client: Client, rep: User
) -> None:
    before = AuditEntry.objects.count()

    response = client.post(
        "/companies/new/",
        company_form(
            rep, domain="https://www.Engines.example/about", phone="+44 20 7946 0958", tags="b2b, uk"
        ),
    )

    company = Company.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/companies/{company.pk}/"
    assert (company.name, company.domain, company.currency, company.owner_id) == (
        "Analytical Engines",
        "engines.example",
        "EUR",
        rep.pk,
    )
    assert company.phone == "+442079460958"
    assert sorted(tag.name for tag in company.tags.all()) == ["b2b", "uk"]
    assert AuditEntry.objects.count() == before + 1
    [entry] = created_entries(Company, company.pk)
    assert (entry.action, entry.via, entry.actor_id) == ("create", "web", rep.pk)
    assert SearchEntry.objects.filter(kind="company", object_id=company.pk).exists()
    page = client.get(response["Location"])
    assert "Company “Analytical Engines” created." in text(page)


def test_creating_a_contact_at_a_company(client: Client, rep: User) -> None:
    acme = company_of(rep)
    before = AuditEntry.objects.count()

    response = client.post(
        "/contacts/new/",
        contact_form(
            rep,
            emails="Grace@Navy.example\n\n grace@home.example ",
            phones="+1 415 555 2671",
            company_id=str(acme.pk),
            acquisition_source="fair-2026",
            tags="vip",
        ),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert [(email.email, email.is_primary) for email in contact.emails.all()] == [
        ("grace@navy.example", True),
        ("grace@home.example", False),
    ]
    assert [phone.number for phone in contact.phones.all()] == ["+14155552671"]
    assert [(job.company_id, job.role, job.is_current) for job in contact.employments.all()] == [
        (acme.pk, "Rear admiral", True)
    ]
    assert (contact.lifecycle_stage, contact.acquisition_source) == ("customer", "fair-2026")
    assert [tag.name for tag in contact.tags.all()] == ["vip"]
    assert AuditEntry.objects.count() == before + 1
    [entry] = created_entries(Contact, contact.pk)
    assert (entry.action, entry.via, entry.actor_id) == ("create", "web", rep.pk)
    page = client.get(response["Location"])
    assert "Contact “Grace Hopper” created." in text(page)
    assert "Acme Robotics" in text(page)


def test_custom_fields_are_inputs_of_their_type_and_are_saved(client: Client, rep: User) -> None:
    custom_fields("contact")

    page = client.get("/contacts/new/")
    assert 'type="number"' in input_tag(page, "id_cf-employees")
    assert 'type="date"' in input_tag(page, "id_cf-met_on")
    assert input_tag(page, "id_cf-tier").startswith("<select")
    assert input_tag(page, "id_cf-newsletter").startswith("<select")
    assert '<label for="id_cf-nickname">Nickname</label>' in text(page)

    response = client.post(
        "/contacts/new/",
        contact_form(
            rep,
            **{
                "cf-nickname": "Amazing Grace",
                "cf-employees": "12",
                "cf-met_on": "2026-03-02",
                "cf-newsletter": "true",
                "cf-tier": "gold",
            },
        ),
    )

    assert response.status_code == 302
    assert Contact.objects.get().custom_fields == {
        "nickname": "Amazing Grace",
        "employees": 12,
        "met_on": "2026-03-02",
        "newsletter": True,
        "tier": "gold",
    }


def test_a_record_handed_to_someone_the_user_does_not_see_leads_to_the_list(client: Client) -> None:
    stranger = make_user("sven")  # another sales representative, in no team with rita

    response = client.post("/companies/new/", company_form(stranger))

    assert Company.objects.get().owner_id == stranger.pk
    assert response.status_code == 302
    assert response["Location"] == "/companies/"
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert message.startswith("Company “Analytical Engines” created.")
    assert "does not appear to you" in message


# ---------------------------------------------------------------- errors beside the inputs


def test_a_company_without_a_name_is_refused_beside_the_name(client: Client, rep: User) -> None:
    response = client.post("/companies/new/", company_form(rep, name="", industry="Looms"))

    assert response.status_code == 422
    assert error_beside(response, "id_name") == "This field is required."
    assert 'aria-invalid="true"' in input_tag(response, "id_name")
    assert "autofocus" in input_tag(response, "id_name")
    assert 'value="Looms"' in input_tag(response, "id_industry")  # what was typed stays
    assert not Company.objects.exists()
    assert not AuditEntry.objects.filter(object_type="customers.company").exists()


def test_service_errors_of_a_company_appear_beside_their_inputs(client: Client, rep: User) -> None:
    response = client.post(
        "/companies/new/", company_form(rep, domain="not a domain", phone="12", currency="EU1", country="D1")
    )

    assert response.status_code == 422
    assert "is not a website domain" in error_beside(response, "id_domain")
    assert error_beside(response, "id_phone") == "'12' is not a valid phone number."
    assert error_beside(response, "id_currency") == "Use a three-letter ISO 4217 currency code, e.g. EUR."
    assert error_beside(response, "id_country") == "Use a two-letter ISO 3166 country code, e.g. DE."
    assert 'value="not a domain"' in input_tag(response, "id_domain")
    assert not Company.objects.exists()


def test_a_contact_without_any_name_is_refused_beside_the_family_name(client: Client, rep: User) -> None:
    response = client.post("/contacts/new/", contact_form(rep, given_name="", family_name="  "))

    assert response.status_code == 422
    assert error_beside(response, "id_family_name") == "A contact needs a given name or a family name."
    assert "One thing to correct" in text(response)
    assert '<a href="#id_family_name">Family name</a>' in text(response)
    assert not Contact.objects.exists()


def test_bad_emails_and_phones_are_named_beside_their_inputs(client: Client, rep: User) -> None:
    response = client.post(
        "/contacts/new/",
        contact_form(rep, emails="grace@navy.example\nada@@example", phones="+14155552671\n12345"),
    )

    assert response.status_code == 422
    email_error = error_beside(response, "id_emails")
    phone_error = error_beside(response, "id_phones")
    assert email_error.startswith("ada@@example: ")
    assert phone_error.startswith("12345: ")
    assert "valid phone number" in phone_error or "not a phone number" in phone_error
    assert "grace@navy.example\nada@@example</textarea>" in text(response)
    assert "Some things to correct" in text(response)
    assert 'aria-describedby="id_emails_error id_emails_helptext"' in input_tag(response, "id_emails")
    assert not Contact.objects.exists()
    assert not AuditEntry.objects.filter(object_type="customers.contact").exists()


def test_an_email_listed_twice_is_named(client: Client, rep: User) -> None:
    response = client.post("/contacts/new/", contact_form(rep, emails="a@example.com\nA@example.com"))

    assert response.status_code == 422
    assert error_beside(response, "id_emails") == "A@example.com: a@example.com is listed twice."


def test_a_required_custom_field_is_asked_for_beside_it(client: Client, rep: User) -> None:
    custom_fields("company")

    response = client.post("/companies/new/", company_form(rep, **{"cf-employees": "many"}))

    assert response.status_code == 422
    assert error_beside(response, "id_cf-nickname") == "This field is required."
    assert error_beside(response, "id_cf-employees") == "Enter a number."


@pytest.mark.parametrize(
    ("data", "input_id"),
    [
        ({"owner_id": "abc"}, "id_owner_id"),
        ({"owner_id": "999999"}, "id_owner_id"),
        ({"lifecycle_stage": "royalty"}, "id_lifecycle_stage"),
        ({"given_name": "Gr\x00ce"}, "id_given_name"),
        ({"given_name": "G" * 101}, "id_given_name"),
        ({"tags": "x" * 61}, "id_tags"),
        ({"emails": "\n".join(f"a{index}@example.com" for index in range(51))}, "id_emails"),
    ],
)
def test_malformed_input_is_refused_beside_the_input_never_a_server_error(
    client: Client, rep: User, data: dict[str, str], input_id: str
) -> None:
    response = client.post("/contacts/new/", contact_form(rep, **data))

    assert response.status_code == 422
    assert error_beside(response, input_id)
    assert not Contact.objects.exists()


@pytest.mark.parametrize("company_id", ["abc", "0", "-1", "99999999999999999999", "1.5"])
def test_a_malformed_company_id_is_refused_beside_the_picker(
    client: Client, rep: User, company_id: str
) -> None:
    response = client.post("/contacts/new/", contact_form(rep, company_id=company_id))

    assert response.status_code == 422
    assert error_beside(response, "id_company_id")
    assert not Contact.objects.exists()


# ---------------------------------------------------------------- the company picker


def test_a_company_the_user_cannot_see_is_refused_and_never_named(client: Client, rep: User) -> None:
    private("company")
    hidden = company_of(make_user("carol"), name="Zq Secret Holdings")

    response = client.post("/contacts/new/", contact_form(rep, company_id=str(hidden.pk)))

    assert response.status_code == 422
    assert error_beside(response, "id_company_id") == f"No company with id {hidden.pk}."
    assert "Zq Secret" not in text(response)
    assert not Contact.objects.exists()


def test_the_picker_lists_only_companies_the_user_sees(client: Client, rep: User) -> None:
    private("company")
    mine = company_of(rep, name="Zq Mine")
    company_of(make_user("carol"), name="Zq Theirs")

    response = client.get("/new/choose/company_id/", {"company_id_query": "zq"}, **HTMX)

    assert response.status_code == 200
    body = text(response)
    assert f'<input type="radio" name="company_id" value="{mine.pk}">' in body
    assert "Zq Mine" in body
    assert "Zq Theirs" not in body


def test_the_picker_leaves_out_what_is_already_chosen_and_says_when_nothing_matches(
    client: Client, rep: User
) -> None:
    mine = company_of(rep, name="Zq Mine")

    chosen = client.get("/new/choose/company_id/", {"company_id_query": "zq", "company_id": str(mine.pk)})
    nothing = client.get("/new/choose/company_id/", {"company_id_query": "nothing like it"})
    empty = client.get("/new/choose/company_id/", {"company_id_query": ""})

    assert "Zq Mine" not in text(chosen)
    assert "matches “zq”" in text(chosen)
    assert "No company you can see matches “nothing like it”" in text(nothing)
    assert text(empty).strip() == ""


def test_picker_urls_that_do_not_exist_or_are_not_allowed(client: Client) -> None:
    assert client.get("/new/choose/owner_id/", {"owner_id_query": "a"}).status_code == 404
    nobody = browser(make_user("nora", custom_role("contacts_only", {"contact": ["view", "create"]}).key))
    assert nobody.get("/new/choose/company_id/", {"company_id_query": "a"}).status_code == 403
    page = nobody.get("/contacts/new/")
    assert page.status_code == 200
    assert "picker-company_id" not in text(page)


def test_find_sends_the_form_back_with_the_matches_and_creates_nothing(client: Client, rep: User) -> None:
    acme = company_of(rep)

    response = client.post(
        "/contacts/new/", contact_form(rep, emails="bad@@", company_id_query="acme", _find="company_id")
    )

    assert response.status_code == 200
    assert f'<input type="radio" name="company_id" value="{acme.pk}">' in text(response)
    assert 'value="Grace"' in input_tag(response, "id_given_name")
    assert not error_beside(response, "id_emails")  # no errors before the person presses Create
    assert not Contact.objects.exists()


def test_a_search_with_nothing_chosen_shows_the_matches_instead_of_creating(
    client: Client, rep: User
) -> None:
    """What Enter in the search box does without JavaScript."""
    acme = company_of(rep)

    response = client.post("/contacts/new/", contact_form(rep, company_id_query="acme", company_id=""))

    assert response.status_code == 422
    assert "Choose one of the matches below" in error_beside(response, "id_company_id")
    assert f'value="{acme.pk}"' in text(response)
    assert "autofocus" in input_tag(response, "id_company_id_query")
    assert not Contact.objects.exists()

    chosen = client.post(
        "/contacts/new/", contact_form(rep, company_id_query="acme", company_id=str(acme.pk))
    )
    assert chosen.status_code == 302


# ---------------------------------------------------------------- prefill from the page it was opened from


def test_company_in_the_query_string_is_chosen_and_cancel_goes_back_to_it(client: Client, rep: User) -> None:
    acme = company_of(rep)

    response = client.get("/contacts/new/", {"company": str(acme.pk)})

    assert response.status_code == 200
    assert f'<input type="radio" name="company_id" value="{acme.pk}" checked> Acme Robotics' in text(response)
    assert f'href="/companies/{acme.pk}/">Cancel</a>' in text(response)


def test_parent_company_in_the_query_string(client: Client, rep: User) -> None:
    acme = company_of(rep)

    response = client.get("/companies/new/", {"parent": str(acme.pk)})
    created = client.post(f"/companies/new/?parent={acme.pk}", company_form(rep, parent_id=str(acme.pk)))

    assert f'<input type="radio" name="parent_id" value="{acme.pk}" checked> Acme Robotics' in text(response)
    assert created.status_code == 302
    assert Company.objects.get(name="Analytical Engines").parent_id == acme.pk


@pytest.mark.parametrize(
    ("value", "status"), [("abc", 400), ("1e3", 400), ("0", 404), ("99999999999999999999", 404)]
)
def test_a_malformed_or_unknown_prefill_id(client: Client, value: str, status: int) -> None:
    assert client.get("/contacts/new/", {"company": value}).status_code == status


def test_a_prefilled_company_the_user_cannot_see_answers_404(client: Client) -> None:
    private("company")
    hidden = company_of(make_user("carol"), name="Zq Secret Holdings")

    response = client.get("/contacts/new/", {"company": str(hidden.pk)})

    assert response.status_code == 404
    assert "Zq Secret" not in text(response)


# ---------------------------------------------------------------- fields the role may not set


def test_a_marketer_gets_no_phone_or_revenue_inputs() -> None:
    marketer = browser(make_user("mia", "marketer"))

    contact_page = marketer.get("/contacts/new/")
    company_page = marketer.get("/companies/new/")

    assert contact_page.status_code == company_page.status_code == 200
    assert not input_tag(contact_page, "id_phones")
    assert input_tag(contact_page, "id_emails")
    assert not input_tag(company_page, "id_annual_revenue")
    assert input_tag(company_page, "id_industry")


def test_a_hidden_field_sent_anyway_is_ignored(rep: User) -> None:
    marketer_user = make_user("mia", "marketer")
    marketer = browser(marketer_user)

    response = marketer.post(
        "/contacts/new/", contact_form(marketer_user, phones="+14155552671", emails="mia@example.com")
    )

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert not contact.phones.exists()
    assert [email.email for email in contact.emails.all()] == ["mia@example.com"]


def test_a_rep_gets_phone_and_revenue_inputs(client: Client) -> None:
    assert input_tag(client.get("/contacts/new/"), "id_phones")
    assert input_tag(client.get("/companies/new/"), "id_annual_revenue")


# ---------------------------------------------------------------- a fixed number of queries


def _people_and_companies(size: int, owner: User) -> None:
    """``size`` colleagues (the owner choices), companies and contacts matching "zq", custom fields."""
    for index in range(size):
        make_user(f"colleague{index:02d}")
        company_of(owner, name=f"Zq Company {index:02d}")
        contact_create(
            actor=SYSTEM,
            data={"given_name": "Zq", "family_name": f"Person {index:02d}", "owner_id": owner.pk},
        )


# Session, user and role (3) + custom fields (1) + the user directory (1); no access rules are read.
EMPTY_PAGE = 5
# … + access rules (1) + the check that the user sees the company named in ``?company=`` (1) + its name
# for the picker (1).
PREFILLED_PAGE = 8
# Session, user, role, access rules (4) + the search's tiers (at most 3: name prefix, word prefixes,
# substrings), each one LIMITed query that stops the search once enough matches are found.
PICKER_MATCHES_AT_MOST = 4 + 3


@pytest.mark.parametrize("size", [3, 30])
def test_the_pages_cost_the_same_queries_whatever_the_number_of_users_and_records(
    size: int, rep: User, client: Client, django_assert_num_queries: Any
) -> None:
    _people_and_companies(size, rep)
    acme = Company.objects.get(name="Zq Company 00")

    with django_assert_num_queries(EMPTY_PAGE):
        assert client.get("/companies/new/").status_code == 200
    with django_assert_num_queries(EMPTY_PAGE):
        assert client.get("/contacts/new/").status_code == 200
    with django_assert_num_queries(PREFILLED_PAGE):
        assert client.get("/contacts/new/", {"company": str(acme.pk)}).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_the_picker_s_matches_cost_a_bounded_number_of_queries(
    size: int, rep: User, client: Client, django_assert_max_num_queries: Any
) -> None:
    _people_and_companies(size, rep)

    with django_assert_max_num_queries(PICKER_MATCHES_AT_MOST):
        response = client.get("/new/choose/company_id/", {"company_id_query": "zq company"})
    assert text(response).count('type="radio"') == min(size, 8)  # the first 8 matches at most


@pytest.mark.parametrize("size", [3, 30])
def test_a_refused_form_costs_the_same_queries_whatever_the_number_of_records(
    size: int, rep: User, client: Client, django_assert_max_num_queries: Any
) -> None:
    _people_and_companies(size, rep)

    with django_assert_max_num_queries(12):
        response = client.post("/contacts/new/", contact_form(rep, emails="bad@@", company_id_query="zq"))
    assert response.status_code == 422


def test_anything_typed_in_a_search_box_is_no_error(client: Client, rep: User) -> None:
    company_of(rep)

    matches = client.get("/new/choose/company_id/", {"company_id_query": "ac\x00me" + "x" * 500})
    found = client.post("/contacts/new/", contact_form(rep, company_id_query="acme\x00", _find="company_id"))

    assert matches.status_code == 200
    assert found.status_code == 200
    assert "Acme Robotics" in text(found)
