"""The first rows of a file as they will be stored, for the mapping page and ``accord import --dry-run``."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice

from accord.imports.fields import ImportKind
from accord.imports.parsers import ParseOptions, parse_rows
from accord.imports.rows import ParsedRow, Table

PREVIEW_ROWS = 20


def preview(
    table: Table,
    kind: ImportKind,
    mapping: Mapping[str, str | None],
    options: ParseOptions,
    limit: int = PREVIEW_ROWS,
) -> list[ParsedRow]:
    """The first ``limit`` data rows parsed with ``mapping`` and ``options``, errors included.

    Consumes the table's rows: open the file again for the import itself.
    """
    return list(islice(parse_rows(table, kind, mapping, options), limit))
