"""Precision and recall of the duplicate scan on 5,000 made-up people with 500 known duplicates."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from accord.dedupe.models import DuplicateCandidate
from accord.dedupe.scan import duplicate_scan
from accord.dedupe.tests.synthetic import companies, duplicate_of, insert, people, precision_recall

pytestmark = pytest.mark.django_db


def test_scan_finds_known_duplicates_with_high_precision_and_recall() -> None:
    # Given 5,000 people and 500 duplicates of them (typos, swapped names, nicknames, email case,
    # formatted phones, only part of the details)
    rng = random.Random(5)
    originals = people(rng, 5_000, companies(800))
    chosen = rng.sample(range(len(originals)), 500)
    duplicates = [duplicate_of(rng, originals[index], serial) for serial, index in enumerate(chosen)]
    original_ids = insert(originals)
    duplicate_ids = insert(duplicates)
    truth = {
        (min(original_ids[index], dup), max(original_ids[index], dup))
        for index, dup in zip(chosen, duplicate_ids, strict=True)
    }

    # When the contacts are scanned
    steps: list[tuple[int, int]] = []
    result = duplicate_scan(object_type="contact", progress=lambda done, total: steps.append((done, total)))

    # Then precision and recall at the default threshold are both high, and the pairs are stored
    found = set(result.pairs)
    precision, recall = precision_recall(found, truth)
    missed = Counter(
        "+".join(duplicate.changes)
        for duplicate, index, dup in zip(duplicates, chosen, duplicate_ids, strict=True)
        if (min(original_ids[index], dup), max(original_ids[index], dup)) not in found
    )
    print(
        f"\nprecision {precision:.3f}, recall {recall:.3f}, {len(found)} pairs found; missed: {dict(missed)}"
    )
    assert precision >= 0.9
    assert recall >= 0.8
    assert steps == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert DuplicateCandidate.objects.filter(object_type="contact", status="open").count() == len(found)
