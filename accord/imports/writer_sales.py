"""Import of deals, orders (one row per order line) and interactions, checked with the services' own rules:
``_deal_fields`` and ``_entering`` (a won or lost stage closes a deal, a lost one needs a reason),
``_order_fields`` and ``_clean_lines`` (line amounts and totals computed as the order service does),
``_interaction_fields``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from accord.activities.models import Interaction, InteractionContact
from accord.activities.services import _interaction_fields
from accord.core.audit import jsonable
from accord.core.errors import FieldErrors
from accord.imports.fields import DEALS, INTERACTIONS, ORDERS
from accord.imports.rows import ParsedRow
from accord.imports.writer import (
    Draft,
    KindWriter,
    apply_changes,
    check_columns,
    check_tags,
    data_from,
    field_changes,
)
from accord.imports.writer_people import _add_tags
from accord.imports.writer_refs import References, Rejected, company_key
from accord.imports.writer_sql import Table, delete_rows
from accord.sales.models import Deal, DealContact, DealStageChange, Order, OrderLine
from accord.sales.services import (
    _clean_lines,
    _deal_fields,
    _entering,
    _line_summary,
    _order_fields,
    _totals_of,
    deal_search_fields,
)

DEAL_INPUT = ("external_id", "name", "amount", "currency", "expected_close_date")


class DealWriter(KindWriter):
    kind = DEALS
    model = Deal
    search_kind = "deal"
    needs = frozenset({"companies", "contacts", "stages"})

    def _fields(self, values: dict[str, Any], refs: References, instance: Any) -> tuple[dict[str, Any], Any]:
        errors = FieldErrors()
        fields = _deal_fields(self.actor, data_from(values, DEAL_INPUT), instance=instance, errors=errors)
        stage = None
        if instance is None or values.get("stage"):
            stage = refs.stage(values)
            if instance is None or stage.pk != instance.stage_id:
                fields.update(_entering(instance, stage, values.get("lost_reason"), errors))
            else:
                stage = None
        elif values.get("lost_reason") is not None:
            fields.update(_entering(instance, instance.stage, values["lost_reason"], errors))
        errors.raise_if_any()
        if stage is not None and stage.kind != stage.Kind.OPEN and values.get("closed_at"):
            fields["closed_at"] = values["closed_at"]
        fields.update(self.owner(refs, values, default=instance is None))
        if instance is None and "created_at" in values:
            fields["created_at"] = values["created_at"]
        check_columns(Deal, fields)
        return fields, stage

    def create(self, rows: list[ParsedRow], refs: References) -> Draft:
        values = rows[0].values
        fields, stage = self._fields(values, refs, None)
        draft = Draft(rows, fields, tags=check_tags(values), label=fields["name"])
        company = self.company(refs, draft.companies, company_key(values))
        draft.late["company_id"] = company
        contacts = refs.contacts(values.get("contact_emails", []), "contact_emails")
        draft.children = {"contacts": contacts, "move": (None, stage.pk)}
        draft.search = lambda: deal_search_fields(fields["name"], refs.company_name(company))
        return draft

    def update(self, rows: list[ParsedRow], refs: References, existing: Any) -> Draft:
        values = rows[0].values
        fields, stage = self._fields(values, refs, existing)
        draft = Draft(rows, {})
        apply_changes(draft, existing, field_changes(existing, fields))
        company = self.company(refs, draft.companies, company_key(values))
        if company is not None:
            draft.late["company_id"] = company
        old = [[item.contact_id, item.role] for item in existing.deal_contacts.all()]
        known = {contact_id for contact_id, _ in old}
        added = [
            pk for pk in refs.contacts(values.get("contact_emails", []), "contact_emails") if pk not in known
        ]
        if added:
            draft.changes["contacts"] = (old, old + [[pk, ""] for pk in added])
        draft.children = {"contacts": added, "move": (existing.stage_id, stage.pk) if stage else None}
        draft.previous["added"] = {"contacts": added}
        _add_tags(draft, existing, check_tags(values))
        draft.label = existing.name
        draft.search = lambda: deal_search_fields(
            existing.name, refs.company_name(existing.company_id) if existing.company_id else ""
        )
        return draft

    def load(self, pks: Any) -> dict[int, Any]:
        deals = Deal.objects.select_related("stage", "company").prefetch_related("deal_contacts", "tags")
        found = deals.in_bulk(list(pks))
        return found

    def write_children(self, created: list[Draft], updated: list[Draft], refs: References) -> None:
        now = timezone.now()
        moves = [
            (draft.pk, draft.children["move"][0], draft.children["move"][1], now, self.actor.user_id)
            for draft in [*created, *updated]
            if draft.children.get("move")
        ]
        Table(
            DealStageChange, ["deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id"]
        ).insert(moves)
        Table(DealContact, ["deal_id", "contact_id", "role"]).insert(
            (draft.pk, contact_id, "")
            for draft in [*created, *updated]
            for contact_id in draft.children["contacts"]
        )


ORDER_INPUT = ("status", "sales_channel", "currency", "ordered_at")
NO_CUSTOMER = "contact_id"  # the order service's field for "an order is placed by a contact or a company"


class OrderWriter(KindWriter):
    kind = ORDERS
    model = Order
    needs = frozenset({"companies", "contacts", "products"})
    fixed_key = "number"

    @classmethod
    def permission_fields(cls, mapped: Any) -> list[str]:
        return ["lines"]  # an order's lines are always written, so a role that hides them cannot import

    @classmethod
    def same_record(cls, previous: ParsedRow, row: ParsedRow) -> bool:
        number = row.values.get("number")
        return bool(number) and previous.values.get("number") == number

    def groups(self, rows: Any) -> list[list[ParsedRow]]:
        """Consecutive rows with the same order number are the lines of one order."""
        groups: list[list[ParsedRow]] = []
        for row in rows:
            if groups and self.same_record(groups[-1][-1], row):
                groups[-1].append(row)
            else:
                groups.append([row])
        return groups

    def create(self, rows: list[ParsedRow], refs: References) -> Draft:
        values = rows[0].values
        errors = FieldErrors()
        fields = self._checked(rows, refs, None, errors)
        draft = Draft(rows, fields, label=values["number"])
        company = self.company(refs, draft.companies, company_key(values))
        draft.late["company_id"] = company
        if company is None and fields.get("contact_id") is None:
            raise Rejected("contact_email", "An order is placed by a contact or a company: give one of them.")
        fields.update(number=values["number"], **_totals_of(self.lines))
        draft.children = {"lines": self.lines}
        return draft

    def _checked(
        self, rows: list[ParsedRow], refs: References, instance: Any, errors: FieldErrors
    ) -> dict[str, Any]:
        values = rows[0].values
        if not values.get("number"):
            raise Rejected("number", "An order needs a number.")
        fields = _order_fields(self.actor, data_from(values, ORDER_INPUT), instance=instance, errors=errors)
        # The customer is checked once the company (which the batch may create) is known.
        errors.fields.pop(NO_CUSTOMER, None)
        if values.get("contact_email"):
            fields["contact_id"] = refs.contacts([values["contact_email"]], "contact_email")[0]
        raw: list[Mapping[str, Any]] = []
        products = []
        for row in rows:
            line: dict[str, Any] = {
                name: row.values.get(name) for name in ("quantity", "unit_price", "discount", "tax_rate")
            }
            product = None
            if row.values.get("product_sku"):
                product = refs.products.get(row.values["product_sku"])
                if product is None:
                    raise Rejected("product_sku", f"No product with the SKU '{row.values['product_sku']}'.")
            line["description"] = row.values.get("line_description") or (product.name if product else "")
            raw.append(line)
            products.append(product)
        currency = fields.get("currency", getattr(instance, "currency", "EUR"))
        cleaned = _clean_lines(self.actor, raw, currency=currency, errors=errors) or []
        errors.raise_if_any()
        self.lines = [
            {**line, "product_id": product.pk if product else None}
            for line, product in zip(cleaned, products, strict=True)
        ]
        fields.update(self.owner(refs, values, default=instance is None))
        check_columns(Order, fields)
        return fields

    def update(self, rows: list[ParsedRow], refs: References, existing: Any) -> Draft:
        values = rows[0].values
        errors = FieldErrors()
        fields = self._checked(rows, refs, existing, errors)
        fields.update(_totals_of(self.lines))
        draft = Draft(rows, {})
        apply_changes(draft, existing, field_changes(existing, fields))
        company = self.company(refs, draft.companies, company_key(values))
        if company is not None:
            draft.late["company_id"] = company
        old_lines = list(existing.lines.all())
        old = [_line_summary(vars(line)) for line in old_lines]
        new = [_line_summary(line) for line in self.lines]
        if old != new:
            draft.changes["lines"] = (old, new)
            draft.previous["lines"] = [
                {name: jsonable(getattr(line, name)) for name in LINE_COLUMNS} for line in old_lines
            ]
            draft.children = {"lines": self.lines, "replace": True}
        else:
            draft.children = {"lines": []}
        draft.label = existing.number
        return draft

    def load(self, pks: Any) -> dict[int, Any]:
        return Order.objects.prefetch_related("lines").in_bulk(list(pks))

    def write_children(self, created: list[Draft], updated: list[Draft], refs: References) -> None:
        replaced = [draft.pk for draft in updated if draft.children.get("replace")]
        delete_rows(OrderLine, "order_id", replaced)
        Table(OrderLine, ["order_id", *LINE_COLUMNS]).insert(
            (draft.pk, *(line[name] for name in LINE_COLUMNS))
            for draft in [*created, *updated]
            for line in draft.children["lines"]
        )


LINE_COLUMNS = ("product_id", "description", "quantity", "unit_price", "discount", "tax_rate", "line_total")
INTERACTION_INPUT = (
    "external_id", "kind", "channel", "direction", "subject", "body", "occurred_at", "duration_seconds", "outcome",
)  # fmt: skip
# A file may give only the kind or only the channel of an interaction: the other follows from it.
KIND_OF_CHANNEL = {
    "email": "email", "phone": "call", "chat": "chat", "web": "web_visit", "social": "social", "mail": "letter",
    "in_person": "meeting", "video": "meeting", "internal": "note",
}  # fmt: skip
CHANNEL_OF_KIND = {
    "call": "phone", "email": "email", "meeting": "in_person", "chat": "chat", "web_visit": "web", "form": "web",
    "social": "social", "letter": "mail", "visit": "in_person", "note": "internal",
}  # fmt: skip


class InteractionWriter(KindWriter):
    kind = INTERACTIONS
    model = Interaction
    needs = frozenset({"companies", "contacts", "deals"})

    def _fields(self, values: dict[str, Any], refs: References, instance: Any) -> dict[str, Any]:
        data = data_from(values, INTERACTION_INPUT)
        data.pop("custom_fields", None)  # interactions have no custom fields
        if instance is None:
            if "kind" not in data and data.get("channel") in KIND_OF_CHANNEL:
                data["kind"] = KIND_OF_CHANNEL[data["channel"]]
            if "channel" not in data and data.get("kind") in CHANNEL_OF_KIND:
                data["channel"] = CHANNEL_OF_KIND[data["kind"]]
        errors = FieldErrors()
        fields = _interaction_fields(self.actor, data, instance=instance, errors=errors)
        errors.raise_if_any()
        fields.update(self.owner(refs, values, default=instance is None))
        key = company_key(values)
        if key is not None:
            fields["company_id"] = refs.company(key, create=False)
        if values.get("deal_external_id"):
            fields["deal_id"] = refs.deal(values["deal_external_id"])
        check_columns(Interaction, fields)
        return fields

    def create(self, rows: list[ParsedRow], refs: References) -> Draft:
        values = rows[0].values
        fields = self._fields(values, refs, None)
        contacts = refs.contacts(values.get("contact_emails", []), "contact_emails")
        interaction = Interaction(**fields)
        draft = Draft(rows, fields, label=str(interaction))
        draft.children = {"contacts": contacts, "occurred_at": fields["occurred_at"]}
        return draft

    def update(self, rows: list[ParsedRow], refs: References, existing: Any) -> Draft:
        values = rows[0].values
        draft = Draft(rows, {})
        apply_changes(draft, existing, field_changes(existing, self._fields(values, refs, existing)))
        old = sorted(participant.contact_id for participant in existing.participants.all())
        added = [
            pk for pk in refs.contacts(values.get("contact_emails", []), "contact_emails") if pk not in old
        ]
        if added:
            draft.changes["contact_ids"] = (old, sorted(old + added))
        draft.previous["added"] = {"contacts": added}
        draft.children = {"contacts": added, "occurred_at": existing.occurred_at}
        draft.label = str(existing)
        return draft

    def load(self, pks: Any) -> dict[int, Any]:
        return Interaction.objects.select_related("deal").prefetch_related("participants").in_bulk(list(pks))

    def write_children(self, created: list[Draft], updated: list[Draft], refs: References) -> None:
        Table(InteractionContact, ["interaction_id", "contact_id", "occurred_at"]).insert(
            (draft.pk, contact_id, draft.children["occurred_at"])
            for draft in [*created, *updated]
            for contact_id in draft.children["contacts"]
        )
