"""Rows for the activities tests, written with the ORM: the timeline reads deals and orders whose
services are written elsewhere, and a test only needs the rows to exist."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accord.activities.models import Interaction, InteractionContact, Task
from accord.customers.models import Company, Contact, Employment
from accord.sales.models import Deal, DealContact, DealStageChange, Order, Pipeline, Stage

# A fixed instant, so that ties on the same timestamp are easy to build and exact to assert.
BASE_TIME = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return BASE_TIME + dt.timedelta(minutes=minutes)


class CompanyFactory(factory.django.DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    given_name = "Ada"
    family_name = factory.Sequence(lambda n: f"Person {n}")


class EmploymentFactory(factory.django.DjangoModelFactory[Employment]):
    class Meta:
        model = Employment

    contact = factory.SubFactory(ContactFactory)
    company = factory.SubFactory(CompanyFactory)


class PipelineFactory(factory.django.DjangoModelFactory[Pipeline]):
    class Meta:
        model = Pipeline

    name = factory.Sequence(lambda n: f"Pipeline {n}")


class StageFactory(factory.django.DjangoModelFactory[Stage]):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")


class DealFactory(factory.django.DjangoModelFactory[Deal]):
    class Meta:
        model = Deal

    name = factory.Sequence(lambda n: f"Deal {n}")
    stage = factory.SubFactory(StageFactory)
    pipeline = factory.SelfAttribute("stage.pipeline")


class StageChangeFactory(factory.django.DjangoModelFactory[DealStageChange]):
    class Meta:
        model = DealStageChange

    deal = factory.SubFactory(DealFactory)
    to_stage = factory.SelfAttribute("deal.stage")
    changed_at = BASE_TIME


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"SO-{n:05d}")
    ordered_at = BASE_TIME
    total = "120.00"


def _add_participants(
    interaction: Interaction, create: bool, extracted: list[Contact] | None, **kwargs: object
) -> None:
    for contact in extracted or []:
        InteractionContact.objects.create(
            interaction=interaction, contact=contact, occurred_at=interaction.occurred_at
        )


class InteractionFactory(factory.django.DjangoModelFactory[Interaction]):
    class Meta:
        model = Interaction
        skip_postgeneration_save = True

    kind = Interaction.Kind.CALL
    channel = Interaction.Channel.PHONE
    occurred_at = BASE_TIME

    contacts = factory.PostGeneration(_add_participants)


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Task {n}")
    created_at = factory.LazyFunction(timezone.now)


def deal_with_contact(contact: Contact, **fields: object) -> Deal:
    deal = DealFactory.create(**fields)
    DealContact.objects.create(deal=deal, contact=contact)
    return deal
