"""The pages: the warning on the create pages, the review queue, the merge page and undo."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.access.models import SharingDefault
from accord.core.actors import SYSTEM
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create
from accord.dedupe.models import DuplicateCandidate, MergeRecord
from accord.dedupe.scan import duplicate_scan
from accord.jobs.models import Job
from accord.jobs.worker import run_jobs_until_empty
from accord.users.models import User
from accord.web.tests.builders import browser, make_user, private

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep() -> User:
    return make_user("rita")


@pytest.fixture
def client(rep: User) -> Client:
    return browser(rep)


def _anna(owner: User, **data: object) -> Contact:
    return contact_create(
        actor=SYSTEM,
        data={
            "given_name": "Anna",
            "family_name": "Schmidt",
            "emails": [{"email": "anna@example.org"}],
            "owner_id": owner.pk,
            **data,
        },
    )


def test_the_contact_page_warns_of_a_likely_duplicate_and_creates_it_anyway_on_request(
    client: Client, rep: User
) -> None:
    # Given Anna Schmidt
    anna = _anna(rep)
    form = {
        "given_name": "Ana",
        "family_name": "Schmitt",
        "emails": "ANNA@example.org",
        "owner_id": str(rep.pk),
        "lifecycle_stage": "lead",
    }

    # When someone creates "Ana Schmitt" with Anna's email, then the page warns, links to Anna and saves nothing
    response = client.post("/contacts/new/", form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This contact may exist already; nothing was saved yet" in body
    assert f'<a href="/contacts/{anna.pk}/">Anna Schmidt</a> (92% likely)' in body
    assert "same email anna@example.org" in body
    assert 'value="Ana"' in body  # what was typed is kept
    assert Contact.objects.count() == 1

    # When they confirm with "Create anyway", then it is created
    response = client.post("/contacts/new/", {**form, "_create_anyway": "1"})
    assert response.status_code == 302
    assert Contact.objects.count() == 2


def test_the_company_page_warns_of_a_likely_duplicate(client: Client, rep: User) -> None:
    acme = company_create(actor=SYSTEM, data={"name": "ACME GmbH", "domain": "acme.de", "owner_id": rep.pk})
    response = client.post(
        "/companies/new/", {"name": "Acme", "domain": "acme.de", "currency": "EUR", "owner_id": str(rep.pk)}
    )
    assert response.status_code == 200
    assert f'<a href="/companies/{acme.pk}/">ACME GmbH</a>' in response.content.decode()
    assert Company.objects.count() == 1


def test_no_warning_about_records_the_user_cannot_see(client: Client, rep: User) -> None:
    private("contact")
    _anna(make_user("other"))
    form = {
        "given_name": "Anna",
        "family_name": "Schmidt",
        "emails": "anna@example.org",
        "owner_id": str(rep.pk),
        "lifecycle_stage": "lead",
    }
    assert client.post("/contacts/new/", form).status_code == 302
    assert Contact.objects.count() == 2


def _pairs(owner: User, serials: range) -> None:
    for serial in serials:
        email = {"emails": [{"email": f"p{serial}@example.org"}]}
        _anna(owner, family_name=f"Person{serial:03}", **email)
        _anna(owner, given_name="Ana", family_name=f"Person{serial:03}", **email)
    duplicate_scan(object_type="contact")


def _queue(client: Client, pairs: int) -> int:
    """The queries the queue page made, after checking it shows ``pairs`` pairs."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/duplicates/?type=contact")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="button" href="/duplicates/merge/?type=contact') == pairs
    assert "same email p0@example.org" in body
    return len(queries.captured_queries)


def test_the_review_queue_reads_as_many_queries_for_30_pairs_as_for_3(client: Client, rep: User) -> None:
    _pairs(rep, range(3))
    client.get("/duplicates/")
    three = _queue(client, 3)
    _pairs(rep, range(3, 30))
    assert _queue(client, 30) == three


def test_merge_page_merges_with_the_chosen_values_and_undo_brings_them_back(
    client: Client, rep: User
) -> None:
    anna = _anna(rep, job_title="CTO")
    ana = _anna(rep, given_name="Ana", job_title="")
    url = f"/duplicates/merge/?type=contact&ids={anna.pk}&ids={ana.pk}"

    page = client.get(url).content.decode()
    assert f'name="choice-given_name" value="{ana.pk}"' in page
    assert 'name="choice-family_name"' not in page  # the same in both: nothing to choose

    response = client.post(
        url, {"survivor": str(ana.pk), "choice-given_name": str(anna.pk), "choice-job_title": str(anna.pk)}
    )
    merge = MergeRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/duplicates/merges/{merge.pk}/"
    survivor = Contact.objects.get()
    assert (survivor.pk, survivor.given_name, survivor.job_title) == (ana.pk, "Anna", "CTO")

    response = client.post(f"/duplicates/merges/{merge.pk}/")
    assert response.status_code == 302
    assert sorted(Contact.objects.values_list("pk", "given_name", "job_title")) == [
        (anna.pk, "Anna", "CTO"),
        (ana.pk, "Ana", ""),
    ]


def test_pages_answer_404_for_records_the_user_cannot_see(client: Client, rep: User) -> None:
    private("contact")
    mine, theirs = _anna(rep), _anna(make_user("other"))
    assert client.get(f"/duplicates/merge/?type=contact&ids={mine.pk}&ids={theirs.pk}").status_code == 404
    duplicate_scan(object_type="contact")
    pair = DuplicateCandidate.objects.get()
    assert client.post(f"/duplicates/{pair.pk}/dismiss/").status_code == 404
    assert "Anna Schmidt" not in client.get("/duplicates/?type=contact").content.decode()
    assert Contact.objects.count() == 2


def test_a_role_that_may_not_edit_cannot_merge(rep: User) -> None:
    SharingDefault.objects.create(object_type="contact", visibility="public_read")  # it sees them
    reader = make_user("reader", "read_only")
    first, second = _anna(rep), _anna(rep)
    response = browser(reader).post(f"/duplicates/merge/?type=contact&ids={first.pk}&ids={second.pk}", {})
    assert response.status_code == 403
    assert Contact.objects.count() == 2


def test_an_administrator_starts_a_scan_as_a_job_and_its_pairs_fill_the_queue(
    client: Client, rep: User
) -> None:
    # Given two Annas with the same email, and no scan run yet
    first, second = _anna(rep), _anna(rep, given_name="Ana")
    admin = make_user("ada", "administrator")

    # When a rep asks for a scan, it is refused; when the administrator does, a job is queued
    assert client.post("/duplicates/scan/?type=contact").status_code == 403
    response = browser(admin).post("/duplicates/scan/?type=contact")
    job = Job.objects.get(name="dedupe.scan")
    assert (response.status_code, response["Location"]) == (302, f"/jobs/{job.pk}/")

    # Then the job finds the pair
    run_jobs_until_empty()
    job.refresh_from_db()
    assert (job.status, job.result) == (
        "succeeded",
        {"object_type": "contact", "records": 2, "pairs_found": 1},
    )
    assert DuplicateCandidate.objects.filter(first_id=first.pk, second_id=second.pk).exists()
