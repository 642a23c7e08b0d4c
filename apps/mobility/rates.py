"""One call year's rate tables as plain values (RULES.md, "Grant per mobility").

``RateTables`` is what the grant calculation and the eligibility checks read:
no database behind it, so it can be built by hand in tests and benchmarks
(``RateTables.build``) or from the reference CSV files
(``rate_tables_from_csv``). ``rate_tables_for`` is the one adapter that reads
it from the reference models, which the agency corrects in the admin.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import MappingProxyType

CENT = Decimal("0.01")

# Participant categories (the values of participants.ParticipantCategory).
LEARNER = "learner"
RECENT_GRADUATE = "recent_graduate"
STAFF = "staff"
CATEGORIES = (LEARNER, RECENT_GRADUATE, STAFF)

# Rate categories of the individual support table (reference.RateCategory).
LEARNER_RATES = "learner"
STAFF_RATES = "staff"

# Items of the unit-cost table (other_unit_costs.csv).
ORGANISATIONAL_SUPPORT = "organisational_support"
ORGANISATIONAL_SUPPORT_OVER_100 = "organisational_support_over_100"
INCLUSION_SUPPORT = "inclusion_support_organisation"
COURSE_FEE = "course_fee"
PREPARATORY_VISIT = "preparatory_visit"

_CAP_NUMBER = re.compile(r"^\s*(\d+)\b")


class UnknownCallYear(LookupError):
    """The reference data has no (or an incomplete) set of rate tables for a call year."""


def money(value) -> Decimal:
    """A euro amount with two places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_category_for(category: str, *, accompanying: bool) -> str:
    """Learner rates for learners and recent graduates; staff rates for staff and accompanying persons."""
    if accompanying or category == STAFF:
        return STAFF_RATES
    if category in (LEARNER, RECENT_GRADUATE):
        return LEARNER_RATES
    raise ValueError(f"unknown participant category {category!r}")


@dataclass(frozen=True)
class TravelBandRate:
    min_km: int
    max_km: int | None  # None: no upper limit
    standard: Decimal
    green: Decimal | None  # None: the band has no green amount

    def holds(self, km: int) -> bool:
        return self.min_km <= km and (self.max_km is None or km <= self.max_km)


@dataclass(frozen=True)
class SupportRate:
    per_day_1_14: Decimal
    per_day_from_15: Decimal


@dataclass(frozen=True)
class UnitCostRate:
    eur: Decimal
    cap: str = ""  # as written in the table, e.g. "10 days per participant"

    @property
    def cap_number(self) -> int | None:
        """The number the cap text starts with ("10 days per participant" -> 10), or None without a cap."""
        if not self.cap.strip():
            return None
        match = _CAP_NUMBER.match(self.cap)
        if not match:
            raise ValueError(f"cannot read a number from the cap {self.cap!r}")
        return int(match.group(1))


@dataclass(frozen=True)
class RateTables:
    """The figures of one call year. Mappings are read-only; bands are sorted by ``min_km``."""

    call_year: int
    travel_bands: tuple[TravelBandRate, ...]
    individual_support: Mapping[tuple[int, str], SupportRate]  # (support group, rate category)
    unit_costs: Mapping[str, UnitCostRate]  # by item
    support_groups: Mapping[str, int]  # eligible country (ISO 3166 alpha-2) -> support group

    def __post_init__(self):
        bands = tuple(sorted(self.travel_bands, key=lambda band: band.min_km))
        for lower, upper in zip(bands, bands[1:], strict=False):
            if lower.max_km is None or lower.max_km >= upper.min_km:
                raise ValueError(f"call {self.call_year}: travel bands from {lower.min_km} and {upper.min_km} overlap")
        object.__setattr__(self, "travel_bands", bands)
        for name in ("individual_support", "unit_costs", "support_groups"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @classmethod
    def build(
        cls,
        call_year: int,
        *,
        travel_bands: Iterable[tuple],
        individual_support: Mapping[tuple[int, str], tuple],
        unit_costs: Mapping[str, object],
        support_groups: Mapping[str, int],
    ) -> RateTables:
        """Plain constructor: amounts may be int, str or Decimal.

        ``travel_bands``: ``(min_km, max_km or None, standard, green or None)``;
        ``individual_support``: ``{(group, "learner"|"staff"): (per_day_1_14, per_day_from_15)}``;
        ``unit_costs``: ``{item: eur}`` or ``{item: (eur, cap text)}``.
        """
        return cls(
            call_year=int(call_year),
            travel_bands=tuple(
                TravelBandRate(
                    int(lo), None if hi is None else int(hi), money(std), None if grn is None else money(grn)
                )
                for lo, hi, std, grn in travel_bands
            ),
            individual_support={
                (int(group), category): SupportRate(money(first), money(later))
                for (group, category), (first, later) in individual_support.items()
            },
            unit_costs={
                item: UnitCostRate(money(value[0]), value[1] or "")
                if isinstance(value, tuple)
                else UnitCostRate(money(value))
                for item, value in unit_costs.items()
            },
            support_groups={iso2: int(group) for iso2, group in support_groups.items()},
        )

    def band_for(self, km: int) -> TravelBandRate | None:
        """The band holding ``km`` (bounds inclusive), or None (under the first band: no travel grant)."""
        return next((band for band in self.travel_bands if band.holds(km)), None)

    def support_rate(self, support_group: int, rate_category: str) -> SupportRate:
        try:
            return self.individual_support[(support_group, rate_category)]
        except KeyError:
            raise LookupError(
                f"call {self.call_year} has no {rate_category} rate for country group {support_group}"
            ) from None

    def unit_cost(self, item: str) -> UnitCostRate:
        try:
            return self.unit_costs[item]
        except KeyError:
            raise LookupError(f"call {self.call_year} has no unit cost {item!r}") from None

    def support_group(self, country: str) -> int | None:
        """The country's support group, or None when it is not an eligible country."""
        return self.support_groups.get(country)


def rate_tables_for(call_year: int) -> RateTables:
    """Read one call year's tables from the reference data (four queries, only the columns needed)."""
    # Imported here so that the pure parts of this module load without Django's app registry.
    from apps.reference.models import Country, IndividualSupportRate, TravelBand, UnitCost

    bands = list(
        TravelBand.objects.filter(call_year=call_year).values_list("min_km", "max_km", "standard_eur", "green_eur")
    )
    support_rows = IndividualSupportRate.objects.filter(call_year=call_year).values_list(
        "support_group", "rate_category", "eur_per_day_1_14", "eur_per_day_from_15"
    )
    support = {(group, category): (first, later) for group, category, first, later in support_rows}
    costs = {
        item: (eur, cap)
        for item, eur, cap in UnitCost.objects.filter(call_year=call_year).values_list("item", "eur", "cap")
    }
    missing = [
        name
        for name, rows in (("travel bands", bands), ("individual support", support), ("unit costs", costs))
        if not rows
    ]
    if missing:
        known = TravelBand.objects.order_by("call_year").values_list("call_year", flat=True).distinct()
        raise UnknownCallYear(
            f"no rate tables for call year {call_year} (missing: {', '.join(missing)}); "
            f"known call years: {', '.join(map(str, known)) or 'none'}"
        )
    groups = dict(Country.objects.values_list("iso2", "support_group"))
    return RateTables.build(
        call_year, travel_bands=bands, individual_support=support, unit_costs=costs, support_groups=groups
    )


def rate_tables_from_csv(call_year: int, data_dir: Path | None = None) -> RateTables:
    """Build one call year's tables from the reference CSV files (tests, benchmarks), without the database."""
    from apps.reference.loaders import DATA_DIR

    directory = Path(data_dir or DATA_DIR)

    def rows(name):
        with open(directory / name, newline="", encoding="utf-8") as handle:
            return [row for row in csv.DictReader(handle) if row.get("call_year", str(call_year)) == str(call_year)]

    bands = [
        (row["min_km"], row["max_km"] or None, row["standard_eur"], row["green_eur"] or None)
        for row in rows("travel_bands.csv")
    ]
    if not bands:
        raise UnknownCallYear(f"no rate tables for call year {call_year} in {directory}")
    return RateTables.build(
        call_year,
        travel_bands=bands,
        individual_support={
            (int(row["support_group"]), row["rate_category"]): (row["eur_per_day_1_14"], row["eur_per_day_from_15"])
            for row in rows("individual_support.csv")
        },
        unit_costs={row["item"]: (row["eur"], row["cap"]) for row in rows("other_unit_costs.csv")},
        support_groups={row["iso2"]: int(row["support_group"]) for row in rows("countries.csv")},
    )
