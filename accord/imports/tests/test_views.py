"""The import pages through Django's test client: every page, its errors beside the right control, the
scoping (another user's run or upload answers 404, a role without create rights gets 403), and the query
count of the runs list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from accord.core.actors import Actor
from accord.customers.models import Contact
from accord.imports.models import ImportRun, MappingTemplate
from accord.imports.services import import_run_create
from accord.imports.tests.glue import import_files, mapping_post, people_csv, upload
from accord.jobs.worker import run_jobs_until_empty
from accord.users.models import User
from accord.web.tests import builders as b

__all__ = ["import_files"]
pytestmark = pytest.mark.django_db

PEOPLE = people_csv(9, bad_every=3).encode()


@pytest.fixture
def rita() -> User:
    return b.make_user("rita", "sales_rep")


@pytest.fixture
def client(rita: User) -> Client:
    return b.browser(rita)


def text(response: Any) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------------ list


def test_the_empty_list_explains_imports_and_links_to_a_new_one(client: Client) -> None:
    response = client.get("/imports/")

    assert response.status_code == 200
    page = text(response)
    assert "No imports yet" in page
    assert "An import brings your spreadsheets and your old CRM" in page
    assert page.count('href="/imports/new/"') == 2  # beside the heading and in the empty state


def test_the_list_shows_my_runs_newest_first_and_administrators_see_everyones(rita: User) -> None:
    bob = b.make_user("bob", "sales_rep")
    admin = b.make_user("ada", "administrator")
    mine = [_run(rita, f"mine{index}.csv") for index in range(2)]
    theirs = _run(bob, "bobs.csv")

    rita_page = text(b.browser(rita).get("/imports/"))
    admin_page = text(b.browser(admin).get("/imports/"))

    assert rita_page.index("mine1.csv") < rita_page.index("mine0.csv")
    assert "bobs.csv" not in rita_page
    for run in (*mine, theirs):
        assert f'href="/imports/{run.pk}/"' in admin_page
    assert "<td>bob</td>" in admin_page


def _run(user: User, file_name: str, **options: Any) -> ImportRun:
    return import_run_create(
        actor=Actor(user=user, via="web"),
        kind="contacts",
        file_name=file_name,
        mapping={"Email": "email"},
        **options,
    )


def test_the_list_costs_the_same_queries_for_3_and_30_runs(rita: User, client: Client) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/imports/").status_code == 200
        return len(captured.captured_queries)

    for index in range(3):
        _run(rita, f"{index}.csv")
    three = queries()
    for index in range(27):
        _run(rita, f"more{index}.csv")
    thirty = queries()

    assert three == thirty
    assert thirty <= 4  # session, user, role, the runs with their users


# ---------------------------------------------------------------------------------------------- upload


def test_the_upload_page_offers_the_kinds_the_role_may_create(import_files: Path) -> None:
    agent = b.make_user("sam", "support_agent")  # creates interactions only
    reader = b.make_user("rob", "read_only")

    page = b.browser(agent).get("/imports/new/")
    refused = b.browser(reader).get("/imports/new/")
    posted = b.browser(agent).post(
        "/imports/new/", {"kind": "contacts", "file": SimpleUploadedFile("p.csv", PEOPLE)}
    )

    assert page.status_code == 200
    assert list(page.context["form"].fields["kind"].choices) == [("interactions", "Interactions")]
    assert refused.status_code == 403
    assert posted.status_code == 422
    assert posted.context["form"].errors == {
        "kind": ["Select a valid choice. contacts is not one of the available choices."]
    }


def test_an_unreadable_file_is_refused_beside_the_file_input_and_not_kept(
    import_files: Path, client: Client
) -> None:
    response = client.post(
        "/imports/new/",
        {"kind": "contacts", "file": SimpleUploadedFile("people.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")},
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "file": ["This is a PDF document. Export the data as CSV or Excel (.xlsx) instead."]
    }
    assert 'id="id_file_error"' in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert not any(path.is_file() for path in import_files.rglob("*"))


@pytest.mark.parametrize("extra_bytes", [0, 100 * 1024])
def test_a_file_above_the_limit_is_refused(
    import_files: Path, client: Client, settings: Settings, extra_bytes: int
) -> None:
    # Just above the limit (found while copying the file), or far above (refused before reading the body)
    settings.ACCORD_IMPORT_MAX_UPLOAD_BYTES = 100
    content = PEOPLE + b"x" * extra_bytes

    response = client.post(
        "/imports/new/", {"kind": "contacts", "file": SimpleUploadedFile("p.csv", content)}
    )

    assert response.status_code == 413
    assert "The file is larger than 100 bytes. Split it, or import it from the command line" in text(response)
    assert not any(path.is_file() for path in import_files.rglob("*"))


# --------------------------------------------------------------------------------------------- mapping


def test_the_mapping_step_shows_each_column_with_samples_and_its_suggested_field(
    import_files: Path, client: Client
) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)

    response = client.get(url)

    assert response.status_code == 200
    form = response.context["form"]
    assert [form.column(index).value() for index in range(5)] == [
        "given_name",
        "family_name",
        "email",
        "phone",
        "created_at",
    ]
    assert form["day_order"].value() == "day"  # 31/12/2024 can only be day first
    columns = response.context["columns"]
    assert [column["samples"] for column in columns[:3]] == [
        ["Given0", "Given1", "Given2"],
        ["Family0", "Family1", "Family2"],
        ["person0@", "person1@example.com", "person2@example.com"],
    ]
    page = text(response)
    assert "Don&#x27;t import" in page


def test_another_users_upload_answers_404(import_files: Path, client: Client) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)
    other = b.browser(b.make_user("bob", "sales_rep"))

    assert other.get(url).status_code == 404
    assert other.get(f"{url}preview/").status_code == 404
    assert other.post(url, {"action": "import"}).status_code == 404
    assert client.get("/imports/new/0123456789abcdef0123456789abcdeg/").status_code == 404
    assert client.get("/imports/new/..%2F..%2Fetc/").status_code == 404


def test_the_preview_shows_the_first_rows_as_stored_with_errors_in_place(
    import_files: Path, client: Client
) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)
    choices = {
        "column-0": "given_name",
        "column-2": "email",
        "column-4": "created_at",
        "day_order": "day",
        "default_region": "DE",
        "time_zone": "UTC",
        "match_key": "none",
        "on_duplicate": "skip",
    }

    response = client.get(f"{url}preview/", choices, **b.HTMX)

    assert response.status_code == 200
    table = response.context["table"]
    assert table.labels == ["First name", "Email", "Created at"]
    assert [(row.number, [cell.text for cell in row.cells]) for row in table.rows[:2]] == [
        (2, ["Given0", "", "2024-12-31 00:00"]),
        (3, ["Given1", "person1@example.com", "2024-12-31 00:00"]),
    ]
    assert table.rows[0].cells[1].errors == [
        "'person0@' is not a valid email address: there must be something after the @-sign."
    ]
    assert (len(table.rows), table.rejected) == (9, 3)
    assert "<html" not in text(response)  # the partial only


def test_two_columns_on_one_field_and_a_missing_required_field_are_shown_beside_their_controls(
    import_files: Path, client: Client
) -> None:
    url = upload(client, "companies", "firms.csv", b"Name,Website,Other Name\nZephyr,zephyr.example,Z\n")

    both = mapping_post(client, url, "import", **{"column-2": "name"})
    none = mapping_post(client, url, "dry_run", **{"column-0": ""})

    assert both.status_code == 422
    message = "Name takes one column, but 'Name', 'Other Name' are mapped to it."
    assert both.context["form"].errors == {"column-0": [message], "column-2": [message]}
    assert none.status_code == 422
    assert none.context["form"].errors == {"__all__": ["Required: map a column to Name."]}
    assert ImportRun.objects.count() == 0


def test_a_match_key_without_its_column_is_shown_beside_the_match_key(
    import_files: Path, client: Client
) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)

    response = mapping_post(client, url, "import", match_key="phone", **{"column-3": ""})

    assert response.status_code == 422
    assert response.context["form"].errors == {"match_key": ["No column is mapped to the phone to match on."]}
    assert 'id="id_match_key_error"' in text(response)


def test_fields_the_role_may_not_write_are_not_offered(import_files: Path) -> None:
    marketer = b.browser(b.make_user("mia", "marketer"))  # contacts' phones are hidden from marketers
    url = upload(marketer, "contacts", "people.csv", PEOPLE)

    form = marketer.get(url).context["form"]

    offered = {name for name, _ in form.fields["column-0"].choices}
    assert {"phone", "mobile_phone", "other_phones"} & offered == set()
    assert {"given_name", "email"} <= offered
    assert form.column(3).value() == ""  # the Phone column is not imported


def test_a_mapping_saved_as_a_template_starts_the_next_upload(
    import_files: Path, client: Client, rita: User
) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)

    saved = mapping_post(
        client, url, "save_template", mapping_name="Old CRM", template_shared="on", **{"column-3": ""}
    )

    template = MappingTemplate.objects.get()
    assert (template.name, template.owner_id, template.is_shared, template.kind) == (
        "Old CRM",
        rita.pk,
        True,
        "contacts",
    )
    assert template.mapping == {
        "First Name": "given_name",
        "Last Name": "family_name",
        "Email": "email",
        "Created": "created_at",
    }
    assert saved.status_code == 302
    assert saved["Location"] == f"{url}?template={template.pk}"
    next_url = upload(client, "contacts", "again.csv", PEOPLE)
    form = client.get(f"{next_url}?template={template.pk}").context["form"]
    assert form.column(3).value() == ""  # Phone, unmapped in the template
    assert form.column(2).value() == "email"
    # Another user (not a teammate) cannot use it
    bob = b.browser(b.make_user("bob", "sales_rep"))
    bobs_url = upload(bob, "contacts", "b.csv", PEOPLE)
    assert bob.get(f"{bobs_url}?template={template.pk}").status_code == 404
    assert bob.post(f"/imports/templates/{template.pk}/delete/").status_code == 404
    # And its owner deletes it
    assert client.post(f"/imports/templates/{template.pk}/delete/", {"next": url}).status_code == 302
    assert not MappingTemplate.objects.exists()


def test_a_template_name_is_required_to_save_one(import_files: Path, client: Client) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)

    response = mapping_post(client, url, "save_template")

    assert response.status_code == 422
    assert response.context["form"].errors == {"mapping_name": ["Give the template a name."]}


# ------------------------------------------------------------------------------------------- run page


def test_a_dry_run_then_the_import_for_real_then_its_revert(
    import_files: Path, client: Client, rita: User
) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)

    # A dry run: queued, its page polls while it waits, then shows the report and stops polling
    started = mapping_post(client, url, "dry_run", match_key="email")
    dry = ImportRun.objects.get()
    assert started.status_code == 302
    assert started["Location"] == f"/imports/{dry.pk}/"
    waiting = client.get(f"/imports/{dry.pk}/")
    assert waiting.status_code == 200
    assert 'hx-trigger="every 1s"' in text(waiting)
    assert "Waiting for a worker" in text(waiting)
    assert client.get(f"/imports/{dry.pk}/", **b.HTMX).status_code == 200
    run_jobs_until_empty()
    done = client.get(f"/imports/{dry.pk}/", **b.HTMX)
    assert done.status_code == 286
    assert (done.context["run"].created_count, done.context["run"].rejected_count) == (6, 3)
    assert "Would be created" in text(done)
    assert done.context["rejected"][0] == (
        2,
        "Email",
        "'person0@' is not a valid email address: there must be something after the @-sign.",
    )
    assert Contact.objects.count() == 0

    # The error file: a byte order mark, then row, column, reason and the row's cells
    errors = client.get(f"/imports/{dry.pk}/rejected-rows.csv")
    assert errors["Content-Type"] == "text/csv; charset=utf-8"
    assert errors["Content-Disposition"] == 'attachment; filename="people-rejected-rows.csv"'
    body = errors.getvalue().decode()
    assert body.splitlines()[:2] == [
        "\ufeffrow,column,reason",
        "2,Email,'person0@' is not a valid email address: there must be something after the @-sign.,"
        "Given0,Family0,person0@,'+49 30 1000000,31/12/2024",  # the phone protected as in exports
    ]

    # For real, with the same settings and without uploading again
    real_started = client.post(f"/imports/{dry.pk}/run/")
    real = ImportRun.objects.exclude(pk=dry.pk).get()
    assert real_started["Location"] == f"/imports/{real.pk}/"
    assert (real.is_dry_run, real.mapping, real.match_key, real.stored_file) == (
        False,
        dry.mapping,
        "email",
        dry.stored_file,
    )
    run_jobs_until_empty()
    assert Contact.objects.count() == 6
    page = text(client.get(f"/imports/{real.pk}/"))
    assert "Revert this import" in page
    assert "Run this import for real" not in page

    # The revert: a confirmation page, then a job with its own progress
    confirm = client.get(f"/imports/{real.pk}/revert/")
    assert confirm.status_code == 200
    assert "The 6 contacts this import created are deleted" in text(confirm)
    assert client.post(f"/imports/{real.pk}/revert/")["Location"] == f"/imports/{real.pk}/"
    assert "Reverting" in text(client.get(f"/imports/{real.pk}/"))
    run_jobs_until_empty()
    real.refresh_from_db()
    assert (real.status, Contact.objects.count()) == ("reverted", 0)
    assert "Revert this import" not in text(client.get(f"/imports/{real.pk}/"))


def test_another_users_run_answers_404_everywhere(import_files: Path, client: Client) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)
    mapping_post(client, url, "dry_run")
    run = ImportRun.objects.get()
    run_jobs_until_empty()
    bob = b.browser(b.make_user("bob", "sales_rep"))

    assert bob.get(f"/imports/{run.pk}/").status_code == 404
    assert bob.get(f"/imports/{run.pk}/", **b.HTMX).status_code == 404
    assert bob.get(f"/imports/{run.pk}/rejected-rows.csv").status_code == 404
    assert bob.get(f"/imports/{run.pk}/revert/").status_code == 404
    assert bob.post(f"/imports/{run.pk}/revert/").status_code == 404
    assert bob.post(f"/imports/{run.pk}/run/").status_code == 404
    assert bob.post(f"/imports/{run.pk}/resume/").status_code == 404
    assert ImportRun.objects.count() == 1
    # The run's own user and an administrator see it
    assert client.get(f"/imports/{run.pk}/").status_code == 200
    assert b.browser(b.make_user("ada", "administrator")).get(f"/imports/{run.pk}/").status_code == 200


def test_a_refused_action_comes_back_as_a_message(import_files: Path, client: Client) -> None:
    url = upload(client, "contacts", "people.csv", PEOPLE)
    mapping_post(client, url, "dry_run")
    run = ImportRun.objects.get()
    run_jobs_until_empty()

    response = client.post(f"/imports/{run.pk}/revert/", follow=True)

    assert response.status_code == 200
    assert "A dry run wrote nothing: there is nothing to revert." in text(response)
