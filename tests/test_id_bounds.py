"""Ids are positive 64-bit integers everywhere: a larger number is a client error, never a driver overflow."""

import pytest

pytestmark = pytest.mark.django_db


HUGE = 2**70


def test_ids_beyond_64_bits_are_422_not_500(api_client) -> None:
    checks = [
        api_client.get(f"/deals/{HUGE}"),
        api_client.get(f"/deals?company_id={HUGE}"),
        api_client.get(f"/contacts?owner_id={HUGE}"),
        api_client.post(f"/deals/{HUGE}/move", {"stage_id": 1}),
        api_client.post("/deals", {"name": "X", "company_id": HUGE}),
        api_client.post("/orders", {"contact_id": HUGE, "ordered_at": "2026-01-01T00:00:00Z", "lines": []}),
        api_client.get(f"/interactions?contact_id={HUGE}"),
        api_client.delete(f"/tokens/{HUGE}"),
    ]
    assert [response.status_code for response in checks] == [422] * len(checks)
