"""API rate limits per token (per user for browser sessions), advertised with the RateLimit-Policy and
RateLimit header fields of draft-ietf-httpapi-ratelimit-headers-11.

Algorithm: a fixed window per bucket (identity × read/write). One upsert per request both counts the
request and returns the window's count, so there is no read-then-write race between the processes and
machines that share the counters. A fixed window lets a client spend up to twice the quota across a
window boundary; it buys a single-row, single-statement counter whose ``r`` and ``t`` are exact.

Store: PostgreSQL keeps the counters in the UNLOGGED table ``core_rate_limit_counter`` (migration
core/0005), shared by every machine. In the embedded mode they live in a SQLite file of their own in the
data folder (WAL, ``synchronous=OFF``): shared by every worker process and thread on the machine, and a
write per request there never queues behind the main database's writer lock.

The check runs right after authentication (``accord.users.auth``), before the body is parsed, so invalid
requests count too; ``with_headers`` then adds the fields to whatever response the request got.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from accord.core.actors import Actor
from accord.core.errors import RateLimited

logger = logging.getLogger(__name__)

# Seconds since the epoch; tests replace it to travel in time.
clock: Callable[[], float] = time.time

# Requests that only read: the read limit, and all that a read-scoped token may send (accord.users.auth).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TABLE = "core_rate_limit_counter"
# A window that starts later than the stored one restarts the count; an earlier one (a machine whose
# clock lags) counts into the stored window instead of resetting it, so skewed clocks cannot flap.
UPSERT = f"""
INSERT INTO {TABLE} (bucket, window_start, hits) VALUES (%s, %s, 1)
ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN excluded.window_start > {TABLE}.window_start THEN 1 ELSE {TABLE}.hits + 1 END,
    window_start = CASE WHEN excluded.window_start > {TABLE}.window_start
                        THEN excluded.window_start ELSE {TABLE}.window_start END
RETURNING window_start, hits
"""
SQLITE_UPSERT = UPSERT.replace("%s", "?")


@dataclass(frozen=True)
class Policy:
    name: str  # "read" or "write": the policy's name in the header fields
    quota: int
    window: int  # seconds


@dataclass(frozen=True)
class Usage:
    """Where a request left its bucket: what the RateLimit fields report."""

    policy: Policy
    remaining: int
    reset: int  # seconds until the window ends


class Counters(Protocol):
    def hit(self, bucket: str, window_start: int) -> tuple[int, int] | None:
        """Count a request; the bucket's (window_start, hits) afterwards, or None if unavailable."""


class DatabaseCounters:
    """PostgreSQL: the UNLOGGED table, on Django's connection (one round trip, in autocommit)."""

    def hit(self, bucket: str, window_start: int) -> tuple[int, int] | None:
        with connection.cursor() as cursor:
            cursor.execute(UPSERT, [bucket, window_start])
            window, hits = cursor.fetchone()
        return int(window), int(hits)


class SQLiteCounters:
    """A SQLite file of its own; one connection per thread (and per process, should one fork)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        held: tuple[int, sqlite3.Connection] | None = getattr(self.local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        # isolation_level=None: autocommit, so the upsert is its own (tiny) write transaction.
        database = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("PRAGMA synchronous=OFF")  # counters need no durability
        database.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(bucket TEXT PRIMARY KEY, window_start INTEGER NOT NULL, hits INTEGER NOT NULL) WITHOUT ROWID"
        )
        self.local.held = (os.getpid(), database)
        return database

    def hit(self, bucket: str, window_start: int) -> tuple[int, int] | None:
        try:
            row = self._connection().execute(SQLITE_UPSERT, (bucket, window_start)).fetchone()
        except sqlite3.Error:
            # A locked-out or damaged counter file must not take the API down: admit the request
            # unlimited, and open the file afresh next time.
            logger.exception("Rate-limit counters unavailable in %s; request admitted unlimited", self.path)
            self.local.held = None
            return None
        return int(row[0]), int(row[1])


@cache
def _sqlite_counters(path: str) -> SQLiteCounters:
    return SQLiteCounters(path)


def counters() -> Counters:
    if connection.vendor == "postgresql":
        return DatabaseCounters()
    return _sqlite_counters(str(settings.ACCORD_RATE_LIMIT_SQLITE_FILE))


def policy_for(method: str | None) -> Policy | None:
    """The policy a request counts against; None when that kind of request is not limited."""
    name = "read" if method in SAFE_METHODS else "write"
    setting = settings.ACCORD_RATE_LIMIT_READ if name == "read" else settings.ACCORD_RATE_LIMIT_WRITE
    return None if setting is None else Policy(name, *setting)


def admit(request: HttpRequest, actor: Actor) -> None:
    """Count the request in its bucket; RateLimited (429 with Retry-After) when over the quota."""
    policy = policy_for(request.method)
    if policy is None:
        return
    identity = f"token:{actor.token_id}" if actor.token_id is not None else f"user:{actor.user_id}"
    now = clock()
    counted = counters().hit(f"{identity}:{policy.name}", int(now // policy.window) * policy.window)
    if counted is None:
        return
    window_start, hits = counted
    reset = min(policy.window, max(0, math.ceil(window_start + policy.window - now)))
    request.rate_limit = Usage(policy, remaining=max(0, policy.quota - hits), reset=reset)  # type: ignore[attr-defined]
    if hits > policy.quota:
        raise RateLimited(
            f"Too many {policy.name} requests: {policy.quota} per {policy.window} s for this "
            f"{'API token' if actor.token_id is not None else 'user'}; retry in {max(1, reset)} s.",
            retry_after=max(1, reset),
        )


def with_headers(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja view decorator: the RateLimit fields on every response of a counted request, 429s included."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        usage: Usage | None = getattr(request, "rate_limit", None)
        if usage is not None:
            policy = usage.policy
            response["RateLimit-Policy"] = f'"{policy.name}";q={policy.quota};w={policy.window}'
            response["RateLimit"] = f'"{policy.name}";r={usage.remaining};t={usage.reset}'
        return response

    return wrapper
