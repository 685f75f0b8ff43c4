"""The services around the writer: run settings checked up front, the streamed error file, mapping
templates, and external ids through the API."""

from __future__ import annotations

from typing import Any

import pytest

from accord.access.models import Role, Team, TeamMembership
from accord.core.actors import Actor
from accord.core.errors import NotFound, ValidationFailed
from accord.imports.selectors import import_error_rows, mapping_template_list
from accord.imports.services import import_run_create, mapping_template_create, mapping_template_delete
from accord.imports.tests.writer_rows import run_import
from accord.users.models import User

pytestmark = pytest.mark.django_db


def test_run_settings_are_checked_before_anything_runs(actor: Actor) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        import_run_create(
            actor=actor,
            kind="contacts",
            file_name="x.csv",
            mapping={"Web": "domain", "Name": "family_name"},
            match_key="domain",
            on_duplicate="merge",
        )
    assert invalid.value.fields == {
        "match_key": [
            "Contacts match on: external_id, email, phone, none.",
            "No column is mapped to the domain to match on.",
        ],
        "on_duplicate": ["Use one of: create, update, skip."],
        "mapping": ["The column 'Web' is mapped to 'domain', which contacts do not have."],
    }
    with pytest.raises(ValidationFailed) as unknown:
        import_run_create(actor=actor, kind="tickets", file_name="x.csv", mapping={})
    assert unknown.value.fields == {
        "kind": ["Use one of: companies, contacts, leads, deals, orders, interactions."]
    }


def test_the_error_file_streams_row_column_reason_and_the_original_cells(actor: Actor) -> None:
    records: list[dict[str, Any]] = [
        {"family_name": "Good", "email": "a@example.com"},
        {"family_name": "Bad, really", "email": "a@example.com"},
        {"family_name": "Worse", "email": "b@example.com", "_error": ("Email", 'Not "valid"')},
        {"family_name": "=HYPERLINK(1)", "email": "c@example.com", "_error": ("Email", "Formula")},
    ]
    run = run_import(actor, "contacts", records, match_key="email")

    lines = list(import_error_rows(run, chunk=1))

    assert "".join(lines) == (
        "row,column,reason\r\n"
        '3,Email,Duplicate of row 2.,"Bad, really",a@example.com\r\n'
        '4,Email,"Not ""valid""",Worse,b@example.com\r\n'
        "5,Email,Formula,'=HYPERLINK(1),c@example.com\r\n"  # a formula in a cell is neutralised
    )


def test_mapping_templates_are_private_or_shared_with_teammates_and_deleted_by_their_owner(
    user: User, actor: Actor
) -> None:
    rep = User.objects.create_user(username="teammate", role=Role.objects.get(key="sales_rep"))
    stranger = User.objects.create_user(username="stranger", role=Role.objects.get(key="sales_rep"))
    team = Team.objects.create(name="East")
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(team=team, user=user),
            TeamMembership(team=team, user=rep),
        ]
    )
    mapping = {"E-mail": "email", "Last": "family_name"}
    shared = mapping_template_create(
        actor=actor, name="HubSpot", kind="contacts", mapping=mapping, is_shared=True
    )
    private = mapping_template_create(actor=actor, name="Mine", kind="contacts", mapping=mapping)
    replaced = mapping_template_create(actor=actor, name="Mine", kind="contacts", mapping={"Mail": "email"})

    assert replaced.pk == private.pk
    assert list(mapping_template_list(actor=actor, kind="contacts")) == [shared, private]
    assert list(mapping_template_list(actor=Actor(user=rep, via="web"))) == [shared]
    assert list(mapping_template_list(actor=Actor(user=stranger, via="web"))) == []
    with pytest.raises(NotFound):
        mapping_template_delete(actor=Actor(user=rep, via="web"), template=shared)
    mapping_template_delete(actor=actor, template=shared)
    assert list(mapping_template_list(actor=actor)) == [private]
    with pytest.raises(ValidationFailed):
        mapping_template_create(actor=actor, name=" ", kind="contacts", mapping={"X": "nope"})


def test_external_ids_are_written_read_and_filtered_through_the_api(api_client: Any) -> None:
    created = api_client.post("/contacts", {"family_name": "Ext", "external_id": "hubspot-42"})
    api_client.post("/contacts", {"family_name": "Other"})

    listed = api_client.get("/contacts?external_id=hubspot-42")

    assert (created.status_code, created.json()["external_id"]) == (201, "hubspot-42")
    assert [item["family_name"] for item in listed.json()["items"]] == ["Ext"]
    assert listed.json()["items"][0]["external_id"] == "hubspot-42"
