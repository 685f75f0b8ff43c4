"""The generator's numbers without a database: phone ranges, unique emails, the shape of the purchases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import phonenumbers
import pytest

from accord.demo import geography
from accord.demo.generate import start_of_day
from accord.demo.orders import Purchases, plan_purchases, revenue_share_of_top
from accord.demo.people import Contacts, plan_companies, plan_contacts
from accord.demo.sampling import DAY, ascii_slug, occurrences, rank_in_group, stream

NOW = start_of_day(dt.date(2026, 6, 15))
USERS = np.arange(1, 11)


@pytest.fixture(scope="module")
def population() -> tuple[Contacts, Purchases]:
    companies = plan_companies(
        stream(1, "companies"), 4000, user_ids=USERS, user_weights=np.full(10, 0.1), now=NOW, extra_names=10
    )
    contacts = plan_contacts(stream(1, "contacts"), 20_000, companies, now=NOW)
    return contacts, plan_purchases(stream(1, "orders"), contacts, now=NOW)


@pytest.mark.parametrize("ranges", [geography.MOBILE, geography.LANDLINE], ids=["mobile", "landline"])
@pytest.mark.parametrize(
    "country", range(len(geography.COUNTRIES)), ids=[c.code for c in geography.COUNTRIES]
)
def test_every_phone_range_draws_valid_numbers_of_its_country(
    ranges: geography.PhoneRanges, country: int
) -> None:
    numbers = geography.e164(ranges.draw(np.random.default_rng(country), np.full(500, country)))
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.region_code_for_number(parsed) == geography.COUNTRIES[country].code, number


def test_occurrences_count_earlier_equal_keys() -> None:
    assert occurrences(np.array([5, 3, 5, 5, 3, 9])).tolist() == [0, 0, 1, 2, 1, 0]
    assert rank_in_group(np.array([2, 0, 3])).tolist() == [0, 1, 0, 1, 2]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Jörg", "joerg"),
        ("Łukasz", "lukasz"),
        ("Søren", "soren"),
        ("de Vries", "devries"),
        ("O'Brien", "obrien"),
    ],
)
def test_ascii_slug(text: str, slug: str) -> None:
    assert ascii_slug(text) == slug


def test_emails_stay_unique_at_scale(population: tuple[Contacts, Purchases]) -> None:
    contacts, _ = population
    emails = contacts.emails.render(contacts.email_domains, slice(0, len(contacts.emails.owner)))
    assert len(emails) == len(set(emails)) > 20_000
    assert all(email.isascii() and email.count("@") == 1 for email in emails)


def test_company_domains_are_unique_at_scale() -> None:
    companies = plan_companies(
        stream(2, "companies"),
        100_000,
        user_ids=USERS,
        user_weights=np.full(10, 0.1),
        now=NOW,
        extra_names=5000,
    )
    assert len(set(companies.labels.domains)) == 105_000


def test_a_fifth_of_the_customers_make_most_of_the_revenue(population: tuple[Contacts, Purchases]) -> None:
    _, purchases = population
    assert 0.6 <= revenue_share_of_top(purchases) <= 0.8


def test_orders_peak_in_the_fourth_quarter_and_dip_at_weekends(
    population: tuple[Contacts, Purchases],
) -> None:
    _, purchases = population
    days = purchases.order_time // DAY
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    by_month = np.bincount(month, minlength=12)
    assert by_month[10:].mean() > 1.3 * by_month[:10].mean()
    weekday = np.bincount((days + 3) % 7, minlength=7)
    assert weekday[5:].mean() < 0.7 * weekday[:5].mean()
    assert purchases.order_time.max() < NOW
    assert purchases.order_time.min() >= NOW - 3 * 365 * DAY
