"""Mobility activities through their services: rules, status pipeline, distance and stored grant (RULES.md)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.mobility import mobilities, selectors
from apps.mobility.mobilities import (
    MOBILITY_TRANSITIONS,
    MobilityError,
    NotEligible,
    mobility_create,
    mobility_recompute_grant,
    mobility_set_manual_distance,
    mobility_set_status,
    mobility_update,
    mobility_violations,
    project_recompute_grants,
)
from apps.mobility.models import GrantLine, Mobility, MobilityStatus, MobilityStatusChange, ProjectStatus
from apps.participants.models import ParticipantCategory, SpecialCategoryData
from apps.reference.models import ActivityType, City, TravelBand, UnitCost
from tests.factories import (
    HostOrganisationFactory,
    MembershipFactory,
    MobilityFactory,
    OrganisationFactory,
    ParticipantFactory,
    PreparatoryVisitFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
M = MobilityStatus
START, END = date(2024, 9, 2), date(2024, 9, 29)  # 28 days, within the project (June 2024 to November 2025)
WORKED_EXAMPLE = {"travel": D("395"), "individual_support": D("1690"), "organisational_support": D("350")}


@pytest.fixture
def sending(cities):
    return OrganisationFactory(legal_name="Zespół Szkół Łączności w Gdańsku", city="Gdańsk")


@pytest.fixture
def project(sending):
    return ProjectFactory(application__organisation=sending, application__call__year=2024)


@pytest.fixture
def host(cities):
    return HostOrganisationFactory(legal_name="Escola Profissional de Lisboa", city="Lisbon")


@pytest.fixture
def manager(sending):
    return MembershipFactory(organisation=sending, role="manager").user


def learner(organisation, *, fewer_opportunities=False, **kwargs):
    participant = ParticipantFactory(organisation=organisation, **kwargs)
    if fewer_opportunities:
        SpecialCategoryData.objects.create(participant=participant, fewer_opportunities=True, reasons=["economic"])
    return participant


def staff(organisation, **kwargs):
    return learner(organisation, category=ParticipantCategory.STAFF, **kwargs)


def fields(participant, host, /, **changes):
    """The worked example's mobility (RULES.md): a learner, 28 days in Lisbon, standard travel, 2 travel days."""
    return {
        "participant": participant,
        "activity_type": "LM-SHORT-VET",
        "host": host,
        "destination_city": "Lisbon",
        "start_date": START,
        "end_date": END,
        "travel_days": 2,
        **changes,
    }


def lines(mobility) -> dict[str, Decimal]:
    return dict(GrantLine.objects.filter(mobility=mobility).values_list("item", "amount"))


def fill(project, count, **kwargs):
    """``count`` other mobilities of the project, one participant each, created before the one under test."""
    return [MobilityFactory(project=project, **kwargs) for _ in range(count)]


# --- The worked example -------------------------------------------------------------------------------------------


def test_the_worked_example_through_the_service(project, host, manager):
    participant = learner(project.application.organisation, fewer_opportunities=True)

    mobility, violations = mobility_create(project=project, by=manager, **fields(participant, host))

    assert violations == {}
    mobility.refresh_from_db()
    assert mobility.status == M.DRAFT
    assert (mobility.origin_city.name, mobility.destination_city.name) == ("Gdańsk", "Lisbon")
    assert (mobility.destination_country, mobility.distance_km, mobility.distance_band) == ("PT", 2715, "2000-2999")
    assert not mobility.distance_manual
    assert lines(mobility) == {**WORKED_EXAMPLE, "inclusion_support": D("125")}
    assert (mobility.grant_total, mobility.grant_call_year) == (D("2560.00"), 2024)
    assert mobility.grant_computed_at is not None

    travel = mobility.grant_lines.get(item="travel")
    assert "2715 km" in travel.explanation and "2000–2999" in travel.explanation
    assert travel.basis == {
        "call_year": 2024,
        "distance_km": 2715,
        "band_min_km": 2000,
        "band_max_km": 2999,
        "green_travel": False,
        "green_amount_used": False,
        "rate": "395.00",
    }
    support = mobility.grant_lines.get(item="individual_support").basis
    assert (support["support_group"], support["support_days"], support["days_from_15"]) == (2, 30, 16)
    assert mobility.grant_lines.get(item="organisational_support").basis["participant_ordinal"] == 1

    change = MobilityStatusChange.objects.get(mobility=mobility)
    assert (change.from_status, change.to_status, change.changed_by) == ("", M.DRAFT, manager)

    mobility_set_status(mobility=mobility, to=M.PLANNED, by=manager)
    assert Mobility.objects.get(pk=mobility.pk).status == M.PLANNED


def test_values_by_key_and_iso_dates(project, host, manager):
    participant = learner(project.application.organisation)
    lisbon = City.objects.filter(country="PT", name="Lisbon").order_by("-population").first()
    mobility, violations = mobility_create(
        project=project,
        by=manager,
        **fields(
            participant.pk,
            host.pk,
            activity_type=ActivityType.objects.get(code="LM-SHORT-VET").pk,
            destination_city=lisbon.pk,
            start_date="2024-09-02",
            end_date="2024-09-29",
        ),
    )
    assert violations == {}
    assert (mobility.participant, mobility.host, mobility.destination_city) == (participant, host, lisbon)
    assert mobility.grant_total == D("2435.00")  # no fewer opportunities: no inclusion support


def test_the_destination_city_defaults_to_the_hosts(project, host, manager):
    participant = learner(project.application.organisation)
    changes = fields(participant, host)
    del changes["destination_city"]
    mobility, _violations = mobility_create(project=project, by=manager, **changes)
    assert (mobility.destination_city.name, mobility.distance_km) == ("Lisbon", 2715)


def test_a_new_host_brings_its_city_and_a_new_grant(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    computed_at = mobility.grant_computed_at
    madrid_host = HostOrganisationFactory(country="ES", city="Madrid", legal_name="Centro de FP de Madrid")

    mobility, violations = mobility_update(mobility=mobility, by=manager, host=madrid_host)

    assert violations == {}
    assert (mobility.destination_country, mobility.destination_city.name) == ("ES", "Madrid")
    assert 2200 < mobility.distance_km < 2400 and mobility.distance_band == "2000-2999"
    assert mobility.grant_computed_at > computed_at
    assert mobility.grant_lines.get(item="individual_support").basis["support_group"] == 2
    stored = Mobility.objects.get(pk=mobility.pk)
    assert (stored.host, stored.destination_city, stored.distance_km) == (
        madrid_host,
        mobility.destination_city,
        mobility.distance_km,
    )


def test_green_travel_takes_the_green_amount_and_up_to_six_travel_days(project, host, manager):
    participant = learner(project.application.organisation)
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(participant, host, green_travel=True, travel_means="train", travel_days=6)
    )
    assert mobility.green_travel and mobility.travel_means == "train"
    # 535 green; 28 + 6 = 34 support days: 14 × 67 + 20 × 47 = 1878.
    assert lines(mobility) == {"travel": D("535"), "individual_support": D("1878"), "organisational_support": D("350")}


# --- Rules broken: saved in draft, never planned -------------------------------------------------------------------


def _too_long(project, host):
    return fields(learner(project.application.organisation), host, end_date=date(2024, 12, 31))


def _same_country(project, host):
    warsaw_host = OrganisationFactory(legal_name="Firma w Warszawie", city="Warszawa")
    return fields(learner(project.application.organisation), warsaw_host, destination_city=None)


def _thirty_first(project, host):
    fill(project, 30)
    return fields(learner(project.application.organisation), host)


def _accompanying_with_fewer_opportunities(project, host):
    accompanied = MobilityFactory(project=project, host=host)
    person = staff(project.application.organisation, fewer_opportunities=True)
    return fields(person, host, accompanying=True, accompanies=accompanied)


def _course_days_on_a_learner_mobility(project, host):
    return fields(learner(project.application.organisation), host, course_days=5)


def _graduated_too_long_ago(project, host):
    graduate = learner(
        project.application.organisation, category=ParticipantCategory.RECENT_GRADUATE, graduation_date=date(2023, 6, 1)
    )
    return fields(graduate, host)


def _staff_on_a_learner_activity(project, host):
    return fields(staff(project.application.organisation), host)


def _after_the_project(project, host):
    return fields(
        learner(project.application.organisation), host, start_date=date(2025, 11, 20), end_date=date(2025, 12, 10)
    )


def _not_funded_by_the_programme(project, host):
    return fields(
        learner(project.application.organisation), host, activity_type="LM-LONG-VET", end_date=date(2024, 12, 31)
    )


@pytest.mark.parametrize(
    ("setup", "field", "code"),
    [
        (_too_long, "end_date", "too_long"),
        (_same_country, "destination_country", "same_as_sending"),
        (_thirty_first, "participant", "participant_cap"),
        (_accompanying_with_fewer_opportunities, "fewer_opportunities", "accompanying_fewer_opportunities"),
        (_course_days_on_a_learner_mobility, "course_days", "not_a_course"),
        (_graduated_too_long_ago, "start_date", "graduation_too_long_ago"),
        (_staff_on_a_learner_activity, "category", "category_not_allowed"),
        (_after_the_project, "end_date", "after_project"),
        (_not_funded_by_the_programme, "activity_type", "not_in_programme"),
    ],
)
def test_a_mobility_that_breaks_a_rule_is_saved_in_draft_and_cannot_be_planned(
    project, host, manager, setup, field, code
):
    mobility, violations = mobility_create(project=project, by=manager, **setup(project, host))

    assert list(violations) == [field]
    assert [violation.code for violation in violations[field]] == [code]
    assert violations[field][0].message
    mobility.refresh_from_db()
    assert mobility.status == M.DRAFT
    assert mobility.grant_lines.exists()  # the grant is shown even for a draft

    with pytest.raises(NotEligible) as refused:
        mobility_set_status(mobility=mobility, to=M.PLANNED, by=manager)
    assert list(refused.value.violations) == [field]
    assert violations[field][0].message in str(refused.value)
    assert Mobility.objects.get(pk=mobility.pk).status == M.DRAFT
    assert mobility_violations(mobility=mobility) == violations


def test_the_same_country_mobility_is_priced_from_the_polish_host(project, manager):
    warsaw_host = OrganisationFactory(legal_name="Firma w Warszawie", city="Warszawa")
    mobility, _violations = mobility_create(
        project=project,
        by=manager,
        **fields(learner(project.application.organisation), warsaw_host, destination_city=None),
    )
    assert (mobility.destination_country, mobility.destination_city.name) == ("PL", "Warsaw")
    assert 250 < mobility.distance_km < 350  # Gdańsk–Warsaw


def test_the_cap_counts_distinct_participants_and_not_accompanying_persons_or_cancelled_mobilities(
    project, host, manager
):
    organisation = project.application.organisation
    others = fill(project, 29)
    MobilityFactory(project=project, participant=others[0].participant)  # a second mobility: counted once
    MobilityFactory(project=project, accompanying=True, participant=staff(organisation))
    MobilityFactory(project=project, status=M.CANCELLED)
    assert selectors.project_participant_count(project=project) == 29

    thirtieth, violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    assert violations == {}
    assert selectors.project_participant_count(project=project) == 30

    thirty_first, violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    assert [v.code for v in violations["participant"]] == ["participant_cap"]
    # The first thirty keep passing the cap; cancelling one of them lets the 31st through.
    assert mobility_violations(mobility=thirtieth) == {}
    mobility_set_status(mobility=thirtieth, to=M.CANCELLED, by=manager)
    assert mobility_violations(mobility=thirty_first) == {}
    mobility_set_status(mobility=thirty_first, to=M.PLANNED, by=manager)


# --- Bad input: nothing saved --------------------------------------------------------------------------------------


def test_an_unknown_destination_city_is_an_error_on_its_field(project, host, manager):
    participant = learner(project.application.organisation)
    with pytest.raises(ValidationError) as error:
        mobility_create(project=project, by=manager, **fields(participant, host, destination_city="Atlantis"))
    messages = error.value.message_dict
    assert list(messages) == ["destination_city"]
    assert "No city called “Atlantis” in Portugal (PT)." in messages["destination_city"][0]
    assert not Mobility.objects.exists()
    assert not MobilityStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": "next Monday"}, "start_date"),
        ({"travel_days": "2"}, "travel_days"),
        ({"travel_days": -1}, "travel_days"),
        ({"green_travel": "yes"}, "green_travel"),
        ({"activity_type": "LM-NOTHING"}, "activity_type"),
        ({"host": 999_999}, "host"),
        ({"participant": None}, "participant"),
        ({"end_date": date(2024, 9, 1)}, "end_date"),
        ({"green_travel": True, "travel_means": "plane"}, "travel_means"),
        ({"travel_means": "rocket"}, "travel_means"),
        ({"virtual_component": True, "virtual_start": date(2024, 8, 1)}, "virtual_description"),
        ({"destination_country": "ES"}, "destination_country"),
        ({"destination_city": "Madrid"}, "destination_city"),
        ({"accompanies": 999_999}, "accompanies"),
    ],
)
def test_input_that_cannot_be_recorded_raises_and_saves_nothing(project, host, manager, changes, field):
    participant = learner(project.application.organisation)
    with pytest.raises(ValidationError) as error:
        mobility_create(project=project, by=manager, **fields(participant, host, **changes))
    assert field in error.value.message_dict
    assert not Mobility.objects.exists()


def test_relations_that_cannot_be_recorded(project, host, manager):
    organisation = project.application.organisation
    cases = [
        ({"participant": learner(OrganisationFactory())}, "participant"),
        ({"host": organisation}, "host"),
        ({"host": HostOrganisationFactory(country="US", city="Boston")}, "host"),
        ({"accompanies": MobilityFactory()}, "accompanies"),  # another project's
        (
            {"accompanying": True, "accompanies": MobilityFactory(project=project, participant=staff(organisation))},
            "accompanies",
        ),
        ({"accompanies": MobilityFactory(project=project)}, "accompanies"),  # not an accompanying person
        (
            {
                "destination_city": City.objects.filter(country="ES", search_key="madrid")
                .order_by("-population")
                .first()
            },
            "destination_city",
        ),
    ]
    before = Mobility.objects.count()
    for changes, field in cases:
        with pytest.raises(ValidationError) as error:
            mobility_create(project=project, by=manager, **fields(learner(organisation), host, **changes))
        assert field in error.value.message_dict, changes
    assert Mobility.objects.count() == before


def test_a_withdrawn_projects_mobilities_are_not_recorded_or_changed(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    project.status = ProjectStatus.WITHDRAWN
    project.save()
    with pytest.raises(ValidationError, match="withdrawn"):
        mobility_create(project=project, by=manager, **fields(learner(project.application.organisation), host))
    with pytest.raises(ValidationError, match="withdrawn"):
        mobility_update(mobility=mobility, by=manager, travel_days=1)
    assert Mobility.objects.count() == 1


def test_an_unknown_field_is_a_programming_error(project, host, manager):
    with pytest.raises(TypeError, match="status"):
        mobility_create(
            project=project, by=manager, status=M.PLANNED, **fields(learner(project.application.organisation), host)
        )


def test_a_sending_city_that_does_not_resolve_keeps_the_mobility_in_draft_until_the_agency_sets_the_distance(
    project, host, manager, officer
):
    sending = project.application.organisation
    sending.city = "Nowhere-on-Vistula"
    sending.save()
    mobility, violations = mobility_create(project=project, by=manager, **fields(learner(sending), host))
    assert [v.code for v in violations["origin_city"]] == ["no_distance"]
    assert "Nowhere-on-Vistula" in violations["origin_city"][0].message
    assert (mobility.origin_city, mobility.distance_km, mobility.distance_band) == (None, None, "")
    assert "travel" not in lines(mobility)

    mobility_set_manual_distance(mobility=mobility, distance_km=2715, justification="Gdańsk–Lisbon", by=officer)
    assert lines(mobility)["travel"] == D("395")
    assert mobility_violations(mobility=mobility) == {}
    mobility_set_status(mobility=mobility, to=M.PLANNED, by=manager)


# --- Status pipeline -----------------------------------------------------------------------------------------------


def test_the_whole_pipeline_with_history(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    path = [M.PLANNED, M.CONFIRMED, M.ONGOING, M.COMPLETED, M.REPORTED]
    for status in path:
        mobility_set_status(mobility=mobility, to=status, by=manager, reason=f"to {status}")
    assert mobility.status == M.REPORTED
    history = list(mobility.status_changes.order_by("pk").values_list("from_status", "to_status", "reason"))
    assert history == [("", M.DRAFT, "")] + [
        (before, after, f"to {after}") for before, after in zip([M.DRAFT, *path], path, strict=False)
    ]
    assert all(change.changed_by == manager for change in mobility.status_changes.all())
    assert MOBILITY_TRANSITIONS[M.REPORTED] == frozenset()


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], M.CONFIRMED),  # a draft is planned first
        ([], M.ONGOING),
        ([M.PLANNED], M.FORCE_MAJEURE),  # force majeure strikes a confirmed mobility
        ([M.PLANNED, M.CONFIRMED, M.ONGOING], M.CANCELLED),  # an ongoing mobility ends or meets force majeure
        ([M.CANCELLED], M.DRAFT),  # cancelled is final
        ([M.PLANNED, M.CONFIRMED, M.ONGOING, M.COMPLETED, M.REPORTED], M.COMPLETED),
        ([], "lost"),
    ],
)
def test_moves_outside_the_table_are_refused(project, host, manager, path, refused):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    for status in path:
        mobility_set_status(mobility=mobility, to=status, by=manager)
    changes = mobility.status_changes.count()
    with pytest.raises(MobilityError, match="cannot become"):
        mobility_set_status(mobility=mobility, to=refused, by=manager)
    assert mobility.status_changes.count() == changes
    assert Mobility.objects.get(pk=mobility.pk).status == (path[-1] if path else M.DRAFT)


def test_force_majeure_needs_a_reason_and_is_reported(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    for status in (M.PLANNED, M.CONFIRMED, M.ONGOING):
        mobility_set_status(mobility=mobility, to=status, by=manager)
    with pytest.raises(MobilityError, match="reason"):
        mobility_set_status(mobility=mobility, to=M.FORCE_MAJEURE, by=manager, reason="  ")
    mobility_set_status(mobility=mobility, to=M.FORCE_MAJEURE, by=manager, reason="Flights cancelled: volcanic ash")
    mobility_set_status(mobility=mobility, to=M.REPORTED, by=manager)
    assert mobility.status_changes.filter(to_status=M.FORCE_MAJEURE).get().reason == "Flights cancelled: volcanic ash"


def test_a_planned_mobility_changed_to_break_a_rule_goes_back_to_draft(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    mobility_set_status(mobility=mobility, to=M.PLANNED, by=manager)
    mobility_set_status(mobility=mobility, to=M.CONFIRMED, by=manager)

    mobility, violations = mobility_update(mobility=mobility, by=manager, end_date=date(2024, 12, 31))

    assert [v.code for v in violations["end_date"]] == ["too_long"]
    assert Mobility.objects.get(pk=mobility.pk).status == M.DRAFT
    back = mobility.status_changes.order_by("pk").last()
    assert (back.from_status, back.to_status, back.changed_by) == (M.CONFIRMED, M.DRAFT, manager)
    assert "break a rule" in back.reason
    # Fixed, it can be planned again; the grant follows the dates.
    mobility, violations = mobility_update(mobility=mobility, by=manager, end_date=date(2024, 9, 15))
    assert violations == {}
    assert lines(mobility)["individual_support"] == D(14 * 67 + 2 * 47)
    mobility_set_status(mobility=mobility, to=M.PLANNED, by=manager)


def test_an_ongoing_mobility_is_not_changed_into_breaking_a_rule(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    for status in (M.PLANNED, M.CONFIRMED, M.ONGOING):
        mobility_set_status(mobility=mobility, to=status, by=manager)
    with pytest.raises(ValidationError) as error:
        mobility_update(mobility=mobility, by=manager, end_date=date(2024, 12, 31))
    assert "end_date" in error.value.message_dict
    stored = Mobility.objects.get(pk=mobility.pk)
    assert (stored.status, stored.end_date, stored.grant_total) == (M.ONGOING, END, D("2435.00"))
    # A change that keeps it eligible is recorded.
    mobility, violations = mobility_update(mobility=stored, by=manager, end_date=date(2024, 9, 27))
    assert violations == {} and mobility.status == M.ONGOING
    assert mobility.grant_total == D("2435.00") - 2 * D("47")


def test_reported_and_cancelled_mobilities_cannot_be_changed(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    mobility_set_status(mobility=mobility, to=M.CANCELLED, by=manager)
    with pytest.raises(ValidationError, match="cancelled mobility cannot be changed"):
        mobility_update(mobility=mobility, by=manager, travel_days=1)


# --- Distance set by hand --------------------------------------------------------------------------------------------


def test_agency_staff_set_the_distance_by_hand_with_a_justification(project, host, manager, officer):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    mobility_set_status(mobility=mobility, to=M.PLANNED, by=manager)

    mobility_set_manual_distance(
        mobility=mobility, distance_km=3050, justification="  The host's workshop is in Sagres.  ", by=officer
    )

    mobility.refresh_from_db()
    assert (mobility.distance_km, mobility.distance_band, mobility.distance_manual) == (3050, "3000-3999", True)
    assert mobility.distance_justification == "The host's workshop is in Sagres."
    assert lines(mobility)["travel"] == D("580")
    assert mobility.grant_total == D("2435.00") - D("395") + D("580")
    assert mobility.status == M.PLANNED
    change = mobility.status_changes.order_by("pk").last()
    assert (change.from_status, change.to_status, change.changed_by) == (M.PLANNED, M.PLANNED, officer)
    assert "3050 km (was 2715 km)" in change.reason and "Sagres" in change.reason

    # An organisation's change keeps the distance the agency set.
    mobility, _violations = mobility_update(mobility=mobility, by=manager, travel_days=1)
    assert (mobility.distance_km, lines(mobility)["travel"]) == (3050, D("580"))

    # Cleared, the cities' distance is back.
    mobility_set_manual_distance(mobility=mobility, distance_km=None, justification="Back in Lisbon.", by=officer)
    assert (mobility.distance_km, mobility.distance_manual, mobility.distance_justification) == (2715, False, "")
    assert lines(mobility)["travel"] == D("395")


def test_only_agency_staff_set_a_distance_by_hand(project, host, manager):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    for user in (manager, UserFactory()):
        with pytest.raises(PermissionDenied):
            mobility_set_manual_distance(mobility=mobility, distance_km=100, justification="Shorter.", by=user)
    assert Mobility.objects.get(pk=mobility.pk).distance_km == 2715


@pytest.mark.parametrize(
    ("distance", "justification", "field"),
    [
        (100, "", "distance_justification"),
        (100, "   ", "distance_justification"),
        (-5, "Typo", "distance_km"),
        ("100", "Typo", "distance_km"),
        (25_000, "Around the world", "distance_km"),
    ],
)
def test_a_distance_by_hand_needs_a_justification_and_a_sensible_number(
    project, host, manager, officer, distance, justification, field
):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation), host)
    )
    with pytest.raises(ValidationError) as error:
        mobility_set_manual_distance(mobility=mobility, distance_km=distance, justification=justification, by=officer)
    assert field in error.value.message_dict
    stored = Mobility.objects.get(pk=mobility.pk)
    assert (stored.distance_km, stored.distance_manual) == (2715, False)


# --- Accompanying persons and the participants' numbers -------------------------------------------------------------


def test_an_accompanying_person_has_staff_rates_and_no_organisational_or_inclusion_support(project, host, manager):
    organisation = project.application.organisation
    accompanied, _violations = mobility_create(
        project=project, by=manager, **fields(learner(organisation, fewer_opportunities=True), host)
    )
    teacher = staff(organisation)

    mobility, violations = mobility_create(
        project=project, by=manager, **fields(teacher, host, accompanying=True, accompanies=accompanied)
    )

    assert violations == {}
    assert mobility.accompanies == accompanied
    # Staff rates in group 2 (call 2024): 14 × 124 + 16 × 87 = 3128.
    assert lines(mobility) == {"travel": D("395"), "individual_support": D("3128")}
    assert mobility.grant_lines.get(item="individual_support").basis["rate_category"] == "staff"
    assert selectors.project_participant_count(project=project) == 1
    # The next learner is the project's participant no. 2: accompanying persons are not numbered.
    second, _violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    assert second.grant_lines.get(item="organisational_support").basis["participant_ordinal"] == 2


def test_an_accompanying_person_goes_with_a_learner(project, host, manager):
    organisation = project.application.organisation
    colleague = MobilityFactory(
        project=project, participant=staff(organisation), activity_type=ActivityType.objects.get(code="SM-JOB-SHDW")
    )
    with pytest.raises(ValidationError) as error:
        mobility_create(
            project=project, by=manager, **fields(staff(organisation), host, accompanying=True, accompanies=colleague)
        )
    assert "accompanies" in error.value.message_dict


def test_participant_numbers_follow_each_participants_first_counted_mobility(project):
    organisation = project.application.organisation
    anna, ben, cleo = (learner(organisation) for _ in range(3))
    first_anna = MobilityFactory(project=project, participant=anna)
    MobilityFactory(project=project, accompanying=True, participant=staff(organisation))  # not numbered
    MobilityFactory(project=project, status=M.CANCELLED)  # not numbered
    first_ben = MobilityFactory(project=project, participant=ben)
    second_anna = MobilityFactory(project=project, participant=anna)
    first_cleo = MobilityFactory(project=project, participant=cleo)
    MobilityFactory(participant__organisation=organisation)  # another project's

    ordinal = mobilities._participant_ordinal
    assert [ordinal(m) for m in (first_anna, first_ben, second_anna, first_cleo)] == [1, 2, 1, 3]
    accompanying = Mobility.objects.get(project=project, accompanying=True)
    assert ordinal(accompanying) is None

    first_ben.status = M.CANCELLED
    first_ben.save()
    assert ordinal(first_cleo) == 2


def test_from_the_101st_participant_organisational_support_is_the_lower_amount(project, host, manager):
    organisation = project.application.organisation
    short = ActivityType.objects.get(code="LM-SHORT-VET")
    people = ParticipantFactory.create_batch(100, organisation=organisation)
    Mobility.objects.bulk_create(
        Mobility(
            project=project,
            participant=person,
            activity_type=short,
            host=host,
            destination_country="PT",
            start_date=START,
            end_date=END,
        )
        for person in people
    )
    mobility, violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))

    assert "participant" in violations  # far past the 30-participant cap, but priced all the same
    line = mobility.grant_lines.get(item="organisational_support")
    assert line.amount == D("200")
    assert (line.basis["participant_ordinal"], line.basis["unit_cost"]) == (101, "organisational_support_over_100")
    assert "101" in line.explanation


# --- Rates never change results silently -----------------------------------------------------------------------------


def test_stored_lines_change_only_when_recomputed(project, host, manager, officer):
    mobility, _violations = mobility_create(
        project=project, by=manager, **fields(learner(project.application.organisation, fewer_opportunities=True), host)
    )
    TravelBand.objects.filter(call_year=2024, min_km=2000).update(standard_eur=D("400"))

    mobility.refresh_from_db()
    assert (lines(mobility)["travel"], mobility.grant_total) == (D("395"), D("2560.00"))
    # A change that the grant does not depend on leaves it alone.
    mobility, _violations = mobility_update(
        mobility=mobility,
        by=manager,
        virtual_component=True,
        virtual_description="Online induction",
        virtual_start=date(2024, 8, 26),
        virtual_end=date(2024, 8, 27),
    )
    assert (lines(mobility)["travel"], mobility.grant_total) == (D("395"), D("2560.00"))
    assert mobility_violations(mobility=mobility) == {}
    assert lines(mobility)["travel"] == D("395")

    mobility_recompute_grant(mobility=mobility, by=officer)

    assert (lines(mobility)["travel"], mobility.grant_total) == (D("400"), D("2565.00"))
    assert mobility.grant_lines.get(item="travel").basis["rate"] == "400.00"
    change = mobility.status_changes.order_by("pk").last()
    assert (change.from_status, change.to_status, change.changed_by) == (M.DRAFT, M.DRAFT, officer)
    assert "2565.00 EUR (was 2560.00 EUR)" in change.reason
    # Once more with the same rates: nothing changes, nothing is recorded.
    changes = mobility.status_changes.count()
    mobility_recompute_grant(mobility=mobility)
    assert mobility.status_changes.count() == changes


def test_a_projects_grants_are_recomputed_together(project, host, manager):
    organisation = project.application.organisation
    first, _violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    second, _violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    cancelled, _violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    mobility_set_status(mobility=cancelled, to=M.CANCELLED, by=manager)
    UnitCost.objects.filter(call_year=2024, item="organisational_support").update(eur=D("360"))

    assert project_recompute_grants(project=project) == 2

    assert [lines(m)["organisational_support"] for m in (first, second, cancelled)] == [D("360"), D("360"), D("350")]


def test_recompute_reads_the_participants_flag_and_number_anew(project, host, manager):
    organisation = project.application.organisation
    first, _violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    second, _violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    SpecialCategoryData.objects.create(participant=second.participant, fewer_opportunities=True)
    mobility_set_status(mobility=first, to=M.CANCELLED, by=manager)

    assert lines(second).get("inclusion_support") is None
    mobility_recompute_grant(mobility=second)
    assert lines(second)["inclusion_support"] == D("125")
    assert second.grant_lines.get(item="organisational_support").basis["participant_ordinal"] == 1


# --- Selectors -------------------------------------------------------------------------------------------------------


def test_project_budget_totals_per_item_in_one_query(project, host, manager, django_assert_num_queries):
    organisation = project.application.organisation
    mobility_create(project=project, by=manager, **fields(learner(organisation, fewer_opportunities=True), host))
    mobility_create(
        project=project, by=manager, **fields(learner(organisation), host, green_travel=True, travel_means="bus")
    )
    cancelled, _violations = mobility_create(project=project, by=manager, **fields(learner(organisation), host))
    mobility_set_status(mobility=cancelled, to=M.CANCELLED, by=manager)
    PreparatoryVisitFactory(project=project, persons=3, amount=D("1725.00"))
    PreparatoryVisitFactory(project=project, persons=1, amount=D("575.00"))

    with django_assert_num_queries(1):
        rows = selectors.project_budget(project=project)

    by_item = {row["item"]: row for row in rows}
    assert [row["item"] for row in rows] == [
        "travel",
        "individual_support",
        "organisational_support",
        "inclusion_support",
        "course_fees",
        "preparatory_visits",
        "total",
    ]
    assert by_item["travel"]["computed"] == D("395") + D("535")
    assert by_item["individual_support"]["computed"] == D("1690") * 2
    assert by_item["organisational_support"]["computed"] == D("700")
    assert by_item["inclusion_support"]["computed"] == D("125")
    assert by_item["course_fees"]["computed"] == D("0.00")
    assert by_item["preparatory_visits"]["computed"] == D("2300.00")
    assert by_item["total"]["computed"] == D("2560") + D("2575") + D("2300")  # the worked example, green, visits
    assert by_item["total"]["awarded"] == project.awarded_grant
    assert by_item["travel"]["awarded"] is None


def test_an_empty_project_budget(project):
    rows = selectors.project_budget(project=project)
    assert {row["computed"] for row in rows} == {D("0.00")}


def test_mobilities_for_user_are_scoped_like_projects(
    project, host, manager, manager_b, officer, django_assert_num_queries
):
    mine = MobilityFactory(project=project, host=host)
    theirs = MobilityFactory()
    assert list(selectors.mobilities_for_user(user=manager)) == [mine]
    assert list(selectors.mobilities_for_user(user=manager_b)) == []
    assert set(selectors.mobilities_for_user(user=officer)) == {mine, theirs}
    with django_assert_num_queries(1):
        rows = [
            (m.participant.last_name, m.activity_type.code, m.host.city, m.project.application.call.year)
            for m in selectors.mobilities_for_user(user=officer)
        ]
    assert len(rows) == 2
