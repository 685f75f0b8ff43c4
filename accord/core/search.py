"""Global search over companies, contacts, leads and deals.

Three tiers, each an indexed query bounded by LIMIT, best first:
1. the record's name starts with the query (B-tree range on ``text``, which begins with the name);
2. every query word is the prefix of a word (SQLite FTS5 unicode61 / PostgreSQL full-text);
3. the query is a substring anywhere: names, emails, phone digits, domains (FTS5 trigram / pg_trgm).
The tiers stop as soon as enough hits are found, so a common name costs no more than a rare one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection

from accord.core.actors import Actor
from accord.core.models import SearchEntry
from accord.core.permissions import SearchArm, search_scope

# Conditions on the search index (aliased ``e``) whose union is what the actor may see
# (``accord.core.permissions.search_scope``).
Scope = list[SearchArm]
Row = tuple[int, str, int, str, str]
SELECT = "SELECT e.id, e.kind, e.object_id, e.title, e.subtitle"

_WORD = re.compile(r"\w+", re.UNICODE)
# The sensitive phone field of each kind that indexes phone numbers (accord.access.rules.SENSITIVE_FIELDS).
PHONE_FIELDS = {"contact": "phones", "lead": "phone"}
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]{4,}$")
MIN_SUBSTRING_LENGTH = 3
_FRAGMENT = re.compile(r"[@.]")
# PostgreSQL's parser keeps an email or a host name as one token; these separators are turned into
# spaces inside the full-text expression (and its index, migration core/0003) so that, as in SQLite's
# unicode61 tokenizer, "lovelace" finds "ada.lovelace@example.com" as a word.
POSTGRES_WORD_SEPARATORS = "@.-_+/:"
POSTGRES_WORD_VECTOR = f"to_tsvector('simple', translate(e.text, '{POSTGRES_WORD_SEPARATORS}', '{' ' * len(POSTGRES_WORD_SEPARATORS)}'))"


def fold(text: str) -> str:
    """Lowercase without accents, so 'José Müller' is found by 'jose muller' on every database."""
    if text.isascii():
        # Nothing to strip: decomposing ASCII text character by character was a tenth of an import's
        # Python time.
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    title: str
    subtitle: str
    match: str  # "prefix", "word" or "substring"


def search_text(title: str, terms: Iterable[str | None]) -> str:
    """The indexed text: the folded title first (for tier 1), then every other term; phone
    numbers are indexed as bare digits so '+1 (415) 555-0100' and '4155550100' both find them."""
    parts = [fold(title)]
    for term in terms:
        if not term:
            continue
        parts.append(term.lstrip("+") if term.startswith("+") else fold(term))
    return " ".join(parts)


class SearchFields(NamedTuple):
    """What a record shows and is found by in the search; each kind's services say what goes in."""

    title: str
    subtitle: str
    terms: Sequence[str | None]

    def stored(self) -> tuple[str, str, str]:
        """(title, subtitle, text) as the entry stores them."""
        return self.title[:300], self.subtitle[:300], search_text(self.title, self.terms)


def search_index_upsert(
    *, kind: str, object_id: int, owner_id: int | None, title: str, subtitle: str, terms: Sequence[str | None]
) -> None:
    title, subtitle, text = SearchFields(title, subtitle, terms).stored()
    SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={"owner_id": owner_id, "title": title, "subtitle": subtitle, "text": text},
    )


@contextmanager
def deferred_search_indexing() -> Iterator[None]:
    """For bulk writers inside a transaction: the search entries inserted in the block reach SQLite's FTS5
    tables at its end, with one statement per table rather than row by row through the insert trigger, four
    times faster (migration core/0008 says why). The block may insert entries but not update or delete
    those it inserted. PostgreSQL's indexes follow the insert itself: nothing changes there.
    """
    if connection.vendor != "sqlite":
        yield
        return
    # No savepoint of its own: inside one, every page the inserts touch is first copied to the savepoint's
    # journal, which made them two and a half times slower. The entries are indexed even when the block
    # fails, so that a caller which carries on in the same transaction finds the trigger back on and its
    # index whole.
    if not connection.in_atomic_block:
        raise RuntimeError("deferred_search_indexing needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_deferred_indexing (since_id) SELECT COALESCE(MAX(id), 0) FROM core_searchentry"
        )
        try:
            yield
        finally:
            for table in ("search_word", "search_trigram"):
                cursor.execute(
                    f"INSERT INTO {table} (rowid, text) SELECT id, text FROM core_searchentry "
                    "WHERE id > (SELECT since_id FROM search_deferred_indexing)"
                )
            cursor.execute("DELETE FROM search_deferred_indexing")


def search_index_remove(*, kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def _normalise_query(query: str) -> str:
    text = " ".join(fold(query).split())
    if _PHONE_LIKE.match(text):
        return re.sub(r"\D", "", text)
    return text


def _fetch(
    sources: tuple[str, str],
    match: str,
    match_params: Sequence[Any],
    scope: Scope,
    limit: int,
    order: str = "",
) -> list[Row]:
    """``SELECT … FROM source WHERE match AND <arm> [ORDER BY order] LIMIT limit`` for each arm of the
    scope, in one statement; each arm is its own limited query, so each can walk its own index and stop
    early. ``sources`` are the FROM clauses for wide arms (driven by the text index) and for listed ones
    (driven by the listed entries)."""
    selects: list[str] = []
    params: list[Any] = []
    for arm in scope:
        source = sources[1] if arm.listed else sources[0]
        selects.append(
            f"SELECT * FROM ({SELECT} FROM {source} WHERE {match} AND {arm.sql}"
            f"{f' ORDER BY {order}' if order else ''} LIMIT %s) arm_{len(selects)}"
        )
        params.extend([*match_params, *arm.params, limit])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return list(cursor.fetchall())


def _sqlite_sources(fts_table: str) -> tuple[str, str]:
    """FROM clauses joining an FTS5 table: driven by its matches, or (CROSS JOIN keeps SQLite's join
    order) by the listed entries, each checked against the full-text index by rowid."""
    return (
        f"{fts_table} f JOIN core_searchentry e ON e.id = f.rowid",
        f"core_searchentry e CROSS JOIN {fts_table} f ON f.rowid = e.id",
    )


POSTGRES_SOURCES = ("core_searchentry e", "core_searchentry e")


def _prefix_rows(text: str, scope: Scope, limit: int) -> list[Row]:
    if connection.vendor == "postgresql":
        # A range with the text_pattern_ops operators rather than LIKE 'text%': a prepared statement's
        # generic plan cannot use the index for LIKE with a parameter, and fell back to the trigram
        # index (30 ms for "mar" at 1,000,000 contacts). Ordered by that index's own operator, so that
        # the plan walks it and stops at the limit: without an order, plans for common prefixes chose
        # to scan the table for matches (up to 45 ms).
        condition, sources, order = "e.text ~>=~ %s AND e.text ~<~ %s", POSTGRES_SOURCES, "e.text USING ~<~"
    else:
        condition = "e.text >= %s AND e.text < %s"
        # With statistics, SQLite preferred the (kind, object_id) index for the kind filter and then
        # scanned a whole kind for the prefix: 200 ms at 1,000,000 contacts instead of 0.1 ms. Listed
        # records are few: the (kind, object_id) index is then the right one.
        sources = ("core_searchentry e INDEXED BY search_entry_text_idx", "core_searchentry e")
        order = "e.text"
    return _fetch(sources, condition, [text, text + "\U0010ffff"], scope, limit, order)


def _word_rows(words: list[str], scope: Scope, limit: int) -> list[Row]:
    if connection.vendor == "postgresql":
        match = f"{POSTGRES_WORD_VECTOR} @@ to_tsquery('simple', %s)"
        return _fetch(POSTGRES_SOURCES, match, [" & ".join(f"{word}:*" for word in words)], scope, limit)
    query = " AND ".join(f'"{word}"*' for word in words)
    return _fetch(_sqlite_sources("search_word"), "search_word MATCH %s", [query], scope, limit)


def _substring_rows(text: str, scope: Scope, limit: int) -> list[Row]:
    if connection.vendor == "postgresql":
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return _fetch(POSTGRES_SOURCES, "e.text LIKE %s", [pattern], scope, limit)
    query = '"' + text.replace('"', '""') + '"'
    return _fetch(_sqlite_sources("search_trigram"), "search_trigram MATCH %s", [query], scope, limit)


def _kinds_searchable_by(text: str, actor: Actor, kinds: Sequence[str]) -> list[str]:
    """The kinds whose indexed text ``text`` may be matched against: for a query of digits only (a phone
    number, as the index keeps phones), not the kinds whose phone numbers the actor's role hides, so
    that a hit cannot tell which record has a number the actor may not see."""
    if not text.isdigit():
        return list(kinds)
    return [kind for kind in kinds if PHONE_FIELDS.get(kind) not in actor.access.hidden_fields(kind)]


def search(
    query: str, *, actor: Actor, kinds: Sequence[str] | None = None, limit: int = 20
) -> list[SearchHit]:
    """Hits for ``query`` among the records the actor may see, best first: name prefix, then word
    prefixes, then substrings."""
    text = _normalise_query(query)
    kinds = kinds or SearchEntry.Kind.values
    scope = search_scope(actor, kinds)
    if not text or scope is None:
        return []
    # The word and substring tiers search the whole indexed text, phone digits included.
    text_scope = search_scope(actor, _kinds_searchable_by(text, actor, kinds))
    seen: set[int] = set()
    hits: list[SearchHit] = []

    def collect(rows: list[Row], match: str) -> None:
        for entry_id, kind, object_id, title, subtitle in rows:
            if entry_id not in seen and len(hits) < limit:
                seen.add(entry_id)
                hits.append(
                    SearchHit(kind=kind, object_id=object_id, title=title, subtitle=subtitle, match=match)
                )

    def words_tier() -> None:
        words = _WORD.findall(text)
        if len(hits) < limit and words and text_scope:
            collect(_word_rows(words, text_scope, limit + len(hits)), "word")

    def substring_tier() -> None:
        if len(hits) < limit and len(text) >= MIN_SUBSTRING_LENGTH and text_scope:
            collect(_substring_rows(text, text_scope, limit + len(hits)), "substring")

    collect(_prefix_rows(text, scope, limit), "prefix")
    if _FRAGMENT.search(text):
        # An '@' or '.' means a piece of an email or a domain, which rarely starts at a word boundary
        # ("da.lo" in "ada.lovelace"): the substring index answers it, whereas its word prefixes
        # ("da"* AND "lo"*) intersect two huge lists (p95 60 ms at 1,000,000 contacts on SQLite) to find
        # nothing a substring would not.
        substring_tier()
    else:
        words_tier()
        substring_tier()
    return hits
