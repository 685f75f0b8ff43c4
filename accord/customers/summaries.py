"""A contact's list summary (primary email, primary phone, current company), kept on the contact's row.

The children (``ContactEmail``, ``ContactPhone``, ``Employment``) are the truth; every write that changes
them calls ``contact_summaries_refresh`` in the same transaction. Lists read the copy, because reading
it through correlated subqueries cost more than the rest of a list request (benchmarks/api.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from accord.customers.models import Contact, ContactEmail, ContactPhone, Employment

SUMMARY_FIELDS = ("primary_email", "primary_phone", "current_company")

# Ids per statement: far below SQLite's 32,766 parameters.
_CHUNK = 1000


def _refresh_sql() -> str:
    contact = Contact._meta.db_table
    return (
        f"UPDATE {contact} SET "
        f"primary_email = (SELECT e.email FROM {ContactEmail._meta.db_table} e "
        f"WHERE e.contact_id = {contact}.id AND e.is_primary), "
        f"primary_phone = (SELECT p.number FROM {ContactPhone._meta.db_table} p "
        f"WHERE p.contact_id = {contact}.id AND p.is_primary), "
        # A contact may hold several current jobs: the first one is the one lists show.
        f"current_company_id = (SELECT j.company_id FROM {Employment._meta.db_table} j "
        f"WHERE j.contact_id = {contact}.id AND j.is_current ORDER BY j.id LIMIT 1)"
    )


def contact_summaries_refresh(contact_ids: Iterable[int]) -> None:
    """Copy the primary email and phone and the current company of these contacts onto their rows."""
    ids = sorted(set(contact_ids))
    sql = _refresh_sql()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            cursor.execute(f"{sql} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)


def contacts_at_company(company_id: int) -> list[int]:
    """The contacts whose summary names this company (to refresh after it goes)."""
    return list(Contact.objects.filter(current_company_id=company_id).values_list("pk", flat=True))
