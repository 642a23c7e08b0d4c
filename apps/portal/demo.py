"""Demo and benchmark data, written through the apps' services.

The demo accounts (README, "Demo logins") are stable: tests, demos and
reviewers rely on their addresses and password.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from apps.accounts.models import AgencyRole
from apps.accounts.services import user_ensure
from apps.organisations.models import MembershipRole, Organisation, OrganisationType
from apps.organisations.services import membership_add, organisation_create
from apps.participants.models import ParticipantCategory
from apps.participants.services import participant_ensure
from apps.reference.models import Region
from apps.reserve_list import imports as reserve_list_imports
from apps.reserve_list.models import RANKING_ORDER, Call, FundingPolicy
from apps.reserve_list.rules import RESERVE_LIST_COLUMNS
from apps.reserve_list.services import programme_ensure, round_commit

DEMO_PASSWORD = "Mobility-Demo-2026"
PROGRAMME_NAME = "FERS VET: Erasmus+ reserve lists 2022–2024"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    first_name: str
    last_name: str


DEMO_ACCOUNTS = [
    DemoAccount("admin@agency.example", "agency administrator", "Anna", "Administratorka"),
    DemoAccount("officer@agency.example", "agency officer", "Olga", "Urzędniczka"),
    DemoAccount("finance@agency.example", "agency finance", "Filip", "Finansowy"),
    DemoAccount("manager@school-a.example", "manager of organisation A", "Marek", "Kierownik"),
    DemoAccount("manager@school-b.example", "manager of organisation B", "Beata", "Kierowniczka"),
    DemoAccount("learner@school-a.example", "participant of organisation A", "Lena", "Uczennica"),
]

# (OID, legal name, short name, city, TERYT region code). A and B match shared/domain/reserve_list_example.csv.
ORGANISATION_A = ("E10012345", "Zespół Szkół Technicznych nr 1", "ZST 1 Poznań", "Poznań", "30")
ORGANISATION_B = ("E10023456", "Centrum Kształcenia Zawodowego", "CKZ Lublin", "Lublin", "06")

CITIES_BY_REGION = {
    "02": ["Wrocław", "Legnica", "Wałbrzych"],
    "04": ["Bydgoszcz", "Toruń", "Włocławek"],
    "06": ["Lublin", "Zamość", "Chełm"],
    "08": ["Zielona Góra", "Gorzów Wielkopolski"],
    "10": ["Łódź", "Piotrków Trybunalski", "Sieradz"],
    "12": ["Kraków", "Tarnów", "Nowy Sącz"],
    "14": ["Warszawa", "Radom", "Płock", "Siedlce"],
    "16": ["Opole", "Nysa"],
    "18": ["Rzeszów", "Przemyśl", "Krosno"],
    "20": ["Białystok", "Suwałki", "Łomża"],
    "22": ["Gdańsk", "Gdynia", "Słupsk"],
    "24": ["Katowice", "Gliwice", "Bielsko-Biała", "Częstochowa"],
    "26": ["Kielce", "Ostrowiec Świętokrzyski"],
    "28": ["Olsztyn", "Elbląg", "Ełk"],
    "30": ["Poznań", "Kalisz", "Konin", "Leszno"],
    "32": ["Szczecin", "Koszalin", "Świnoujście"],
}
SCHOOL_NAMES = [
    ("Zespół Szkół Technicznych nr {n}", OrganisationType.VET_SCHOOL),
    ("Technikum nr {n}", OrganisationType.VET_SCHOOL),
    ("Branżowa Szkoła I Stopnia nr {n}", OrganisationType.VET_SCHOOL),
    ("Centrum Kształcenia Zawodowego nr {n}", OrganisationType.VET_CENTRE),
    ("Zespół Szkół Gastronomiczno-Hotelarskich nr {n}", OrganisationType.VET_SCHOOL),
    ("Fundacja Rozwoju Edukacji Zawodowej {n}", OrganisationType.NGO),
    ("Zakład Doskonalenia Zawodowego {n}", OrganisationType.VET_CENTRE),
]
HOSTS = [
    ("E10234567", "Hotel Escola Lisboa", "Lisbon", "PT", OrganisationType.VET_SCHOOL),
    ("E10345678", "Centro de Formación Sevilla", "Seville", "ES", OrganisationType.VET_CENTRE),
    ("E10456789", "Berufsschule Berlin-Mitte", "Berlin", "DE", OrganisationType.VET_SCHOOL),
    ("E10567890", "Istituto Professionale Bologna", "Bologna", "IT", OrganisationType.VET_SCHOOL),
    ("E10678901", "Lycée Professionnel Lyon", "Lyon", "FR", OrganisationType.VET_SCHOOL),
    ("E10789012", "Dublin Skills Centre", "Dublin", "IE", OrganisationType.VET_CENTRE),
    ("E10890123", "Technical College Valletta", "Valletta", "MT", OrganisationType.VET_SCHOOL),
    ("E10901234", "Stredná odborná škola Bratislava", "Bratislava", "SK", OrganisationType.VET_SCHOOL),
    ("E11012345", "Vilniaus technologijų mokymo centras", "Vilnius", "LT", OrganisationType.VET_CENTRE),
    ("E11123456", "Oslo Fagskole", "Oslo", "NO", OrganisationType.VET_SCHOOL),
    ("E11234567", "Tallinn Kutsekool", "Tallinn", "EE", OrganisationType.VET_SCHOOL),
    ("E11345678", "Autoservis Praha s.r.o.", "Prague", "CZ", OrganisationType.COMPANY),
    ("E11456789", "Helsinki Vocational College", "Helsinki", "FI", OrganisationType.VET_SCHOOL),
    ("E11567890", "Graafschap College Doetinchem", "Doetinchem", "NL", OrganisationType.VET_SCHOOL),
    ("E11678901", "Hotelschool Wien", "Vienna", "AT", OrganisationType.VET_SCHOOL),
]


def unidecode_ascii(text: str) -> str:
    """Good enough for demo e-mail domains: drop accents and Polish letters to ASCII."""
    import unicodedata

    text = text.replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _ensure_organisation(oid, legal_name, short_name, city, country, kind, region=None) -> Organisation:
    existing = Organisation.objects.filter(oid=oid).first()
    if existing:
        return existing
    slug = slugify(unidecode_ascii(short_name))
    return organisation_create(
        oid=oid,
        legal_name=legal_name,
        short_name=short_name,
        kind=kind,
        country=country,
        region=region,
        city=city,
        contact_email=f"office@{slug}.example",
    )


def _polish_organisations(regions: dict[str, Region], count: int, rng: random.Random):
    """Yield (oid, legal name, short name, city, region) for ``count`` Polish organisations across all regions."""
    codes = sorted(CITIES_BY_REGION)
    for index in range(count):
        code = codes[index % len(codes)]
        city = rng.choice(CITIES_BY_REGION[code])
        pattern, kind = SCHOOL_NAMES[index % len(SCHOOL_NAMES)]
        number = index // len(SCHOOL_NAMES) + 2
        name = f"{pattern.format(n=number)} w {city}" if "{n}" in pattern else pattern
        yield f"E2{index:07d}", name, f"{city} {number}", city, regions[code], kind


@transaction.atomic
def seed_demo(*, polish_organisations: int = 48) -> dict:
    rng = random.Random(2026)
    regions = {r.code: r for r in Region.objects.filter(country_id="PL")}
    programme_ensure(
        name=PROGRAMME_NAME,
        sending_country="PL",
        target_learners=14175,
        target_staff=675,
        starts_on=date(2023, 6, 1),
        ends_on=date(2027, 5, 31),
        envelopes={2022: Decimal("9500000.00"), 2023: Decimal("13000000.00"), 2024: Decimal("15500000.00")},
    )
    org_a = _ensure_organisation(*ORGANISATION_A[:4], "PL", OrganisationType.VET_SCHOOL, regions[ORGANISATION_A[4]])
    org_b = _ensure_organisation(*ORGANISATION_B[:4], "PL", OrganisationType.VET_CENTRE, regions[ORGANISATION_B[4]])
    for oid, name, short, city, region, kind in _polish_organisations(regions, polish_organisations, rng):
        _ensure_organisation(oid, name, short, city, "PL", kind, region)
    for oid, name, city, country, kind in HOSTS:
        _ensure_organisation(oid, name, name, city, country, kind)

    roles = {
        "admin@agency.example": AgencyRole.ADMINISTRATOR,
        "officer@agency.example": AgencyRole.OFFICER,
        "finance@agency.example": AgencyRole.FINANCE,
    }
    users = {
        account.email: user_ensure(
            email=account.email,
            password=DEMO_PASSWORD,
            first_name=account.first_name,
            last_name=account.last_name,
            agency_role=roles.get(account.email, ""),
        )
        for account in DEMO_ACCOUNTS
    }
    membership_add(organisation=org_a, user=users["manager@school-a.example"], role=MembershipRole.MANAGER)
    membership_add(organisation=org_b, user=users["manager@school-b.example"], role=MembershipRole.MANAGER)
    learner = users["learner@school-a.example"]
    participant_ensure(
        organisation=org_a,
        email=learner.email,
        first_name=learner.first_name,
        last_name=learner.last_name,
        category=ParticipantCategory.LEARNER,
        user=learner,
    )
    _seed_reserve_lists(org_a, org_b, users["officer@agency.example"], rng)
    _seed_project(org_a, users)
    return {"organisation_a": org_a, "organisation_b": org_b, "users": users}


def _demo_reserve_list_csv(org_a: Organisation, org_b: Organisation, rng: random.Random) -> str:
    """About 30 ranked applications per call; A and B lead the 2024 list, one application is below threshold."""
    polish = list(Organisation.objects.filter(country="PL", oid__startswith="E2").select_related("region")[:45])
    lines = [",".join(RESERVE_LIST_COLUMNS)]
    for year in (2022, 2023, 2024):
        for seq in range(1, 31):
            organisation = {1: org_a, 2: org_b}.get(seq, polish[(seq * 7 + year) % len(polish)])
            if year == 2024 and seq <= 2:
                scores = (29, 38, 28) if seq == 1 else (28, 37, 28)
            elif seq == 30:
                scores = (14, 30, 20)  # below the relevance threshold: never on the reserve list
            else:
                scores = (rng.randint(17, 28), rng.randint(22, 36), rng.randint(16, 27))
            requested = f"{rng.randrange(40_000, 260_000)}.{rng.randrange(0, 100):02d}"
            name = organisation.legal_name.replace(",", " ")
            lines.append(
                ",".join(
                    map(
                        str,
                        [
                            f"{year}-1-PL01-KA122-VET-{year % 100:03d}{seq:06d}",
                            year,
                            organisation.oid,
                            name,
                            organisation.city,
                            organisation.region.code,
                            *scores,
                            sum(scores),
                            requested,
                            rng.randint(8, 30),
                            rng.randint(1, 4),
                            f"{year}-02-{10 + seq % 18:02d}T{8 + seq % 9:02d}:30:00+01:00",
                        ],
                    )
                )
            )
    return "\n".join(lines) + "\n"


def _seed_reserve_lists(org_a, org_b, officer, rng: random.Random) -> None:
    """Import the demo reserve lists (idempotent: the same file again changes nothing) and fund 2024 once."""
    import io

    content = _demo_reserve_list_csv(org_a, org_b, rng)
    parsed = reserve_list_imports.parse_reserve_list(io.BytesIO(content.encode()), "demo-reserve-list.csv")
    reserve_list_imports.import_apply(parsed=parsed, by=officer, source="seed_demo")
    call = Call.objects.get(year=2024, programme__name=PROGRAMME_NAME)
    if not call.rounds.exists():
        top_two = sum(a.requested_grant for a in call.applications.order_by(*RANKING_ORDER)[:2])
        round_commit(call=call, amount=top_two, policy=FundingPolicy.STOP, by=officer)


@transaction.atomic
def seed_programme_scale(*, organisations: int = 1500) -> int:
    """Programme-sized data for benchmarks: ``organisations`` Polish beneficiaries, bulk-inserted."""
    rng = random.Random(1500)
    regions = {r.code: r for r in Region.objects.filter(country_id="PL")}
    existing = set(Organisation.objects.filter(oid__startswith="E3").values_list("oid", flat=True))
    rows = []
    for oid, name, short, city, region, kind in _polish_organisations(regions, organisations, rng):
        oid = "E3" + oid[2:]
        if oid not in existing:
            rows.append(
                Organisation(
                    oid=oid, legal_name=name, short_name=short, kind=kind, country="PL", region=region, city=city
                )
            )
    Organisation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _seed_project(org_a: Organisation, users: dict) -> None:
    """Organisation A accepts its 2024 offer, finance records the agreement, and A plans two mobilities.

    Mobilities need the city table (``load_cities``, run by ``make run`` before this); without it the
    project is created and the mobilities are left out.
    """
    from apps.mobility.mobilities import mobility_create, mobility_set_status
    from apps.mobility.models import Project
    from apps.mobility.services import project_create_from_agreement
    from apps.participants.services import participant_create, participant_set_special_category
    from apps.reference.models import City
    from apps.reserve_list.models import Offer, OfferStatus
    from apps.reserve_list.services import offer_accept

    manager, finance = users["manager@school-a.example"], users["finance@agency.example"]
    offer = Offer.objects.filter(application__organisation=org_a, application__call__year=2024).first()
    if offer is None:
        return
    if offer.status == OfferStatus.OPEN:
        offer = offer_accept(offer=offer, by=manager)
    project = Project.objects.filter(application=offer.application).first()
    if project is None:
        project = project_create_from_agreement(
            offer=offer,
            agreement_number="2024-1-PL01-KA122-VET-FERS-0001",
            signed_on=date(2026, 8, 20),
            start_date=date(2026, 9, 1),
            end_date=date(2027, 8, 31),
            by=finance,
        )
    if project.mobilities.exists() or not City.objects.filter(country__in=["PL", "PT", "ES"]).exists():
        return
    learner = org_a.participants.get(email="learner@school-a.example")
    participant_set_special_category(participant=learner, by=manager, fewer_opportunities=True, reasons=["economic"])
    teacher = org_a.participants.filter(email="teacher@school-a.example").first() or participant_create(
        organisation=org_a,
        by=manager,
        first_name="Piotr",
        last_name="Zieliński",
        email="teacher@school-a.example",
        birth_date=date(1979, 11, 2),
        gender="male",
        nationality="PL",
        category=ParticipantCategory.STAFF,
    )
    lisbon, seville = Organisation.objects.get(oid="E10234567"), Organisation.objects.get(oid="E10345678")
    mobility, violations = mobility_create(
        project=project,
        by=manager,
        participant=learner,
        activity_type="LM-SHORT-VET",
        host=lisbon,
        start_date=date(2027, 3, 1),
        end_date=date(2027, 3, 28),
        travel_days=2,
    )
    if not violations:
        mobility_set_status(mobility=mobility, to="planned", by=manager)
    mobility_create(
        project=project,
        by=manager,
        participant=teacher,
        activity_type="SM-JOB-SHDW",
        host=seville,
        start_date=date(2027, 4, 12),
        end_date=date(2027, 4, 16),
        travel_days=2,
        green_travel=True,
        travel_means="train",
    )
