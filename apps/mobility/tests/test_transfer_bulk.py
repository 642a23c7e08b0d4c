"""The import writes in bulk (apps.mobility.transfer_bulk): what mobility_create records, in a few queries."""
# ruff: noqa: F811 (the fixtures of test_transfer, imported by name)

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.mobility.mobilities import mobility_create
from apps.mobility.models import Mobility, MobilityStatusChange
from apps.mobility.tests.test_transfer import (  # noqa: F401, F811 (fixtures)
    cities,
    city_records,
    example_rows,
    manager,
    project,
    run,
    sending,
)
from apps.organisations.models import Organisation
from apps.participants.models import PersonalDataAccess, SpecialCategoryData
from apps.participants.services import participant_create, participant_set_special_category
from tests.factories import MembershipFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def learner_rows(count: int, *, start=datetime.date(2024, 9, 2)) -> list[dict]:
    """``count`` learners to Lisbon (every 4th with fewer opportunities), and a teacher accompanying the first."""
    anna = example_rows()[0]
    rows = [
        {
            **anna,
            "participant_email": f"learner{n:02d}@example.org",
            "last_name": f"Learner {n}",
            "fewer_opportunities": "yes" if n % 4 == 0 else "no",
            "start_date": (start + datetime.timedelta(days=n)).isoformat(),
            "end_date": (start + datetime.timedelta(days=n + 27)).isoformat(),
        }
        for n in range(count)
    ]
    teacher = {**example_rows()[1], "accompanies": "learner00@example.org"}
    teacher.update(start_date=rows[0]["start_date"], end_date=rows[0]["end_date"])
    return [teacher, *rows]  # the accompanying person first in the file: imported after the learners


def recorded(mobility: Mobility) -> tuple:
    lines = sorted((line.item, line.amount, line.explanation, line.basis) for line in mobility.grant_lines.all())
    return (
        mobility.status,
        mobility.accompanying,
        mobility.distance_km,
        mobility.distance_band,
        mobility.grant_total,
        mobility.grant_call_year,
        mobility.destination_country,
        mobility.destination_city_id,
        mobility.origin_city_id,
        lines,
    )


def test_the_import_records_what_mobility_create_records(project, manager, sending):
    """32 learners (the 31st and 32nd break the 30-participant cap) and a teacher accompanying the first:
    the bulk import and mobility_create, row by row, record the same mobilities, grants and broken rules."""
    rows = learner_rows(32)
    result = run(project, manager, rows)
    assert result.errors == []
    imported = {m.participant.email: m for m in Mobility.objects.filter(project=project).select_related("participant")}
    broken = {r.email: r.violations for r in result.rows}
    assert [email for email, found in broken.items() if found] == ["learner30@example.org", "learner31@example.org"]

    # The same people and mobilities through the services, one by one, in another organisation's project.
    other = OrganisationFactory(legal_name="Technikum Łączności w Gdańsku", city="Gdańsk")
    other_project = ProjectFactory(application__organisation=other, application__call__year=2024)
    other_manager = MembershipFactory(organisation=other, role="manager").user
    lisbon = Organisation.objects.get(oid="E10234567")
    learners = {}
    for row in sorted(rows, key=lambda r: r["accompanying_person"] == "yes"):
        participant = participant_create(
            organisation=other,
            by=other_manager,
            email=row["participant_email"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            birth_date=datetime.date.fromisoformat(row["birth_date"]),
            gender=row["gender"],
            nationality=row["nationality"],
            category=row["category"],
        )
        if row["fewer_opportunities"] == "yes":
            participant_set_special_category(
                participant=participant, by=other_manager, fewer_opportunities=True, reasons=[]
            )
        mobility, violations = mobility_create(
            project=other_project,
            by=other_manager,
            participant=participant,
            activity_type="LM-SHORT-VET",
            accompanying=row["accompanying_person"] == "yes",
            accompanies=learners.get(row["accompanies"]),
            host=lisbon,
            destination_city="Lisbon",
            start_date=row["start_date"],
            end_date=row["end_date"],
            travel_days=2,
            green_travel=False,
            travel_means="plane",
            course_days=0,
            virtual_component=False,
        )
        learners.setdefault(row["participant_email"], mobility)
        expected = [v.message for found in violations.values() for v in found]
        assert broken[row["participant_email"]] == expected, row["participant_email"]
        assert recorded(imported[row["participant_email"]]) == recorded(mobility), row["participant_email"]
    teacher = imported["piotr.zielinski@example.org"]
    assert teacher.accompanies == imported["learner00@example.org"]
    assert (
        MobilityStatusChange.objects.filter(mobility__project=project, from_status="", to_status="draft").count() == 33
    )
    flagged = SpecialCategoryData.objects.filter(participant__organisation=sending, fewer_opportunities=True)
    assert flagged.count() == 8
    logged = PersonalDataAccess.objects.filter(participant__organisation=sending, context="mobility import")
    assert sorted(logged.values_list("fields", flat=True)) == [["fewer_opportunities"]] * 8


def test_an_import_takes_the_same_number_of_queries_for_3_or_30_rows(project, manager, sending):
    run(project, manager, learner_rows(1, start=datetime.date(2024, 7, 1)))  # the host exists from now on

    def new_people(count: int, prefix: str) -> list[dict]:
        return [{**r, "participant_email": prefix + r["participant_email"]} for r in learner_rows(count)[1:]]

    counts = []
    for count, prefix in ((3, "few."), (30, "many.")):
        other = ProjectFactory(application__organisation=sending, application__call__year=2024)
        with CaptureQueriesContext(connection) as queries:
            assert run(other, manager, new_people(count, prefix)).ok
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_dry_run_writes_nothing(project, manager):
    result = run(project, manager, learner_rows(5), dry_run=True)
    assert result.ok and len(result.rows) == 6 and all(r.mobility_id is None for r in result.rows)
    assert not Mobility.objects.exists()
