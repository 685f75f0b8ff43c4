"""The "New …" links: on the lists of companies, contacts, leads and deals (header and empty state), on the
360 pages (a contact at this company, a deal for this customer) and on the deal board; shown to a role that
may create the type (a sales rep), absent for one that may not (read only)."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.users.models import User
from accord.web.tests import builders as b

pytestmark = pytest.mark.django_db

LISTS = [
    ("/companies/", '<a class="button" href="/companies/new/">New company</a>'),
    ("/contacts/", '<a class="button" href="/contacts/new/">New contact</a>'),
    ("/leads/", '<a class="button" href="/leads/new/">New lead</a>'),
    ("/deals/", '<a class="button" href="/deals/new/">New deal</a>'),
]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("url", "link"), LISTS, ids=[url.strip("/") for url, _ in LISTS])
def test_the_lists_link_to_the_new_record_page_for_a_role_that_may_create(url: str, link: str) -> None:
    rep = signed_in(b.make_user("rita"))
    reader = signed_in(b.make_user("rory", "read_only"))

    empty = rep.get(url).content.decode()
    # In the header and in the empty state.
    assert empty.count(link) == 2
    assert "yet.</strong>" in empty

    assert link not in reader.get(url).content.decode()


@pytest.mark.parametrize(("url", "link"), LISTS, ids=[url.strip("/") for url, _ in LISTS])
def test_a_list_with_rows_links_once_in_its_header(url: str, link: str) -> None:
    rita = b.make_user("rita")
    stages = b.make_pipeline()
    acme = b.company("Acme", rita)
    b.contact("Ada", "Lovelace", rita, company_id=acme.pk)
    b.lead("Lin", "Ng", rita)
    b.deal("Acme deal", rita, stages["Qualify"])

    page = signed_in(rita).get(url).content.decode()
    assert page.count(link) == 1
    # The htmx results region (search as you type) keeps no header link.
    results = signed_in(rita).get(url, headers={"HX-Request": "true"}).content.decode()
    assert link not in results


def test_a_company_page_links_to_a_new_contact_there_and_a_new_deal() -> None:
    rita = b.make_user("rita")
    rory = b.make_user("rory", "read_only")
    b.make_team("East", rita, rory)
    acme = b.company("Acme", rita)

    page = signed_in(rita).get(f"/companies/{acme.pk}/").content.decode()
    assert f'href="/contacts/new/?company={acme.pk}">New contact here</a>' in page
    assert f'href="/deals/new/?company={acme.pk}">New deal</a>' in page

    response = signed_in(rory).get(f"/companies/{acme.pk}/")
    assert response.status_code == 200
    assert "New contact here" not in response.content.decode()
    assert "/deals/new/" not in response.content.decode()


def test_a_contact_page_links_to_a_new_deal_for_the_contact() -> None:
    rita = b.make_user("rita")
    rory = b.make_user("rory", "read_only")
    b.make_team("East", rita, rory)
    ada = b.contact("Ada", "Lovelace", rita)

    page = signed_in(rita).get(f"/contacts/{ada.pk}/").content.decode()
    assert f'href="/deals/new/?contact={ada.pk}">New deal</a>' in page
    assert "New contact here" not in page

    response = signed_in(rory).get(f"/contacts/{ada.pk}/")
    assert response.status_code == 200
    assert "/deals/new/" not in response.content.decode()


def test_the_deal_board_links_to_a_new_deal() -> None:
    rita = b.make_user("rita")
    rory = b.make_user("rory", "read_only")
    b.make_pipeline()

    assert (
        '<a class="button" href="/deals/new/">New deal</a>'
        in signed_in(rita).get("/deals/board/").content.decode()
    )
    response = signed_in(rory).get("/deals/board/")
    assert response.status_code == 200
    assert "/deals/new/" not in response.content.decode()
