"""``accord import`` as a real subprocess on the test database, on real files: the reader's sample exports,
a generated file with a third of its rows bad, an XLSX workbook; its last line, its errors file, its
exit status and its messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from accord.access.models import Role
from accord.core.models import AuditEntry
from accord.customers.models import Company, Contact, ContactEmail
from accord.imports.command import KIND_NAMES, MATCH_KEYS, ON_DUPLICATE
from accord.imports.fields import KINDS
from accord.imports.models import ImportRun
from accord.imports.tests.glue import FILES, people_csv
from accord.jobs.tests.support import GIVE_UP_SECONDS, ROOT, worker_environment
from accord.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def accord_import(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord.cli", "import", *map(str, arguments)],
        cwd=ROOT,
        env=worker_environment(),
        capture_output=True,
        text=True,
        timeout=GIVE_UP_SECONDS,
        check=False,
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def rep() -> User:
    """The owner the sample exports name (as "rep@example.com")."""
    return User.objects.create_user(
        username="rep", email="rep@example.com", role=Role.objects.get(key="sales_rep")
    )


def test_the_parser_knows_every_kind_and_rule_of_the_models() -> None:
    from accord.imports.models import ImportRun

    assert tuple(KINDS) == KIND_NAMES
    assert set(MATCH_KEYS) == set(ImportRun.MatchKey.values)
    assert set(ON_DUPLICATE) == set(ImportRun.OnDuplicate.values)


def test_a_third_of_the_rows_bad_good_rows_in_bad_rows_in_the_errors_file(tmp_path: Path, rep: User) -> None:
    # Given 30 contacts, rows 2, 5, 8, … with an email that cannot be one
    people = tmp_path / "people.csv"
    people.write_text(people_csv(30, bad_every=3))
    errors = tmp_path / "rejected.csv"

    result = accord_import("contacts", people, "--match", "email", "--errors", errors)

    assert (result.returncode, last_line(result)) == (0, "created 20, updated 0, skipped 0, rejected 10")
    assert sorted(ContactEmail.objects.values_list("email", flat=True)) == sorted(
        f"person{index}@example.com" for index in range(30) if index % 3
    )
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == [
        "row,column,reason",
        "2,Email,'person0@' is not a valid email address: there must be something after the @-sign.,"
        "Given0,Family0,person0@,'+49 30 1000000,31/12/2024",  # the phone protected as in exports
        "5,Email,'person3@' is not a valid email address: there must be something after the @-sign.,"
        "Given3,Family3,person3@,'+49 30 1000003,31/12/2024",
    ]
    assert [line.split(",")[0] for line in lines[1:]] == [str(row) for row in range(2, 32, 3)]
    # The suggested mapping and the detected date order were printed on stderr, with the run's number
    run = ImportRun.objects.get()
    assert "  Email -> email (Email)\n" in result.stderr
    assert "Dates: day first, as the file's dates show." in result.stderr
    assert f"Import {run.pk}." in result.stderr
    assert (run.options["day_first"], run.match_key, run.created_by_id) == (True, "email", None)
    assert set(AuditEntry.objects.filter(object_type="customers.contact").values_list("via", flat=True)) == {
        "import"
    }

    # When the same file is imported again, matching on email: every good row is skipped
    again = accord_import("contacts", people, "--match", "email", "--on-duplicate", "skip")
    assert (again.returncode, last_line(again)) == (0, "created 0, updated 0, skipped 20, rejected 10")
    assert "10 rows were rejected: add --errors FILE to get each one with its reason." in again.stderr


@pytest.mark.parametrize(
    ("kind", "file_name", "line"),
    [
        ("contacts", "hubspot_contacts.csv", "created 2, updated 0, skipped 0, rejected 0"),
        ("contacts", "pipedrive_persons.csv", "created 1, updated 0, skipped 0, rejected 0"),
        ("contacts", "google_contacts_new.csv", "created 1, updated 0, skipped 0, rejected 0"),
        ("contacts", "third_bad.csv", "created 4, updated 0, skipped 0, rejected 5"),
        ("companies", "salesforce_dataloader_accounts.csv", "created 1, updated 0, skipped 0, rejected 0"),
        ("companies", "pipedrive_organizations.csv", "created 1, updated 0, skipped 0, rejected 0"),
    ],
)
def test_the_sample_exports_import_with_their_suggested_mapping(
    rep: User, kind: str, file_name: str, line: str
) -> None:
    result = accord_import(kind, FILES / file_name)

    assert (result.returncode, last_line(result)) == (0, line), result.stderr


def test_a_dry_run_writes_nothing_and_reports_the_same_counts(tmp_path: Path, rep: User) -> None:
    people = tmp_path / "people.csv"
    people.write_text(people_csv(9, bad_every=3))

    result = accord_import("contacts", people, "--dry-run", "--as", "rep")

    assert (result.returncode, last_line(result)) == (0, "created 6, updated 0, skipped 0, rejected 3")
    assert "(dry run: nothing is written)" in result.stderr
    assert Contact.objects.count() == 0
    assert ImportRun.objects.get().created_by_id == rep.pk


def test_a_mapping_file_decides_the_columns_and_the_date_order(tmp_path: Path, rep: User) -> None:
    people = tmp_path / "people.csv"
    people.write_text("Vorname,E-Mail,Notizen,Angelegt\nAda,ada@example.com,vip,03/04/2025\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"Vorname": "given_name", "E-Mail": "email", "Notizen": None, "Angelegt": "created_at"})
    )

    result = accord_import("contacts", people, "--mapping", mapping, "--month-first", "--time-zone", "UTC")

    assert (result.returncode, last_line(result)) == (0, "created 1, updated 0, skipped 0, rejected 0")
    assert "  Notizen -> not imported\n" in result.stderr
    contact = Contact.objects.get()
    assert (contact.given_name, contact.created_at.isoformat()) == ("Ada", "2025-03-04T00:00:00+00:00")


def test_an_xlsx_sheet_is_chosen_by_name(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Nothing to import here"])
    sheet = workbook.create_sheet("Firms")
    sheet.append(["Company Name", "Website", "Annual Revenue"])
    sheet.append(["Zephyr Looms", "https://zephyr-looms.example/", "1.234.567,50"])
    path = tmp_path / "firms.xlsx"
    workbook.save(path)

    result = accord_import("companies", path, "--sheet", "Firms", "--decimal-comma", "--region", "DE")

    assert (result.returncode, last_line(result)) == (0, "created 1, updated 0, skipped 0, rejected 0"), (
        result.stderr
    )
    company = Company.objects.get()
    assert (company.name, company.domain, str(company.annual_revenue)) == (
        "Zephyr Looms",
        "zephyr-looms.example",
        "1234567.50",
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["contacts", "missing.csv"], "accord import: No file 'missing.csv'.\n"),
        (
            ["contacts", "{pdf}"],
            "accord import: This is a PDF document. Export the data as CSV or Excel (.xlsx) instead.\n",
        ),
        (["contacts", "{people}", "--as", "ghost"], "accord import: No user named 'ghost'.\n"),
        (["leads", "{people}", "--as", "agent"], "accord import: Your role may not create leads.\n"),
        (
            ["contacts", "{people}", "--mapping", "{bad_mapping}"],
            "accord import: the mapping cannot be used: Column 'First Name': Contacts have no field 'first'.\n",
        ),
        (
            ["contacts", "{people}", "--mapping", "{other_columns}"],
            "accord import: The mapping names columns the file does not have: 'Mail'. The file's columns are: "
            "'First Name', 'Last Name', 'Email', 'Phone', 'Created'.\n",
        ),
        (
            ["contacts", "{people}", "--match", "domain"],
            "accord import: match_key: Contacts match on: external_id, email, phone, none. "
            "No column is mapped to the domain to match on.\n",
        ),
        (
            ["contacts", "{people}", "--region", "XX"],
            "accord import: default_region: 'XX' is not a country code such as US, GB or DE.\n",
        ),
    ],
)
def test_what_cannot_run_exits_with_status_1_and_one_clear_line(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    User.objects.create_user(username="agent", role=Role.objects.get(key="support_agent"))
    files = {
        "people": tmp_path / "people.csv",
        "pdf": tmp_path / "contacts.csv",
        "bad_mapping": tmp_path / "bad.json",
        "other_columns": tmp_path / "other.json",
    }
    files["people"].write_text(people_csv(3))
    files["pdf"].write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    files["bad_mapping"].write_text(json.dumps({"First Name": "first", "Email": "email"}))
    files["other_columns"].write_text(json.dumps({"Mail": "email"}))

    result = accord_import(*(argument.format(**files) for argument in arguments))

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(message), result.stderr
    assert Contact.objects.count() == 0


def test_revert_undoes_an_import(tmp_path: Path, rep: User) -> None:
    people = tmp_path / "people.csv"
    people.write_text(people_csv(4))
    assert accord_import("contacts", people).returncode == 0
    run = ImportRun.objects.get()

    result = accord_import("revert", str(run.pk))

    assert (result.returncode, result.stdout) == (
        0,
        f"Reverted import {run.pk} (contacts from people.csv).\n",
    )
    assert Contact.objects.count() == 0
    assert accord_import("revert", "x1").stderr == (
        "accord import: 'x1' is not the number of an import (`accord import` prints it).\n"
    )
