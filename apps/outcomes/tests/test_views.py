import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes
from tests.factories import CompetenceAssessmentFactory, MobilityFactory, ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("level_descriptors")]


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC), tick=False)


def _assessment_url(mobility, phase="before"):
    return reverse("outcomes:assessment", kwargs={"pk": mobility.pk, "phase": phase})


# --- The participant's self-assessment ----------------------------------------------------------------


def test_assessment_page_has_eight_radio_groups_with_descriptors(client, mobility, participant_user):
    client.force_login(participant_user)
    with _at(datetime.date(2024, 8, 1)):
        response = client.get(_assessment_url(mobility))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<fieldset") == 8 and html.count("<legend") == 8
    assert html.count('type="radio"') == 40
    assert "I am just starting: I need help with most tasks." in html
    assert 'for="id_competence_1_0"' in html
    assert "Submit my ratings" in html


def test_assessment_page_in_polish(client, mobility, participant_user):
    client.force_login(participant_user)
    with _at(datetime.date(2024, 8, 1)):
        response = client.get(_assessment_url(mobility), HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()
    assert "Dopiero zaczynam" in html
    assert "Kompetencje cyfrowe" in html


def test_submitting_saves_and_goes_home(client, mobility, participant_user):
    client.force_login(participant_user)
    data = {f"competence_{n}": str(n % 5 + 1) for n in range(1, 9)}
    with _at(datetime.date(2024, 8, 1)):
        response = client.post(_assessment_url(mobility), data)
    assert response.status_code == 302 and response.url == reverse("portal:participant_home")
    assert dict(CompetenceAssessment.objects.values_list("competence__number", "level")) == {
        n: n % 5 + 1 for n in range(1, 9)
    }
    with _at(datetime.date(2024, 8, 2)):
        response = client.get(_assessment_url(mobility))
    html = response.content.decode()
    assert "Save my changes" in html
    # Competence 1 was rated 2 (its second radio button, id ..._1) and is shown checked.
    assert re.search(r'<input type="radio" name="competence_1" value="2"[^>]*id="id_competence_1_1"[^>]*checked', html)
    assert html.count("checked") == 8


def test_missing_competences_are_named_and_nothing_is_saved(client, mobility, participant_user):
    client.force_login(participant_user)
    data = {f"competence_{n}": "3" for n in range(1, 8)}  # competence 8 left out
    data["competence_2"] = "9"
    with _at(datetime.date(2024, 8, 1)):
        response = client.post(_assessment_url(mobility), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_competence_8_0">Cultural awareness and expression competence' in html
    assert 'href="#id_competence_2_0">Multilingual competence' in html
    assert not CompetenceAssessment.objects.exists()


def test_closed_window_shows_answers_read_only_and_refuses_a_post(client, mobility, participant_user):
    CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="before", levels=3)
    client.force_login(participant_user)
    with _at(datetime.date(2024, 9, 10)):
        page = client.get(_assessment_url(mobility)).content.decode()
        response = client.post(_assessment_url(mobility), {f"competence_{n}": "5" for n in range(1, 9)})
    assert "This self-assessment is closed" in page and "disabled" in page and "Save my changes" not in page
    assert response.status_code == 200
    assert "until its start date" in response.content.decode()
    assert set(CompetenceAssessment.objects.values_list("level", flat=True)) == {3}


def test_after_page_before_it_opens(client, mobility, participant_user):
    client.force_login(participant_user)
    with _at(datetime.date(2024, 8, 1)):
        response = client.get(_assessment_url(mobility, "after"))
    assert "opens on the last day" in response.content.decode()


def test_someone_elses_mobility_and_unknown_phase_are_404(client, mobility, participant_user, project):
    client.force_login(participant_user)
    other = MobilityFactory(project=project, status="planned")
    assert client.get(_assessment_url(other)).status_code == 404
    assert client.get(_assessment_url(mobility, "during")).status_code == 404


# --- next_steps ----------------------------------------------------------------------------------------


def test_next_steps(mobility, participant_user, django_assert_max_num_queries):
    from apps.outcomes.selectors import next_steps

    participant = participant_user.participant
    with _at(datetime.date(2024, 8, 1)):
        with django_assert_max_num_queries(1):
            steps = next_steps(participant=participant, mobilities=[mobility])
        assert [(s.order, s.url, s.due) for s in steps[mobility.pk]] == [
            (20, _assessment_url(mobility), datetime.date(2024, 9, 2))
        ]
        CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="before", levels=2)
        assert next_steps(participant=participant, mobilities=[mobility]) == {}
    with _at(datetime.date(2024, 9, 15)):  # during the mobility: nothing to rate
        assert next_steps(participant=participant, mobilities=[mobility]) == {}
    with _at(datetime.date(2024, 10, 1)):
        [step] = next_steps(participant=participant, mobilities=[mobility])[mobility.pk]
        assert (step.order, step.url, step.due) == (30, _assessment_url(mobility, "after"), datetime.date(2024, 11, 28))
    with _at(datetime.date(2024, 12, 1)):  # the after-window has closed
        assert next_steps(participant=participant, mobilities=[mobility]) == {}


def test_next_steps_ignore_other_participants_mobilities(mobility, participant_user, project):
    from apps.outcomes.selectors import next_steps

    other = MobilityFactory(project=project, status="planned")
    with _at(datetime.date(2024, 8, 1)):
        assert list(next_steps(participant=participant_user.participant, mobilities=[mobility, other])) == [mobility.pk]


# --- The organisation's learning outcomes -------------------------------------------------------------------


def test_member_records_learning_outcomes(client, mobility, manager_a):
    CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="before", levels=2)
    client.force_login(manager_a)
    url = reverse("outcomes:mobility", kwargs={"pk": mobility.pk})
    page = client.get(url).content.decode()
    assert 'id="self-assessment"' in page and "Save the learning outcomes" in page
    response = client.post(
        url,
        {
            "vocational_outcomes": "Installs photovoltaic panels.",
            "mentor_name": "Ana Costa",
            "mentor_overall": "4",
            "competence_4_text": "Configures an inverter.",
            "competence_4_mentor_level": "5",
            "competence_7_mentor_level": "",
        },
    )
    assert response.status_code == 302
    recorded = LearningOutcomes.objects.get(mobility=mobility)
    assert (recorded.vocational_outcomes, recorded.mentor_overall, recorded.updated_by) == (
        "Installs photovoltaic panels.",
        4,
        manager_a,
    )
    assert list(CompetenceOutcome.objects.values_list("competence__number", "text", "mentor_level")) == [
        (4, "Configures an inverter.", 5)
    ]
    assert "Configures an inverter." in client.get(url).content.decode()


def test_mentor_rating_without_a_name_is_refused_next_to_the_field(client, mobility, manager_a):
    client.force_login(manager_a)
    url = reverse("outcomes:mobility", kwargs={"pk": mobility.pk})
    response = client.post(url, {"mentor_overall": "3"})
    assert response.status_code == 200
    assert "Give the name of the host mentor" in response.content.decode()
    assert not LearningOutcomes.objects.exists()


def test_officer_reads_outcomes_without_a_form(client, mobility, officer):
    client.force_login(officer)
    page = client.get(reverse("outcomes:mobility", kwargs={"pk": mobility.pk})).content.decode()
    assert "Recorded learning outcomes" in page and "Save the learning outcomes" not in page
    assert "disabled" in page


# --- Summaries and their query counts ---------------------------------------------------------------------


def _fill_project(project, n):
    for _ in range(n):
        mobility = MobilityFactory(project=project, status="completed")
        CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="before", levels=2)
        CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="after", levels=[3, 2, 2, 2, 2, 2, 2, 1])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_project_summary(client, project, manager_a):
    _fill_project(project, 2)
    client.force_login(manager_a)
    url = reverse("outcomes:project", kwargs={"pk": project.pk})
    html = client.get(url).content.decode()
    assert "2 mobilities with a self-assessment before and after." in html
    assert "100.0 %" in html and "+1.00" in html and "-1.00" in html
    assert 'id="competence-chart-data"' in html and "chart.umd.min.js" in html
    first = _queries(client, url)
    _fill_project(project, 8)
    assert _queries(client, url) == first


def test_agency_summary_filters_and_query_count(client, officer, organisation_a, organisation_b):
    staff_project = ProjectFactory(application__organisation=organisation_b)
    staff = MobilityFactory(project=staff_project, status="completed", participant__category="staff")
    CompetenceAssessmentFactory.rate_all(mobility=staff, phase="before", levels=4)
    CompetenceAssessmentFactory.rate_all(mobility=staff, phase="after", levels=3)
    _fill_project(ProjectFactory(application__organisation=organisation_a), 1)
    client.force_login(officer)
    url = reverse("outcomes:agency")
    html = client.get(url).content.decode()
    assert "2 mobilities with a self-assessment before and after." in html
    assert "50.0 %" in html  # competence 1: one of two improved
    html = client.get(url, {"category": "staff"}).content.decode()
    assert "1 mobility with a self-assessment before and after." in html and "-1.00" in html
    assert staff_project.agreement_number in html
    html = client.get(url, {"category": "learner"}).content.decode()
    assert staff_project.agreement_number not in html

    first = _queries(client, url)
    for _ in range(8):
        _fill_project(ProjectFactory(application__organisation=organisation_a), 1)
    assert _queries(client, url) == first


def test_agency_filters_by_call_region_and_activity_type(client, officer, organisation_a):
    project = ProjectFactory(application__organisation=organisation_a)
    _fill_project(project, 1)
    mobility = project.mobilities.get()
    client.force_login(officer)
    url = reverse("outcomes:agency")
    assert "1 mobility with" in client.get(url, {"call": project.application.call_id}).content.decode()
    assert "1 mobility with" in client.get(url, {"region": organisation_a.region_id}).content.decode()
    assert "1 mobility with" in client.get(url, {"activity_type": mobility.activity_type_id}).content.decode()
    other_call = ProjectFactory().application.call_id
    assert "0 mobilities with" in client.get(url, {"call": other_call}).content.decode()


def test_project_filters(client, project, manager_a):
    _fill_project(project, 1)  # rated before and after
    before_only = MobilityFactory(project=project, status="completed", participant__category="staff")
    CompetenceAssessmentFactory.rate_all(mobility=before_only, phase="before", levels=2)
    LearningOutcomes.objects.create(mobility=before_only, vocational_outcomes="x")
    MobilityFactory(project=project, status="planned")  # nothing rated
    client.force_login(manager_a)
    url = reverse("outcomes:project", kwargs={"pk": project.pk})

    def rows(**params):
        return client.get(url, params).context["page"].object_list

    assert len(rows()) == 3
    assert [m.pk for m in rows(rated="before_only")] == [before_only.pk]
    assert len(rows(rated="after_missing")) == 2
    assert len(rows(rated="none")) == 1
    assert len(rows(rated="both")) == 1
    assert [m.pk for m in rows(outcomes="recorded")] == [before_only.pk]
    assert [m.pk for m in rows(category="staff")] == [before_only.pk]
    # The aggregates follow the filters: the staff member has no pair.
    assert (
        "0 mobilities with a self-assessment before and after."
        in client.get(url, {"category": "staff"}).content.decode()
    )
