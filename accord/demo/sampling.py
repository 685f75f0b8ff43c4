"""Vectorised sampling helpers shared by the demo generators."""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np

DAY = 86_400
YEAR = 365 * DAY

# Letters NFKD does not decompose into an ASCII base letter.
_ASCII_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "đ": "d"})


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent generator per table, so that adding a table never changes another one's rows."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def weighted(rng: np.random.Generator, weights: Sequence[float] | np.ndarray, size: int) -> np.ndarray:
    """Indexes into ``weights`` drawn in proportion to them."""
    probabilities = np.asarray(weights, dtype=float)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())


def pick(rng: np.random.Generator, options: Sequence[str], size: int) -> list[str]:
    """Uniform choice among strings, as a list (the strings are shared, not copied)."""
    return [options[i] for i in rng.integers(0, len(options), size).tolist()]


def ascii_slug(text: str, separator: str = "") -> str:
    """'Jörg-Åke de Vries' -> 'joergakedevries' (separator ''): the form names take in emails and domains."""
    text = text.replace("ö", "oe").replace("ü", "ue").replace("ä", "ae").translate(_ASCII_LETTERS)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = ["".join(char for char in word if char.isalnum()) for word in plain.replace("-", " ").split()]
    return separator.join(part for part in parts if part)


def occurrences(keys: np.ndarray) -> np.ndarray:
    """For each entry, how many earlier entries have the same key (0 for the first): the number that
    makes 'anna.schmidt@…' unique as 'anna.schmidt2@…' without keeping a set of every address."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    positions = np.arange(len(keys))
    is_first = np.ones(len(keys), dtype=bool)
    is_first[1:] = ordered[1:] != ordered[:-1]
    group_start = np.maximum.accumulate(np.where(is_first, positions, 0))
    result = np.empty(len(keys), dtype=np.int64)
    result[order] = positions - group_start
    return result


def numbered(stem: str, occurrence: int) -> str:
    return stem if occurrence == 0 else f"{stem}{occurrence + 1}"


def combine_keys(*columns: np.ndarray) -> np.ndarray:
    """One int64 key per row from small non-negative integer columns (mixed radix)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        key = key * (int(column.max(initial=0)) + 1) + column
    return key


def group_offsets(counts: np.ndarray) -> np.ndarray:
    """Start of each group in a flat array whose groups have these sizes."""
    return (np.cumsum(counts) - counts).astype(np.int64)


def rank_in_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, … within each group of a flat array whose groups have these sizes."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(group_offsets(counts), counts)


def business_time(rng: np.random.Generator, days: np.ndarray, *, evening_share: float = 0.1) -> np.ndarray:
    """Epoch seconds within the given epoch days, mostly during office hours (09–18), some evenings."""
    hours = rng.integers(9, 18, len(days))
    evening = rng.random(len(days)) < evening_share
    hours[evening] = rng.integers(18, 23, int(evening.sum()))
    return days * DAY + hours * 3600 + rng.integers(0, 3600, len(days))


def uniform_between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Integers uniformly in [low, high] element-wise (high >= low)."""
    return low + np.floor(rng.random(len(low)) * (high - low + 1)).astype(np.int64)
