"""Uploaded files: kept under the user's folder with a name rebuilt from the client's, found again only by
their user, refused above the size limit, never opened outside the files folder, pruned when old."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone

from accord.core.errors import NotFound, ValidationFailed
from accord.imports import storage
from accord.imports.readers import ImportFileError
from accord.imports.tests.glue import import_files

__all__ = ["import_files"]


@pytest.mark.parametrize(
    ("client_name", "stored"),
    [
        ("people.csv", "people.csv"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/abs/path/Kontakte März 2025.xlsx", "Kontakte_Marz_2025.xlsx"),
        ("..", "upload"),
        (".hidden.csv", "hidden.csv"),
        ("", "upload"),
        ("x" * 300 + ".csv", "x" * 96 + ".csv"),
        ("联系人.csv", "upload.csv"),
    ],
)
def test_the_stored_name_is_rebuilt_from_the_clients_name(client_name: str, stored: str) -> None:
    assert storage.safe_name(client_name) == stored


def test_an_upload_is_found_again_by_its_user_only(import_files: Path) -> None:
    # Given a file uploaded by user 7 under a name that tries to leave the folder
    upload = storage.store_upload(
        user_id=7,
        kind="contacts",
        file=io.BytesIO(b"Email\na@example.com\n"),
        file_name="../../x.csv",
        max_bytes=None,
    )

    # Then it is kept in user 7's folder under a safe name, and user 7 finds it by its token
    assert upload.path == f"7/{upload.token}/x.csv"
    assert (import_files / upload.path).read_bytes() == b"Email\na@example.com\n"
    assert storage.get_upload(user_id=7, token=upload.token) == upload
    assert (upload.kind, upload.file_name, upload.size) == ("contacts", "../../x.csv", 20)
    # And nobody else does, nor a token that is not one
    with pytest.raises(NotFound):
        storage.get_upload(user_id=8, token=upload.token)
    for token in ("../7", upload.token[:-1], upload.token.upper(), f"{upload.token}/.."):
        with pytest.raises(NotFound):
            storage.get_upload(user_id=7, token=token)


def test_a_file_above_the_limit_is_refused_and_nothing_is_kept(import_files: Path) -> None:
    with pytest.raises(ValidationFailed) as refused:
        storage.store_upload(
            user_id=1,
            kind="contacts",
            file=io.BytesIO(b"x" * 3_000_001),
            file_name="big.csv",
            max_bytes=3_000_000,
        )
    assert refused.value.fields == {
        "file": [
            "The file is larger than 3 MB. Split it, or import it from the command line (accord import), "
            "which takes files of any size."
        ]
    }
    assert list((import_files / "1").iterdir()) == []


def test_stored_paths_never_lead_out_of_the_files_folder(import_files: Path) -> None:
    (import_files.parent / "secret.txt").write_text("secret")
    for path in ("../secret.txt", "/etc/passwd", "", "1/../../secret.txt"):
        with pytest.raises(ImportFileError):
            storage.open_stored(path)
        assert storage.exists(path) is False
    storage.delete_upload("../secret.txt")
    assert (import_files.parent / "secret.txt").exists()


def test_prune_deletes_old_folders_except_those_kept(import_files: Path) -> None:
    def stored(user_id: int) -> storage.StoredUpload:
        return storage.store_upload(
            user_id=user_id, kind="contacts", file=io.BytesIO(b"Email\n"), file_name="a.csv", max_bytes=None
        )

    old, old_but_busy, recent = stored(1), stored(1), stored(2)
    week_ago = (timezone.now() - dt.timedelta(days=8)).timestamp()
    for upload in (old, old_but_busy):
        os.utime(import_files / storage.folder_of(upload.path), (week_ago, week_ago))

    deleted = storage.prune(
        older_than=timezone.now() - dt.timedelta(days=7), keep={storage.folder_of(old_but_busy.path)}
    )

    assert deleted == [storage.folder_of(old.path)]
    assert (storage.exists(old.path), storage.exists(old_but_busy.path), storage.exists(recent.path)) == (
        False,
        True,
        True,
    )
