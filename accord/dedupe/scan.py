"""The full duplicate scan of contacts or companies, built to run as a background job.

Each column it needs is read once with plain SQL in chunks (never a million ORM objects), turned into
numpy arrays of integer codes, and every blocking key is grouped from those arrays: exact keys (email,
phone, website domain, email local part) and name keys (family-name prefix + given initial, and the same
with the parts swapped; company-name prefix). A name block too large to be evidence (the demo data has a
thousand Anna Schmidts) is split by company (contacts) or city (companies). The pairs of all blocks are
scored together with rapidfuzz's vectorised ``cpdist``; the pairs at or above the threshold are stored
as ``DuplicateCandidate`` rows (a dismissed pair stays dismissed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment, person_name
from accord.dedupe.blocking import Pairs, block_pairs, in_sorted, pair_codes
from accord.dedupe.models import DuplicateCandidate
from accord.dedupe.names import (
    block_keys,
    company_key,
    factorize,
    fold,
    local_part,
    person_key,
    says_more_than_name,
)
from accord.dedupe.scoring import DEFAULT_THRESHOLD, evidence_of, name_similarity, scores

Progress = Callable[[int, int], None]

# A key shared by more records than this is a shared line or mailbox, not evidence of one person.
MAX_SHARED_KEY = 5
# Name blocks larger than this are split by company or city; what cannot be split is not compared.
MAX_NAME_BLOCK = 40
FETCH_ROWS = 50_000
STEPS = 4  # read, block, score, store: the progress callback's total


@dataclass
class ScanResult:
    """What a scan did, for the job's log and the benchmark."""

    object_type: str
    records: int = 0
    pairs_compared: int = 0
    pairs_found: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # Found pairs as (lower id, higher id), for tests and the benchmark's precision and recall.
    pairs: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Found:
    """The scored pairs of a scan, by index into the records read, and how to word their evidence."""

    low: np.ndarray
    high: np.ndarray
    similarity: np.ndarray
    flags: dict[str, np.ndarray]
    score: np.ndarray
    names: np.ndarray  # display name per record
    value: Callable[[str, int], str]  # (evidence kind, pair position) -> the shared value


def columns(sql: str, params: Sequence[Any] = ()) -> list[list[Any]]:
    """The columns of a query's rows, fetched in chunks."""
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        width = len(cursor.description or ())  # read while open: psycopg forgets it on close
        while chunk := cursor.fetchmany(FETCH_ROWS):
            rows.extend(chunk)
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


def _table(model: type[Any]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _indexes(ids: np.ndarray, owner_ids: Sequence[int]) -> np.ndarray:
    return np.searchsorted(ids, np.asarray(owner_ids, dtype=np.int64))


class PairSet:
    """The pairs of one kind of evidence, searchable by pair code, with the key each pair shares."""

    def __init__(self, pairs: Pairs, count: int) -> None:
        low, high, key = pairs
        codes = pair_codes(low, high, count)
        order = np.argsort(codes, kind="stable")
        self.codes, self.keys = codes[order], key[order]

    def contains(self, codes: np.ndarray) -> np.ndarray:
        return in_sorted(codes, self.codes)

    def key_of(self, code: int) -> int:
        return int(self.keys[np.searchsorted(self.codes, code)])


@dataclass
class Exact:
    """Records sharing a value: the pairs, each row's value code, the distinct values, who has one."""

    pairs: PairSet
    codes: np.ndarray
    values: list[object]
    has: np.ndarray


def _exact_pairs(owner: np.ndarray, values: Sequence[str], count: int) -> Exact:
    codes, distinct = factorize(values)
    has = np.zeros(count, dtype=bool)
    has[owner] = True
    return Exact(PairSet(block_pairs(owner, codes, max_block=MAX_SHARED_KEY), count), codes, distinct, has)


def _union(count: int, *pair_lists: Pairs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = np.unique(np.concatenate([pair_codes(low, high, count) for low, high, _ in pair_lists]))
    return codes // count, codes % count, codes


# ---------------------------------------------------------------------------------------------- contacts


def _contact_pairs(report: Callable[[str], None]) -> tuple[np.ndarray, Found]:
    contact_ids, given, family = columns(
        f"SELECT id, given_name, family_name FROM {_table(Contact)} ORDER BY id"
    )
    email_owner, emails = columns(f"SELECT contact_id, email FROM {_table(ContactEmail)}")
    phone_owner, phones = columns(f"SELECT contact_id, number FROM {_table(ContactPhone)}")
    job_owner, job_company = columns(
        f"SELECT contact_id, company_id FROM {_table(Employment)} WHERE is_current = %s ORDER BY id", [True]
    )
    report("read")
    ids = np.asarray(contact_ids, dtype=np.int64)
    count = len(ids)
    email_index, phone_index, job_index = (
        _indexes(ids, email_owner),
        _indexes(ids, phone_owner),
        _indexes(ids, job_owner),
    )
    email, phone = _exact_pairs(email_index, emails, count), _exact_pairs(phone_index, phones, count)
    same_email, email_values, has_email = email.pairs, email.values, email.has
    same_phone, phone_values, has_phone = phone.pairs, phone.values, phone.has
    # Email local parts, derived once per distinct address.
    local_of_value, local_values = factorize(local_part(str(value)) for value in email_values)
    local_codes = local_of_value[email.codes] if len(email.codes) else np.zeros(0, dtype=np.int64)
    named = np.array([bool(value) for value in local_values], dtype=bool)
    usable = named[local_codes] if len(local_codes) else np.zeros(0, dtype=bool)
    same_local = PairSet(
        block_pairs(email_index[usable], local_codes[usable], max_block=MAX_SHARED_KEY), count
    )

    # Names: every distinct (given, family) combination is folded and keyed once.
    given_codes, given_values = factorize(given)
    family_codes, family_values = factorize(family)
    combined = given_codes * max(1, len(family_values)) + family_codes
    distinct_names, name_of = np.unique(combined, return_inverse=True)
    per_name = [
        (
            str(given_values[code // max(1, len(family_values))]),
            str(family_values[code % max(1, len(family_values))]),
        )
        for code in distinct_names.tolist()
    ]
    keys = [block_keys(first, last) for first, last in per_name]
    key_codes, _ = factorize([key for pair in keys for key in pair])
    key_one, key_two = key_codes[0::2][name_of], key_codes[1::2][name_of]
    compared = np.array([person_key(first, last) for first, last in per_name], dtype=object)[name_of]
    display = np.array([person_name(first, last) for first, last in per_name], dtype=object)[name_of]
    everyone = np.arange(count)
    name_pairs = block_pairs(
        np.concatenate([everyone, everyone]), np.concatenate([key_one, key_two]), max_block=MAX_NAME_BLOCK
    )
    companies = np.asarray(job_company, dtype=np.int64)
    width = int(companies.max(initial=0)) + 1
    by_company = block_pairs(
        np.concatenate([job_index, job_index]),
        np.concatenate([key_one[job_index] * width + companies, key_two[job_index] * width + companies]),
        max_block=MAX_NAME_BLOCK,
    )
    low, high, codes = _union(
        count,
        *(
            (pairs.codes // count, pairs.codes % count, pairs.keys)
            for pairs in (same_email, same_phone, same_local)
        ),
        name_pairs,
        by_company,
    )
    report("block")

    # A contact's company, for "both at …": its first current employment, checked against all of the
    # other's (a code per (contact, company) employment).
    company_of = np.full(count, -1, dtype=np.int64)
    company_of[job_index[::-1]] = companies[::-1]
    employed = np.unique(job_index.astype(np.int64) * width + companies)
    share_company = ((company_of[low] >= 0) & in_sorted(high * width + company_of[low], employed)) | (
        (company_of[high] >= 0) & in_sorted(low * width + company_of[high], employed)
    )
    flags = {
        "email": same_email.contains(codes),
        "phone": same_phone.contains(codes),
        "company": share_company,
    }
    flags["local_part"] = same_local.contains(codes) & ~flags["email"]
    for position in np.flatnonzero(flags["local_part"]).tolist():  # few: blocks of at most 5
        local = str(local_values[same_local.key_of(int(codes[position]))])
        pair = (str(display[low[position]]), str(display[high[position]]))
        flags["local_part"][position] = says_more_than_name(local, *pair)
    flags["other_emails"] = has_email[low] & has_email[high] & ~flags["email"]
    flags["other_phones"] = has_phone[low] & has_phone[high] & ~flags["phone"]
    similarity = name_similarity(compared[low].tolist(), compared[high].tolist())
    company_names = _company_names(company_of, low, high, share_company)

    def value(kind: str, position: int) -> str:
        code = int(codes[position])
        if kind == "email":
            return str(email_values[same_email.key_of(code)])
        if kind == "phone":
            return str(phone_values[same_phone.key_of(code)])
        if kind == "local_part":
            return str(local_values[same_local.key_of(code)])
        if kind == "company":
            return company_names.get(position, "")
        return ""

    found = Found(low, high, similarity, flags, scores("contact", similarity, flags), display, value)
    return ids, found


def _company_names(
    company_of: np.ndarray, low: np.ndarray, high: np.ndarray, shared: np.ndarray
) -> dict[int, str]:
    """The name of the company each pair shares (by pair position), read in one query."""
    positions = np.flatnonzero(shared)
    first = company_of[low[positions]]
    chosen = np.where(first >= 0, first, company_of[high[positions]])
    wanted = sorted(set(chosen.tolist()))
    names = dict(Company.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}
    return {
        int(position): names.get(int(company), "")
        for position, company in zip(positions, chosen, strict=True)
    }


# --------------------------------------------------------------------------------------------- companies


def _company_pairs(report: Callable[[str], None]) -> tuple[np.ndarray, Found]:
    company_ids, names, domains, phones, cities = columns(
        f"SELECT id, name, domain, phone, city FROM {_table(Company)} ORDER BY id"
    )
    report("read")
    ids = np.asarray(company_ids, dtype=np.int64)
    count = len(ids)
    everyone = np.arange(count)

    def exact(values: list[str]) -> Exact:
        present = np.array([bool(value) for value in values], dtype=bool)
        return _exact_pairs(everyone[present], [value for value in values if value], count)

    domain, phone = exact(domains), exact(phones)
    same_domain, domain_values, has_domain = domain.pairs, domain.values, domain.has
    same_phone, phone_values = phone.pairs, phone.values
    name_codes, name_values = factorize(names)
    keys = [company_key(str(name)) for name in name_values]
    compared = np.array(keys, dtype=object)[name_codes] if count else np.zeros(0, dtype=object)
    prefix_codes, _ = factorize([key.replace(" ", "")[:4] for key in keys])
    prefix = prefix_codes[name_codes] if count else np.zeros(0, dtype=np.int64)
    city_codes, city_values = factorize([fold(str(city)) for city in cities])
    name_pairs = block_pairs(everyone, prefix, max_block=MAX_NAME_BLOCK)
    by_city = block_pairs(everyone, prefix * max(1, len(city_values)) + city_codes, max_block=MAX_NAME_BLOCK)
    low, high, codes = _union(
        count,
        *((pairs.codes // count, pairs.codes % count, pairs.keys) for pairs in (same_domain, same_phone)),
        name_pairs,
        by_city,
    )
    report("block")
    has_city = np.array([bool(value) for value in city_values], dtype=bool)
    flags = {
        "domain": same_domain.contains(codes),
        "phone": same_phone.contains(codes),
        "city": (city_codes[low] == city_codes[high]) & has_city[city_codes[low]]
        if count
        else np.zeros(0, bool),
    }
    flags["other_domains"] = has_domain[low] & has_domain[high] & ~flags["domain"]
    similarity = name_similarity(compared[low].tolist(), compared[high].tolist())

    def value(kind: str, position: int) -> str:
        code = int(codes[position])
        if kind == "domain":
            return str(domain_values[same_domain.key_of(code)])
        if kind == "phone":
            return str(phone_values[same_phone.key_of(code)])
        if kind == "city":
            return str(cities[int(low[position])])
        return ""

    display = np.array(names, dtype=object)
    found = Found(low, high, similarity, flags, scores("company", similarity, flags), display, value)
    return ids, found


# ------------------------------------------------------------------------------------------------ the scan

PAIR_FINDERS: dict[str, Callable[[Callable[[str], None]], tuple[np.ndarray, Found]]] = {
    "contact": _contact_pairs,
    "company": _company_pairs,
}


def duplicate_scan(
    *,
    object_type: str,
    progress: Progress | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    store: bool = True,
) -> ScanResult:
    """Find every likely duplicate pair of ``object_type`` ("contact" or "company") and store them.

    Meant to run as a background job: ``progress(done, total)`` is called after each of its four steps
    (read, block, score, store). Open pairs that a new scan no longer finds are removed; dismissed and
    merged pairs keep their status.
    """
    if object_type not in PAIR_FINDERS:
        raise ValueError(f"No duplicate detection for {object_type!r}.")
    result = ScanResult(object_type=object_type)
    started = timezone.now()
    clock = time.perf_counter()

    def report(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[step] = now - clock
        clock = now
        if progress is not None:
            progress(len(result.seconds), STEPS)

    ids, found = PAIR_FINDERS[object_type](report)
    result.records = len(ids)
    result.pairs_compared = len(found.low)
    kept = np.flatnonzero(found.score >= threshold)
    result.pairs_found = len(kept)
    result.pairs = list(zip(ids[found.low[kept]].tolist(), ids[found.high[kept]].tolist(), strict=True))
    report("score")
    if store:
        _store(object_type, ids, found, kept, started)
    report("store")
    return result


def _store(object_type: str, ids: np.ndarray, found: Found, kept: np.ndarray, started: Any) -> None:
    rows = []
    kinds = list(found.flags)
    for position in kept.tolist():
        low, high = int(found.low[position]), int(found.high[position])
        flags = {kind: bool(found.flags[kind][position]) for kind in kinds}
        evidence = evidence_of(
            object_type,
            similarity=float(found.similarity[position]),
            names=(str(found.names[low]), str(found.names[high])),
            flags=flags,
            values={kind: found.value(kind, position) for kind, on in flags.items() if on},
        )
        rows.append(
            DuplicateCandidate(
                object_type=object_type,
                first_id=int(ids[low]),
                second_id=int(ids[high]),
                score=int(found.score[position]),
                evidence=evidence,
                detected_at=started,
            )
        )
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["object_type", "first_id", "second_id"],
            update_fields=["score", "evidence", "detected_at"],
        )
        DuplicateCandidate.objects.filter(
            object_type=object_type, status=DuplicateCandidate.Status.OPEN, detected_at__lt=started
        ).delete()
