"""The writer of each import kind."""

from __future__ import annotations

from accord.imports.writer import KindWriter
from accord.imports.writer_people import CompanyWriter, ContactWriter, LeadWriter
from accord.imports.writer_sales import DealWriter, InteractionWriter, OrderWriter

WRITERS: dict[str, type[KindWriter]] = {
    writer.kind.name: writer
    for writer in (CompanyWriter, ContactWriter, LeadWriter, DealWriter, OrderWriter, InteractionWriter)
}
