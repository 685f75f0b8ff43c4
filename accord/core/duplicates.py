"""The seam between the create endpoints and pages (in the customers app and ``core.crud``) and duplicate
detection, which lives in a higher layer (``accord.dedupe``) because it reads contacts, companies and
their links. Detection registers its finder per object type when the app is ready; with none registered
(an app left out) nothing is ever a likely duplicate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from accord.core.actors import Actor
from accord.core.errors import Conflict

# (*, actor, object_type, data) -> the likely duplicates the actor can see, best first; each has
# ``id``, ``name``, ``score`` and ``evidence`` attributes.
Finder = Callable[..., list[Any]]
_FINDERS: dict[str, Finder] = {}


def register_finder(object_type: str, finder: Finder) -> None:
    _FINDERS[object_type] = finder


def likely_duplicates(*, actor: Actor, object_type: str, data: Mapping[str, Any]) -> list[Any]:
    finder = _FINDERS.get(object_type)
    return finder(actor=actor, object_type=object_type, data=data) if finder is not None else []


def candidate_json(match: Any) -> dict[str, Any]:
    return {"id": match.id, "name": match.name, "score": match.score, "evidence": match.evidence}


class LikelyDuplicate(Conflict):
    """A create refused because records like it exist (the client asked ``?on_duplicate=reject``)."""

    code = "likely_duplicate"

    def __init__(self, candidates: list[Any]) -> None:
        super().__init__(
            f"{len(candidates)} existing record{'s' if len(candidates) != 1 else ''} look like this one; "
            "see `candidates`. Send the request without `on_duplicate=reject` to create it anyway."
        )
        self.extra = {"candidates": [candidate_json(match) for match in candidates]}


def reject_likely_duplicates(*, actor: Actor, object_type: str, data: Mapping[str, Any]) -> None:
    """Raise LikelyDuplicate (409) when the record would likely duplicate one the actor can see."""
    found = likely_duplicates(actor=actor, object_type=object_type, data=data)
    if found:
        raise LikelyDuplicate(found)
