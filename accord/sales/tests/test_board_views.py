"""The deal board (/deals/board/): columns, totals, scoping, hidden amounts, filters, "show more", the
moves it posts (drag and drop and the Move dialog send the same request), and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry
from accord.sales.models import Deal, DealStageChange
from accord.sales.selectors import BOARD_CARDS_PER_STAGE
from accord.sales.services import deal_update, pipeline_create
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


def column_counts(response) -> dict[str, str]:
    """Each column's title and its count/total line, as the page shows them."""
    html = response.content.decode()
    counts = {}
    for chunk in html.split('<header class="column-head"')[1:]:
        title = chunk.split("</h2>")[0].split(">", 2)[-1]
        totals = text_of_html(chunk.split('<p class="column-totals">')[1].split("</p>")[0])
        counts[title.strip()] = totals
    return counts


def text_of_html(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


# ---------------------------------------------------------------- the page


def test_board_shows_a_column_per_stage_in_order_with_counts_totals_and_cards(
    org: Org, alice: Client
) -> None:
    close = dt.date(2030, 5, 17)
    make_deal(org.alice, org.stages["Qualify"], "Alpha", amount=Decimal("1200.50"), expected_close_date=close)
    make_deal(org.bob, org.stages["Qualify"], "Bravo", amount=Decimal("300.00"))
    make_deal(org.bob, org.stages["Lost"], "Charlie", amount=Decimal("50.00"))

    response = alice.get("/deals/board/")

    assert response.status_code == 200
    assert column_counts(response) == {
        "Qualify": "2 deals · 1,500.50 EUR",
        "Propose": "0 deals",
        "Won": "0 deals",
        "Lost": "1 deal · 50.00 EUR",
    }
    page = text_of(response)
    assert "Alpha 1,200.50 EUR" in page.replace("Amount ", "")
    assert "17 May 2030" in page
    assert "Alice Archer" in page
    assert "Bob Baker" in page
    assert f'href="/deals/?pipeline={org.pipeline.pk}"' in response.content.decode()
    assert response.content.decode().index(">Qualify<") < response.content.decode().index(">Propose<")


def test_amounts_in_different_currencies_are_totalled_apart(org: Org, alice: Client) -> None:
    make_deal(org.alice, org.stages["Propose"], "Euro", amount=Decimal("10.00"))
    make_deal(org.alice, org.stages["Propose"], "Dollar", amount=Decimal("7.00"), currency="USD")

    counts = column_counts(alice.get("/deals/board/"))

    assert counts["Propose"] == "2 deals · 10.00 EUR · 7.00 USD"


def test_board_shows_only_the_deals_the_user_may_see(org: Org, alice: Client) -> None:
    make_deal(org.alice, org.stages["Qualify"], "Mine")
    make_deal(org.bob, org.stages["Qualify"], "Teammate's")
    make_deal(org.carol, org.stages["Qualify"], "Other team's", amount=Decimal("999.00"))

    response = alice.get("/deals/board/")

    page = text_of(response)
    assert "Mine" in page
    assert "Teammate's" in page.replace("&#x27;", "'")
    assert "Other team" not in page
    assert column_counts(response)["Qualify"] == "2 deals · 200.00 EUR"


def test_a_role_that_hides_amounts_sees_counts_but_no_amount(org: Org) -> None:
    viewer = make_user("vera", "read_only")
    make_deal(org.alice, org.stages["Qualify"], "Secret sum", amount=Decimal("4321.00"))

    response = browser(viewer).get("/deals/board/")

    assert response.status_code == 200
    assert column_counts(response)["Qualify"] == "1 deal"
    # Looked for as rendered: a bare "4321" can also be the microseconds of a timestamp.
    assert "4321.00" not in response.content.decode()
    assert "4,321.00" not in response.content.decode()
    assert "Secret sum" in text_of(response)


@pytest.mark.parametrize("role", ["support_agent", "marketer"])
def test_a_role_without_deal_view_is_refused(org: Org, role: str) -> None:
    response = browser(make_user("someone", role)).get("/deals/board/")

    assert response.status_code == 403
    assert "may not view deals" in text_of(response)


def test_a_role_that_may_not_view_pipelines_is_refused(org: Org) -> None:
    response = browser(make_user("partner", "external_partner")).get("/deals/board/")

    assert response.status_code == 403


def test_signed_out_users_are_sent_to_sign_in(org: Org, client: Client) -> None:
    response = client.get("/deals/board/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_another_pipeline_has_its_own_board_and_unknown_ones_answer_404(org: Org, alice: Client) -> None:
    renewals = pipeline_create(actor=SYSTEM, data={"name": "Renewals", "stages": [{"name": "Due"}]})
    make_deal(org.alice, renewals.stages.get(), "Renewal deal", pipeline_id=renewals.pk)
    make_deal(org.alice, org.stages["Qualify"], "New business deal")

    response = alice.get(f"/deals/board/{renewals.pk}/")

    assert response.status_code == 200
    page = text_of(response)
    assert "Renewal deal" in page
    assert "New business deal" not in page
    assert f'href="/deals/board/{org.pipeline.pk}/"' in response.content.decode()  # the pipeline switcher
    assert alice.get("/deals/board/999999/").status_code == 404
    assert alice.get("/deals/board/99999999999999999999999/").status_code == 404


def test_a_board_without_deals_says_what_to_do(org: Org, alice: Client) -> None:
    response = alice.get("/deals/board/")

    assert response.status_code == 200
    assert "No deals in New business yet" in text_of(response)


def test_without_any_pipeline_the_board_answers_404(db: None) -> None:
    assert browser(make_user("zed", "administrator")).get("/deals/board/").status_code == 404


# ---------------------------------------------------------------- filters


def test_filter_by_owner(org: Org, alice: Client) -> None:
    make_deal(org.alice, org.stages["Qualify"], "Mine")
    make_deal(org.bob, org.stages["Qualify"], "Bob's")

    mine = text_of(alice.get("/deals/board/?owner=me"))
    bobs = text_of(alice.get(f"/deals/board/?owner={org.bob.pk}"))

    assert "Mine" in mine
    assert "Bob" not in mine.split("Closing until")[1].split("Drag a card")[0]
    assert "Mine" not in bobs


def test_filter_by_expected_close_date_range_keeps_totals_exact(org: Org, alice: Client) -> None:
    make_deal(org.alice, org.stages["Qualify"], "March", expected_close_date=dt.date(2030, 3, 10))
    make_deal(org.alice, org.stages["Qualify"], "April", expected_close_date=dt.date(2030, 4, 10))
    make_deal(org.alice, org.stages["Qualify"], "Undated")

    response = alice.get("/deals/board/?close_after=2030-04-01&close_before=2030-04-30")

    page = text_of(response)
    assert "April" in page
    assert "March" not in page
    assert "Undated" not in page
    assert column_counts(response)["Qualify"] == "1 deal · 100.00 EUR"
    # The filters travel with moves and "show more".
    assert (
        'data-filter-query="close_after=2030-04-01&amp;close_before=2030-04-30"' in response.content.decode()
    )


@pytest.mark.parametrize(
    "query",
    ["close_after=yesterday", "close_before=2030-13-45", "owner=nobody", "owner=99999999999999999999999"],
)
def test_bad_filters_answer_400_with_the_error_beside_the_field(org: Org, alice: Client, query: str) -> None:
    response = alice.get(f"/deals/board/?{query}")

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert "not filtered until this is corrected" in text_of(response)


def test_a_from_date_after_the_until_date_is_an_error(org: Org, alice: Client) -> None:
    response = alice.get("/deals/board/?close_after=2030-05-01&close_before=2030-04-01")

    assert response.status_code == 400
    assert "before the “from” date" in text_of(response)


def test_htmx_filtering_answers_the_board_alone(org: Org, alice: Client) -> None:
    make_deal(org.alice, org.stages["Qualify"], "Mine")

    response = alice.get("/deals/board/?owner=me", headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html
    assert 'id="board-summary" hx-swap-oob="innerHTML"' in html


# ---------------------------------------------------------------- show more and query counts


def test_a_full_column_shows_its_first_cards_and_exact_totals_then_more(org: Org, alice: Client) -> None:
    for index in range(BOARD_CARDS_PER_STAGE + 5):
        make_deal(
            org.alice,
            org.stages["Propose"],
            f"Deal {index:02}",
            expected_close_date=dt.date(2030, 1, 1) + dt.timedelta(days=index),
        )

    board = alice.get("/deals/board/")
    more_url = f"/deals/board/{org.pipeline.pk}/stages/{org.stages['Propose'].pk}/cards/?offset={BOARD_CARDS_PER_STAGE}"
    more = alice.get(more_url, headers=HTMX)

    assert column_counts(board)["Propose"] == f"{BOARD_CARDS_PER_STAGE + 5} deals · 3,000.00 EUR"
    assert board.content.decode().count('class="deal-card') == BOARD_CARDS_PER_STAGE
    assert f"({BOARD_CARDS_PER_STAGE} of {BOARD_CARDS_PER_STAGE + 5} shown)" in text_of(board)
    assert more.status_code == 200
    assert more.content.decode().count('class="deal-card') == 5
    assert "Deal 29" in text_of(more)
    assert "Deal 00" not in text_of(more)
    assert "Show more" not in text_of(more)
    assert alice.get(more_url).status_code == 200  # the same cards as a page of their own, without htmx


@pytest.mark.parametrize("offset", ["-1", "abc", "99999999999999999999"])
def test_show_more_with_a_bad_offset_answers_400(org: Org, alice: Client, offset: str) -> None:
    url = f"/deals/board/{org.pipeline.pk}/stages/{org.stages['Propose'].pk}/cards/?offset={offset}"

    assert alice.get(url).status_code == 400


def test_show_more_of_a_stage_of_another_pipeline_answers_404(org: Org, alice: Client) -> None:
    renewals = pipeline_create(actor=SYSTEM, data={"name": "Renewals", "stages": [{"name": "Due"}]})
    url = f"/deals/board/{org.pipeline.pk}/stages/{renewals.stages.get().pk}/cards/"

    assert alice.get(url).status_code == 404


def _board_with(org: Org, count: int) -> None:
    """``count`` deals spread over every stage and owner, half of them with a company."""
    from accord.customers.services import company_create

    company = company_create(actor=SYSTEM, data={"name": "Acme", "owner_id": org.alice.pk})
    stages = list(org.stages.values())
    owners = [org.alice, org.bob]
    for index in range(count):
        extra = {"company_id": company.pk} if index % 2 else {}
        make_deal(owners[index % 2], stages[index % len(stages)], f"Deal {index}", **extra)


@pytest.mark.parametrize("role", ["sales_rep", "administrator"])
def test_the_board_reads_a_fixed_number_of_queries(org: Org, role: str) -> None:
    viewer = org.alice if role == "sales_rep" else make_user("admin", role)
    client = browser(viewer)
    _board_with(org, 3)
    with_three = query_count(client, "/deals/board/")
    _board_with(org, 27)
    assert Deal.objects.count() == 30

    with_thirty = query_count(client, "/deals/board/")

    assert with_thirty == with_three
    assert with_thirty <= 10


def test_show_more_reads_a_fixed_number_of_queries(org: Org, alice: Client) -> None:
    url = f"/deals/board/{org.pipeline.pk}/stages/{org.stages['Qualify'].pk}/cards/?offset=0"
    _board_with(org, 3)
    with_three = query_count(alice, url, headers=HTMX)
    _board_with(org, 60)

    assert query_count(alice, url, headers=HTMX) == with_three


# ---------------------------------------------------------------- moving cards (drag and drop, Move dialog)


def move(
    client: Client, deal: Deal, stage_id: int, *, version: int | None = None, query: str = "", **data: str
):
    body = {"stage_id": str(stage_id), "version": str(deal.version if version is None else version), **data}
    return client.post(f"/deals/{deal.pk}/move/{query}", body, headers=HTMX)


def test_a_move_goes_through_deal_move_and_answers_the_card_and_the_column_totals(
    org: Org, alice: Client
) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha", amount=Decimal("250.00"))
    make_deal(org.alice, org.stages["Propose"], "Bravo", amount=Decimal("100.00"))

    response = move(alice, deal, org.stages["Propose"].pk)

    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage_id == org.stages["Propose"].pk
    assert deal.version == 2
    change = DealStageChange.objects.filter(deal=deal).first()
    assert change is not None
    assert (change.from_stage_id, change.to_stage_id, change.changed_by_id) == (
        org.stages["Qualify"].pk, org.stages["Propose"].pk, org.alice.pk,
    )  # fmt: skip
    entry = AuditEntry.objects.filter(object_id=deal.pk, action="stage_move").get()
    assert entry.via == "web"
    assert entry.actor_id == org.alice.pk
    html = response.content.decode()
    assert f'id="deal-{deal.pk}"' in html
    assert 'data-version="2"' in html
    assert f'data-stage-id="{org.stages["Propose"].pk}"' in html
    assert column_counts(response) == {
        "Qualify": "0 deals",
        "Propose": "2 deals · 350.00 EUR",
        "Won": "0 deals",
        "Lost": "0 deals",
    }
    assert "Moved “Alpha” to Propose." in text_of(response)


def test_the_column_totals_after_a_move_follow_the_board_filters(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Mine")
    make_deal(org.bob, org.stages["Propose"], "Bob's")

    response = move(alice, deal, org.stages["Propose"].pk, query="?owner=me")

    assert column_counts(response)["Propose"] == "1 deal · 100.00 EUR"


def test_a_stale_version_is_refused_with_a_message_and_the_current_card(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    deal_update(actor=SYSTEM, instance=deal, data={"name": "Alpha renamed"})

    response = move(alice, deal, org.stages["Propose"].pk, version=1)

    assert response.status_code == 409
    assert "Someone changed this deal" in text_of(response)
    assert 'data-version="2"' in response.content.decode()
    assert "Alpha renamed" in text_of(response)
    deal.refresh_from_db()
    assert deal.stage_id == org.stages["Qualify"].pk
    assert not DealStageChange.objects.filter(deal=deal, from_stage__isnull=False).exists()


def test_moving_to_a_lost_stage_needs_a_reason(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    refused = move(alice, deal, org.stages["Lost"].pk)
    accepted = move(alice, deal, org.stages["Lost"].pk, lost_reason="Chose a competitor")

    assert refused.status_code == 422
    assert "Say why the deal is lost." in text_of(refused)
    assert accepted.status_code == 200
    deal.refresh_from_db()
    assert deal.lost_reason == "Chose a competitor"
    assert deal.closed_at is not None


def test_moving_to_won_closes_the_deal(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Propose"], "Alpha")

    assert move(alice, deal, org.stages["Won"].pk).status_code == 200

    deal.refresh_from_db()
    assert deal.stage_id == org.stages["Won"].pk
    assert deal.closed_at is not None


def test_a_deal_the_user_may_not_see_answers_404(org: Org, alice: Client) -> None:
    deal = make_deal(org.carol, org.stages["Qualify"], "Other team's")

    assert move(alice, deal, org.stages["Propose"].pk).status_code == 404
    assert alice.get(f"/deals/{deal.pk}/move/").status_code == 404
    deal.refresh_from_db()
    assert deal.stage_id == org.stages["Qualify"].pk


def test_a_role_that_may_view_but_not_edit_is_refused_with_a_message(org: Org) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    viewer = browser(make_user("vera", "read_only"))

    response = move(viewer, deal, org.stages["Propose"].pk)

    assert response.status_code == 403
    assert "may view this deal but not change it" in text_of(response)
    assert f'id="deal-{deal.pk}"' in response.content.decode()  # the card, to put back


@pytest.mark.parametrize(
    "data",
    [
        {"stage_id": "x", "version": "1"},
        {"stage_id": "1", "version": "many"},
        {"stage_id": "99999999999999999999999", "version": "1"},
        {"stage_id": "1", "version": "-4"},
        {"stage_id": "1", "version": "1", "lost_reason": "x" * 301},
        {},
    ],
)
def test_bad_move_data_is_refused_without_a_server_error(
    org: Org, alice: Client, data: dict[str, str]
) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(f"/deals/{deal.pk}/move/", data, headers=HTMX)

    assert response.status_code == 422
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_a_stage_of_another_pipeline_is_not_a_choice(org: Org, alice: Client) -> None:
    renewals = pipeline_create(actor=SYSTEM, data={"name": "Renewals", "stages": [{"name": "Due"}]})
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = move(alice, deal, renewals.stages.get().pk)

    assert response.status_code == 422
    assert "Select a valid choice" in text_of(response)


# ---------------------------------------------------------------- the move page (without JavaScript)


def test_the_move_page_offers_every_stage_and_a_reason(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.get(f"/deals/{deal.pk}/move/?next=/deals/board/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_stage_id">Move to stage</label>' in html
    assert '<label for="id_lost_reason">Lost reason</label>' in html
    assert 'name="next" value="/deals/board/"' in html


def test_a_plain_move_redirects_back_to_the_board(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    data = {"stage_id": org.stages["Propose"].pk, "version": 1, "next": "/deals/board/?owner=me"}

    response = alice.post(f"/deals/{deal.pk}/move/", data)

    assert response.status_code == 302
    assert response["Location"] == "/deals/board/?owner=me"


def test_a_plain_move_never_redirects_off_the_site(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    data = {"stage_id": org.stages["Propose"].pk, "version": 1, "next": "https://evil.example/"}

    response = alice.post(f"/deals/{deal.pk}/move/", data)

    assert response["Location"] == f"/deals/{deal.pk}/"


def test_a_plain_move_to_lost_without_reason_shows_the_error_beside_the_field(
    org: Org, alice: Client
) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")

    response = alice.post(f"/deals/{deal.pk}/move/", {"stage_id": org.stages["Lost"].pk, "version": 1})

    assert response.status_code == 422
    html = response.content.decode()
    field = html.split('<label for="id_lost_reason">')[1].split("</div>")[0]
    assert '<p class="field-error" id="id_lost_reason_error">Say why the deal is lost.</p>' in html
    assert 'aria-invalid="true"' in field
    assert f'<option value="{org.stages["Lost"].pk}" selected>' in html


def test_a_plain_move_with_a_stale_version_shows_the_current_deal(org: Org, alice: Client) -> None:
    deal = make_deal(org.alice, org.stages["Qualify"], "Alpha")
    deal_update(actor=SYSTEM, instance=deal, data={"name": "Alpha renamed"})

    response = alice.post(f"/deals/{deal.pk}/move/", {"stage_id": org.stages["Propose"].pk, "version": 1})

    assert response.status_code == 409
    assert "Someone changed this deal" in text_of(response)
    assert 'name="version" value="2"' in response.content.decode()


def test_cards_are_ordered_by_close_date_with_undated_deals_last(org: Org, alice: Client) -> None:
    for index in range(BOARD_CARDS_PER_STAGE):
        make_deal(org.alice, org.stages["Qualify"], f"Undated {index:02}")
    make_deal(org.alice, org.stages["Qualify"], "Later", expected_close_date=dt.date(2030, 2, 1))
    make_deal(org.alice, org.stages["Qualify"], "Sooner", expected_close_date=dt.date(2030, 1, 1))

    html = alice.get("/deals/board/").content.decode()

    titles = [chunk.split("</a>")[0] for chunk in html.split('class="card-title" href="/deals/')[1:]]
    names = [title.split(">", 1)[1] for title in titles]
    assert names[:3] == ["Sooner", "Later", "Undated 00"]
    assert len(names) == BOARD_CARDS_PER_STAGE
