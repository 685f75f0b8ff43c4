"""Which file column goes to which field: suggestions from header names, and a check of a chosen mapping.

A mapping is ``{header: field name or None}``; a field name is one of the kind's fields (``fields.py``) or
``custom:<key>`` for a custom field. Several columns may feed one list field (tags, other emails, other
phones); a single-value field takes one column at most.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from accord.imports.fields import CUSTOM_PREFIX, FieldType, ImportKind
from accord.imports.synonyms import BY_KIND, COMMON, ENTITY_PREFIXES

ColumnMapping = dict[str, str | None]

MULTI_VALUE_TYPES = frozenset({FieldType.EMAILS, FieldType.PHONES, FieldType.TAGS})
# Damerau-Levenshtein similarity (a swap of two letters is one edit): "Emial" (0.8) finds "email",
# "Email 2" (0.71) does not.
FUZZY_THRESHOLD = 0.79  # 0.8 itself, less float rounding
FUZZY_WEIGHT = 80  # a fuzzy match (at most 80) always loses to a header known by name
PREFIX_STRIPPED_SCORE = 85  # "Person - Birthday" as "Birthday"

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_E_MAIL = re.compile(r"\be\s*-?\s*mail")
_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


class CustomFieldLike(Protocol):
    """What mapping needs of a custom field definition (``accord.core.models.CustomField``)."""

    key: str
    label: str


def normalize_header(header: str) -> str:
    """Compare form of a header: "E-Mail Adresse" -> "email adresse", "FirstName" -> "first name",
    "Société" -> "societe"; punctuation and spacing never decide a match."""
    text = _CAMEL_BOUNDARY.sub(" ", header.strip())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(character for character in text if not unicodedata.combining(character))
    text = _E_MAIL.sub("email", text.casefold())
    return _NON_ALPHANUMERIC.sub(" ", text).strip()


def _without_entity_prefix(normalized: str) -> str | None:
    head, _, rest = normalized.partition(" ")
    return rest if head in ENTITY_PREFIXES and rest else None


@cache
def _kind_synonyms(kind: ImportKind) -> dict[str, dict[str, int]]:
    """normalised header -> {field name: score} for the kind's own fields."""
    table: dict[str, dict[str, int]] = {}

    def add(header: str, field_name: str, score: int) -> None:
        meanings = table.setdefault(normalize_header(header), {})
        meanings[field_name] = max(score, meanings.get(field_name, 0))

    for field in kind.fields:
        add(field.name, field.name, 100)  # Accord's own exports and API names
        add(field.label, field.name, 100)
        for synonyms in (COMMON.get(field.name, {}), BY_KIND.get(kind.name, {}).get(field.name, {})):
            for header, score in synonyms.items():
                add(header, field.name, score)
    return table


def _candidates(header: str, kind: ImportKind, custom: Mapping[str, str]) -> dict[str, float]:
    """Every field a header may mean, with a score (higher is surer)."""
    normalized = normalize_header(header)
    if not normalized:
        return {}
    synonyms = _kind_synonyms(kind)
    found: dict[str, float] = dict(synonyms.get(normalized, {}))
    if normalized in custom:
        found[custom[normalized]] = 100
    stripped = _without_entity_prefix(normalized)
    if stripped:
        for name in synonyms.get(stripped, {}):
            found.setdefault(name, PREFIX_STRIPPED_SCORE)
        if stripped in custom:
            found.setdefault(custom[stripped], PREFIX_STRIPPED_SCORE)
    if not found:
        choices = list(synonyms) + list(custom)
        match = process.extractOne(
            normalized, choices, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=FUZZY_THRESHOLD
        )
        if match is not None:
            text, similarity, _ = match
            for name in synonyms.get(text, {}) or {custom[text]: 100}:
                found[name] = similarity * FUZZY_WEIGHT
    return found


def _custom_names(custom_fields: Iterable[CustomFieldLike]) -> dict[str, str]:
    names: dict[str, str] = {}
    for definition in custom_fields:
        target = f"{CUSTOM_PREFIX}{definition.key}"
        for text in (definition.key, definition.label, f"{CUSTOM_PREFIX}{definition.key}"):
            names.setdefault(normalize_header(text), target)
    return names


def is_multi_value(kind: ImportKind, field_name: str) -> bool:
    if field_name.startswith(CUSTOM_PREFIX):
        return False
    return kind.field(field_name).type in MULTI_VALUE_TYPES


def suggest_mapping(
    kind: ImportKind, headers: list[str], custom_fields: Sequence[CustomFieldLike] = ()
) -> ColumnMapping:
    """The field each header most likely means, or None.

    Every (header, field, score) is ranked and taken best first: a single-value field goes to its best
    column and a weaker column then falls back to its next meaning, or stays unmapped.
    """
    custom = _custom_names(custom_fields)
    ranked = sorted(
        (
            (-score, position, name)
            for position, header in enumerate(headers)
            for name, score in _candidates(header, kind, custom).items()
        ),
    )
    mapping: ColumnMapping = dict.fromkeys(headers)
    taken: set[str] = set()
    for _, position, name in ranked:
        header = headers[position]
        if mapping[header] is not None or name in taken:
            continue
        mapping[header] = name
        if not is_multi_value(kind, name):
            taken.add(name)
    return mapping


def validate_mapping(
    kind: ImportKind, mapping: Mapping[str, str | None], custom_fields: Sequence[CustomFieldLike] = ()
) -> list[str]:
    """What is wrong with a mapping, in words for the user; an empty list when it can be used.

    Custom fields are checked against ``custom_fields`` (the kind's definitions); pass them whenever a
    mapping may name one.
    """
    problems: list[str] = []
    known = {field.name for field in kind.fields}
    custom = {f"{CUSTOM_PREFIX}{definition.key}": definition for definition in custom_fields}
    columns_of: dict[str, list[str]] = {}
    for header, name in mapping.items():
        if name is None or name == "":
            continue
        if name not in known and name not in custom:
            if name.startswith(CUSTOM_PREFIX):
                problems.append(
                    f"Column '{header}': there is no custom field '{name[len(CUSTOM_PREFIX) :]}' "
                    f"on {kind.label.lower()}."
                )
            else:
                problems.append(f"Column '{header}': {kind.label} have no field '{name}'.")
            continue
        columns_of.setdefault(name, []).append(header)
    for name, headers in columns_of.items():
        if len(headers) > 1 and not is_multi_value(kind, name):
            label = custom[name].label if name in custom else kind.field(name).label
            quoted = ", ".join(f"'{header}'" for header in headers)
            problems.append(f"{label} can take only one column, but {quoted} are mapped to it.")
    for field in kind.fields:
        if field.required and field.name not in columns_of:
            problems.append(f"Required: map a column to {field.label}.")
    for group in kind.requires_any:
        if not any(name in columns_of for name in group):
            labels = ", ".join(kind.field(name).label for name in group)
            problems.append(f"Map a column to at least one of: {labels}.")
    return problems
