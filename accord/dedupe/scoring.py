"""The score of a candidate pair, 0–100, and the evidence it is made of.

A score is the names' similarity (rapidfuzz's token-sort ratio of the folded names, so swapped given
and family names still match) weighted to at most ``name_points``, plus corroborating evidence (the same
email, phone, company, …) up to ``evidence_cap``, less the penalties of contradicting evidence (both
have emails, none shared). The cap keeps correlated evidence from adding up: colleagues share a company
and its switchboard number, which alone must not make them one person. The weights were set on the
generated set of accord/dedupe/tests/test_precision_recall.py (docs/duplicates.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

# At or above this score a pair is a likely duplicate: the review queue, the create warning.
DEFAULT_THRESHOLD = 70


@dataclass(frozen=True)
class Evidence:
    """One kind of corroborating (points > 0) or contradicting (points < 0) evidence."""

    kind: str
    points: int
    text: str  # "same email {value}"


@dataclass(frozen=True)
class Rule:
    name_points: int
    evidence_cap: int
    evidence: tuple[Evidence, ...]

    def weights(self) -> dict[str, Evidence]:
        return {item.kind: item for item in self.evidence}


RULES: dict[str, Rule] = {
    "contact": Rule(
        name_points=60,
        evidence_cap=40,
        evidence=(
            Evidence("email", 40, "same email {value}"),
            Evidence("phone", 30, "same phone {value}"),
            Evidence("local_part", 20, "same email name {value}"),
            Evidence("company", 20, "both at {value}"),
            Evidence("other_emails", -10, "different emails"),
            Evidence("other_phones", -5, "different phones"),
        ),
    ),
    "company": Rule(
        name_points=70,
        evidence_cap=30,
        evidence=(
            Evidence("domain", 30, "same website {value}"),
            Evidence("phone", 25, "same phone {value}"),
            Evidence("city", 10, "both in {value}"),
            Evidence("other_domains", -15, "different websites"),
        ),
    ),
}


def name_similarity(first: Sequence[str], second: Sequence[str]) -> np.ndarray:
    """Pairwise (element by element) similarity 0–100 of two equally long lists of folded names."""
    if not len(first):
        return np.zeros(0, dtype=np.float64)
    return np.asarray(
        process.cpdist(first, second, scorer=fuzz.token_sort_ratio, processor=None, workers=-1),
        dtype=np.float64,
    )


def scores(object_type: str, similarity: np.ndarray, flags: Mapping[str, np.ndarray]) -> np.ndarray:
    """The score of each pair from its name similarity and its evidence flags (one bool array per kind)."""
    rule = RULES[object_type]
    gained = np.zeros(len(similarity), dtype=np.int64)
    lost = np.zeros(len(similarity), dtype=np.int64)
    for kind, item in rule.weights().items():
        flag = flags.get(kind)
        if flag is None:
            continue
        if item.points > 0:
            gained += np.where(flag, item.points, 0)
        else:
            lost += np.where(flag, -item.points, 0)
    total = np.rint(similarity * rule.name_points / 100) + np.minimum(gained, rule.evidence_cap) - lost
    return np.clip(total, 0, 100).astype(np.int64)


def evidence_of(
    object_type: str,
    *,
    similarity: float,
    names: tuple[str, str],
    flags: Mapping[str, bool],
    values: Mapping[str, str],
) -> list[dict[str, object]]:
    """The evidence of one pair as stored and shown: names first, then each kind that applies."""
    rule = RULES[object_type]
    points = round(similarity * rule.name_points / 100)
    items: list[dict[str, object]] = [
        {
            "kind": "name",
            "points": points,
            "text": f"names {round(similarity)}% alike: {names[0]} / {names[1]}",
        }
    ]
    for kind, item in rule.weights().items():
        if flags.get(kind):
            text = item.text.format(value=values.get(kind, ""))
            items.append({"kind": kind, "points": item.points, "text": text})
    return items
