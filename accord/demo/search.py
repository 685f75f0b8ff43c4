"""Global search entries for the demo's companies, contacts, leads and deals.

The text is built by ``accord.core.search.search_text`` from the same terms the services index, so
a demo record is found exactly like one created through the API. On SQLite the FTS5 tables take the
entries in one statement each at the end of the load (``deferred_search_indexing``).
"""

from __future__ import annotations

from collections.abc import Iterable

from accord.core.models import SearchEntry
from accord.core.search import deferred_search_indexing, search_text
from accord.demo import geography
from accord.demo.loader import BulkLoader, TableWriter, chunks
from accord.demo.people import Companies, Contacts
from accord.demo.sales import Deals, Leads

Entry = tuple[int | None, str, str, str]  # owner id, title, subtitle, text


def write_search_entries(
    loader: BulkLoader, companies: Companies, contacts: Contacts, leads: Leads, deals: Deals
) -> None:
    with (
        loader.table(
            SearchEntry, "search entries", rows=companies.count + contacts.count + leads.count + deals.count
        ) as table,
        deferred_search_indexing(),
    ):
        for rows in chunks(companies.count):
            _write(
                table, SearchEntry.Kind.COMPANY, companies.first_id + rows.start, _companies(companies, rows)
            )
        for rows in chunks(contacts.count):
            _write(
                table,
                SearchEntry.Kind.CONTACT,
                contacts.first_id + rows.start,
                _contacts(contacts, companies, rows),
            )
        for rows in chunks(leads.count):
            _write(table, SearchEntry.Kind.LEAD, leads.first_id + rows.start, _leads(leads, rows))
        for rows in chunks(deals.count):
            _write(table, SearchEntry.Kind.DEAL, deals.first_id + rows.start, _deals(deals, companies, rows))


def _write(table: TableWriter, kind: str, first_object_id: int, entries: Iterable[Entry]) -> None:
    owners, titles, subtitles, texts = (list(column) for column in zip(*entries, strict=True))
    table.write(
        len(titles),
        {
            "kind": kind,
            "object_id": range(first_object_id, first_object_id + len(titles)),
            "owner_id": owners,
            "title": [title[:300] for title in titles],
            "subtitle": [subtitle[:300] for subtitle in subtitles],
            "text": texts,
        },
    )


def _companies(companies: Companies, rows: slice) -> Iterable[Entry]:
    # As accord.customers.services.company_index.
    for name, domain, phone, city, owner in zip(
        companies.labels.names[rows],
        companies.labels.domains[rows],
        companies.phone[rows],
        companies.city[rows],
        companies.owner[rows].tolist(),
        strict=True,
    ):
        yield owner, name, domain or city.name, search_text(name, [domain, phone, city.name])


def _contacts(contacts: Contacts, companies: Companies, rows: slice) -> Iterable[Entry]:
    # As accord.customers.services.contact_index: emails (primary first), then phones; the subtitle
    # is the primary email and the current employer.
    email_from, email_to = contacts.email_offsets[rows.start], contacts.email_offsets[rows.stop]
    phone_from, phone_to = contacts.phone_offsets[rows.start], contacts.phone_offsets[rows.stop]
    emails = contacts.emails.render(contacts.email_domains, slice(email_from, email_to))
    phones = geography.e164(contacts.phones[phone_from:phone_to])
    email_offsets = (contacts.email_offsets[rows.start : rows.stop + 1] - email_from).tolist()
    phone_offsets = (contacts.phone_offsets[rows.start : rows.stop + 1] - phone_from).tolist()
    company = contacts.company[rows].tolist()
    owner = contacts.owner[rows].tolist()
    for position, index in enumerate(range(rows.start, rows.stop)):
        own_emails = emails[email_offsets[position] : email_offsets[position + 1]]
        own_phones = phones[phone_offsets[position] : phone_offsets[position + 1]]
        employer = companies.labels.names[company[position]] if company[position] >= 0 else ""
        subtitle = " · ".join(part for part in (own_emails[0] if own_emails else "", employer) if part)
        name = contacts.full_name(index)
        yield owner[position], name, subtitle, search_text(name, [*own_emails, *own_phones])


def _leads(leads: Leads, rows: slice) -> Iterable[Entry]:
    # As accord.sales.services.lead_index.
    for index in range(rows.start, rows.stop):
        title = leads.title(index)
        email, phone, company, domain = (
            leads.email[index],
            leads.phone[index],
            leads.company_name[index],
            leads.company_domain[index],
        )
        yield leads.owner[index], title, company or email, search_text(title, [email, phone, company, domain])


def _deals(deals: Deals, companies: Companies, rows: slice) -> Iterable[Entry]:
    # As accord.sales.services.deal_index.
    company_names = [companies.labels.names[c] for c in deals.company[rows].tolist()]
    for name, company, owner in zip(
        deals.names[rows], company_names, deals.owner[rows].tolist(), strict=True
    ):
        yield owner, name, company, search_text(name, [company])
