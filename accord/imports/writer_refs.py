"""The records a batch's rows name by natural key, each kind read with one query for the whole batch: owners
(username or email), companies (website domain, else exact name), contacts (email), pipelines and stages
(name), products (SKU) and deals (external id).

Companies, contacts and deals are looked up among the records the importing user sees, so a file cannot
attach rows to records they may not see, nor learn that they exist. Companies a row names but that do not
exist are created for contacts, deals and orders (``pending``), once per batch, after the rows are checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from accord.core.actors import Actor
from accord.core.permissions import visible_to
from accord.customers.models import Company, Contact, ContactEmail
from accord.imports.rows import ParsedRow
from accord.sales.models import Deal, Pipeline, Product, Stage

CompanyKey = tuple[str, str]  # (domain, name): the domain wins when both are given


class Rejected(Exception):
    """A row cannot be written; ``field`` names the import field at fault ("" for the row)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def company_key(
    values: Mapping[str, Any], *, name: str = "company_name", domain: str = "company_domain"
) -> CompanyKey | None:
    if not values.get(domain) and not values.get(name):
        return None
    return (values.get(domain) or "", values.get(name) or "")


@dataclass
class References:
    """What one batch's rows refer to. Build it with ``load``; lookups then answer from memory."""

    actor: Actor
    owners: dict[str, int] = field(default_factory=dict)  # username and lowercased email -> user id
    companies_by_domain: dict[str, int] = field(default_factory=dict)
    companies_by_name: dict[str, int] = field(default_factory=dict)
    company_names: dict[int, str] = field(default_factory=dict)
    contacts_by_email: dict[str, int] = field(default_factory=dict)
    pipelines: dict[str, Pipeline] = field(default_factory=dict)  # lowercased name
    default_pipeline: Pipeline | None = None
    stages: dict[tuple[int, str], Stage] = field(default_factory=dict)  # (pipeline id, lowercased name)
    products: dict[str, Product] = field(default_factory=dict)
    deals: dict[str, int] = field(default_factory=dict)  # external id -> id
    pending: dict[CompanyKey, int | None] = field(default_factory=dict)  # companies to create -> new id
    pending_by_domain: dict[str, CompanyKey] = field(default_factory=dict)
    pending_by_name: dict[str, CompanyKey] = field(default_factory=dict)

    @classmethod
    def load(cls, actor: Actor, rows: Iterable[ParsedRow], needs: set[str]) -> References:
        refs = cls(actor=actor)
        values = [row.values for row in rows]
        refs._load_owners({v["owner"] for v in values if v.get("owner")})
        if "companies" in needs:
            keys = {key for v in values for key in _company_keys(v)}
            refs._load_companies({domain for domain, _ in keys if domain}, {name for _, name in keys if name})
        if "contacts" in needs:
            emails = {email for v in values for email in _emails(v)}
            refs._load_contacts(emails)
        if "stages" in needs:
            refs._load_stages()
        if "products" in needs:
            skus = {v["product_sku"] for v in values if v.get("product_sku")}
            refs.products = {product.sku: product for product in Product.objects.filter(sku__in=skus)}
        if "deals" in needs:
            ids = {v["deal_external_id"] for v in values if v.get("deal_external_id")}
            deals = visible_to(actor, Deal.objects.filter(external_id__in=ids)).order_by("id")
            for external_id, pk in deals.values_list("external_id", "id"):
                refs.deals.setdefault(external_id, pk)
        return refs

    def _load_owners(self, names: set[str]) -> None:
        if not names:
            return
        lowered = {name.lower() for name in names}
        # The services' rule (customers.services.owner_from): an owner is an active user.
        users = get_user_model().objects.filter(Q(username__in=names) | Q(email__in=lowered), is_active=True)
        for pk, username, email in users.order_by("id").values_list("id", "username", "email"):
            self.owners.setdefault(username, pk)
            if email:
                self.owners.setdefault(email.lower(), pk)

    def _load_companies(self, domains: set[str], names: set[str]) -> None:
        if not domains and not names:
            return
        condition = Q(domain__in=domains) | Q(name__in=names)
        companies = visible_to(self.actor, Company.objects.filter(condition)).order_by("id")
        for pk, domain, name in companies.values_list("id", "domain", "name"):
            if domain in domains:
                self.companies_by_domain.setdefault(domain, pk)
            if name in names:
                self.companies_by_name.setdefault(name, pk)
            self.company_names[pk] = name

    def _load_contacts(self, emails: set[str]) -> None:
        if not emails:
            return
        visible = ContactEmail.objects.filter(
            email__in=emails, contact__in=visible_to(self.actor, Contact.objects.all())
        ).order_by("contact_id")
        for email, contact_id in visible.values_list("email", "contact_id"):
            self.contacts_by_email.setdefault(email, contact_id)

    def _load_stages(self) -> None:
        # Pipelines and stages are a small catalogue: all of them, in one query.
        for stage in visible_to(self.actor, Stage.objects.select_related("pipeline")):
            pipeline = stage.pipeline
            self.pipelines[pipeline.name.lower()] = pipeline
            self.stages[(pipeline.pk, stage.name.lower())] = stage
        ordered = sorted(self.pipelines.values(), key=lambda p: (not p.is_default, p.position, p.pk))
        self.default_pipeline = ordered[0] if ordered else None

    # ------------------------------------------------------------------ lookups

    def owner(self, values: Mapping[str, Any]) -> int | None:
        """The row's owner; None when the row names none (the caller picks the default)."""
        name = values.get("owner")
        if not name:
            return None
        pk = self.owners.get(name) or self.owners.get(name.lower())
        if pk is None:
            raise Rejected("owner", f"No active user with the username or email '{name}'.")
        return pk

    def company(
        self, key: CompanyKey | None, *, create: bool, field_name: str = "company_name"
    ) -> int | CompanyKey | None:
        """An existing company's id; for a company to create, its key (resolved by ``company_id`` once
        created); None when the row names none."""
        if key is None:
            return None
        domain, name = key
        found: int | CompanyKey | None = None
        if domain:
            found = self.companies_by_domain.get(domain) or self.pending_by_domain.get(domain)
        if found is None and name:
            found = self.companies_by_name.get(name) or self.pending_by_name.get(name)
        if found is not None:
            return found
        if not create:
            raise Rejected(field_name, f"No company '{name or domain}' that you can see.")
        # Rows naming the same new company by its domain or by its name get one company.
        self.pending.setdefault(key, None)
        if domain:
            self.pending_by_domain[domain] = key
        if name:
            self.pending_by_name[name] = key
        return key

    def company_id(self, reference: int | CompanyKey | None) -> int | None:
        if reference is None or isinstance(reference, int):
            return reference
        return self.pending[reference]

    def company_name(self, reference: int | CompanyKey | None) -> str:
        if reference is None:
            return ""
        if isinstance(reference, int):
            return self.company_names.get(reference, "")
        domain, name = reference
        return name or domain

    def contacts(self, emails: Iterable[str], field_name: str) -> list[int]:
        found = []
        for email in emails:
            pk = self.contacts_by_email.get(email)
            if pk is None:
                raise Rejected(field_name, f"No contact with the email {email} that you can see.")
            if pk not in found:
                found.append(pk)
        return found

    def stage(self, values: Mapping[str, Any]) -> Stage:
        pipeline_name = values.get("pipeline")
        if pipeline_name:
            pipeline = self.pipelines.get(pipeline_name.lower())
            if pipeline is None:
                raise Rejected("pipeline", f"No pipeline named '{pipeline_name}'.")
        else:
            pipeline = self.default_pipeline
            if pipeline is None:
                raise Rejected("pipeline", "There is no pipeline yet: create one with its stages.")
        stage = self.stages.get((pipeline.pk, str(values.get("stage", "")).lower()))
        if stage is None:
            raise Rejected(
                "stage", f"The pipeline '{pipeline.name}' has no stage named '{values.get('stage')}'."
            )
        return stage

    def deal(self, external_id: str | None) -> int | None:
        if not external_id:
            return None
        pk = self.deals.get(external_id)
        if pk is None:
            raise Rejected(
                "deal_external_id", f"No deal with the external id '{external_id}' that you can see."
            )
        return pk


def _company_keys(values: Mapping[str, Any]) -> list[CompanyKey]:
    keys = [company_key(values)]
    if values.get("parent_domain"):
        keys.append((values["parent_domain"], ""))
    return [key for key in keys if key is not None]


def _emails(values: Mapping[str, Any]) -> list[str]:
    found = list(values.get("contact_emails") or [])
    if values.get("contact_email"):
        found.append(values["contact_email"])
    return found
