"""Lead services: validation, audit and search, and the conversion into contact, company and deal."""

from decimal import Decimal

import pytest

from accord.core.actors import Actor
from accord.core.errors import Conflict, PreconditionFailed, ValidationFailed
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.models import Company, Contact, ContactEmail, Employment
from accord.customers.services import company_create, contact_create
from accord.sales import services
from accord.sales.models import Deal, DealStageChange, Lead, Pipeline, Stage
from accord.sales.selectors import lead_conversion_preview
from accord.sales.services import lead_convert, lead_create, lead_delete, lead_update

pytestmark = pytest.mark.django_db


def _lead(actor: Actor, **fields: object) -> Lead:
    data = {"given_name": "Ada", "family_name": "Lovelace", "email": "Ada@Acme.com", **fields}
    return lead_create(actor=actor, data=data)


def test_lead_create_normalises_audits_and_indexes(actor: Actor) -> None:
    lead = _lead(
        actor, phone="+1 (415) 555-2671", company_name="Acme Ltd", company_domain="https://www.ACME.com/about",
        tags=["fair"],
    )  # fmt: skip
    assert (lead.email, lead.phone, lead.company_domain) == ("ada@acme.com", "+14155552671", "acme.com")
    assert (lead.status, lead.owner_id, lead.version) == ("new", actor.user_id, 1)
    assert list(lead.tags.values_list("name", flat=True)) == ["fair"]
    assert AuditEntry.objects.get().action == "create"
    entry = SearchEntry.objects.get(kind="lead")
    assert (entry.object_id, entry.title, entry.subtitle) == (lead.pk, "Ada Lovelace", "Acme Ltd")
    assert entry.text == "ada lovelace ada@acme.com 14155552671 acme ltd acme.com"


def test_lead_validation_names_every_bad_field(actor: Actor) -> None:
    with pytest.raises(ValidationFailed) as error:
        lead_create(
            actor=actor,
            data={
                "family_name": "X",
                "email": "not-an-email",
                "phone": "12",
                "company_domain": "not a domain",
                "status": "disqualified",
                "owner_id": 999,
                "custom_fields": {"nope": 1},
            },
        )
    assert set(error.value.fields) == {
        "email", "phone", "company_domain", "disqualified_reason", "owner_id", "custom_fields.nope",
    }  # fmt: skip
    assert not Lead.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_lead_needs_some_identity(actor: Actor) -> None:
    with pytest.raises(ValidationFailed) as error:
        lead_create(actor=actor, data={"given_name": " ", "source": "fair"})
    assert error.value.fields == {"family_name": ["A lead needs a name, a company name or an email."]}
    assert lead_create(actor=actor, data={"company_name": "Acme"}).company_name == "Acme"


def test_lead_update_audits_reindexes_and_checks_the_version(actor: Actor) -> None:
    lead = _lead(actor)
    updated = lead_update(actor=actor, instance=lead, data={"family_name": "Byron"}, expected_version=1)
    assert (updated.family_name, updated.version) == ("Byron", 2)
    assert AuditEntry.objects.get(action="update").changes == {"family_name": ["Lovelace", "Byron"]}
    assert SearchEntry.objects.get(kind="lead").title == "Ada Byron"
    with pytest.raises(PreconditionFailed):
        lead_update(actor=actor, instance=lead, data={"family_name": "King"}, expected_version=1)


def test_disqualifying_needs_a_reason(actor: Actor) -> None:
    lead = _lead(actor)
    with pytest.raises(ValidationFailed) as error:
        lead_update(actor=actor, instance=lead, data={"status": "disqualified"})
    assert list(error.value.fields) == ["disqualified_reason"]
    lead = lead_update(
        actor=actor, instance=lead, data={"status": "disqualified", "disqualified_reason": "Student"}
    )
    assert lead.status == "disqualified"


def test_status_converted_is_reserved_to_the_conversion(actor: Actor) -> None:
    lead = _lead(actor)
    with pytest.raises(ValidationFailed) as error:
        lead_update(actor=actor, instance=lead, data={"status": "converted"})
    assert list(error.value.fields) == ["status"]
    lead_convert(actor=actor, instance=lead)
    with pytest.raises(ValidationFailed):
        lead_update(actor=actor, instance=lead, data={"status": "working"})


def test_lead_delete_removes_the_search_entry(actor: Actor) -> None:
    lead = _lead(actor)
    lead_delete(actor=actor, instance=lead)
    assert not Lead.objects.exists()
    assert not SearchEntry.objects.exists()
    assert AuditEntry.objects.filter(action="delete", object_id=lead.pk).count() == 1


# ---------------------------------------------------------------- conversion


def test_conversion_creates_contact_and_company_when_nothing_matches(actor: Actor) -> None:
    lead = _lead(
        actor, phone="+14155552671", job_title="CTO", company_name="Acme", source="fair", tags=["vip"]
    )
    result = lead_convert(actor=actor, instance=lead)

    contact = Contact.objects.get()
    company = Company.objects.get()
    assert (result.contact.record, result.contact.created) == (contact, True)
    assert (result.company.record, result.company.created) == (company, True)  # type: ignore[union-attr]
    assert (result.deal, result.employment_created) == (None, True)
    assert (contact.full_name, contact.job_title, contact.acquisition_source) == (
        "Ada Lovelace",
        "CTO",
        "fair",
    )
    assert list(contact.emails.values_list("email", flat=True)) == ["ada@acme.com"]
    assert list(contact.phones.values_list("number", flat=True)) == ["+14155552671"]
    assert list(contact.tags.values_list("name", flat=True)) == ["vip"]
    # The email's domain becomes the company's website, so the next lead from it matches.
    assert (company.name, company.domain) == ("Acme", "acme.com")
    assert list(Employment.objects.values_list("contact", "company", "role")) == [
        (contact.pk, company.pk, "CTO")
    ]

    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("converted", 2)
    assert lead.converted_at is not None
    assert (lead.converted_contact, lead.converted_company, lead.converted_deal) == (contact, company, None)
    convert_entry = AuditEntry.objects.get(action="convert")
    assert convert_entry.changes["status"] == ["new", "converted"]


def test_conversion_reuses_the_contact_with_the_email_and_the_company_with_the_domain(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "ACME Corporation", "domain": "acme.com"})
    contact = contact_create(
        actor=actor, data={"family_name": "Lovelace", "emails": [{"email": "ada@acme.com"}]}
    )
    lead = _lead(actor, email="ADA@acme.com", company_name="Acme", company_domain="www.acme.com")

    preview = lead_conversion_preview(actor=actor, lead=lead)
    assert (preview.contact.record, preview.contact.matched_by) == (contact, "email")  # type: ignore[union-attr]
    assert (preview.company.record, preview.company.matched_by) == (company, "domain")  # type: ignore[union-attr]
    assert (preview.creates_contact, preview.creates_company) == (False, False)

    result = lead_convert(actor=actor, instance=lead)
    assert (result.contact.record, result.contact.created) == (contact, False)
    assert (result.company.record, result.company.created) == (company, False)  # type: ignore[union-attr]
    assert (Contact.objects.count(), Company.objects.count(), ContactEmail.objects.count()) == (1, 1, 1)
    # The reused contact is linked to the company through the contact service: audited and reindexed.
    assert result.employment_created is True
    assert list(Employment.objects.values_list("contact", "company")) == [(contact.pk, company.pk)]
    assert AuditEntry.objects.filter(action="update", object_id=contact.pk).count() == 1
    assert "ACME Corporation" in SearchEntry.objects.get(kind="contact").subtitle


def test_an_existing_employment_is_not_duplicated(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "Acme", "domain": "acme.com"})
    contact_create(
        actor=actor,
        data={
            "family_name": "Lovelace",
            "emails": [{"email": "ada@acme.com"}],
            "employments": [{"company_id": company.pk, "role": "CEO"}],
        },
    )
    result = lead_convert(actor=actor, instance=_lead(actor, job_title="CTO"))
    assert result.employment_created is False
    assert list(Employment.objects.values_list("role", flat=True)) == ["CEO"]
    assert not AuditEntry.objects.filter(action="update").exists()


@pytest.mark.parametrize(
    ("company", "lead", "matched_by"),
    [
        ({"name": "Other name", "domain": "acme.com"}, {"email": "ada@acme.com", "company_name": "Acme"}, "email_domain"),
        ({"name": "ACME"}, {"email": "ada@gmail.com", "company_name": "acme"}, "name"),
        ({"name": "Acme", "domain": "acme.com"}, {"email": "ada@gmail.com", "company_name": "acme"}, "name"),
    ],
)  # fmt: skip
def test_company_matching_order(actor: Actor, company: dict, lead: dict, matched_by: str) -> None:
    existing = company_create(actor=actor, data=company)
    match = lead_conversion_preview(actor=actor, lead=_lead(actor, **lead)).company
    assert (match.record, match.matched_by) == (existing, matched_by)  # type: ignore[union-attr]


def test_free_mail_domains_and_other_websites_never_match(actor: Actor) -> None:
    company_create(actor=actor, data={"name": "Gmail", "domain": "gmail.com"})
    company_create(actor=actor, data={"name": "Acme", "domain": "acme.de"})
    lead = _lead(actor, email="ada@gmail.com", company_name="Acme", company_domain="acme.com")
    preview = lead_conversion_preview(actor=actor, lead=lead)
    assert (preview.company, preview.creates_company) == (None, True)
    result = lead_convert(actor=actor, instance=lead)
    assert (result.company.record.domain, result.company.created) == ("acme.com", True)  # type: ignore[union-attr]
    assert Company.objects.count() == 3


def test_a_lead_without_company_converts_to_a_contact_only(actor: Actor) -> None:
    result = lead_convert(actor=actor, instance=_lead(actor, email="ada@gmail.com"))
    assert (result.company, result.employment_created) == (None, False)
    assert not Company.objects.exists()
    assert Contact.objects.count() == 1


def test_explicit_contact_and_company_are_reused(actor: Actor) -> None:
    company = company_create(actor=actor, data={"name": "Chosen"})
    contact = contact_create(actor=actor, data={"family_name": "Chosen"})
    result = lead_convert(
        actor=actor, instance=_lead(actor, company_name="Acme"), contact_id=contact.pk, company_id=company.pk
    )
    assert (result.contact.record, result.company.record) == (contact, company)  # type: ignore[union-attr]
    assert (Contact.objects.count(), Company.objects.count()) == (1, 1)
    with pytest.raises(ValidationFailed) as error:
        lead_convert(actor=actor, instance=_lead(actor), contact_id=999, company_id=998)
    assert list(error.value.fields) == ["company_id"]  # the company is resolved first


def test_converting_twice_is_a_conflict_and_creates_nothing(actor: Actor) -> None:
    lead = _lead(actor, company_name="Acme")
    lead_convert(actor=actor, instance=lead)
    with pytest.raises(Conflict):
        lead_convert(actor=actor, instance=lead)
    assert (Contact.objects.count(), Company.objects.count()) == (1, 1)


def test_two_leads_of_one_person_share_one_contact(actor: Actor) -> None:
    first = lead_convert(actor=actor, instance=_lead(actor, company_name="Acme"))
    second = lead_convert(actor=actor, instance=_lead(actor, email="ADA@ACME.COM", company_name="ACME"))
    assert (second.contact.record, second.contact.created) == (first.contact.record, False)
    assert (second.company.record, second.company.created) == (first.company.record, False)  # type: ignore[union-attr]
    assert (Contact.objects.count(), Company.objects.count(), Employment.objects.count()) == (1, 1, 1)


def test_conversion_opens_a_deal_with_the_contact(actor: Actor, pipeline: Pipeline, stages: dict) -> None:
    lead = _lead(actor, company_name="Acme")
    result = lead_convert(
        actor=actor, instance=lead, create_deal={"amount": Decimal("5000.00"), "currency": "usd"}
    )
    deal = Deal.objects.get()
    assert (result.deal.record, result.deal.created) == (deal, True)  # type: ignore[union-attr]
    assert (deal.name, deal.amount, deal.currency) == ("Acme", Decimal("5000.00"), "USD")
    assert (deal.pipeline, deal.stage, deal.company) == (pipeline, stages["Qualify"], result.company.record)  # type: ignore[union-attr]
    assert list(deal.contacts.all()) == [result.contact.record]
    assert DealStageChange.objects.get().to_stage == stages["Qualify"]
    lead.refresh_from_db()
    assert lead.converted_deal == deal


def test_deal_errors_of_a_conversion_are_named_under_create_deal(
    actor: Actor, stages: dict, other_pipeline: Pipeline
) -> None:
    lead = _lead(actor, company_name="Acme")
    other_stage = other_pipeline.stages.first()
    with pytest.raises(ValidationFailed) as error:
        lead_convert(
            actor=actor,
            instance=lead,
            create_deal={"pipeline_id": stages["Qualify"].pipeline_id, "stage_id": other_stage.pk},  # type: ignore[union-attr]
        )
    assert list(error.value.fields) == ["create_deal.stage_id"]


def test_a_failure_mid_conversion_leaves_nothing_written(
    actor: Actor, stages: dict[str, Stage], monkeypatch: pytest.MonkeyPatch
) -> None:
    company_create(actor=actor, data={"name": "Acme", "domain": "acme.com"})
    lead = _lead(actor, company_name="Acme", job_title="CTO")
    before = (AuditEntry.objects.count(), SearchEntry.objects.count())

    def failing_deal_create(**kwargs: object) -> Deal:
        Deal.objects.create(name="half", pipeline_id=stages["Won"].pipeline_id, stage=stages["Won"])
        raise Conflict("The deal could not be written.")

    monkeypatch.setattr(services, "deal_create", failing_deal_create)
    with pytest.raises(Conflict):
        lead_convert(actor=actor, instance=lead, create_deal={"amount": Decimal(1)})
    # Contact, employment, deal and the lead's change were all written before the failure: none stays.
    assert (Contact.objects.count(), Company.objects.count(), Employment.objects.count()) == (0, 1, 0)
    assert (Deal.objects.count(), DealStageChange.objects.count()) == (0, 0)
    assert (AuditEntry.objects.count(), SearchEntry.objects.count()) == before
    lead.refresh_from_db()
    assert (lead.status, lead.version, lead.converted_contact_id) == ("new", 1, None)
