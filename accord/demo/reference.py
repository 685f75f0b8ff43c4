"""Reference data of the demo: sales reps, tags, pipelines with their stages, and the product catalogue.

Small, so it goes through the ORM, and idempotent: records that already exist (same username, tag
name, pipeline name, SKU) are reused, so a second demo load adds people and history, not a second
catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from accord.core.errors import Conflict
from accord.core.models import Tag
from accord.demo import names
from accord.demo.sampling import DAY, YEAR
from accord.sales.models import Pipeline, Product, Stage
from accord.users.models import User


@dataclass(frozen=True)
class StageSpec:
    name: str
    probability: int
    kind: str = Stage.Kind.OPEN


# Pipeline name -> stages in order; the won and lost stages come last.
PIPELINES: dict[str, tuple[StageSpec, ...]] = {
    "New business": (
        StageSpec("Qualification", 10),
        StageSpec("Discovery", 20),
        StageSpec("Proposal", 40),
        StageSpec("Negotiation", 70),
        StageSpec("Closed won", 100, Stage.Kind.WON),
        StageSpec("Closed lost", 0, Stage.Kind.LOST),
    ),
    "Renewals": (
        StageSpec("Upcoming", 50),
        StageSpec("In conversation", 70),
        StageSpec("Quote sent", 85),
        StageSpec("Renewed", 100, Stage.Kind.WON),
        StageSpec("Churned", 0, Stage.Kind.LOST),
    ),
    "Partners": (
        StageSpec("Prospecting", 10),
        StageSpec("Initial call", 20),
        StageSpec("Evaluation", 40),
        StageSpec("Contract draft", 60),
        StageSpec("Legal review", 80),
        StageSpec("Signed", 100, Stage.Kind.WON),
        StageSpec("Not a fit", 0, Stage.Kind.LOST),
    ),
}


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    price_cents: int
    typical_quantity: float  # what one order line usually holds
    is_hourly: bool = False  # sold in half hours
    is_active: bool = True


CATALOGUE: tuple[ProductSpec, ...] = (
    ProductSpec("HW-1001", "Laptop Pro 14", 149_900, 1.5),
    ProductSpec("HW-1002", "Laptop Air 13", 109_900, 1.5),
    ProductSpec("HW-1003", "Docking station", 24_900, 2),
    ProductSpec("HW-1004", "27-inch monitor", 32_900, 2),
    ProductSpec("HW-1005", "Wireless keyboard", 7_900, 3),
    ProductSpec("HW-1006", "Ergonomic mouse", 5_900, 3),
    ProductSpec("HW-1007", "Noise-cancelling headset", 19_900, 2),
    ProductSpec("HW-1008", "HD webcam", 8_900, 2),
    ProductSpec("HW-1009", "Conference speakerphone", 29_900, 1),
    ProductSpec("HW-1010", "Laser printer", 44_900, 1),
    ProductSpec("HW-1011", "Toner cartridge", 8_900, 3),
    ProductSpec("HW-1012", "Tablet 11", 69_900, 1),
    ProductSpec("HW-1013", "Tablet 10 (previous model)", 49_900, 1, is_active=False),
    ProductSpec("HW-1014", "Smartphone", 79_900, 1.5),
    ProductSpec("FU-2001", "Standing desk", 64_900, 1.5),
    ProductSpec("FU-2002", "Ergonomic office chair", 49_900, 2),
    ProductSpec("FU-2003", "Meeting table", 89_900, 1),
    ProductSpec("FU-2004", "Filing cabinet", 22_900, 1),
    ProductSpec("FU-2005", "Monitor arm", 12_900, 2),
    ProductSpec("SU-3001", "Copy paper, 5 reams", 2_490, 6),
    ProductSpec("SU-3002", "Notebooks, pack of 10", 1_990, 4),
    ProductSpec("SU-3003", "Ballpoint pens, box of 50", 1_290, 3),
    ProductSpec("SU-3004", "Sticky notes, 12 pads", 890, 5),
    ProductSpec("SU-3005", "Whiteboard markers, 8 pack", 990, 4),
    ProductSpec("SU-3006", "Coffee beans, 1 kg", 2_290, 6),
    ProductSpec("SU-3007", "Water filter cartridges", 3_490, 2),
    ProductSpec("SW-4001", "Office suite licence, 1 year", 12_900, 5),
    ProductSpec("SW-4002", "Antivirus licence, 1 year", 3_900, 8),
    ProductSpec("SW-4003", "Cloud backup 1 TB, 1 year", 9_900, 2),
    ProductSpec("SW-4004", "Accounting software, 1 year", 34_900, 1),
    ProductSpec("SW-4005", "CRM seat, 1 month", 4_900, 6),
    ProductSpec("SW-4006", "Video conferencing, 1 year", 14_900, 3),
    ProductSpec("SW-4007", "Legacy fax service, 1 year", 9_900, 1, is_active=False),
    ProductSpec("SV-5001", "Installation service (hour)", 9_500, 3, is_hourly=True),
    ProductSpec("SV-5002", "Consulting (hour)", 14_000, 6, is_hourly=True),
    ProductSpec("SV-5003", "On-site support (hour)", 11_000, 3, is_hourly=True),
    ProductSpec("SV-5004", "Data migration (hour)", 12_500, 8, is_hourly=True),
    ProductSpec("SV-5005", "Training workshop (day)", 120_000, 1),
    ProductSpec("SV-5006", "Extended warranty, 3 years", 19_900, 2),
    ProductSpec("SV-5007", "Express delivery", 2_900, 1),
    ProductSpec("SV-5008", "Maintenance contract, 1 year", 59_900, 1),
)


@dataclass(frozen=True)
class PipelineStages:
    """One pipeline's stage ids in order: the open ones, then the won and the lost stage."""

    pipeline_id: int
    name: str
    open_stage_ids: tuple[int, ...]
    won_stage_id: int
    lost_stage_id: int

    @property
    def all_stage_ids(self) -> tuple[int, ...]:
        return (*self.open_stage_ids, self.won_stage_id, self.lost_stage_id)


@dataclass(frozen=True)
class Reference:
    user_ids: np.ndarray  # the sales reps, in SALES_REPS order
    user_weights: np.ndarray
    tag_ids: np.ndarray
    pipelines: tuple[PipelineStages, ...]
    product_ids: np.ndarray  # in CATALOGUE order
    stage_names: dict[int, str]


@transaction.atomic
def load_reference(rng: np.random.Generator, *, now: int) -> Reference:
    """Create what is missing of the reps, tags, pipelines and products; return their ids."""
    return Reference(
        user_ids=_sales_reps(rng, now=now),
        user_weights=np.array(names.SALES_REP_WEIGHTS, dtype=float) / sum(names.SALES_REP_WEIGHTS),
        tag_ids=_tags(),
        pipelines=_pipelines(),
        product_ids=_products(now=now),
        stage_names=dict(Stage.objects.values_list("id", "name")),
    )


def _at(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _sales_reps(rng: np.random.Generator, *, now: int) -> np.ndarray:
    usernames = [username for username, _, _ in names.SALES_REPS]
    existing = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    # Drawn for every rep, used for the missing ones: two loads with one seed stay identical.
    joined = now - rng.integers(YEAR, 6 * YEAR, len(usernames))
    password_salts = rng.integers(0, 2**62, len(usernames))
    missing = [
        User(
            username=username,
            first_name=given,
            last_name=family,
            email=f"{username}@accord-demo.example",
            # Reps cannot sign in until an admin sets a password.
            password=f"{UNUSABLE_PASSWORD_PREFIX}demo{password_salts[index]}",
            date_joined=_at(int(joined[index])),
        )
        for index, (username, given, family) in enumerate(names.SALES_REPS)
        if username not in existing
    ]
    User.objects.bulk_create(missing)
    ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    return np.array([ids[username] for username in usernames], dtype=np.int64)


def _tags() -> np.ndarray:
    existing = dict(Tag.objects.filter(name__in=names.TAGS).values_list("name", "id"))
    Tag.objects.bulk_create(
        [
            Tag(name=name, color=color)
            for name, color in zip(names.TAGS, names.TAG_COLORS, strict=True)
            if name not in existing
        ]
    )
    ids = dict(Tag.objects.filter(name__in=names.TAGS).values_list("name", "id"))
    return np.array([ids[name] for name in names.TAGS], dtype=np.int64)


def _pipelines() -> tuple[PipelineStages, ...]:
    has_default = Pipeline.objects.filter(is_default=True).exists()
    result = []
    for position, (name, specs) in enumerate(PIPELINES.items()):
        pipeline, created = Pipeline.objects.get_or_create(
            name=name, defaults={"position": position, "is_default": not has_default and position == 0}
        )
        if created:
            Stage.objects.bulk_create(
                Stage(
                    pipeline=pipeline,
                    name=spec.name,
                    position=index,
                    probability=spec.probability,
                    kind=spec.kind,
                )
                for index, spec in enumerate(specs)
            )
        stages = {stage.name: stage for stage in pipeline.stages.all()}
        by_kind: dict[str, list[int]] = {kind: [] for kind in Stage.Kind.values}
        for spec in specs:
            stage = stages.get(spec.name)
            if stage is not None:
                by_kind[stage.kind].append(stage.pk)
        if (
            not by_kind[Stage.Kind.OPEN]
            or len(by_kind[Stage.Kind.WON]) != 1
            or len(by_kind[Stage.Kind.LOST]) != 1
        ):
            raise Conflict(f"The pipeline '{name}' exists with other stages; rename it to load the demo.")
        result.append(
            PipelineStages(
                pipeline_id=pipeline.pk,
                name=name,
                open_stage_ids=tuple(by_kind[Stage.Kind.OPEN]),
                won_stage_id=by_kind[Stage.Kind.WON][0],
                lost_stage_id=by_kind[Stage.Kind.LOST][0],
            )
        )
    return tuple(result)


def _products(*, now: int) -> np.ndarray:
    existing = dict(Product.objects.filter(sku__in=[spec.sku for spec in CATALOGUE]).values_list("sku", "id"))
    created_at = _at(now - 3 * YEAR - 30 * DAY)
    Product.objects.bulk_create(
        [
            Product(
                sku=spec.sku,
                name=spec.name,
                unit_price=Decimal(spec.price_cents).scaleb(-2),
                is_active=spec.is_active,
                created_at=created_at,
                updated_at=created_at,
            )
            for spec in CATALOGUE
            if spec.sku not in existing
        ]
    )
    ids = dict(Product.objects.filter(sku__in=[spec.sku for spec in CATALOGUE]).values_list("sku", "id"))
    return np.array([ids[spec.sku] for spec in CATALOGUE], dtype=np.int64)
