"""Stable identifiers for records in files that leave Accord (vCard UID, iCalendar UID)."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings


def stable_uuid(kind: str, pk: int) -> uuid.UUID:
    """The same UUID for the same record every time, different on every site, and saying nothing of the
    record's id: an HMAC of the kind and id under the site's secret key. A phone or calendar that
    imports the file again updates the entry rather than adding another. (Changing SECRET_KEY changes
    them all.)"""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).digest()
    return uuid.UUID(bytes=digest[:16], version=4)
