"""The calendar feed: what it holds (exactly the user's visible tasks and meetings), its secret's life
(create, rotate, revoke, disabled users), the download and the settings page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from accord.access.models import RecordShare
from accord.access.tests.world import World, build_world
from accord.activities.models import Task
from accord.activities.services import interaction_create, task_create
from accord.core.actors import SYSTEM, Actor
from accord.core.models import AuditEntry
from accord.core.tests.list_checks import signed_in
from accord.customers.services import contact_create
from accord.exports.models import CalendarFeed
from accord.exports.services import calendar_feed_issue
from accord.sales.services import deal_create
from accord.users.models import User
from accord.users.services import user_disable

pytestmark = pytest.mark.django_db


def feed_path(secret: str) -> str:
    return f"/calendar/{secret}.ics"


def parsed(response: Any) -> Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def summaries(calendar: Calendar, kind: str) -> set[str]:
    return {str(component["SUMMARY"]) for component in calendar.walk(kind)}


def _calendar_world() -> tuple[World, dict[str, Any]]:
    """alice (a sales rep) with tasks and meetings of every kind the feed must keep or leave out."""
    world = build_world("sales_rep", ("contact",))
    alice, carol = world.alice, world.carol
    now = timezone.now()
    seen = world.records["contact"]["own"]
    unseen = world.records["contact"]["other"]
    contact_create(actor=SYSTEM, data={"given_name": "No", "family_name": "Email", "owner_id": alice.pk})
    seen_deal = deal_create(actor=SYSTEM, data={"name": "Visible deal", "owner_id": alice.pk})
    carols_deal = deal_create(actor=SYSTEM, data={"name": "Carol's deal", "owner_id": carol.pk})
    RecordShare.objects.create(object_type="deal", object_id=carols_deal.pk, user=alice, access="read")

    def task(title: str, **data: Any) -> Task:
        return task_create(actor=SYSTEM, data={"title": title, "assignee_id": alice.pk, **data})

    task("Call back", due_at=now + dt.timedelta(days=1), priority="urgent", contact_id=seen.pk)
    task("Prepare offer", status="in_progress", deal_id=seen_deal.pk, notes="Two options")
    task("Secret customer", contact_id=unseen.pk)
    task("Done lately", status="done")
    old = task("Done long ago", status="done")
    Task.objects.filter(pk=old.pk).update(completed_at=now - dt.timedelta(days=45))
    task_create(actor=SYSTEM, data={"title": "Bob's task", "assignee_id": world.bob.pk})

    def meeting(subject: str, owner: User = alice, **data: Any) -> Any:
        base = {"kind": "meeting", "channel": "in_person", "occurred_at": now + dt.timedelta(days=2)}
        return interaction_create(
            actor=SYSTEM, data={**base, "subject": subject, "owner_id": owner.pk, **data}
        )

    meeting("Kick-off", duration_seconds=5400, contact_ids=[seen.pk, unseen.pk], body="Agenda")
    meeting("On carol's deal", deal_id=carols_deal.pk)
    meeting("Long ago", occurred_at=now - dt.timedelta(days=120))
    meeting("Carol's meeting", owner=carol)
    interaction_create(
        actor=SYSTEM,
        data={
            "kind": "call",
            "channel": "phone",
            "occurred_at": now,
            "subject": "A call",
            "owner_id": alice.pk,
        },
    )
    return world, {"seen": seen, "unseen": unseen, "carols_deal": carols_deal}


def test_the_feed_holds_exactly_the_users_visible_tasks_and_meetings_and_no_sign_in_is_needed() -> None:
    world, records = _calendar_world()
    secret = calendar_feed_issue(actor=Actor(user=world.alice, via="web"))

    calendar = parsed(Client().get(feed_path(secret)))

    assert summaries(calendar, "VTODO") == {"Call back", "Prepare offer", "Secret customer", "Done lately"}
    assert summaries(calendar, "VEVENT") == {"Kick-off", "On carol's deal"}
    todos = {str(todo["SUMMARY"]): todo for todo in calendar.walk("VTODO")}
    call_back = todos["Call back"]
    assert call_back["PRIORITY"] == 1
    assert call_back["STATUS"] == "NEEDS-ACTION"
    assert call_back.decoded("DUE") > timezone.now()
    assert str(call_back["URL"]) == f"http://testserver/contacts/{records['seen'].pk}/"
    assert str(call_back["DESCRIPTION"]) == "About: Zq own"
    assert (todos["Prepare offer"]["STATUS"], todos["Prepare offer"]["PRIORITY"]) == ("IN-PROCESS", 5)
    assert str(todos["Prepare offer"]["DESCRIPTION"]) == "About: Visible deal\nTwo options"
    assert "URL" not in todos["Secret customer"]  # the contact is out of alice's sight: neither name nor link
    assert "DESCRIPTION" not in todos["Secret customer"]
    assert todos["Done lately"]["STATUS"] == "COMPLETED"
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    kick_off = events["Kick-off"]
    assert kick_off.decoded("DURATION") == dt.timedelta(minutes=90)
    assert "ATTENDEE" not in kick_off  # "Zq own" has no email, "Zq other" is out of alice's sight
    assert events["On carol's deal"].decoded("DURATION") == dt.timedelta(minutes=30)
    assert len({str(component["UID"]) for component in calendar.walk() if "UID" in component}) == 6


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_attendees_are_the_visible_participants_with_an_email() -> None:
    world = build_world("sales_rep", ("contact",))
    alice = world.alice
    ann = contact_create(
        actor=SYSTEM,
        data={"given_name": "Ann", "family_name": "Lee", "owner_id": alice.pk,
              "emails": [{"email": "ann@example.com", "is_primary": True}]},
    )  # fmt: skip
    hidden = contact_create(
        actor=SYSTEM,
        data={"given_name": "Hid", "family_name": "Den", "owner_id": world.carol.pk,
              "emails": [{"email": "hidden@example.com", "is_primary": True}]},
    )  # fmt: skip
    interaction_create(
        actor=SYSTEM,
        data={"kind": "meeting", "channel": "video", "occurred_at": timezone.now(), "owner_id": alice.pk,
              "contact_ids": [ann.pk, hidden.pk]},
    )  # fmt: skip

    calendar = parsed(signed_in(alice).get("/settings/calendar/accord.ics"))

    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Meeting"
    (attendee,) = _list(event["ATTENDEE"])
    assert str(attendee) == "mailto:ann@example.com"
    assert str(attendee.params["CN"]) == "Ann Lee"
    assert b"hidden@example.com" not in calendar.to_ical()


def test_rotating_revoking_guessing_and_disabling_all_answer_404(user: User) -> None:
    world = build_world("sales_rep", ())
    alice_client = signed_in(world.alice)
    anonymous = Client()

    created = alice_client.post("/settings/calendar/issue/")
    first = re.search(r"/calendar/(cal_[A-Za-z0-9_-]+)\.ics", created.content.decode())
    assert first is not None
    assert anonymous.get(feed_path(first.group(1))).status_code == 200
    rotated = re.search(
        r"/calendar/(cal_[A-Za-z0-9_-]+)\.ics",
        alice_client.post("/settings/calendar/issue/").content.decode(),
    )
    assert rotated is not None

    assert anonymous.get(feed_path(first.group(1))).status_code == 404
    assert anonymous.get(feed_path(rotated.group(1))).status_code == 200
    assert anonymous.get(feed_path("cal_" + "A" * 43)).status_code == 404
    assert anonymous.get(feed_path("nonsense")).status_code == 404
    assert CalendarFeed.objects.get().secret_hash not in rotated.group(1)

    user_disable(actor=Actor(user=user, via="web"), user=world.alice)
    assert anonymous.get(feed_path(rotated.group(1))).status_code == 404


def test_revoking_ends_the_feed_and_every_step_is_audited() -> None:
    world = build_world("sales_rep", ())
    client = signed_in(world.alice)
    secret = calendar_feed_issue(actor=Actor(user=world.alice, via="web"))
    calendar_feed_issue(actor=Actor(user=world.alice, via="web"))
    secret = calendar_feed_issue(actor=Actor(user=world.alice, via="web"))

    response = client.post("/settings/calendar/revoke/")

    assert response.status_code == 302
    assert Client().get(feed_path(secret)).status_code == 404
    assert not CalendarFeed.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="calendar_feed").order_by("id").values_list("action", flat=True)) == [
        "calendar_feed_create", "calendar_feed_rotate", "calendar_feed_rotate", "calendar_feed_revoke",
    ]  # fmt: skip
    assert client.post("/settings/calendar/revoke/").status_code == 302  # nothing left to revoke: no error


def test_the_feed_follows_visibility_at_request_time() -> None:
    world, records = _calendar_world()
    secret = calendar_feed_issue(actor=Actor(user=world.alice, via="web"))
    assert "On carol's deal" in summaries(parsed(Client().get(feed_path(secret))), "VEVENT")

    RecordShare.objects.filter(object_type="deal", object_id=records["carols_deal"].pk).delete()

    assert "On carol's deal" not in summaries(parsed(Client().get(feed_path(secret))), "VEVENT")


def test_the_settings_page_offers_the_feed_to_every_user() -> None:
    world = build_world("read_only", ())
    client = signed_in(world.alice)

    page = client.get("/settings/calendar/").content.decode()

    assert 'href="/settings/calendar/" aria-current="page">Calendar feed' in page
    assert "Create a feed address" in page
    client.post("/settings/calendar/issue/")
    assert "Rotate the address" in client.get("/settings/calendar/").content.decode()
    assert Client().get("/settings/calendar/").status_code == 302  # signed out: to sign in
    assert client.get("/settings/calendar/issue/").status_code == 405
