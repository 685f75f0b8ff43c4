"""CSV and XLSX exports of the web lists and the API: rows, columns, types, formulas, permissions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from accord.access.models import Role
from accord.access.tests.world import build_world, client_for
from accord.core.actors import SYSTEM, Actor
from accord.core.export import cell, pages
from accord.core.models import AuditEntry
from accord.core.tests.list_checks import shown_ids, signed_in
from accord.core.xlsx import MAX_CELL_CHARACTERS, column_letter, xlsx_chunks
from accord.customers.models import Contact
from accord.customers.selectors import contact_list, contact_rows
from accord.customers.services import company_create, contact_create
from accord.sales.services import deal_create, pipeline_create
from accord.users.models import User

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INJECTIONS = ['=HYPERLINK("http://evil.example")', "+1+2", "-2-3", "@SUM(A1)", "=1"]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def csv_table(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def workbook(response: Any) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def contact(owner: User | None, family_name: str, **data: Any) -> Contact:
    owned = {"owner_id": owner.pk} if owner else {}
    return contact_create(
        actor=SYSTEM, data={"given_name": "Zq", "family_name": family_name, **owned, **data}
    )


# ---------------------------------------------------------------- the web lists


def test_the_web_export_writes_the_chosen_columns_in_their_order_with_the_filters_and_sort(
    user: User,
) -> None:
    acme = company_create(actor=SYSTEM, data={"name": "Acme"})
    ann = contact(
        user, "Adams", job_title="Buyer", tags=["vip", "board"], lifecycle_stage="customer",
        emails=[{"email": "ann@acme.example", "is_primary": True}],
        employments=[{"company_id": acme.pk}],
    )  # fmt: skip
    cy = contact(user, "Cole", lifecycle_stage="customer")
    contact(user, "Bell", lifecycle_stage="lead")
    query = (
        "lifecycle_stage=customer&sort=-family_name&columns=email&columns=name&columns=tags&columns=company"
    )

    response = signed_in(user).get(f"/contacts/export/?{query}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    assert csv_table(response) == [
        ["ID", "Email", "Name", "Tags", "Company"],
        [str(cy.pk), "", "Zq Cole", "", ""],
        [str(ann.pk), "ann@acme.example", "Zq Adams", "board; vip", "Acme"],
    ]


def test_the_xlsx_export_has_the_same_rows_typed_under_a_bold_frozen_header(user: User) -> None:
    pipeline_create(actor=SYSTEM, data={"name": "Sales", "is_default": True, "stages": [{"name": "New"}]})
    deal = deal_create(
        actor=SYSTEM,
        data={"name": "Big one", "amount": Decimal("1234.50"), "currency": "USD",
              "expected_close_date": dt.date(2031, 5, 17), "owner_id": user.pk},
    )  # fmt: skip
    query = "columns=name&columns=amount&columns=close&columns=created"

    response = signed_in(user).get(f"/deals/export/?format=xlsx&{query}")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="deals.xlsx"'
    sheet = workbook(response).worksheets[0]
    assert sheet.title == "deals"
    assert sheet.freeze_panes == "A2"
    assert [c.font.b for c in sheet[1]] == [True] * 6
    rows = list(sheet.iter_rows(values_only=True))
    created = deal.created_at.replace(tzinfo=None)  # the test site's zone is UTC
    assert rows[0] == ("ID", "Name", "Amount", "Amount currency", "Expected close", "Created")
    assert rows[1][:5] == (deal.pk, "Big one", 1234.5, "USD", dt.datetime(2031, 5, 17))
    assert abs(rows[1][5] - created) < dt.timedelta(milliseconds=1)
    assert [c.number_format for c in sheet[2]][4:] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"]


def test_a_managers_export_holds_exactly_the_rows_and_columns_of_the_list() -> None:
    world = build_world("sales_manager", ("contact",))
    client = signed_in(world.alice)
    view = "columns=name&columns=phone&columns=stage"

    listed = shown_ids(client.get(f"/contacts/?{view}"))
    exported = csv_table(client.get(f"/contacts/export/?{view}"))
    workbook_rows = list(
        workbook(client.get(f"/contacts/export/?format=xlsx&{view}"))
        .worksheets[0]
        .iter_rows(values_only=True)
    )

    assert listed == world.ids("contact", {"own", "teammate", "shared", "shared_edit"})
    assert exported[0] == ["ID", "Name", "Phone", "Lifecycle stage"]
    assert {int(row[0]) for row in exported[1:]} == listed
    assert {row[0] for row in workbook_rows[1:]} == listed
    assert {row[2] for row in exported[1:]} == {"+14155552671"}


def test_hidden_fields_never_reach_an_export_even_when_asked_for() -> None:
    world = build_world("marketer", ("contact",))
    client = signed_in(world.alice)

    exported = client.get("/contacts/export/?columns=phone&columns=name")
    workbook_file = client.get("/contacts/export/?format=xlsx&columns=phone&columns=name")

    table = csv_table(exported)
    assert table[0] == ["ID", "Name"]
    sheet_rows = list(workbook(workbook_file).worksheets[0].iter_rows(values_only=True))
    assert sheet_rows[0] == ("ID", "Name")
    assert all("+14155552671" not in str(value) for row in sheet_rows for value in row)


def test_roles_without_the_export_right_are_refused_and_exports_are_audited() -> None:
    world = build_world("sales_rep", ("contact",))

    refused = signed_in(world.alice).get("/contacts/export/?format=xlsx")
    allowed = signed_in(User.objects.create_user("boss", role=Role.objects.get(key="administrator"))).get(
        "/contacts/export/?format=xlsx&q=zq&columns=name"
    )

    assert refused.status_code == 403
    assert allowed.status_code == 200
    entry = AuditEntry.objects.get(action="export", object_type="customers.contact")
    assert (entry.via, entry.object_repr) == ("web", "Export of contacts")
    assert entry.changes == {"query": [None, {"q": "zq", "columns": "name", "format": "xlsx"}]}


def test_a_bad_format_or_filter_answers_400(user: User) -> None:
    client = signed_in(user)
    assert client.get("/contacts/export/?format=pdf").status_code == 400
    assert client.get("/contacts/export/?format=xlsx&created_after=soon").status_code == 400
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("text", INJECTIONS)
def test_formulas_are_neutralised_in_csv_and_xlsx(user: User, text: str) -> None:
    contact(user, text, job_title=text)
    client = signed_in(user)

    table = csv_table(client.get("/contacts/export/?columns=job_title"))
    sheet = workbook(client.get("/contacts/export/?format=xlsx&columns=job_title")).worksheets[0]

    assert table[1][1] == "'" + text
    assert sheet["B2"].value == "'" + text
    assert sheet["B2"].data_type == "s"


def test_cells_neutralise_every_formula_start_but_leave_numbers_alone() -> None:
    assert [cell(text) for text in ("\tx", "\rx", "=x", "+x", "-x", "@x")] == [
        "'\tx", "'\rx", "'=x", "'+x", "'-x", "'@x",
    ]  # fmt: skip
    assert [cell(value) for value in ("-1.5", "+3", -2, Decimal("-0.5"))] == ["-1.5", "+3", "-2", "-0.5"]


def test_the_list_shows_both_export_buttons_and_contacts_a_vcard_one(user: User) -> None:
    page = signed_in(user).get("/contacts/?q=ann").content.decode()
    assert 'href="/contacts/export/?q=ann" download>Export CSV' in page
    assert 'href="/contacts/export/?format=xlsx&amp;q=ann" download>Export XLSX' in page
    assert 'href="/contacts/export/vcard/?q=ann" download>Export vCard' in page
    assert "Export vCard" not in signed_in(user).get("/companies/").content.decode()


# ---------------------------------------------------------------- the API


def test_the_api_exports_xlsx_with_the_list_fields_less_the_hidden_ones() -> None:
    world = build_world("analyst", ("contact",))
    call = client_for(world.alice)

    response = call("GET", "/contacts/export?format=xlsx&sort=family_name")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = list(workbook(response).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert "primary_phone" not in header
    assert header[:4] == ("id", "version", "created_at", "updated_at")
    names = [row[header.index("family_name")] for row in rows[1:]]
    assert names == ["own", "shared", "shared_edit", "teammate"]  # carol's unshared "other" is out of scope
    assert {type(row[0]) for row in rows[1:]} == {int}
    assert {type(row[2]) for row in rows[1:]} == {dt.datetime}


def test_the_api_refuses_an_unknown_format(api_client: Any) -> None:
    assert api_client.get("/contacts/export?format=pdf").status_code == 422


# ---------------------------------------------------------------- the writers


def test_pages_read_every_row_once_in_order_across_keyset_pages(user: User) -> None:
    made = [contact(user, f"Page {number:02d}") for number in range(7)]
    actor = Actor(user=user, via="web")

    def records(part: Any) -> Any:
        return contact_list(actor=actor, part=part) if part is not None else contact_list(actor=actor)

    batches = list(
        pages(
            records,
            actor=actor,
            model=Contact,
            query=None,
            sort="family_name",
            load_rows=contact_rows,
            batch=3,
        )
    )

    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert [row["id"] for batch in batches for row in batch] == [record.pk for record in made]


def test_the_xlsx_writer_streams_chunks_and_starts_a_new_sheet_past_the_row_limit() -> None:
    rows = ([number, "x" * 5000] for number in range(300))

    chunks = list(
        xlsx_chunks(["n", "text"], rows, name="a/b:c*?[long name over thirty-one]", rows_per_sheet=200)
    )

    assert len(chunks) > 2  # streamed, not built whole
    book = openpyxl.load_workbook(io.BytesIO(b"".join(chunks)))
    assert book.sheetnames == ["a b c   long name over thirty-o", "a b c   long name over thir (2)"]
    first, second = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert first[0] == second[0] == ("n", "text")
    assert [row[0] for row in first[1:] + second[1:]] == list(range(300))


def test_the_xlsx_writer_types_cells_and_keeps_text_xml_safe() -> None:
    values = [
        7, 2**60, 1.5, Decimal("2.25"), float("nan"), True, dt.date(1899, 1, 1), dt.date(2024, 2, 29),
        "a\x00b\x1fc <&>\"'", " spaced ", "é漢😀", "y" * (MAX_CELL_CHARACTERS + 5), None, [1, 2],
    ]  # fmt: skip
    headers = [column_letter(index) for index in range(len(values))]

    data = b"".join(xlsx_chunks(headers, [values], text=cell))

    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    assert headers[-3:] == ["L", "M", "N"]
    row = next(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert row == (
        7, "1152921504606846976", 1.5, 2.25, "nan", True, "1899-01-01", dt.datetime(2024, 2, 29),
        "abc <&>\"'", " spaced ", "é漢😀", "y" * MAX_CELL_CHARACTERS, None, "1; 2",
    )  # fmt: skip


def test_column_letters() -> None:
    assert [column_letter(index) for index in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_signed_out_exports_go_to_sign_in(client: Client) -> None:
    response = client.get("/contacts/export/?format=xlsx")
    assert response.status_code == 302


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_xlsx_values_and_types(tmp_path: Path) -> None:
    rows = [
        [
            1,
            "'=cmd",
            dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC),
            dt.date(2020, 1, 2),
            Decimal("1234.50"),
            True,
        ],
        [2, "é漢😀 <&>", None, dt.date(1999, 2, 28), -7, False],
    ]
    source = tmp_path / "export.xlsx"
    source.write_bytes(b"".join(xlsx_chunks(["id", "text", "when", "day", "amount", "ok"], rows, text=cell)))

    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false", "--outdir", str(tmp_path),
         str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip

    # Cells as LibreOffice shows them: dates in their date style, numbers and booleans as such.
    assert (tmp_path / "export.csv").read_text(encoding="utf-8").splitlines() == [
        "id,text,when,day,amount,ok",
        "1,'=cmd,2024-05-01 12:30:00,2020-01-02,1234.5,TRUE",
        "2,é漢😀 <&>,,1999-02-28,-7,FALSE",
    ]
