"""The deal page (/deals/<id>/): details, people with their roles, stage history, inline edit with the
version check (a conflict shows both versions and overwrites nothing), won and lost actions."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from accord.core.actors import SYSTEM
from accord.customers.services import company_create, contact_create
from accord.sales.models import Deal
from accord.sales.selectors import DEAL_PAGE_HISTORY
from accord.sales.services import deal_move, deal_update
from accord.sales.tests.board_support import (
    HTMX,
    Org,
    make_deal,
    make_user,
    query_count,
    text_of,
)
from accord.web.tests.builders import browser

pytestmark = pytest.mark.django_db


def with_people_and_moves(org: Org, deal: Deal, count: int) -> Deal:
    """``count`` people on the deal (each with a role) and ``count`` stage changes after its creation."""
    contacts = [
        contact_create(
            actor=SYSTEM, data={"given_name": "Person", "family_name": f"N{index}", "owner_id": org.alice.pk}
        )
        for index in range(count)
    ]
    roles = [{"contact_id": contact.pk, "role": f"Role {index}"} for index, contact in enumerate(contacts)]
    deal = deal_update(actor=SYSTEM, instance=deal, data={"contacts": roles})
    stages = [org.stages["Propose"], org.stages["Qualify"]]
    for index in range(count):
        deal = deal_move(actor=SYSTEM, instance=deal, stage_id=stages[index % 2].pk)
    return deal


def history_rows(response) -> list[list[str]]:
    """The stage history table's rows without their time: [from, to, by]."""
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)][1:]
        for row in rows
    ]


# ---------------------------------------------------------------- the page


def test_the_deal_page_shows_details_people_and_stage_history(org: Org, alice: Client) -> None:
    company = company_create(actor=SYSTEM, data={"name": "Acme", "owner_id": org.alice.pk})
    deal = make_deal(
        org.alice, org.stages["Qualify"], "Alpha", amount=Decimal("1234.50"),
        expected_close_date=dt.date(2030, 6, 1), company_id=company.pk,
    )  # fmt: skip
    deal = with_people_and_moves(org, deal, 2)

    response = alice.get(f"/deals/{deal.pk}/")

    assert response.status_code == 200
    page = text_of(response)
    assert "1,234.50 EUR" in page
    assert "1 Jun 2030" in page
    assert "Alice Archer" in page
    assert f'href="/companies/{company.pk}/">Acme</a>' in response.content.decode()
    assert "Person N0 · Role 0" in page
    assert "Person N1 · Role 1" in page
    # Newest first: back to Qualify, to Propose, then the creation in Qualify, each by Accord.
    assert history_rows(response) == [
        ["Propose", "Qualify", "Accord"], ["Qualify", "Propose", "Accord"], ["created", "Qualify", "Accord"],
    ]  # fmt: skip
    assert "Mark as won" in page
    assert "Mark as lost" in page


def test_a_deal_the_user_may_not_see_answers_404(org: Org, alice: Client) -> None:
    deal = make_deal(org.carol, org.stages["Qualify"], "Other team's")

    assert alice.get(f"/deals/{deal.pk}/").status_code == 404
    assert alice.get(f"/deals/{deal.pk}/edit/").status_code == 404
    assert alice.get("/deals/424242/").status_code == 404
    assert alice.get("/deals/99999999999999999999999999/").status_code == 404


def test_a_role_without_deal_view_is_refused(org: Org) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = browser(make_user("sam", "support_agent")).get(f"/deals/{deal.pk}/")

    assert response.status_code == 403


def test_a_role_that_hides_amounts_sees_no_amount_and_no_edit(org: Org) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha", amount=Decimal("4321.00"))

    response = browser(make_user("vera", "read_only")).get(f"/deals/{deal.pk}/")

    assert response.status_code == 200
    # Looked for as rendered: a bare "4321" can also be the microseconds of a timestamp.
    assert "4321.00" not in response.content.decode()
    assert "4,321.00" not in response.content.decode()
    assert "Mark as won" not in text_of(response)
    assert "/edit/" not in response.content.decode()


def test_the_deal_page_reads_a_fixed_number_of_queries(org: Org, alice: Client) -> None:
    small = with_people_and_moves(org, make_deal(org.alice, org.stages["Qualify"], "Small"), 3)
    large = with_people_and_moves(org, make_deal(org.alice, org.stages["Qualify"], "Large"), 30)

    assert query_count(alice, f"/deals/{small.pk}/") == query_count(alice, f"/deals/{large.pk}/")


def test_a_long_history_shows_the_latest_changes(org: Org, alice: Client) -> None:
    deal = with_people_and_moves(
        org, make_deal(org.alice, org.stages["Qualify"], "Busy"), DEAL_PAGE_HISTORY + 2
    )

    response = alice.get(f"/deals/{deal.pk}/")

    assert (
        response.content.decode().split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == DEAL_PAGE_HISTORY
    )
    assert f"The latest {DEAL_PAGE_HISTORY} changes are shown." in text_of(response)


def test_empty_people_and_history_say_so(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alone")

    assert "No people are linked to this deal yet." in text_of(alice.get(f"/deals/{deal.pk}/"))


# ---------------------------------------------------------------- inline edit


def edit_data(deal: Deal, **changes: str) -> dict[str, str]:
    data = {
        "name": deal.name,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "expected_close_date": deal.expected_close_date.isoformat() if deal.expected_close_date else "",
        "owner": str(deal.owner_id or ""),
        "version": str(deal.version),
    }
    return {**data, **changes}


def test_the_edit_form_has_a_label_for_every_field(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    full = alice.get(f"/deals/{deal.pk}/edit/")
    partial = alice.get(f"/deals/{deal.pk}/edit/", headers=HTMX)

    assert full.status_code == partial.status_code == 200
    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    for name in ("name", "amount", "currency", "expected_close_date", "owner"):
        assert f'<label for="id_{name}">' in partial.content.decode()
    assert f'<option value="{org.alice.pk}" selected>Alice Archer</option>' in partial.content.decode()
    assert f'<option value="{org.bob.pk}">Bob Baker</option>' in partial.content.decode()


def test_an_owner_beyond_the_directory_stays_a_choice(
    org: Org, alice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = make_deal(org.bob, org.stages["Qualify"], "Alpha")
    monkeypatch.setattr("accord.sales.selectors.OWNER_CHOICES_LIMIT", 1)  # the directory shows Alice only

    html = alice.get(f"/deals/{deal.pk}/edit/").content.decode()

    assert f'<option value="{org.bob.pk}" selected>Bob Baker</option>' in html


def test_a_saved_edit_goes_through_the_update_service(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(
        f"/deals/{deal.pk}/edit/",
        edit_data(
            deal, name="Alpha two", amount="99.95", expected_close_date="2031-01-31", owner=str(org.bob.pk)
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.expected_close_date, deal.owner_id, deal.version) == (
        "Alpha two", Decimal("99.95"), dt.date(2031, 1, 31), org.bob.pk, 2,
    )  # fmt: skip


def test_an_htmx_edit_answers_the_details_and_refreshes_the_actions(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(f"/deals/{deal.pk}/edit/", edit_data(deal, name="Alpha two"), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Alpha two" in html
    assert "<html" not in html
    assert 'id="deal-actions" hx-swap-oob="true"' in html
    assert 'name="version" value="2"' in html


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_handing_a_deal_to_an_owner_out_of_sight_saves_and_leaves_for_the_board(
    org: Org, alice: Client, headers: dict[str, str]
) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(
        f"/deals/{deal.pk}/edit/", edit_data(deal, owner=str(org.carol.pk)), headers=headers
    )

    target = f"/deals/board/{org.pipeline.pk}/"
    assert (response.get("HX-Redirect") if headers else response["Location"]) == target
    assert Deal.objects.get(pk=deal.pk).owner_id == org.carol.pk


def test_invalid_edits_show_the_errors_beside_the_fields(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(f"/deals/{deal.pk}/edit/", edit_data(deal, name="", amount="-3", currency="EURO"))

    assert response.status_code == 422
    html = response.content.decode()
    for name in ("name", "amount", "currency"):
        assert f'id="id_{name}_error"' in html
        assert 'aria-invalid="true"' in html.split(f'<label for="id_{name}">')[1].split("</div>")[0]
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_service_errors_are_shown_beside_their_fields(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(f"/deals/{deal.pk}/edit/", edit_data(deal, currency="ZZ1"))

    assert response.status_code == 422
    assert (
        "Use a three-letter ISO 4217 currency code"
        in response.content.decode().split('id="id_currency_error"')[1]
    )


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    stale = edit_data(deal, name="Mine", amount="150.00")
    deal_update(actor=SYSTEM, instance=deal, data={"name": "Theirs"})

    response = alice.post(f"/deals/{deal.pk}/edit/", stale)

    assert response.status_code == 409
    page = text_of(response)
    assert "nothing was saved" in page
    assert "Name (differs) Mine Theirs" in page
    assert "Amount (differs) 150.00 100.00" in page
    assert "Currency EUR EUR" in page
    assert 'name="version" value="2"' in response.content.decode()  # saving again is a deliberate choice
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.version) == ("Theirs", Decimal("100.00"), 2)


def test_the_owner_may_not_be_set_to_a_disabled_user(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    gone = make_user("gone", "sales_rep")
    gone.is_active = False
    gone.save()

    response = alice.post(f"/deals/{deal.pk}/edit/", edit_data(deal, owner=str(gone.pk)))

    assert response.status_code == 422
    assert 'id="id_owner_error"' in response.content.decode()


def test_an_owner_that_is_not_a_choice_is_an_error(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(f"/deals/{deal.pk}/edit/", edit_data(deal, owner="99999999999999999999"))

    assert response.status_code == 422
    assert 'id="id_owner_error"' in response.content.decode()


def test_a_role_that_may_not_edit_is_refused(org: Org) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    viewer = browser(make_user("vera", "read_only"))

    response = viewer.post(
        f"/deals/{deal.pk}/edit/", {k: v for k, v in edit_data(deal).items() if k != "amount"}
    )

    assert response.status_code == 403
    assert Deal.objects.get(pk=deal.pk).version == 1


# ---------------------------------------------------------------- won and lost


def test_mark_as_won(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Propose"], "Alpha")

    response = alice.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": org.stages["Won"].pk, "version": 1, "next": f"/deals/{deal.pk}/"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert deal.stage_id == org.stages["Won"].pk
    assert deal.closed_at is not None
    assert "Moved “Alpha” to Won." in text_of(alice.get(f"/deals/{deal.pk}/"))


def test_mark_as_lost_without_a_reason_shows_the_error_beside_the_field(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Propose"], "Alpha")

    response = alice.post(
        f"/deals/{deal.pk}/move/", {"stage_id": org.stages["Lost"].pk, "version": 1, "lost_reason": "  "}
    )

    assert response.status_code == 422
    assert (
        '<p class="field-error" id="id_lost_reason_error">Say why the deal is lost.</p>'
        in response.content.decode()
    )
    assert Deal.objects.get(pk=deal.pk).stage_id == org.stages["Propose"].pk


def test_mark_as_lost_with_a_reason(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Propose"], "Alpha")

    alice.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": org.stages["Lost"].pk, "version": 1, "lost_reason": "No budget"},
    )

    deal.refresh_from_db()
    assert (deal.stage_id, deal.lost_reason) == (org.stages["Lost"].pk, "No budget")
    page = text_of(alice.get(f"/deals/{deal.pk}/"))
    assert "Lost reason No budget" in page
    assert "Mark as lost" not in page
    assert "Mark as won" in page
