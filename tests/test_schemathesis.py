"""Schemathesis fuzzes every operation of the live OpenAPI schema as several users: no server error, no
response outside the schema, and no response to one user carrying a record that user may not see.

- The schema is loaded from the Django application itself (WSGI, in process, no server), so the operations
  fuzzed are exactly those served (``tests/test_openapi.py`` ties the committed ``openapi.json`` to them).
- One organisation is written per module (:func:`build_org`): an administrator and three sales
  representatives, alice and bob in team East and carol in team West, each owning one record of every owned
  type; ``contact`` and ``deal`` are private, the other types keep the ``team`` default, and one of carol's
  contacts is shared with alice. Every operation is fuzzed as the administrator, as alice and as carol.
- Generated ids are mostly replaced by the organisation's ids (the ``flatmap_*`` hooks) in paths, query
  strings and bodies, so requests reach real records, most of them someone else's.
- Each example runs in a savepoint rolled back afterwards (:func:`rolled_back`): an example that deletes a
  record or revokes a token leaves the next one the same organisation, whatever order hypothesis picks, on
  SQLite and PostgreSQL alike. A ``transaction=True`` database would have to flush and rebuild the
  organisation for every example and would test nothing more: the requests run in this thread, on this
  connection, either way.
- Besides schemathesis' checks, :func:`no_cross_user_read` runs on every response.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.db.models import Model
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, CheckContext, CheckFunction, Response

from accord.access.models import RecordShare, Role, SharingDefault, Team, TeamMembership
from accord.access.rules import TYPE_MODELS
from accord.activities.services import interaction_create, task_create
from accord.core.actors import SYSTEM
from accord.core.custom_fields import custom_field_create
from accord.core.errors import AccordError
from accord.core.idempotency import parse_key
from accord.customers.services import company_create, contact_create
from accord.sales.models import Stage
from accord.sales.services import deal_create, lead_create, order_create, pipeline_create, product_create
from accord.users.models import ApiToken, User
from accord.users.services import token_create

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 8  # per operation and user, on top of schemathesis' coverage cases
TEAMS = {"alice": "East", "bob": "East", "carol": "West"}
OWNED_TYPES = ("company", "contact", "lead", "deal", "order", "interaction", "task")
PRIVATE_TYPES = ("contact", "deal")
# The kind of record an id names: by the first segment of the path, or by the parameter or field name.
PATH_KINDS = {
    "companies": "company",
    "contacts": "contact",
    "leads": "lead",
    "deals": "deal",
    "orders": "order",
    "interactions": "interaction",
    "tasks": "task",
    "products": "product",
    "pipelines": "pipeline",
    "stages": "stage",
    "roles": "role",
    "teams": "team",
    "custom-fields": "custom_field",
    "users": "user",
    "tokens": "token",
    "shares": "share",
}
ID_KINDS = {
    "company_id": "company",
    "parent_id": "company",
    "contact_id": "contact",
    "contact_ids": "contact",
    "lead_id": "lead",
    "deal_id": "deal",
    "product_id": "product",
    "pipeline_id": "pipeline",
    "stage_id": "stage",
    "owner_id": "user",
    "assignee_id": "user",
    "manager_id": "user",
    "member_ids": "user",
    "actor_id": "user",
    "user_id": "user",
    "role_id": "role",
    "team_id": "team",
    "share_id": "share",
    "token_id": "token",
}
LABEL_KINDS = {label: object_type for object_type, label in TYPE_MODELS.items()}
UNUSED_ID = 2**53  # no record has it: a forbidden id must be answered as this one is
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


SHARED, SHARED_WITH = ("contact", "carol"), "alice"  # carol shares her contact with alice, to read


def canary(owner: str, object_type: str) -> str:
    """The text that stands for a record in every response about it (its name, title or number)."""
    return f"canary-{owner}-{object_type}"


@dataclass(frozen=True)
class Seeded:
    """A record of the organisation and who it is shared with."""

    object_type: str
    owner: str
    record: Model
    shared_with: frozenset[str]

    def visible_to(self, viewer: str) -> bool:
        """docs/security.md in the fewest words for this organisation: an administrator sees everything;
        a representative sees their own records, those shared with them and, under ``team``, their
        teammates'."""
        if viewer == "admin" or viewer == self.owner or viewer in self.shared_with:
            return True
        return self.object_type not in PRIVATE_TYPES and TEAMS[viewer] == TEAMS[self.owner]


@dataclass
class Org:
    """The organisation every example starts from."""

    secrets: dict[str, str]  # per user, a write token
    ids: dict[str, list[int]]  # per kind, every id of that kind, whoever owns it
    seeded: list[Seeded]
    tokens: dict[str, set[int]]  # per user

    def forbidden(self, viewer: str) -> dict[str, set[int]]:
        """The ids of each kind that ``viewer`` may not see; nobody sees another user's tokens."""
        hidden: dict[str, set[int]] = {
            "token": set().union(*(ids for user, ids in self.tokens.items() if user != viewer))
        }
        for seeded in self.seeded:
            if not seeded.visible_to(viewer):
                hidden.setdefault(seeded.object_type, set()).add(seeded.record.pk)
        return hidden

    def canaries(self, viewer: str) -> set[str]:
        return {canary(s.owner, s.object_type) for s in self.seeded if not s.visible_to(viewer)}


def _owned_record(object_type: str, owner: User, company: Model | None) -> Model:
    """A record of ``owner`` (of ``company``, as customer, where the type has one) carrying its canary in
    the text that lists, details, exports, search and timelines show."""
    text = canary(owner.username, object_type)
    owned = {"owner_id": owner.pk}
    customer = {"company_id": company.pk} if company is not None else {}
    if object_type == "company":
        return company_create(actor=SYSTEM, data={"name": text, "annual_revenue": Decimal("10"), **owned})
    if object_type == "contact":
        phones = [{"number": "+14155552671"}]
        return contact_create(
            actor=SYSTEM, data={"given_name": "Zq", "family_name": text, "phones": phones, **owned}
        )
    if object_type == "lead":
        return lead_create(actor=SYSTEM, data={"family_name": text, **owned})
    if object_type == "deal":
        return deal_create(actor=SYSTEM, data={"name": text, "amount": Decimal("100"), **customer, **owned})
    if object_type == "order":
        lines = [{"description": text, "unit_price": Decimal("10")}]
        return order_create(actor=SYSTEM, data={"number": text, "lines": lines, **customer, **owned})
    if object_type == "interaction":
        data = {"kind": "call", "channel": "phone", "occurred_at": timezone.now(), "subject": text}
        return interaction_create(actor=SYSTEM, data={**data, **customer, **owned})
    if object_type == "task":
        return task_create(actor=SYSTEM, data={"title": text, "assignee_id": owner.pk, **customer})
    raise AssertionError(object_type)


def build_org() -> Org:
    """Users, teams, defaults and records, written through the services as in real use."""
    users = {"admin": User.objects.create_user(username="admin", role=Role.objects.get(key="administrator"))}
    teams = {name: Team.objects.create(name=name) for name in sorted(set(TEAMS.values()))}
    for username, team in TEAMS.items():
        users[username] = User.objects.create_user(username=username, role=Role.objects.get(key="sales_rep"))
        TeamMembership.objects.create(team=teams[team], user=users[username])
    for object_type in PRIVATE_TYPES:
        SharingDefault.objects.create(object_type=object_type, visibility="private")
    stages = [{"name": "New"}, {"name": "Won", "kind": "won"}]
    pipeline = pipeline_create(actor=SYSTEM, data={"name": "Sales", "is_default": True, "stages": stages})
    product = product_create(actor=SYSTEM, data={"name": "Widget", "sku": "W-1", "unit_price": Decimal("5")})
    custom_field = custom_field_create(
        actor=SYSTEM,
        data={"object_type": "contact", "key": "shoe_size", "label": "Shoe size", "field_type": "number"},
    )
    secrets = {
        name: token_create(actor=SYSTEM, user=user, name="fuzz", scope="write").secret
        for name, user in users.items()
    }

    seeded: list[Seeded] = []
    for owner in TEAMS:
        company = _owned_record("company", users[owner], None)
        for object_type in OWNED_TYPES:
            record = (
                company if object_type == "company" else _owned_record(object_type, users[owner], company)
            )
            shared_with = frozenset({SHARED_WITH}) if (object_type, owner) == SHARED else frozenset()
            seeded.append(Seeded(object_type, owner, record, shared_with))
    shared = next(s for s in seeded if s.shared_with)
    share = RecordShare.objects.create(
        object_type=shared.object_type, object_id=shared.record.pk, user=users[SHARED_WITH], access="read"
    )

    ids: dict[str, set[int]] = {
        "user": {user.pk for user in users.values()},
        "team": {team.pk for team in teams.values()},
        "role": set(Role.objects.values_list("pk", flat=True)),
        "pipeline": {pipeline.pk},
        "stage": set(Stage.objects.values_list("pk", flat=True)),
        "product": {product.pk},
        "custom_field": {custom_field.pk},
        "share": {share.pk},
        "token": set(ApiToken.objects.values_list("pk", flat=True)),
    }
    for item in seeded:
        ids.setdefault(item.object_type, set()).add(item.record.pk)
    return Org(
        secrets=secrets,
        ids={kind: sorted(values) for kind, values in ids.items()},
        seeded=seeded,
        tokens={name: set(user.api_tokens.values_list("pk", flat=True)) for name, user in users.items()},
    )


# ---------------------------------------------------------------- ids: where they are and what they name

IdFunction = Callable[[str, int], Any]  # (kind, id) -> the value to put in its place


def _is_id(value: Any) -> bool:
    """A value that can name a record (other values are the negative cases and stay as they are)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**63


def map_ids(value: Any, function: IdFunction, name: str = "") -> Any:
    """``value`` (a query or a body) with every id replaced by ``function(kind, id)``; an id is known by
    the name of the field that carries it (``ID_KINDS``)."""
    if isinstance(value, dict):
        return {key: map_ids(item, function, key) for key, item in value.items()}
    if isinstance(value, list):
        return [map_ids(item, function, name) for item in value]
    kind = ID_KINDS.get(name)
    return function(kind, value) if kind and _is_id(value) else value


def map_path_ids(operation_path: str, parameters: dict[str, Any], function: IdFunction) -> dict[str, Any]:
    """The path parameters with every id replaced by ``function(kind, id)``. A ``record_id`` names a
    record of the path's collection (``/api/v1/deals/{record_id}``); the audit history's ``object_id``
    one of its ``object_type`` (``/api/v1/audit/sales.deal/{object_id}``)."""
    segments = operation_path.strip("/").split("/")
    result = dict(parameters)
    for name, value in parameters.items():
        kind = ID_KINDS.get(name) or (PATH_KINDS.get(segments[2]) if len(segments) > 2 else None)
        if name == "object_id":
            kind = LABEL_KINDS.get(str(parameters.get("object_type")))
        if kind and _is_id(value):
            result[name] = function(kind, value)
    return result


def ids_in(case: Case) -> list[tuple[str, int]]:
    """(kind, id) of every id a request names, in its path, query or body."""
    found: list[tuple[str, int]] = []

    def collect(kind: str, value: int) -> int:
        found.append((kind, value))
        return value

    map_path_ids(case.operation.path, case.path_parameters or {}, collect)
    map_ids(case.query or {}, collect)
    map_ids(case.body if isinstance(case.body, (dict, list)) else {}, collect)
    return found


# ---------------------------------------------------------------- generation: ids that hit real records

# The ids the generation hooks draw from; filled by the ``org`` fixture before any example is drawn.
SEEDS: dict[str, list[int]] = {}


def _seeded(draw: st.DrawFn) -> IdFunction:
    """Mostly one of the organisation's ids of the kind (any owner's) in place of a generated one."""
    return lambda kind, value: draw(st.sampled_from([value, *SEEDS[kind]])) if SEEDS.get(kind) else value


def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
    if not path_parameters or context.operation is None:
        return st.just(path_parameters)
    path = context.operation.path
    return st.composite(lambda draw: map_path_ids(path, path_parameters, _seeded(draw)))()


def flatmap_query(context: schemathesis.HookContext, query: dict[str, Any]) -> Any:
    return st.composite(lambda draw: map_ids(query, _seeded(draw)))()


def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    return st.composite(lambda draw: map_ids(body, _seeded(draw)))()


def load_schema(*, coverage: bool) -> BaseSchema:
    """The live schema, fuzzed with positive and negative cases. With ``coverage``, schemathesis also
    sends its boundary and type-violation cases for every parameter, about three times the requests."""
    config = schemathesis.Config.from_dict(
        {
            # The credentials are the users' tokens: a generated session cookie would only be noise.
            "generation": {"mode": "all", "with-security-parameters": False},
            "checks": {
                # 422 answers the rules a schema cannot state: ids must name existing records, a password
                # must pass the policy, an expiry must lie in the future. Any other refusal of schema-valid
                # data (400, 405, 413, 415) still fails.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422"]
                },
            },
            # One request per example: each is rolled back, so a sequence would start again from scratch.
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": coverage}},
        }
    )
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP, config=config)
    for hook in (flatmap_path_parameters, flatmap_query, flatmap_body):
        loaded.hook(hook)
    return loaded


APP = get_wsgi_application()
# The coverage cases check input handling, which does not depend on who asks: the administrator (who
# reaches every operation) gets them, the representatives get the fuzzing with the seeded ids.
administrator_schema = load_schema(coverage=True)
representative_schema = load_schema(coverage=False)


# ---------------------------------------------------------------- the cross-user check


def _error_signature(response: Response) -> tuple[int, str | None, tuple[str, ...]]:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error", {}) if isinstance(body, dict) else {}
    return response.status_code, error.get("code"), tuple(sorted(error.get("fields", {})))


def _verb_and_kind(case: Case) -> tuple[str, str | None]:
    """``list_deals`` -> ("list", "deal"), ``count_custom_fields`` -> ("count", "custom_field")."""
    verb, _, plural = str(case.operation.definition.raw.get("operationId", "")).partition("_")
    return verb, PATH_KINDS.get(plural.replace("_", "-"))


def _listed_ids(case: Case, response: Response) -> list[tuple[str, int]]:
    """(kind, id) of the records a list, an export or a search answered with."""
    verb, kind = _verb_and_kind(case)
    if response.status_code != 200:
        return []
    if verb == "list" and kind:
        page = response.json()
        # Pages of records; roles, teams, tokens and shares answer plain lists.
        return [(kind, item["id"]) for item in (page["items"] if isinstance(page, dict) else page)]
    if verb == "export" and kind:
        return [(kind, int(row["id"])) for row in _export_rows(response)]
    if verb == "search":
        return [(item["kind"], item["id"]) for item in response.json()["items"]]
    return []


def _export_rows(response: Response) -> list[dict[str, Any]]:
    """The rows of a CSV or XLSX export, keyed by their header."""
    if not response.headers.get("content-type", [""])[0].startswith(XLSX):
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    rows = (
        openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    header = [str(name) for name in next(rows)]
    # The streaming writer leaves empty cells out, as the format allows, so a row whose last cells are empty
    # (a contact without value scores) reads shorter than the header.
    return [dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True)) for row in rows]


def _readable(response: Response) -> bytes:
    """The response as its text: an XLSX export's cells rather than its compressed bytes."""
    if response.status_code != 200 or not response.headers.get("content-type", [""])[0].startswith(XLSX):
        return response.content
    return "\n".join(str(value) for row in _export_rows(response) for value in row.values()).encode()


def _count_limit(case: Case, forbidden: dict[str, set[int]]) -> int | None:
    """For a count of an owned or catalogue type: how many records of it the viewer may see at most."""
    verb, kind = _verb_and_kind(case)
    label = TYPE_MODELS.get(kind or "")
    if verb != "count" or kind is None or label is None:
        return None
    return apps.get_model(label).objects.count() - len(forbidden.get(kind, set()))


def no_cross_user_read(org: Org, viewer: str, headers: dict[str, str]) -> CheckFunction:
    """A check that ``viewer`` is told nothing of the records they may not see.

    - No response carries the canary of such a record, whatever the operation: detail, list, export,
      search, timeline, stage history, record history, conversion preview, or a write's answer.
    - Lists, exports and search answers name none of their ids; a count is no larger than what is left.
    - A request naming such a record (in its path, query or body) is answered exactly as the same request
      naming ids that do not exist, which is sent next: the same status, error code and fields in error,
      so that not even the record's existence shows.

    Schemathesis' own ``object_level_authorization`` check does not fit: it takes its identities from the
    CLI's ``[auth.wfc]`` document and the ids it compares from the runner's record of earlier responses,
    neither of which the pytest integration has, and it compares detail reads only.
    """
    forbidden = org.forbidden(viewer)
    canaries = org.canaries(viewer)

    def hidden(kind: str, value: int) -> bool:
        return value in forbidden.get(kind, set())

    def unused_if_hidden(kind: str, value: int) -> int:
        return UNUSED_ID if hidden(kind, value) else value

    def no_cross_user_read(ctx: CheckContext, response: Response, case: Case) -> None:
        content = _readable(response)
        leaked = sorted(text for text in canaries if text.encode() in content)
        assert not leaked, f"{viewer} received records they may not see: {leaked}"
        listed = [(kind, pk) for kind, pk in _listed_ids(case, response) if hidden(kind, pk)]
        assert not listed, f"{viewer} was listed records they may not see: {listed}"
        limit = _count_limit(case, forbidden) if response.status_code == 200 else None
        assert limit is None or response.json()["count"] <= limit, (
            f"{viewer} counted records they may not see"
        )

        named = [(kind, pk) for kind, pk in ids_in(case) if hidden(kind, pk)]
        if not named:
            return
        probe = case.derive(query=map_ids(case.query, unused_if_hidden) if case.query else None)
        probe.path_parameters = map_path_ids(
            case.operation.path, case.path_parameters or {}, unused_if_hidden
        )
        if isinstance(case.body, (dict, list)):
            probe.body = map_ids(case.body, unused_if_hidden)
        # The probe is another request: a fuzzed Idempotency-Key of the first would make it a reused key,
        # so it gets a fresh one, unless the first was malformed (never stored) and must stay so.
        if probe.headers and "Idempotency-Key" in probe.headers:
            probe.headers = probe.headers.copy()
            if _is_valid_idempotency_key(probe.headers["Idempotency-Key"]):
                probe.headers["Idempotency-Key"] = str(uuid.uuid4())
        answered = probe.call(headers=headers)
        assert _error_signature(response) == _error_signature(answered), (
            f"{viewer} can tell that {named} exist: {case.method} {case.formatted_path} answered "
            f"{response.status_code} {response.content[:300]!r}; naming ids that do not exist instead, "
            f"{answered.status_code} {answered.content[:300]!r}"
        )

    return no_cross_user_read


def _is_valid_idempotency_key(value: str) -> bool:
    try:
        parse_key(value)
    except AccordError:
        return False
    return True


# ---------------------------------------------------------------- fixtures and the test


@pytest.fixture(scope="module")
def org(django_db_setup: None, django_db_blocker: Any) -> Iterator[Org]:
    """The organisation, written once for the module inside a transaction that is rolled back at the end;
    each test's own transaction (pytest-django) and each example's are savepoints inside it."""
    # Django's test client stops these from closing the connection after each request; schemathesis
    # calls the WSGI handler directly, which would close the connection the test transaction lives on.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            built = build_org()
            SEEDS.update(built.ids)
            yield built
            SEEDS.clear()
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    # The organisation is module-wide and each example rolls back, so function fixtures are meant to be
    # shared by the examples; the larger request bodies make generation slow at times.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


def call_as(viewer: str, case: Case, org: Org) -> None:
    headers = {"Authorization": f"Bearer {org.secrets[viewer]}"}
    with rolled_back():
        case.call_and_validate(headers=headers, additional_checks=[no_cross_user_read(org, viewer, headers)])


@administrator_schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_the_administrator(case: Case, org: Org) -> None:
    call_as("admin", case, org)


@pytest.mark.parametrize("viewer", ["alice", "carol"])
@representative_schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_sales_representatives(case: Case, org: Org, viewer: str) -> None:
    call_as(viewer, case, org)
