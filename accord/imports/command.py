"""``accord import KIND FILE``: an import in the foreground, through the same services as the web pages,
with a progress bar on stderr and one line at the end: ``created N, updated N, skipped N, rejected N``.

    accord import contacts people.csv --match email --on-duplicate update --errors rejected.csv
    accord import revert RUN_ID

Imported by ``accord.cli`` when it builds its parser, before Django is set up: nothing Django-related is
imported at module level here (the kinds and match keys below are checked against the models by a test).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.core.actors import Actor
    from accord.imports.fields import ImportKind
    from accord.imports.models import ImportRun
    from accord.imports.rows import Table

KIND_NAMES = ("companies", "contacts", "leads", "deals", "orders", "interactions")
MATCH_KEYS = ("external_id", "email", "phone", "domain", "none")
ON_DUPLICATE = ("create", "update", "skip")
REVERT = "revert"


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "kind",
        choices=[*KIND_NAMES, REVERT],
        metavar="KIND",
        help=f"{', '.join(KIND_NAMES)}; or `revert` followed by the number of an import to undo",
    )
    parser.add_argument(
        "file", metavar="FILE", help="CSV or XLSX file (or, after `revert`, the import's number)"
    )
    parser.add_argument(
        "--mapping",
        metavar="FILE",
        help='JSON object of file column -> field, e.g. {"E-mail": "email", "Notes": null} '
        "(default: suggested from the headers, and printed)",
    )
    parser.add_argument(
        "--match",
        choices=MATCH_KEYS,
        default="none",
        help="how a row finds an existing record (default: none)",
    )
    parser.add_argument(
        "--on-duplicate",
        choices=ON_DUPLICATE,
        default="skip",
        help="what a row matching an existing record does (default: skip)",
    )
    parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    parser.add_argument("--errors", metavar="FILE", help="write every rejected row to this CSV file")
    parser.add_argument(
        "--as", dest="username", metavar="USERNAME", help="import as this user (their rights, their records)"
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first", dest="day_first", action="store_const", const=True, help="03/04/2025 is 3 April"
    )
    order.add_argument(
        "--month-first", dest="day_first", action="store_const", const=False, help="03/04/2025 is 4 March"
    )
    parser.add_argument(
        "--region",
        metavar="CC",
        help="country of phone numbers without +code, e.g. DE (default: the server's)",
    )
    parser.add_argument(
        "--time-zone",
        metavar="ZONE",
        help="zone of times without an offset, e.g. Europe/Berlin (default: the server's)",
    )
    parser.add_argument("--decimal-comma", action="store_true", help='numbers written "1.234,50"')
    parser.add_argument("--sheet", metavar="NAME", help="the XLSX sheet to read (default: the first)")


def import_command(args: argparse.Namespace) -> int:
    """The body of ``accord import`` (Django is set up; ``accord.cli`` turns AccordErrors into exit 1)."""
    from accord.cli import cli_actor, find_user, require_migrated
    from accord.core.actors import Actor
    from accord.core.errors import AccordError

    require_migrated()
    actor: Actor = cli_actor()
    if args.username:
        user = find_user(args.username)
        if not user.is_active:
            raise AccordError(f"The user '{user.username}' is disabled.")
        actor = Actor(user=user, via="cli")
    if args.kind == REVERT:
        return _revert(actor, args.file)
    return _import(actor, args)


def _import(actor: Actor, args: argparse.Namespace) -> int:
    from accord.core.errors import AccordError
    from accord.imports.fields import KINDS
    from accord.imports.readers import open_table
    from accord.imports.running import clean_options, read_sample
    from accord.imports.services import import_run_create

    kind = KINDS[args.kind]
    path = Path(args.file)
    if not path.is_file():
        raise AccordError(f"No file '{args.file}'.")
    with path.open("rb") as file:
        sample = read_sample(open_table(file, filename=path.name, sheet=args.sheet))
    mapping = _mapping(kind, sample.headers, args.mapping)
    day_first = args.day_first
    if day_first is None:
        detected = sample.day_first(kind, mapping)
        day_first = bool(detected)
        if detected is not None:
            _note(f"Dates: {'day' if day_first else 'month'} first, as the file's dates show.")
    options = clean_options(
        day_first=day_first,
        default_region=args.region,
        time_zone=args.time_zone,
        decimal_comma=args.decimal_comma,
        sheet=args.sheet,
    )
    run = import_run_create(
        actor=actor,
        kind=kind.name,
        file_name=path.name,
        mapping={header: name for header, name in mapping.items() if name},
        options=options,
        match_key=args.match,
        on_duplicate=args.on_duplicate,
        dry_run=args.dry_run,
    )
    _note(f"Import {run.pk}{' (dry run: nothing is written)' if run.is_dry_run else ''}.")
    with path.open("rb") as file:
        run = _execute_with_bar(run, open_table(file, filename=path.name, sheet=args.sheet))
    if args.errors:
        _write_errors(run, Path(args.errors))
    elif run.rejected_count:
        _note(f"{run.rejected_count} rows were rejected: add --errors FILE to get each one with its reason.")
    from accord.imports.running import Counts

    print(Counts.of(run).line)
    return 0


def _note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _mapping(kind: ImportKind, headers: list[str], mapping_file: str | None) -> dict[str, str | None]:
    """The mapping from ``--mapping``, else the suggested one; printed on stderr, checked."""
    from accord.core.errors import AccordError
    from accord.core.selectors import custom_field_definitions
    from accord.imports.mapping import suggest_mapping, validate_mapping

    custom = custom_field_definitions(kind.object_type)
    if mapping_file:
        mapping = _read_mapping(Path(mapping_file), headers)
        source = f"from {mapping_file}"
    else:
        mapping = suggest_mapping(kind, headers, custom)
        source = "suggested from the headers; save it as JSON, edit it and pass --mapping FILE to change it"
    labels = {field.name: field.label for field in kind.fields}
    _note(f"Mapping ({source}):")
    for header in headers:
        name = mapping.get(header)
        target = f"{name} ({labels[name]})" if name in labels else (name or "not imported")
        _note(f"  {header} -> {target}")
    problems = validate_mapping(kind, mapping, custom)
    if problems:
        raise AccordError("the mapping cannot be used: " + " ".join(problems))
    return mapping


def _read_mapping(path: Path, headers: list[str]) -> dict[str, str | None]:
    from accord.core.errors import AccordError

    try:
        loaded: Any = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise AccordError(f"Cannot read the mapping file '{path}': {error.strerror}.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise AccordError(f"The mapping file '{path}' is not JSON: {error}.") from error
    if not isinstance(loaded, dict) or not all(
        isinstance(name, str | None) and isinstance(header, str) for header, name in loaded.items()
    ):
        raise AccordError(
            f'The mapping file \'{path}\' must hold one JSON object of column -> field, e.g. {{"E-mail": "email"}}.'
        )
    unknown = [header for header in loaded if header not in headers]
    if unknown:
        columns = ", ".join(f"'{header}'" for header in headers)
        raise AccordError(
            f"The mapping names columns the file does not have: {', '.join(repr(h) for h in unknown)}. "
            f"The file's columns are: {columns}."
        )
    return {header: loaded.get(header) or None for header in headers}


def _execute_with_bar(run: ImportRun, table: Table) -> ImportRun:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from accord.imports.running import Counts, execute

    columns = (
        TextColumn("Importing"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("import", total=1.0, counts="")

        def report(counts: Counts, fraction: float) -> None:
            bar.update(task, completed=fraction, counts=counts.message)

        run = execute(run, table, report=report)
        bar.update(task, completed=1.0, counts=Counts.of(run).message)
    return run


def _write_errors(run: ImportRun, path: Path) -> None:
    from accord.core.errors import AccordError
    from accord.imports.selectors import import_error_rows

    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            for line in import_error_rows(run):
                out.write(line)
    except OSError as error:
        raise AccordError(f"Cannot write the errors file '{path}': {error.strerror}.") from error


def _revert(actor: Actor, run_text: str) -> int:
    from accord.core.errors import AccordError
    from accord.imports.selectors import import_run_get
    from accord.imports.services import import_revert

    if not run_text.isdigit() or not 0 < int(run_text) < 2**63:
        raise AccordError(f"'{run_text}' is not the number of an import (`accord import` prints it).")
    run = import_run_get(actor=actor, pk=int(run_text))
    revert_actor = type(actor)(user=actor.user, via="import")
    run = import_revert(actor=revert_actor, run=run)
    conflicts = len(run.revert_conflicts)
    left = f"; {conflicts} records changed since were left as they are" if conflicts else ""
    print(f"Reverted import {run.pk} ({run.kind} from {run.file_name}){left}.")
    return 0
