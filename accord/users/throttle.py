"""Throttling of password sign-ins per account name and per client address.

A sliding window rather than a lockout (OWASP ASVS 5.0 V6, Authentication Cheat Sheet): once an account
name has ``ACCORD_LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures within ``ACCORD_LOGIN_FAILURE_WINDOW_SECONDS``,
or an address ``ACCORD_LOGIN_MAX_FAILURES_PER_ADDRESS``, further attempts are refused until the oldest
failure leaves the window. Refused attempts do not count, so an attacker gets the configured number of
guesses per window and the owner is never locked out for longer than one window after the attack stops.

The counters live in the database (``LoginAttempt``) so that every server process shares them; an
in-process cache would multiply the limits by the number of workers. An attempt is stored *before*
counting, so parallel attempts see each other and cannot all slip under the limit together.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accord.users.models import LoginAttempt

# Every address of an IPv6 /64 belongs to one subscriber, who can use all of them.
IPV6_NETWORK_PREFIX = 64


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt under way: its stored rows and whether the limits refuse it."""

    account_key: str
    row_ids: tuple[int, ...]
    refused: bool


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or, when the settings name a trusted proxy header, the
    address the first of our ``ACCORD_TRUSTED_PROXY_COUNT`` proxies received the request from (that many
    entries from the right of the header); None when there is no valid address."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    header = settings.ACCORD_TRUSTED_PROXY_HEADER
    if header:
        # Entries left of the ones our proxies appended were written by the client and prove nothing.
        hops = [hop.strip() for hop in request.META.get(_meta_name(header), "").split(",") if hop.strip()]
        if len(hops) >= settings.ACCORD_TRUSTED_PROXY_COUNT:
            candidate = hops[-settings.ACCORD_TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _meta_name(header: str) -> str:
    """'X-Forwarded-For' -> 'HTTP_X_FORWARDED_FOR' (an already-converted name is kept)."""
    name = header.upper().replace("-", "_")
    return name if name.startswith("HTTP_") or name == "REMOTE_ADDR" else f"HTTP_{name}"


def normalize_account(username: str) -> str:
    """The account name as counted: 'Ann', ' ann ' and the full-width 'ANN' are one account."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"accord.login.{kind}", value, algorithm="sha256").hexdigest()


def _network(address: str) -> str:
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_NETWORK_PREFIX}", strict=False))
    return str(parsed)


def _window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.ACCORD_LOGIN_FAILURE_WINDOW_SECONDS)


def attempt_start(*, username: str, address: str | None) -> Attempt:
    """Store the attempt against its account and its address, and tell whether the limits refuse it."""
    now = timezone.now()
    account_key = _key("account", normalize_account(username))
    limits = {account_key: settings.ACCORD_LOGIN_MAX_FAILURES_PER_ACCOUNT}
    if address is not None:
        limits[_key("address", _network(address))] = settings.ACCORD_LOGIN_MAX_FAILURES_PER_ADDRESS
    with transaction.atomic():
        LoginAttempt.objects.filter(attempted_at__lte=_window_start(now)).delete()
        rows = LoginAttempt.objects.bulk_create([LoginAttempt(key=key, attempted_at=now) for key in limits])
    counts = dict(
        LoginAttempt.objects.filter(key__in=list(limits), attempted_at__gt=_window_start(now))
        .values("key")
        .annotate(attempts=Count("id"))
        .values_list("key", "attempts")
    )
    # ``counts`` includes this attempt: the limit-th failure is still tried, the one after it is not.
    refused = any(counts.get(key, 0) > limit for key, limit in limits.items())
    return Attempt(account_key=account_key, row_ids=tuple(row.pk for row in rows), refused=refused)


def attempt_refused(attempt: Attempt) -> None:
    """A refused attempt does not count, so that the window ends when the attacker's guesses do."""
    LoginAttempt.objects.filter(pk__in=attempt.row_ids).delete()


def attempt_succeeded(attempt: Attempt) -> None:
    """A correct password clears its account's failures; the address keeps only its real failures."""
    LoginAttempt.objects.filter(Q(key=attempt.account_key) | Q(pk__in=attempt.row_ids)).delete()
