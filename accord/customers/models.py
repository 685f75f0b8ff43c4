"""Companies and the people Accord's users deal with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accord.core.models import Tag, TrackedModel


class Company(TrackedModel):
    """An organisation: a customer, prospect, partner or supplier."""

    class SizeBand(models.TextChoices):
        SOLO = "1", "1"
        MICRO = "2-10", "2–10"
        SMALL = "11-50", "11–50"
        MEDIUM = "51-200", "51–200"
        LARGE = "201-1000", "201–1,000"
        ENTERPRISE = "1001+", "1,001+"

    # The record's id in the system it was imported from; imports match on it (docs/import.md). The
    # database default keeps raw inserts that predate the column (benchmark baselines, loaders) valid.
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True, help_text="Website domain, normalised: example.com")
    industry = models.CharField(max_length=100, blank=True)
    size_band = models.CharField(max_length=10, choices=SizeBand.choices, blank=True)
    annual_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="companies"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies")
    custom_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "companies"
        indexes = [
            models.Index(fields=["external_id"], name="company_external_id_idx"),
            models.Index(fields=["name", "id"], name="company_name_idx"),
            models.Index(fields=["domain"], name="company_domain_idx"),
            models.Index(fields=["phone"], name="company_phone_idx"),  # an import's match key
            models.Index(fields=["owner", "name"], name="company_owner_idx"),
            models.Index(fields=["created_at", "id"], name="company_created_idx"),
            models.Index(fields=["updated_at", "id"], name="company_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name


def person_name(given_name: str, family_name: str) -> str:
    """How a contact's name reads: either part may be empty."""
    return f"{given_name} {family_name}".strip()


class Contact(TrackedModel):
    """A person. Emails and phones live in their own tables (several each, one primary)."""

    class LifecycleStage(models.TextChoices):
        SUBSCRIBER = "subscriber", "Subscriber"
        LEAD = "lead", "Lead"
        OPPORTUNITY = "opportunity", "Opportunity"
        CUSTOMER = "customer", "Customer"
        EVANGELIST = "evangelist", "Evangelist"
        CHURNED = "churned", "Churned"
        OTHER = "other", "Other"

    # The record's id in the system it was imported from; imports match on it (docs/import.md). The
    # database default keeps raw inserts that predate the column (benchmark baselines, loaders) valid.
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    lifecycle_stage = models.CharField(
        max_length=12, choices=LifecycleStage.choices, default=LifecycleStage.LEAD
    )
    acquisition_source = models.CharField(
        max_length=100, blank=True, help_text="e.g. google, newsletter, fair-2026"
    )
    acquisition_channel = models.CharField(
        max_length=50, blank=True, help_text="e.g. organic, paid, referral"
    )
    # No index of its own: contact_owner_idx (owner, family_name) serves the lookups by owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        db_index=False,
    )
    companies = models.ManyToManyField(Company, through="Employment", related_name="people")
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    custom_fields = models.JSONField(default=dict, blank=True)
    # The list summary, copied from the children by ``contact_summaries_refresh`` whenever they change:
    # a list page reads 50 rows, and four correlated subqueries per row cost more than the rest of the
    # request (benchmarks/api.py). The children (ContactEmail, ContactPhone, Employment) stay the truth.
    primary_email = models.CharField(max_length=254, null=True, blank=True, editable=False)
    primary_phone = models.CharField(max_length=20, null=True, blank=True, editable=False)
    current_company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["external_id"], name="contact_external_id_idx"),
            models.Index(fields=["family_name", "id"], name="contact_family_idx"),
            models.Index(fields=["given_name", "id"], name="contact_given_idx"),
            models.Index(fields=["owner", "family_name"], name="contact_owner_idx"),
            models.Index(fields=["lifecycle_stage", "family_name"], name="contact_stage_idx"),
            models.Index(fields=["created_at", "id"], name="contact_created_idx"),
            models.Index(fields=["updated_at", "id"], name="contact_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(given_name="", family_name=""), name="contact_has_a_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return person_name(self.given_name, self.family_name)


class ContactEmail(models.Model):
    """An email address of a contact, stored lowercased and syntax-checked."""

    # No index of its own: the unique (contact, email) index serves the lookups by contact.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails", db_index=False)
    email = models.CharField(max_length=254)
    label = models.CharField(max_length=20, blank=True, help_text="work, home, …")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["email"], name="contact_email_idx")]
        constraints = [
            models.UniqueConstraint(fields=["contact", "email"], name="contact_email_unique"),
            models.UniqueConstraint(
                fields=["contact"], condition=Q(is_primary=True), name="contact_one_primary_email"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class ContactPhone(models.Model):
    """A phone number of a contact in E.164 form."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20)
    label = models.CharField(max_length=20, blank=True, help_text="mobile, work, home, …")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["number"], name="contact_phone_idx")]
        constraints = [
            models.UniqueConstraint(fields=["contact", "number"], name="contact_phone_unique"),
            models.UniqueConstraint(
                fields=["contact"], condition=Q(is_primary=True), name="contact_one_primary_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Employment(models.Model):
    """A contact working (or having worked) for a company, in a role."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="employments")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="employments")
    role = models.CharField(max_length=150, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "company"], name="employment_unique"),
        ]
        indexes = [models.Index(fields=["company", "is_current"], name="employment_company_idx")]

    def __str__(self) -> str:
        return f"{self.contact_id} at {self.company_id}"
