"""vCard: the writer's escaping and folding, the reader on 4.0, 3.0 and 2.1 files, the pages, fuzzing."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.access.tests.world import build_world
from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry
from accord.core.tests.list_checks import signed_in
from accord.customers.models import Contact
from accord.customers.services import company_create, contact_create, contact_update
from accord.exports.vcard import HEADERS, VCardError, escape, fold, split_value, vcard_rows
from accord.imports.fields import CONTACTS
from accord.imports.readers import open_table
from accord.users.models import User

pytestmark = pytest.mark.django_db

SAMPLES = {
    "3.0": (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
        b"N:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nORG:Analytical Engines Ltd;Research\r\nTITLE:Countess\r\n"
        b"item1.EMAIL;type=INTERNET;type=WORK;type=pref:ada@engines.example\r\n"
        b"EMAIL;type=INTERNET;type=HOME:ada@home.example\r\n"
        b"TEL;type=CELL;type=VOICE;type=pref:+44 7700 900123\r\nTEL;type=WORK;type=VOICE:+44 20 7946 0001\r\n"
        b"TEL;type=HOME:+44 20 7946 0002\r\n"
        b"CATEGORIES:math,poetry\r\nNOTE:First programmer\\, really.\r\nEND:VCARD\r\n"
    ),
    "2.1": (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
        "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BCller Gro=C3=9F=\r\nmann\r\n"
        "TEL;CELL;PREF:+49 151 2345678\r\nTEL;WORK:+49 30 1234567\r\nEMAIL;INTERNET:juergen@example.de\r\n"
        "ORG:Bäckerei Müller\r\nTITLE:Meister\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Assistant\r\n"
        "END:VCARD\r\nEND:VCARD\r\n"
    ).encode("cp1252"),
}


def table_rows(data: bytes) -> list[dict[str, str]]:
    table = vcard_rows(io.BytesIO(data))
    return [dict(zip(table.headers, cells, strict=True)) for _, cells in table.rows]


def body(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


# ---------------------------------------------------------------- writing


def test_text_is_escaped_and_lines_fold_at_75_octets_without_splitting_characters() -> None:
    assert escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "NOTE:" + "é" * 40 + "😀" * 20
    folded = fold(line)
    physical = folded.split("\r\n")[:-1]
    assert all(len(part.encode()) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert "".join(part[1:] if index else part for index, part in enumerate(physical)) == line
    assert split_value("a\\;b;c\\,d\\nE", ";") == ["a;b", "c,d\nE"]


def _rich_contact(owner: User) -> Contact:
    acme = company_create(actor=SYSTEM, data={"name": 'Acme; Ltd, "Intl"', "owner_id": owner.pk})
    return contact_create(
        actor=SYSTEM,
        data={
            "given_name": "Zoë",
            "family_name": "O'Neil, Jr",
            "job_title": "Head of things; and more " + "x" * 80,
            "owner_id": owner.pk,
            "emails": [
                {"email": "zoe@acme.example", "label": "work", "is_primary": True},
                {"email": "zoe@home.example", "label": "home"},
            ],
            "phones": [
                {"number": "+14155552671", "label": "work", "is_primary": True},
                {"number": "+447911123456", "label": "mobile"},
                {"number": "+33142685300", "label": "home"},
            ],
            "employments": [{"company_id": acme.pk}],
            "tags": ["vip", "board member"],
        },
    )


def test_a_contacts_vcard_round_trips_through_the_import_reader(user: User) -> None:
    zoe = _rich_contact(user)

    response = signed_in(user).get(f"/contacts/{zoe.pk}/vcard/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Zo-O-Neil-Jr.vcf"'
    text = body(response)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:")
    assert "EMAIL;TYPE=work;PREF=1:zoe@acme.example\r\n" in text
    assert "TEL;VALUE=uri;TYPE=work;PREF=1:tel:+14155552671\r\n" in text
    assert "TEL;VALUE=uri;TYPE=cell:tel:+447911123456\r\n" in text
    assert 'ORG:Acme\\; Ltd\\, "Intl"\r\n' in text
    assert "CATEGORIES:board member,vip\r\n" in text
    assert re.search(r"\r\nREV:\d{8}T\d{6}Z\r\n", text)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert table_rows(text.encode()) == [
        {
            "given_name": "Zoë",
            "family_name": "O'Neil, Jr",
            "full_name": "Zoë O'Neil, Jr",
            "email": "zoe@acme.example",
            "other_emails": "zoe@home.example",
            "phone": "+14155552671",
            "mobile_phone": "+447911123456",
            "other_phones": "+33142685300",
            "job_title": "Head of things; and more " + "x" * 80,
            "company_name": 'Acme; Ltd, "Intl"',
            "tags": "board member; vip",
        }
    ]
    assert AuditEntry.objects.filter(action="export", object_id=zoe.pk, via="web").count() == 1


def test_the_uid_is_stable_and_does_not_show_the_id(user: User) -> None:
    zoe = _rich_contact(user)
    client = signed_in(user)
    first, second = (re.search(r"UID:(.*)\r\n", body(client.get(f"/contacts/{zoe.pk}/vcard/"))) for _ in "ab")
    assert first is not None
    assert second is not None
    assert first.group(1) == second.group(1)
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first.group(1)
    )


def test_the_360_page_links_its_vcard(user: User) -> None:
    zoe = _rich_contact(user)
    page = signed_in(user).get(f"/contacts/{zoe.pk}/").content.decode()
    assert f'href="/contacts/{zoe.pk}/vcard/" download>Download vCard</a>' in page


def test_a_contact_out_of_sight_answers_404_and_hidden_phones_and_companies_stay_out() -> None:
    world = build_world("marketer", ("contact", "company"))
    other = world.records["contact"]["other"]
    own = world.records["contact"]["own"]  # the world's contacts have a phone: +14155552671
    hidden_company = world.records["company"]["other"]
    contact_update(actor=SYSTEM, instance=own, data={"employments": [{"company_id": hidden_company.pk}]})
    client = signed_in(world.alice)

    assert client.get(f"/contacts/{other.pk}/vcard/").status_code == 404
    text = body(client.get(f"/contacts/{own.pk}/vcard/"))
    assert "TEL" not in text
    assert "ORG" not in text
    assert "FN:Zq own\r\n" in text


def test_the_list_exports_the_views_contacts_as_vcards() -> None:
    world = build_world("sales_manager", ("contact",))
    client = signed_in(world.alice)

    response = client.get("/contacts/export/vcard/?q=zq&sort=-family_name")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="contacts.vcf"'
    rows = table_rows(body(response).encode())
    assert [row["family_name"] for row in rows] == ["teammate", "shared_edit", "shared", "own"]
    entry = AuditEntry.objects.get(action="export", object_type="customers.contact", object_id=None)
    assert entry.changes == {"query": [None, {"q": "zq", "sort": "-family_name", "format": "vcard"}]}
    rep = signed_in(world.bob)  # a sales representative: no export right on contacts
    assert rep.get("/contacts/export/vcard/").status_code == 403
    assert client.get("/contacts/export/vcard/?created_after=soon").status_code == 400


# ---------------------------------------------------------------- reading


def test_the_headers_are_contact_import_fields() -> None:
    names = {field.name for field in CONTACTS.fields}
    assert set(HEADERS) <= names
    assert table_rows(b"BEGIN:VCARD\nFN:A\nEND:VCARD\n")[0]["full_name"] == "A"


def test_a_vcard_3_file_from_a_phone() -> None:
    assert table_rows(SAMPLES["3.0"]) == [
        {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "full_name": "Ada Lovelace",
            "email": "ada@engines.example",
            "other_emails": "ada@home.example",
            "phone": "+44 20 7946 0001",
            "mobile_phone": "+44 7700 900123",
            "other_phones": "+44 20 7946 0002",
            "job_title": "Countess",
            "company_name": "Analytical Engines Ltd",
            "tags": "math; poetry",
        }
    ]


def test_a_vcard_2_1_file_with_quoted_printable_windows_1252_and_a_nested_agent() -> None:
    rows = table_rows(SAMPLES["2.1"])
    assert rows == [
        {
            "given_name": "Jürgen",
            "family_name": "Müller",
            "full_name": "Jürgen Müller Großmann",
            "email": "juergen@example.de",
            "other_emails": "",
            "phone": "+49 30 1234567",
            "mobile_phone": "+49 151 2345678",
            "other_phones": "",
            "job_title": "Meister",
            "company_name": "Bäckerei Müller",
            "tags": "",
        }
    ]


def test_rows_are_numbered_as_under_a_header_and_progress_reaches_the_end() -> None:
    data = (
        b"BEGIN:VCARD\r\nFN:One\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Two\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Cut"
    )
    table = open_table(io.BytesIO(data), filename="people.vcf")  # the import's reader, as an upload is read
    assert table.file_format == "vcard"
    assert table.fraction_read() == 0.0
    rows = list(table.rows)
    assert [(number, cells[2]) for number, cells in rows] == [(2, "One"), (3, "Two"), (4, "Cut")]
    assert table.fraction_read() == 1.0


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"name,email\nAnn,ann@example.com\n",
        b"\x00\x01\x02BEGIN:VCARD",
        b"END:VCARD\n",
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_a_file_that_is_not_vcard_is_refused_before_any_row(data: bytes) -> None:
    with pytest.raises(VCardError):
        vcard_rows(io.BytesIO(data))


_LINES = st.sampled_from(
    [
        "BEGIN:VCARD", "END:VCARD", "VERSION:4.0", "VERSION:2.1", "FN:Ann", "N:Lee;Ann;;;", "N:", "N;;",
        "EMAIL;PREF=1:a@b.c", "EMAIL;TYPE=pref:", "TEL;VALUE=uri:tel:+1-555;ext=2", "TEL;CELL;PREF:+1 555",
        "TEL;PREF=x:1", "ORG:A\\;B;C", "TITLE:\\", "CATEGORIES:a,b\\,c,", "NOTE;ENCODING=QUOTED-PRINTABLE:a=",
        "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=nope:=FF=", "FN;CHARSET=\"utf-8:x\":y", " folded", "\tfolded",
        "item1.EMAIL;type=INTERNET:x@y.z", "AGENT:", ":", ";:", "X-;=;=:", "BEGIN:VCARD\x00",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.lists(st.one_of(_LINES, st.text(max_size=30)), max_size=25)))
def test_fuzzed_input_gives_a_vcard_error_or_rows_never_another_exception(data: bytes | list[str]) -> None:
    raw = data if isinstance(data, bytes) else "\r\n".join(data).encode("utf-8", "surrogatepass")
    try:
        table = vcard_rows(io.BytesIO(raw))
    except VCardError:
        return
    for number, cells in table.rows:
        assert number >= 2
        assert len(cells) == len(HEADERS)
        assert all(isinstance(value, str) for value in cells)
        assert 0.0 <= table.fraction_read() <= 1.0
