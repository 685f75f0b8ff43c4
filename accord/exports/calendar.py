"""A user's tasks and meetings as iCalendar (RFC 5545), written with the ``icalendar`` library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from icalendar import Calendar, Event, Todo, vCalAddress, vText

from accord.activities.models import Task
from accord.exports.selectors import CalendarItems
from accord.exports.uids import stable_uuid

# RFC 5545 §3.8.1.9: 1 is the highest priority, 9 the lowest, 5 the middle.
PRIORITIES: dict[str, int] = {
    Task.Priority.URGENT: 1,
    Task.Priority.HIGH: 3,
    Task.Priority.NORMAL: 5,
    Task.Priority.LOW: 9,
}
STATUSES: dict[str, str] = {
    Task.Status.OPEN: "NEEDS-ACTION",
    Task.Status.IN_PROGRESS: "IN-PROCESS",
    Task.Status.DONE: "COMPLETED",
    Task.Status.CANCELLED: "CANCELLED",
}
# A meeting logged without a duration still needs a length to be drawn in a calendar.
DEFAULT_MEETING = dt.timedelta(minutes=30)


def calendar_file(items: CalendarItems, *, name: str, absolute: Callable[[str], str]) -> bytes:
    """The items as one VCALENDAR; ``absolute`` turns a path into the site's full URL."""
    calendar = Calendar()
    calendar.add("prodid", "-//Accord//Accord CRM//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for task, related in items.tasks:
        todo = Todo()
        todo.add("uid", f"{stable_uuid('task', task.pk)}")
        todo.add("dtstamp", stamp)
        todo.add("last-modified", task.updated_at)
        todo.add("summary", task.title)
        if task.due_at is not None:
            todo.add("due", task.due_at)
        todo.add("priority", PRIORITIES.get(task.priority, 5))
        todo.add("status", STATUSES.get(task.status, "NEEDS-ACTION"))
        if task.completed_at is not None:
            todo.add("completed", task.completed_at)
        description = task.notes
        if related is not None:
            todo.add("url", absolute(related.path))
            description = f"About: {related.name}\n{description}".strip()
        if description:
            todo.add("description", description)
        calendar.add_component(todo)
    for meeting, attendees in items.meetings:
        event = Event()
        event.add("uid", f"{stable_uuid('interaction', meeting.pk)}")
        event.add("dtstamp", stamp)
        event.add("last-modified", meeting.updated_at)
        event.add("summary", meeting.subject or "Meeting")
        event.add("dtstart", meeting.occurred_at)
        seconds = meeting.duration_seconds
        event.add("duration", dt.timedelta(seconds=seconds) if seconds else DEFAULT_MEETING)
        if meeting.body:
            event.add("description", meeting.body)
        for attendee in attendees:
            address = vCalAddress(f"mailto:{attendee.email}")
            if attendee.name:
                address.params["cn"] = vText(attendee.name)
            address.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", address, encode=False)
        calendar.add_component(event)
    return calendar.to_ical()
