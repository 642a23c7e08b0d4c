"""Load the reference tables from ``data/*.csv`` (copied from shared/domain).

Called by the data migration with historical models, so it must not import
the app's models. Loading is idempotent: rows are matched on their natural key
and updated in place.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE = "Erasmus+ Programme Guide {year}, KA1 VET; shared/domain/{file}"


def _rows(filename: str):
    with open(DATA_DIR / filename, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _yes(value: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"expected yes or no, got {value!r}")
    return value == "yes"


def _money(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip() else None


def load_reference_data(apps) -> None:
    get = apps.get_model
    Country = get("reference", "Country")
    for row in _rows("countries.csv"):
        Country.objects.update_or_create(
            iso2=row["iso2"],
            defaults={
                "eu_code": row["eu_code"],
                "name": row["name"],
                "name_pl": row["name_pl"],
                "eu_member": _yes(row["eu_member"]),
                "support_group": int(row["support_group"]),
            },
        )
    poland = Country.objects.get(iso2="PL")
    for row in _rows("regions_pl.csv"):
        get("reference", "Region").objects.update_or_create(
            country=poland, code=row["teryt"], defaults={"name": row["name"]}
        )
    for row in _rows("activity_types.csv"):
        get("reference", "ActivityType").objects.update_or_create(
            code=row["code"],
            defaults={
                "label": row["label"],
                "label_pl": row["label_pl"],
                "who": row["who"],
                "min_days": int(row["min_days"]),
                "max_days": int(row["max_days"]),
                "counts_toward_participant_cap": _yes(row["counts_toward_participant_cap"]),
                "course_fees": _yes(row["course_fees"]),
                "in_fers_scope": _yes(row["in_fers_scope"]),
            },
        )
    for row in _rows("key_competences.csv"):
        get("reference", "KeyCompetence").objects.update_or_create(
            number=int(row["number"]), defaults={"name": row["name"], "name_pl": row["name_pl"]}
        )
    for row in _rows("participant_report_outcomes.csv"):
        get("reference", "ReportOutcomeStatement").objects.update_or_create(
            audience=row["audience"], code=row["code"], defaults={"statement": row["statement"]}
        )
    for row in _rows("travel_bands.csv"):
        year = int(row["call_year"])
        get("reference", "TravelBand").objects.update_or_create(
            call_year=year,
            min_km=int(row["min_km"]),
            defaults={
                "max_km": _int_or_none(row["max_km"]),
                "standard_eur": Decimal(row["standard_eur"]),
                "green_eur": _money(row["green_eur"]),
                "status": row["status"],
                "source": SOURCE.format(year=year, file="travel_bands.csv"),
            },
        )
    for row in _rows("individual_support.csv"):
        year = int(row["call_year"])
        get("reference", "IndividualSupportRate").objects.update_or_create(
            call_year=year,
            support_group=int(row["support_group"]),
            rate_category=row["rate_category"],
            defaults={
                "eur_per_day_1_14": Decimal(row["eur_per_day_1_14"]),
                "eur_per_day_from_15": Decimal(row["eur_per_day_from_15"]),
                "status": row["status"],
                "source": SOURCE.format(year=year, file="individual_support.csv"),
            },
        )
    for row in _rows("other_unit_costs.csv"):
        year = int(row["call_year"])
        get("reference", "UnitCost").objects.update_or_create(
            call_year=year,
            item=row["item"],
            defaults={
                "eur": Decimal(row["eur"]),
                "unit": row["unit"],
                "cap": row["cap"],
                "status": row["status"],
                "source": SOURCE.format(year=year, file="other_unit_costs.csv"),
            },
        )
