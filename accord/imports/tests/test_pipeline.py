"""Batches drafted while the one before is written (``accord.imports.pipeline``): the loop itself, and real
imports through it, on their own connections outside any test transaction."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from accord.access.models import Role
from accord.core.actors import Actor
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.models import Company, Contact, ContactEmail
from accord.imports import writer
from accord.imports.models import ImportRun
from accord.imports.pipeline import write_beside_drafting
from accord.imports.services import import_run_create, import_run_execute
from accord.imports.tests.writer_rows import counts, errors, mapping_for, parsed
from accord.users.models import User

WAIT = 10  # seconds: a bound for events that happen at once, so that a broken loop fails instead of hanging


# ---------------------------------------------------------------------------------------------- the loop


def test_the_next_batch_is_drafted_while_one_is_written() -> None:
    drafting_second = threading.Event()
    events: list[str] = []

    def draft(batch: int) -> int:
        events.append(f"draft {batch}")
        if batch == 2:
            drafting_second.set()
        return batch

    def write(batch: int, drafts: int) -> int:
        if batch == 1:
            # Ends only once batch 2 is being drafted: proof that the two run side by side.
            assert drafting_second.wait(WAIT)
        events.append(f"write {batch}")
        return batch * 10

    write_beside_drafting(
        [1, 2, 3],
        draft=draft,
        write=write,
        must_wait=lambda _: False,
        progress=lambda done: events.append(f"progress {done}"),
    )
    assert [event for event in events if not event.startswith("draft")] == [
        "write 1", "progress 10", "write 2", "progress 20", "write 3", "progress 30",
    ]  # fmt: skip
    assert events.index("draft 2") < events.index("write 1")


def test_a_batch_that_must_be_waited_for_commits_before_the_next_is_drafted() -> None:
    events: list[str] = []

    def draft(batch: int) -> int:
        events.append(f"draft {batch}")
        return batch

    def write(batch: int, _: int) -> int:
        events.append(f"write {batch}")
        return batch

    write_beside_drafting([1, 2], draft=draft, write=write, must_wait=lambda drafts: drafts == 1)
    assert events == ["draft 1", "write 1", "draft 2", "write 2"]


def test_an_error_of_the_writer_stops_the_loop_before_another_batch_is_written() -> None:
    written: list[int] = []
    progress: list[int] = []

    def write(batch: int, _: int) -> int:
        if batch == 2:
            raise RuntimeError("disk full")
        written.append(batch)
        return batch

    with pytest.raises(RuntimeError, match="disk full"):
        write_beside_drafting(
            [1, 2, 3, 4],
            draft=lambda batch: batch,
            write=write,
            must_wait=lambda _: False,
            progress=progress.append,
        )
    assert (written, progress) == ([1], [1])


def test_an_error_of_the_drafting_lets_the_batch_in_flight_finish_first() -> None:
    finished = threading.Event()

    def draft(batch: int) -> int:
        if batch == 2:
            raise ValueError("unreadable row")
        return batch

    def write(batch: int, _: int) -> int:
        finished.wait(0.2)  # still writing when the drafting fails
        finished.set()
        return batch

    with pytest.raises(ValueError, match="unreadable row"):
        write_beside_drafting([1, 2], draft=draft, write=write, must_wait=lambda _: False)
    assert finished.is_set()


# ---------------------------------------------------------------------------------------------- imports


@pytest.fixture
def actor(transactional_db: None) -> Actor:
    user = User.objects.create_user(username="importer", role=Role.objects.get(key="administrator"))
    return Actor(user=user, via="cli")


@pytest.fixture
def writer_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads that wrote each batch (the real writer runs; this only notes where)."""
    names: list[str] = []
    original = writer.write_drafts

    def noted(*args: Any, **kwargs: Any) -> Any:
        names.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr("accord.imports.services.write_drafts", noted)
    return names


def _run(actor: Actor, records: list[dict[str, Any]], *, on_duplicate: str = "skip") -> ImportRun:
    return import_run_create(
        actor=actor,
        kind="contacts",
        file_name="people.csv",
        mapping=mapping_for(records),
        match_key="email",
        on_duplicate=on_duplicate,
    )


PEOPLE: list[dict[str, Any]] = [
    # batch 1 (rows 2-3)
    {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.com", "other_emails": ["ada@home.example"]},
    {"given_name": "Alan", "family_name": "Turing", "email": "alan@example.com"},
    # batch 2 (rows 4-5): Ada's second email, drafted before batch 1 commits; a new company
    {"given_name": "Ada", "family_name": "L.", "email": "ada@home.example"},
    {"given_name": "Charles", "family_name": "Babbage", "email": "charles@example.com", "company_name": "Analytical"},
    # batch 3 (rows 6-7): a row the reader rejected; the company batch 2 creates
    {"given_name": "Bad", "family_name": "Row", "email": "bad@example.com", "_error": ("Email", "Not an email address.")},
    {"given_name": "Ida", "family_name": "Rhodes", "email": "ida@example.com", "company_name": "Analytical"},
    # batch 4 (rows 8-9): a duplicate of row 3 in the file, a new contact
    {"given_name": "Alan", "family_name": "Again", "email": "alan@example.com"},
    {"given_name": "Grace", "family_name": "Hopper", "email": "grace@example.com"},
]  # fmt: skip


@pytest.fixture
def second_batch_matched_before_first_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the writer of batch 1 until batch 2's rows have been matched in the drafting thread, so that
    its drafts cannot see what batch 1 writes (the real functions run; this only orders them)."""
    matched = threading.Event()
    drafting = threading.current_thread()
    calls = {"drafting": 0, "writes": 0}
    find_matches, write_drafts = writer.find_matches, writer.write_drafts

    def noting_matches(*args: Any) -> Any:
        found = find_matches(*args)
        if threading.current_thread() is drafting:
            calls["drafting"] += 1
            if calls["drafting"] == 2:
                matched.set()
        return found

    def holding_first_write(*args: Any, **kwargs: Any) -> Any:
        calls["writes"] += 1
        if calls["writes"] == 1:
            assert matched.wait(WAIT)
        return write_drafts(*args, **kwargs)

    monkeypatch.setattr("accord.imports.writer.find_matches", noting_matches)
    monkeypatch.setattr("accord.imports.services.write_drafts", holding_first_write)


def test_an_import_outside_a_transaction_writes_as_if_each_batch_were_drafted_after_the_one_before(
    actor: Actor, second_batch_matched_before_first_commits: None
) -> None:
    done: list[tuple[int, int]] = []

    def progress(rows: int) -> None:
        # Each figure comes once its batch has committed: this thread's own connection sees it.
        done.append((rows, ImportRun.objects.get(pk=run.pk).rows_seen))

    run = _run(actor, PEOPLE)
    run = import_run_execute(run, parsed(PEOPLE), batch_size=2, progress=progress)

    assert run.status == "completed"
    assert counts(run) == (5, 0, 1, 2)  # Ada's second email is hers: skipped
    assert run.companies_created_count == 1
    assert errors(run) == [(6, "Email", "Not an email address."), (8, "Email", "Duplicate of row 3.")]
    assert done == [(2, 2), (4, 4), (6, 6), (8, 8)]
    assert sorted(Contact.objects.values_list("family_name", flat=True)) == [
        "Babbage", "Hopper", "Lovelace", "Rhodes", "Turing",
    ]  # fmt: skip
    company = Company.objects.get()
    assert set(Contact.objects.filter(current_company=company).values_list("given_name", flat=True)) == {
        "Charles", "Ida",
    }  # fmt: skip
    assert ContactEmail.objects.filter(email="ada@home.example").count() == 1
    assert SearchEntry.objects.filter(kind="contact").count() == 5
    assert AuditEntry.objects.filter(via="import", object_type="customers.contact").count() == 5


def test_batches_are_written_in_the_writer_thread(actor: Actor, writer_threads: list[str]) -> None:
    records = [
        {"given_name": f"Given{i}", "family_name": "Family", "email": f"p{i}@example.com"} for i in range(4)
    ]
    run = import_run_execute(_run(actor, records), parsed(records), batch_size=2)
    assert counts(run) == (4, 0, 0, 0)
    assert len(writer_threads) == 2
    assert all(name.startswith("import-writer") for name in writer_threads)


def test_a_failed_batch_in_the_writer_leaves_the_batches_before_it_and_the_run_resumes(
    actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [
        {"given_name": f"Given{i}", "family_name": f"Family{i}", "email": f"p{i}@example.com"}
        for i in range(9)
    ]
    original = writer.write_drafts
    batches = {"written": 0}

    def failing_third(*args: Any, **kwargs: Any) -> Any:
        batches["written"] += 1
        if batches["written"] == 3:
            raise RuntimeError("the disk is full")
        return original(*args, **kwargs)

    monkeypatch.setattr("accord.imports.services.write_drafts", failing_third)
    run = _run(actor, records)
    with pytest.raises(RuntimeError, match="the disk is full"):
        import_run_execute(run, parsed(records), batch_size=3)
    run.refresh_from_db()
    assert (run.status, run.rows_seen, run.checkpoint, Contact.objects.count()) == ("failed", 6, 7, 6)

    monkeypatch.setattr("accord.imports.services.write_drafts", original)
    run = import_run_execute(run, parsed(records), batch_size=3)
    assert (run.status, counts(run)) == ("completed", (9, 0, 0, 0))
    assert sorted(ContactEmail.objects.values_list("email", flat=True)) == sorted(r["email"] for r in records)


def test_updates_are_drafted_inside_their_batch_transaction(actor: Actor, writer_threads: list[str]) -> None:
    records = [{"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.com"}]
    import_run_execute(_run(actor, records), parsed(records))
    writer_threads.clear()
    changed = [{"given_name": "Ada", "family_name": "King", "email": "ada@example.com"}]
    run = import_run_execute(_run(actor, changed, on_duplicate="update"), parsed(changed))
    assert counts(run) == (0, 1, 0, 0)
    assert writer_threads == [threading.current_thread().name]


def test_a_row_with_the_other_email_of_a_contact_created_earlier_in_its_batch_is_that_contact(
    actor: Actor,
) -> None:
    records: list[dict[str, Any]] = [
        {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.com", "other_emails": ["ada@home.example"]},
        {"given_name": "Ada", "family_name": "L.", "email": "ada@home.example"},
    ]  # fmt: skip
    run = import_run_execute(_run(actor, records), parsed(records))
    assert counts(run) == (1, 0, 1, 0)
    assert ContactEmail.objects.filter(email="ada@home.example").count() == 1


def test_a_dry_run_beside_writing_reports_what_the_import_then_does(actor: Actor) -> None:
    def execute(dry_run: bool) -> ImportRun:
        run = import_run_create(
            actor=actor,
            kind="contacts",
            file_name="people.csv",
            mapping=mapping_for(PEOPLE),
            match_key="email",
            on_duplicate="skip",
            dry_run=dry_run,
        )
        return import_run_execute(run, parsed(PEOPLE), batch_size=2)

    dry = execute(dry_run=True)
    assert (Contact.objects.count(), Company.objects.count()) == (0, 0)
    real = execute(dry_run=False)
    assert counts(dry) == counts(real) == (5, 0, 1, 2)
    assert dry.companies_created_count == real.companies_created_count == 1
    assert errors(dry) == errors(real)
