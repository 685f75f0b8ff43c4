"""The scan on edge cases: empty tables, companies, shared switchboard numbers."""

from __future__ import annotations

import pytest

from accord.core.actors import SYSTEM
from accord.customers.services import company_create, contact_create
from accord.dedupe.models import DuplicateCandidate
from accord.dedupe.scan import duplicate_scan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("object_type", ["contact", "company"])
def test_a_scan_of_an_empty_table_finds_nothing(object_type: str) -> None:
    result = duplicate_scan(object_type=object_type)
    assert (result.records, result.pairs_found, result.pairs) == (0, 0, [])


def test_companies_with_one_website_and_similar_names_are_a_pair() -> None:
    acme = company_create(actor=SYSTEM, data={"name": "ACME GmbH", "domain": "acme.de", "city": "Berlin"})
    other = company_create(actor=SYSTEM, data={"name": "Acme", "domain": "www.acme.de", "city": "berlin"})
    company_create(actor=SYSTEM, data={"name": "Acme Robotics", "domain": "robots.example"})
    result = duplicate_scan(object_type="company")
    assert result.pairs == [(acme.pk, other.pk)]
    pair = DuplicateCandidate.objects.get()
    assert (pair.score, [item["text"] for item in pair.evidence]) == (
        100,
        ["names 100% alike: ACME GmbH / Acme", "same website acme.de", "both in Berlin"],
    )


def test_colleagues_sharing_a_company_phone_are_not_a_pair() -> None:
    firm = company_create(actor=SYSTEM, data={"name": "Firm"})
    for given, family in (("Anna", "Schmidt"), ("Jonas", "Weber")):
        contact_create(
            actor=SYSTEM,
            data={
                "given_name": given,
                "family_name": family,
                "phones": [{"number": "+49 30 1234567"}],
                "employments": [{"company_id": firm.pk}],
            },
        )
    assert duplicate_scan(object_type="contact").pairs == []
