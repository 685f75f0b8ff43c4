"""Leads, pipelines and deals, products and the purchase history (orders)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accord.core.models import Tag, TrackedModel
from accord.customers.models import Company, Contact


class Lead(TrackedModel):
    """An unqualified prospect, as captured (web form, fair, list); ``lead_convert`` turns it into
    a contact, a company and optionally a deal."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        WORKING = "working", "Working"
        QUALIFIED = "qualified", "Qualified"
        DISQUALIFIED = "disqualified", "Disqualified"
        CONVERTED = "converted", "Converted"

    # The record's id in the system it was imported from; imports match on it (docs/import.md). The
    # database default keeps raw inserts that predate the column (benchmark baselines, loaders) valid.
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    job_title = models.CharField(max_length=150, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    company_domain = models.CharField(max_length=253, blank=True)
    source = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    disqualified_reason = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="leads")
    custom_fields = models.JSONField(default=dict, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_leads"
    )
    converted_company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_leads"
    )
    converted_deal = models.ForeignKey(
        "Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="source_leads"
    )

    class Meta:
        indexes = [
            models.Index(fields=["external_id"], name="lead_external_id_idx"),
            models.Index(fields=["status", "created_at"], name="lead_status_idx"),
            models.Index(fields=["email"], name="lead_email_idx"),
            models.Index(fields=["phone"], name="lead_phone_idx"),  # an import's match key
            models.Index(fields=["family_name", "id"], name="lead_family_idx"),
            models.Index(fields=["created_at", "id"], name="lead_created_idx"),
            models.Index(fields=["updated_at", "id"], name="lead_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(given_name="", family_name="", company_name="", email=""),
                name="lead_has_identity",
            ),
            models.CheckConstraint(
                condition=~Q(status="disqualified") | ~Q(disqualified_reason=""),
                name="lead_disqualified_has_reason",
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or self.company_name or self.email


class Pipeline(TrackedModel):
    """A sales process (new business, renewals, partners…) with its own ordered stages."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["position", "id"], name="pipeline_position_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_pipeline"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(TrackedModel):
    """A step of a pipeline. ``probability`` (0–100) weights the forecast; ``kind`` says whether a
    deal in it is still open, won or lost."""

    class Kind(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.OPEN)

    class Meta:
        ordering = ["pipeline_id", "position", "id"]
        indexes = [models.Index(fields=["position", "id"], name="stage_position_idx")]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_percent"),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(TrackedModel):
    """A sales opportunity moving through the stages of one pipeline."""

    # The record's id in the system it was imported from; imports match on it (docs/import.md). The
    # database default keeps raw inserts that predate the column (benchmark baselines, loaders) valid.
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    expected_close_date = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lost_reason = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    contacts = models.ManyToManyField(Contact, through="DealContact", related_name="deals")
    tags = models.ManyToManyField(Tag, blank=True, related_name="deals")
    custom_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["external_id"], name="deal_external_id_idx"),
            models.Index(fields=["pipeline", "stage", "expected_close_date"], name="deal_board_idx"),
            # The board's per-stage count and amount totals read this index alone, in GROUP BY order, with
            # the owner at hand for a user's scope: no table row is read (benchmarks in docs/web-board.md).
            models.Index(
                fields=["pipeline", "stage", "currency", "owner", "amount"], name="deal_board_totals_idx"
            ),
            models.Index(fields=["company", "created_at"], name="deal_company_idx"),
            models.Index(fields=["owner", "expected_close_date"], name="deal_owner_idx"),
            models.Index(fields=["name", "id"], name="deal_name_idx"),
            models.Index(fields=["created_at", "id"], name="deal_created_idx"),
            models.Index(fields=["updated_at", "id"], name="deal_updated_idx"),
            models.Index(fields=["expected_close_date", "id"], name="deal_close_idx"),
            models.Index(fields=["amount", "id"], name="deal_amount_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative")]

    def __str__(self) -> str:
        return self.name


class DealContact(models.Model):
    """A person involved in a deal, with their role in it (decision maker, champion, …)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_roles")
    role = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "contact"], name="deal_contact_unique")]
        indexes = [models.Index(fields=["contact"], name="deal_contact_contact_idx")]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.deal_id}"


class DealStageChange(models.Model):
    """One move of a deal between stages; written by ``deal_move`` and on creation (from = null)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="deal_stage_change_idx")]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"


class Product(TrackedModel):
    """Something sold, with its list price."""

    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["name", "id"], name="product_name_idx"),
            models.Index(fields=["created_at", "id"], name="product_created_idx"),
            models.Index(fields=["updated_at", "id"], name="product_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="product_price_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class Order(TrackedModel):
    """A purchase by a contact and/or a company: the purchase history analytics is built on.

    Totals are computed from the lines by ``order_create``/``order_update`` and stored, so that
    revenue per customer is one indexed aggregate over (contact, ordered_at) without joining lines.
    That index also holds the status, currency and amounts: the analytics refresh reads every contact's
    orders from it in (contact, time) order, without touching the table or sorting (``accord.analytics.
    aggregation.contact_days``).
    """

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    class Channel(models.TextChoices):
        ONLINE = "online", "Online shop"
        SALES = "sales", "Sales team"
        RETAIL = "retail", "Retail"
        PARTNER = "partner", "Partner"
        PHONE = "phone", "Phone"

    number = models.CharField(max_length=40, unique=True)
    # No index of its own: the (contact, ordered_at, ...) index below starts with it.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    ordered_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    currency = models.CharField(max_length=3, default="EUR")
    sales_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    discount_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tax_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["contact", "ordered_at", "status", "currency", "total", "discount_total"],
                name="order_contact_value_idx",
            ),
            models.Index(fields=["company", "ordered_at"], name="order_company_idx"),
            models.Index(fields=["ordered_at", "id"], name="order_ordered_idx"),
            models.Index(fields=["created_at", "id"], name="order_created_idx"),
            models.Index(fields=["updated_at", "id"], name="order_updated_idx"),
            models.Index(fields=["total", "id"], name="order_total_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(company__isnull=False), name="order_has_customer"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """One line of an order; ``line_total = quantity × unit_price − discount``."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines"
    )
    description = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0, help_text="percent")
    line_total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_line_discount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description or f"line {self.pk}"
