"""An import in a browser: upload a CSV, check the suggested mapping, preview the first rows, a dry run,
the import for real with its progress bar to the end (a real worker process runs the jobs), the error
file downloaded, and the revert."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from accord.customers.models import Contact
from accord.imports.models import ImportRun
from accord.imports.tests.glue import import_files, people_csv
from accord.jobs.tests.support import GIVE_UP_SECONDS, start_worker
from accord.web.tests import builders as b

__all__ = ["import_files"]
SignIn = Callable[[Page, str, str], None]
Screenshot = Callable[[Page, str], Path]
# Waits for a job (a worker process polling every 0.1 s) are longer than a page's own answers.
JOB_TIMEOUT_MS = 30_000


@pytest.fixture
def worker(import_files: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real `accord worker` process on the test database, reading uploads from the test's folder."""
    monkeypatch.setenv("ACCORD_IMPORT_FILES_DIR", str(import_files))
    monkeypatch.setenv("ACCORD_IMPORT_BATCH_SIZE", "4")
    process = start_worker()
    yield
    process.send_signal(signal.SIGTERM)
    process.wait(GIVE_UP_SECONDS)


def count(live: Locator, label: str) -> Locator:
    """The figure under ``label`` in the report."""
    return (
        live.locator(".import-counts div").filter(has=live.page.get_by_text(label, exact=True)).locator("dd")
    )


def test_upload_map_preview_dry_run_import_download_errors_and_revert(
    page: Page, sign_in: SignIn, screenshot: Screenshot, tmp_path: Path, worker: None
) -> None:
    b.make_user("rita", "sales_rep")
    people = tmp_path / "people.csv"
    people.write_text(people_csv(12, bad_every=3))
    sign_in(page, "rita", b.PASSWORD)

    # 1. From the empty list to the upload page
    page.goto("/imports/")
    expect(page.get_by_role("heading", name="No imports yet")).to_be_visible()
    page.get_by_role("link", name="New import").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New import")
    page.get_by_label("What the file holds").select_option("contacts")
    page.get_by_label("File", exact=True).set_input_files(people)
    screenshot(page, "import-01-upload")
    page.get_by_role("button", name="Upload and map the columns").click()

    # 2. The suggested mapping, with the day-first order the dates show
    expect(page.get_by_role("heading", level=1)).to_have_text("Map the columns of people.csv")
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")
    expect(page.get_by_label("First Name")).to_have_value("given_name")
    expect(page.get_by_label("Created")).to_have_value("created_at")
    expect(page.get_by_label("Day first: 3 April 2025")).to_be_checked()
    page.get_by_label("Find existing records by").select_option("email")
    screenshot(page, "import-02-mapping")

    # 3. The preview: rows as stored, each bad email in its cell
    page.get_by_role("button", name="Preview the first 20 rows").click()
    preview = page.locator("#import-preview")
    expect(preview.get_by_role("table")).to_be_visible()
    expect(preview).to_contain_text("12 rows shown, 4 would be rejected")
    expect(preview.locator("td.has-error").first).to_contain_text("'person0@' is not a valid email address")
    screenshot(page, "import-03-preview")

    # 4. A dry run: the report, and nothing written
    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dry run: Contacts from people.csv")
    live = page.locator("#import-live")
    expect(live.get_by_text("Completed")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(count(live, "Would be created")).to_have_text("8")
    expect(count(live, "Rejected")).to_have_text("4")
    assert Contact.objects.count() == 0
    screenshot(page, "import-04-dry-run")

    # 5. For real, with the same settings: the progress bar runs to the end
    page.get_by_role("button", name="Run this import for real").click()
    real = ImportRun.objects.filter(is_dry_run=False).get()
    expect(page).to_have_url(re.compile(rf"/imports/{real.pk}/$"))
    expect(live.locator("progress")).to_have_attribute("value", "1.0000", timeout=JOB_TIMEOUT_MS)
    expect(live.get_by_text("Completed")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(count(live, "Created")).to_have_text("8")
    expect(live.locator(".job-progress-text")).to_contain_text("12 rows: 8 created, 4 rejected")
    assert Contact.objects.count() == 8
    screenshot(page, "import-05-done")

    # 6. The error file
    with page.expect_download() as download_info:
        live.get_by_role("link", name="Download the rejected rows (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "people-rejected-rows.csv"
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[:2] for line in lines] == [
        ["row", "column"],
        ["2", "Email"],
        ["5", "Email"],
        ["8", "Email"],
        ["11", "Email"],
    ]

    # 7. The revert, confirmed, runs as a job with its own progress
    live.get_by_role("link", name="Revert this import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revert the import of people.csv?")
    page.get_by_role("button", name="Revert this import").click()
    expect(page).to_have_url(re.compile(rf"/imports/{real.pk}/$"))
    expect(live.get_by_text("Reverted", exact=True)).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(live).to_contain_text("8 records reverted")
    assert Contact.objects.count() == 0
    screenshot(page, "import-06-reverted")

    # 8. The list shows both runs, newest first
    page.goto("/imports/")
    rows = page.locator("table.import-runs tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Reverted")
    expect(rows.nth(1)).to_contain_text("Dry run")


def test_the_mapping_step_at_phone_width_with_the_keyboard(
    phone_page: Page, sign_in: SignIn, screenshot: Screenshot, tmp_path: Path, import_files: Path
) -> None:
    b.make_user("rita", "sales_rep")
    people = tmp_path / "people.csv"
    people.write_text(people_csv(3))
    sign_in(phone_page, "rita", b.PASSWORD)
    phone_page.goto("/imports/new/?kind=contacts")
    expect(phone_page.get_by_label("What the file holds")).to_have_value("contacts")
    phone_page.get_by_label("File", exact=True).set_input_files(people)
    phone_page.get_by_role("button", name="Upload and map the columns").click()

    # Two columns on one field, chosen with the keyboard: the error is beside both selects
    last_name = phone_page.get_by_label("Last Name")
    last_name.focus()
    last_name.select_option("given_name")
    phone_page.get_by_role("button", name="Import", exact=True).focus()
    phone_page.keyboard.press("Enter")

    expect(phone_page.get_by_label("Last Name")).to_have_attribute("aria-invalid", "true")
    expect(phone_page.locator(".field-error").first).to_contain_text("First name takes one column")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1  # nothing wider than the phone: the columns table scrolls inside its frame
    screenshot(phone_page, "import-phone-mapping-error")
