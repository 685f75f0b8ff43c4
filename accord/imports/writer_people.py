"""Import of companies, contacts and leads: each row checked with the services' own field rules
(``cleaned_company_fields``, ``cleaned_contact_fields``, ``cleaned_lead_fields``), its references resolved from the batch's lookups."""

from __future__ import annotations

from typing import Any

from accord.core.errors import FieldErrors
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment, person_name
from accord.customers.services import (
    cleaned_company_fields,
    cleaned_contact_fields,
    company_search_fields,
    contact_search_fields,
)
from accord.customers.summaries import contact_summaries_refresh
from accord.imports.fields import COMPANIES, CONTACTS, LEADS
from accord.imports.rows import ParsedRow
from accord.imports.writer import (
    Draft,
    KindWriter,
    apply_changes,
    check_columns,
    check_tags,
    data_from,
    field_changes,
    split_name,
)
from accord.imports.writer_refs import References, company_key
from accord.imports.writer_sql import Table
from accord.sales.models import Lead
from accord.sales.services import LEAD_TEXT, cleaned_lead_fields, lead_search_fields

COMPANY_INPUT = (
    "external_id", "name", "domain", "industry", "size_band", "annual_revenue", "currency", "phone",
    "street", "city", "region", "postal_code", "country",
)  # fmt: skip


class CompanyWriter(KindWriter):
    kind = COMPANIES
    model = Company
    search_kind = "company"
    needs = frozenset({"companies"})
    batches_independent = False  # a row's parent may be a company that an earlier row creates

    def _fields(self, rows: list[ParsedRow], refs: References, instance: Company | None) -> dict[str, Any]:
        values = rows[0].values
        errors = FieldErrors()
        fields = cleaned_company_fields(
            self.actor, data_from(values, COMPANY_INPUT), instance=instance, errors=errors
        )
        errors.raise_if_any()
        fields.update(self.owner(refs, values, default=instance is None))
        if values.get("parent_domain"):
            fields["parent_id"] = refs.company(
                (values["parent_domain"], ""), create=False, field_name="parent_domain"
            )
        if instance is None and "created_at" in values:
            fields["created_at"] = values["created_at"]
        check_columns(Company, fields)
        return fields

    def create(self, rows: list[ParsedRow], refs: References) -> Draft:
        fields = self._fields(rows, refs, None)
        company = Company(**fields)
        return Draft(
            rows, fields, tags=check_tags(rows[0].values), label=str(company),
            search=lambda: company_search_fields(company),
        )  # fmt: skip

    def update(self, rows: list[ParsedRow], refs: References, existing: Any) -> Draft:
        draft = Draft(rows, {}, label=existing.name)
        apply_changes(draft, existing, field_changes(existing, self._fields(rows, refs, existing)))
        add_new_tags(draft, existing, check_tags(rows[0].values))
        draft.label = existing.name
        draft.search = lambda: company_search_fields(existing)
        return draft

    def load(self, pks: Any) -> dict[int, Any]:
        return Company.objects.prefetch_related("tags").in_bulk(list(pks))


CONTACT_INPUT = ("external_id", "job_title", "lifecycle_stage", "acquisition_source", "acquisition_channel")


class ContactWriter(KindWriter):
    kind = CONTACTS
    model = Contact
    search_kind = "contact"
    needs = frozenset({"companies"})

    @classmethod
    def permission_fields(cls, mapped: Any) -> list[str]:
        phones = {"phone", "mobile_phone", "other_phones"}
        return sorted({"phones" if name in phones else name for name in mapped})

    def _data(self, values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        data = data_from(values, CONTACT_INPUT)
        names = split_name(values)
        if creating and not names and values.get("email"):
            # A contact needs a name (a database constraint); a row with only an email is named after it.
            names = {"given_name": "", "family_name": values["email"].split("@")[0][:100]}
        data.update(names)
        return data

    def create(self, rows: list[ParsedRow], refs: References) -> Draft:
        values = rows[0].values
        errors = FieldErrors()
        fields = cleaned_contact_fields(
            self.actor, self._data(values, creating=True), instance=None, errors=errors
        )
        errors.raise_if_any()
        owner = refs.owner(values)
        if owner is not None:
            fields["owner_id"] = owner
        if "created_at" in values:
            fields["created_at"] = values["created_at"]
        check_columns(Contact, fields)
        emails = _emails(values)
        phones = _phones(values)
        label = person_name(fields.get("given_name", ""), fields.get("family_name", ""))
        draft = Draft(rows, fields, tags=check_tags(values), label=label)
        company = self.company(refs, draft.companies, company_key(values))
        draft.children = {"emails": emails, "phones": phones, "company": company}
        # The list summary (accord.customers.summaries) goes in with the row: refreshing it afterwards
        # rewrote every new contact, a fifth of an import's time on PostgreSQL.
        draft.fields["primary_email"] = emails[0] if emails else None
        draft.fields["primary_phone"] = phones[0][0] if phones else None
        if company is not None:
            draft.late["current_company_id"] = company
        numbers = [number for number, _ in phones]
        draft.search = lambda: contact_search_fields(
            label, emails, numbers, [refs.company_name(company)] if company else []
        )
        return draft

    def update(self, rows: list[ParsedRow], refs: References, existing: Any) -> Draft:
        values = rows[0].values
        errors = FieldErrors()
        fields = cleaned_contact_fields(
            self.actor, self._data(values, creating=False), instance=existing, errors=errors
        )
        errors.raise_if_any()
        owner = refs.owner(values)
        if owner is not None:
            fields["owner_id"] = owner
        check_columns(Contact, fields)
        draft = Draft(rows, {})
        apply_changes(draft, existing, field_changes(existing, fields))
        old_emails = [email.email for email in existing.emails.all()]
        old_phones = [phone.number for phone in existing.phones.all()]
        emails = [email for email in _emails(values) if email not in old_emails]
        phones = [(number, label) for number, label in _phones(values) if number not in old_phones]
        jobs = list(existing.employments.all())
        company = self.company(refs, draft.companies, company_key(values))
        if (
            company is not None
            and isinstance(company, int)
            and any(job.company_id == company for job in jobs)
        ):
            company = None
        if emails:
            draft.changes["emails"] = (old_emails, old_emails + emails)
        if phones:
            draft.changes["phones"] = (old_phones, old_phones + [number for number, _ in phones])
        draft.children = {"emails": emails, "phones": phones, "company": company, "jobs": jobs}
        draft.children["first_email"] = not old_emails
        draft.children["first_phone"] = not old_phones
        draft.previous["added"] = {"emails": emails, "phones": [number for number, _ in phones]}
        add_new_tags(draft, existing, check_tags(values))
        draft.label = existing.full_name
        names = [job.company.name for job in jobs if job.is_current]
        numbers = old_phones + [number for number, _ in phones]
        draft.search = lambda: contact_search_fields(
            existing.full_name,
            old_emails + emails,
            numbers,
            names + ([refs.company_name(company)] if company else []),
        )
        return draft

    def load(self, pks: Any) -> dict[int, Any]:
        related = ("emails", "phones", "employments__company", "tags")
        return Contact.objects.prefetch_related(*related).in_bulk(list(pks))

    def write_children(self, created: list[Draft], updated: list[Draft], refs: References) -> None:
        email_rows: list[tuple[Any, ...]] = []
        phone_rows: list[tuple[Any, ...]] = []
        job_rows: list[tuple[Any, ...]] = []
        for draft in created:
            children = draft.children
            email_rows += [
                (draft.pk, email, "", index == 0) for index, email in enumerate(children["emails"])
            ]
            phone_rows += [
                (draft.pk, number, label, index == 0)
                for index, (number, label) in enumerate(children["phones"])
            ]
            if children["company"] is not None:
                job_rows.append(
                    (draft.pk, refs.company_id(children["company"]), draft.fields.get("job_title", ""), True)
                )
        for draft in updated:
            children = draft.children
            email_rows += [
                (draft.pk, email, "", children["first_email"] and index == 0)
                for index, email in enumerate(children["emails"])
            ]
            phone_rows += [
                (draft.pk, number, label, children["first_phone"] and index == 0)
                for index, (number, label) in enumerate(children["phones"])
            ]
            if children["company"] is not None:
                company_id = refs.company_id(children["company"])
                job_rows.append((draft.pk, company_id, draft.existing.job_title, True))  # type: ignore[union-attr]
                old = [[job.company_id, job.role, job.is_current] for job in children["jobs"]]
                new = [*old, [company_id, draft.existing.job_title, True]]  # type: ignore[union-attr]
                draft.changes["employments"] = (old, new)
                draft.previous["added"]["employment_company_id"] = company_id
        Table(ContactEmail, ["contact_id", "email", "label", "is_primary"]).insert(email_rows)
        Table(ContactPhone, ["contact_id", "number", "label", "is_primary"]).insert(phone_rows)
        Table(Employment, ["contact_id", "company_id", "role", "is_current"]).insert(job_rows)
        # The list summary on an updated contact's row follows its children (accord.customers.summaries).
        contact_summaries_refresh([draft.pk for draft in updated])


def _emails(values: dict[str, Any]) -> list[str]:
    return list(
        dict.fromkeys(email for email in [values.get("email"), *values.get("other_emails", ())] if email)
    )


def _phones(values: dict[str, Any]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for number, label in [
        (values.get("phone"), ""),
        (values.get("mobile_phone"), "mobile"),
        *((number, "") for number in values.get("other_phones", ())),
    ]:
        if number and number not in found:
            found[number] = label
    return list(found.items())


def add_new_tags(draft: Draft, existing: Any, tags: list[str]) -> None:
    old = sorted(tag.name for tag in existing.tags.all())
    added = [tag for tag in tags if tag not in old]
    if added:
        draft.tags = added
        draft.changes["tags"] = (old, sorted(old + added))
        draft.previous.setdefault("added", {})["tags"] = added


LEAD_INPUT = (*LEAD_TEXT, "email", "phone", "company_domain", "status")


class LeadWriter(KindWriter):
    kind = LEADS
    model = Lead
    search_kind = "lead"

    def _fields(self, rows: list[ParsedRow], refs: References, instance: Lead | None) -> dict[str, Any]:
        values = rows[0].values
        data = {**data_from(values, LEAD_INPUT), **split_name(values)}
        errors = FieldErrors()
        fields = cleaned_lead_fields(self.actor, data, instance=instance, errors=errors)
        errors.raise_if_any()
        fields.update(self.owner(refs, values, default=instance is None))
        if instance is None and "created_at" in values:
            fields["created_at"] = values["created_at"]
        check_columns(Lead, fields)
        return fields

    def create(self, rows: list[ParsedRow], refs: References) -> Draft:
        lead = Lead(**self._fields(rows, refs, None))
        fields = {name: getattr(lead, name) for name in self._field_names()}
        return Draft(
            rows,
            fields,
            tags=check_tags(rows[0].values),
            label=str(lead),
            search=lambda: lead_search_fields(lead),
        )

    def _field_names(self) -> list[str]:
        return [f.attname for f in Lead._meta.concrete_fields if not f.primary_key]

    def update(self, rows: list[ParsedRow], refs: References, existing: Any) -> Draft:
        draft = Draft(rows, {})
        apply_changes(draft, existing, field_changes(existing, self._fields(rows, refs, existing)))
        add_new_tags(draft, existing, check_tags(rows[0].values))
        draft.label = str(existing)
        draft.search = lambda: lead_search_fields(existing)
        return draft

    def load(self, pks: Any) -> dict[int, Any]:
        return Lead.objects.prefetch_related("tags").in_bulk(list(pks))
