"""GET /api/v1/search: the global search box over companies, contacts, leads and deals."""

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from accord.core.crud import ERRORS, actor_of
from accord.core.errors import ValidationFailed
from accord.core.search import search

SearchKind = Literal["company", "contact", "lead", "deal"]
MAX_LIMIT = 50

search_router = Router(tags=["Search"])


class SearchHitOut(Schema):
    kind: SearchKind
    id: int
    title: str
    subtitle: str
    match: Literal["prefix", "word", "substring"]


class SearchResults(Schema):
    items: list[SearchHitOut]


@search_router.get(
    "",
    response={200: SearchResults, **ERRORS},
    operation_id="search",
    summary="Search companies, contacts, leads and deals",
    description=(
        "Hits best first: names that start with `q`, then records with a word starting with each word of "
        "`q`, then records containing `q` anywhere (emails, phone digits, domains). Phone numbers may be "
        "typed with any formatting. `kinds` (repeatable) narrows the kinds of records."
    ),
)
def global_search(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=200)],
    kinds: list[SearchKind] = Query([]),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> dict[str, object]:
    if not q.strip():
        raise ValidationFailed({"q": ["Type at least one character to search for."]})
    hits = search(q, actor=actor_of(request), kinds=kinds or None, limit=limit)
    return {
        "items": [
            {
                "kind": hit.kind,
                "id": hit.object_id,
                "title": hit.title,
                "subtitle": hit.subtitle,
                "match": hit.match,
            }
            for hit in hits
        ]
    }
