"""Two clients read the same record and both update it at the same moment: exactly one wins, the other
gets 412 and no update is lost silently. Real threads, each with its own database connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accord.access.tests.world import client_for, make_user
from accord.core.models import AuditEntry
from accord.customers.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)


def test_of_two_concurrent_updates_of_one_version_exactly_one_wins() -> None:
    first, second = (
        client_for(make_user("first", "administrator")),
        client_for(make_user("second", "administrator")),
    )
    created = first("POST", "/contacts", {"given_name": "Ada", "family_name": "Lovelace"}).json()
    url = f"/contacts/{created['id']}"
    etags = [client("GET", url)["ETag"] for client in (first, second)]
    assert etags == ['"1"', '"1"']
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def update(name: str, client: object, etag: str) -> None:
        try:
            barrier.wait()
            response = client("PATCH", url, {"job_title": name}, HTTP_IF_MATCH=etag)  # type: ignore[operator]
            statuses[name] = response.status_code
        finally:
            connection.close()  # each thread has its own connection; close it before the test ends

    threads = [
        threading.Thread(target=update, args=(name, client, etag))
        for name, client, etag in (("first", first, etags[0]), ("second", second, etags[1]))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 412]
    winner = next(name for name, status in statuses.items() if status == 200)
    contact = Contact.objects.get(pk=created["id"])
    assert (contact.job_title, contact.version) == (winner, 2)
    updates = AuditEntry.objects.filter(
        object_type="customers.contact", object_id=contact.pk, action="update"
    )
    assert [entry.changes["job_title"] for entry in updates] == [["", winner]]
