"""Where uploaded import files live until their runs are done.

An upload is kept as ``<ACCORD_IMPORT_FILES_DIR>/<user id>/<token>/<safe name>`` beside ``upload.json`` (the
kind chosen and the name the user gave the file). The token is 128 random bits, so an upload's address
cannot be guessed, and an upload is looked up only in the folder of the user asking: another user's
token is simply not there (404). The name on disk is rebuilt from the client's name (letters, digits,
``.-_``), never trusted: no path separators, no leading dot, bounded length. ``ImportRun.stored_file`` holds
the path relative to the folder, so a job retried on another worker (sharing the data folder) opens it again.

Files are deleted by the nightly ``imports.prune_files`` job once they are older than
``ACCORD_IMPORT_KEEP_FILES_DAYS`` and no pending or running import needs them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from django.conf import settings

from accord.core.errors import NotFound, ValidationFailed
from accord.imports.detect import ImportFileError

META_FILE = "upload.json"
TOKEN_BYTES = 16
_TOKEN = re.compile(rf"^[0-9a-f]{{{TOKEN_BYTES * 2}}}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
NAME_LENGTH = 100
CHUNK_BYTES = 1 << 20
GONE = "The uploaded file is no longer kept (files are deleted after a few days): upload it again."


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An uploaded file waiting for (or used by) an import run."""

    token: str
    kind: str
    file_name: str  # as the user named it: shown on pages, never used as a path
    path: str  # relative to the files folder: "<user id>/<token>/<safe name>"
    size: int


def files_root() -> Path:
    return Path(settings.ACCORD_IMPORT_FILES_DIR)


def safe_name(name: str) -> str:
    """A file name safe on every file system, keeping the extension: "../../etc/pass wd.csv" ->
    "pass_wd.csv"."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, extension = base.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._ ") or "upload"
    extension = _UNSAFE.sub("", extension)
    if not extension:
        return stem[:NAME_LENGTH]
    return f"{stem[: NAME_LENGTH - len(extension) - 1]}.{extension}"


def store_upload(
    *, user_id: int, kind: str, file: IO[bytes], file_name: str, max_bytes: int | None
) -> StoredUpload:
    """Copy ``file`` into a new folder of the user's, in chunks (never whole in memory).

    Raises ``ValidationFailed`` on ``file`` when it is larger than ``max_bytes``; nothing is kept then."""
    token = secrets.token_hex(TOKEN_BYTES)
    folder = files_root() / str(user_id) / token
    folder.mkdir(parents=True)
    target = folder / safe_name(file_name)
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := file.read(CHUNK_BYTES):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ValidationFailed({"file": [too_large(max_bytes)]})
                out.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    upload = StoredUpload(
        token=token,
        kind=kind,
        file_name=file_name[:255],
        path=target.relative_to(files_root()).as_posix(),
        size=size,
    )
    meta = {"kind": kind, "file_name": upload.file_name, "name": target.name, "size": size}
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    return upload


def too_large(max_bytes: int) -> str:
    return (
        f"The file is larger than {size_text(max_bytes)}. Split it, or import it from the command "
        "line (accord import), which takes files of any size."
    )


def size_text(size: int) -> str:
    """200000000 -> "200 MB", 5000 -> "5 kB", 100 -> "100 bytes" (decimal units, as disks count)."""
    for unit, bytes_in_unit in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= bytes_in_unit:
            return f"{size / bytes_in_unit:,.0f} {unit}"
    return f"{size} bytes"


def get_upload(*, user_id: int, token: str) -> StoredUpload:
    """The user's upload of this token; ``NotFound`` for a token that is malformed, another user's, or gone."""
    if not _TOKEN.match(token):
        raise NotFound("No such upload.")
    folder = files_root() / str(user_id) / token
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        name = safe_name(str(meta["name"]))
        upload = StoredUpload(
            token=token,
            kind=str(meta["kind"]),
            file_name=str(meta["file_name"]),
            path=f"{user_id}/{token}/{name}",
            size=int(meta["size"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise NotFound("No such upload: it may have been deleted. Upload the file again.") from error
    if not (folder / name).is_file():
        raise NotFound(GONE)
    return upload


def _inside_root(path: str) -> Path:
    """The absolute path of a stored file, refusing anything that would lead out of the files folder."""
    root = files_root().resolve()
    resolved = (root / path).resolve()
    if not path or not resolved.is_relative_to(root) or resolved == root:
        raise ImportFileError(GONE)
    return resolved


def exists(path: str) -> bool:
    try:
        return _inside_root(path).is_file()
    except ImportFileError:
        return False


def open_stored(path: str) -> BinaryIO:
    """The stored file, opened for reading; ``ImportFileError`` when it is gone."""
    try:
        return _inside_root(path).open("rb")
    except OSError as error:
        raise ImportFileError(GONE) from error


def delete_upload(path: str) -> None:
    """Delete a stored file's folder (the file and its ``upload.json``)."""
    try:
        folder = _inside_root(path).parent
    except ImportFileError:
        return
    if folder.parent.parent == files_root().resolve():
        shutil.rmtree(folder, ignore_errors=True)


def folder_of(path: str) -> str:
    """ "3/ab…/people.csv" -> "3/ab…": the part runs sharing one upload have in common."""
    return path.rpartition("/")[0]


def prune(*, older_than: dt.datetime, keep: Iterable[str]) -> list[str]:
    """Delete upload folders last written before ``older_than``, except the folders in ``keep``; the
    folders deleted, relative to the files folder."""
    root = files_root()
    kept = set(keep)
    deleted: list[str] = []
    if not root.is_dir():
        return deleted
    cutoff = older_than.timestamp()
    for user_folder in root.iterdir():
        if not (user_folder.is_dir() and user_folder.name.isdigit()):
            continue
        for folder in user_folder.iterdir():
            relative = f"{user_folder.name}/{folder.name}"
            if not _TOKEN.match(folder.name) or relative in kept or folder.stat().st_mtime >= cutoff:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            deleted.append(relative)
    return deleted
