"""Reading and cancelling jobs over the API and on the pages: a user sees their own jobs, an administrator
every job, anyone else's job answers 404; cancelling is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.tests.world import client_for, make_user
from accord.core.actors import SYSTEM, Actor
from accord.core.models import AuditEntry
from accord.jobs.models import Job
from accord.jobs.tests import jobs_for_tests
from accord.jobs.worker import run_jobs_until_empty
from accord.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep() -> User:
    return make_user("rita", "sales_rep")


@pytest.fixture
def other_rep() -> User:
    return make_user("otto", "sales_rep")


def enqueue(user: User | None, tag: str = "x") -> Job:
    actor = SYSTEM if user is None else Actor(user=user, via="web")
    return jobs_for_tests.record.enqueue(actor, tag=tag)


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_job_reads_with_its_status_progress_and_result(rep: User) -> None:
    # Given a job of steps that ran to its end
    job = jobs_for_tests.steps.using(label="Four steps").enqueue(
        Actor(user=rep, via="api"), total=4, folder="/nonexistent"
    )
    run_jobs_until_empty()

    # When its owner reads it
    response = client_for(rep)("GET", f"/jobs/{job.pk}")

    # Then status, progress (with its fraction), result and attempts are there
    assert response.status_code == 200
    body = response.json()
    assert {
        key: body[key] for key in ("id", "name", "label", "queue", "status", "attempts", "max_attempts")
    } == {
        "id": job.pk,
        "name": "tests.steps",
        "label": "Four steps",
        "queue": "default",
        "status": "succeeded",
        "attempts": 1,
        "max_attempts": 3,
    }
    assert body["progress"] == {"done": 4, "total": 4, "fraction": 1.0, "message": "Step 4 of 4"}
    assert (body["result"], body["error"], body["cancel_requested"], body["created_by_id"]) == (
        4,
        "",
        False,
        rep.pk,
    )


def test_progress_of_an_unfinished_job_is_a_fraction_of_its_total(rep: User) -> None:
    job = enqueue(rep)
    Job.objects.filter(pk=job.pk).update(
        status="running", progress_done=250, progress_total=1000, progress_message="Reading rows"
    )
    body = client_for(rep)("GET", f"/jobs/{job.pk}").json()
    assert (body["status"], body["progress"]) == (
        "running",
        {"done": 250, "total": 1000, "fraction": 0.25, "message": "Reading rows"},
    )


def test_a_user_lists_only_their_own_jobs_and_an_administrator_every_job(rep: User, other_rep: User) -> None:
    mine, theirs, scheduled = enqueue(rep), enqueue(other_rep), enqueue(None)
    admin = make_user("ada", "administrator")

    listed_by_rep = [item["id"] for item in client_for(rep)("GET", "/jobs").json()["items"]]
    listed_by_admin = [item["id"] for item in client_for(admin)("GET", "/jobs").json()["items"]]
    admins_own = client_for(admin)("GET", "/jobs?mine=true").json()["items"]

    assert listed_by_rep == [mine.pk]
    assert listed_by_admin == [scheduled.pk, theirs.pk, mine.pk]
    assert admins_own == []


def test_the_list_pages_with_a_cursor_and_filters_by_status(rep: User) -> None:
    jobs = [enqueue(rep, str(number)) for number in range(3)]
    Job.objects.filter(pk=jobs[0].pk).update(status="failed")
    call = client_for(rep)

    first = call("GET", "/jobs?limit=2").json()
    second = call("GET", f"/jobs?limit=2&cursor={first['next_cursor']}").json()
    failed = call("GET", "/jobs?status=failed").json()

    assert [item["id"] for item in first["items"]] == [jobs[2].pk, jobs[1].pk]
    assert ([item["id"] for item in second["items"]], second["next_cursor"]) == ([jobs[0].pk], None)
    assert [item["id"] for item in failed["items"]] == [jobs[0].pk]
    assert call("GET", "/jobs?status=sleeping").status_code == 422


@pytest.mark.parametrize(("method", "path"), [("GET", "/jobs/{id}"), ("POST", "/jobs/{id}/cancel")])
def test_another_users_job_answers_404_like_a_missing_one(
    rep: User, other_rep: User, method: str, path: str
) -> None:
    theirs = enqueue(other_rep)
    call = client_for(rep)

    response = call(method, path.format(id=theirs.pk))
    missing = call(method, path.format(id=theirs.pk + 1000))

    assert (response.status_code, missing.status_code) == (404, 404)
    assert response.json()["error"]["code"] == "not_found"
    assert Job.objects.get(pk=theirs.pk).status == "queued"


def test_cancelling_a_queued_job_ends_it_at_once_and_is_audited(rep: User) -> None:
    job = enqueue(rep)

    response = client_for(rep)("POST", f"/jobs/{job.pk}/cancel")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_requested"]) == ("cancelled", True)
    entry = AuditEntry.objects.get(action="cancel", object_type="jobs.job", object_id=job.pk)
    assert (entry.actor_id, entry.via, entry.changes) == (
        rep.pk,
        "api",
        {"cancel_requested": [False, True], "status": ["queued", "cancelled"]},
    )
    # A cancelled job never runs, and cancelling it again is a conflict
    assert run_jobs_until_empty() == 0
    again = client_for(rep)("POST", f"/jobs/{job.pk}/cancel")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")


def test_cancelling_a_running_job_asks_it_to_stop_and_it_ends_cancelled(rep: User, tmp_path) -> None:
    # Given a running job (claimed by a worker)
    job = jobs_for_tests.cancellable.enqueue(Actor(user=rep, via="web"), folder=str(tmp_path))
    Job.objects.filter(pk=job.pk).update(status="running", worker_id="elsewhere")

    response = client_for(rep)("POST", f"/jobs/{job.pk}/cancel")

    # Then it is still running, with a cancellation request; when it next runs it sees it and stops
    assert (response.json()["status"], response.json()["cancel_requested"]) == ("running", True)
    Job.objects.filter(pk=job.pk).update(status="queued", worker_id="")
    run_jobs_until_empty()
    job.refresh_from_db()
    assert (job.status, job.progress_message) == ("cancelled", "Working")


def test_the_jobs_page_lists_my_jobs_and_administrators_may_see_everyones(rep: User, other_rep: User) -> None:
    mine = jobs_for_tests.record.using(label="My import").enqueue(Actor(user=rep, via="web"), tag="x")
    jobs_for_tests.record.using(label="Their import").enqueue(Actor(user=other_rep, via="web"), tag="x")
    admin = make_user("ada", "administrator")

    page = page_client(rep).get("/jobs/").content.decode()
    admin_page = page_client(admin).get("/jobs/?everyone=1").content.decode()
    everyone_for_rep = page_client(rep).get("/jobs/?everyone=1").content.decode()

    assert "My import" in page
    assert "Their import" not in page
    assert f'href="/jobs/{mine.pk}/"' in page
    assert "My import" in admin_page
    assert "Their import" in admin_page
    assert "Their import" not in everyone_for_rep


def test_the_job_page_polls_while_the_job_runs_and_stops_once_it_ended(rep: User) -> None:
    job = enqueue(rep)
    Job.objects.filter(pk=job.pk).update(
        status="running", progress_done=1, progress_total=4, progress_message="Reading"
    )
    client = page_client(rep)

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    partial = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    run_jobs_until_empty()
    Job.objects.filter(pk=job.pk).update(status="succeeded")
    finished = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()

    assert "<html" in page
    assert 'hx-trigger="every 1s"' in page
    assert partial.lstrip().startswith(f'<div class="job-progress status-running" id="job-progress-{job.pk}"')
    assert f'hx-get="/jobs/{job.pk}/"' in partial
    assert 'value="0.2500"' in partial
    assert 'aria-live="polite"' in partial
    assert "25%" in partial
    assert "1 of 4" in partial
    assert "Reading" in partial
    assert "<html" not in partial
    assert "hx-trigger" not in finished
    assert "Succeeded" in finished
    assert "100%" in finished


def test_another_users_job_page_answers_404(rep: User, other_rep: User) -> None:
    theirs = enqueue(other_rep)
    client = page_client(rep)
    assert client.get(f"/jobs/{theirs.pk}/").status_code == 404
    assert client.get(f"/jobs/{theirs.pk}/", HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(f"/jobs/{theirs.pk}/cancel/").status_code == 404
    assert Job.objects.get(pk=theirs.pk).status == "queued"


def test_cancel_from_the_page(rep: User) -> None:
    job = enqueue(rep)
    response = page_client(rep).post(f"/jobs/{job.pk}/cancel/")
    assert (response.status_code, response["Location"]) == (302, f"/jobs/{job.pk}/")
    assert Job.objects.get(pk=job.pk).status == "cancelled"


def test_the_progress_tag_shows_a_job_by_id_only_to_whom_may_see_it(rep: User, other_rep: User) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    mine, theirs = enqueue(rep), enqueue(other_rep)
    request = RequestFactory().get("/")
    request.user = rep
    template = Template("{% load jobs %}[{% job_progress job_id %}]")

    shown = template.render(Context({"request": request, "job_id": mine.pk}))
    hidden = template.render(Context({"request": request, "job_id": theirs.pk}))

    assert f'id="job-progress-{mine.pk}"' in shown
    assert hidden.replace("\n", "") == "[]"
