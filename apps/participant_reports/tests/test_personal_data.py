"""The participant reports' part of a participant's data export and of their erasure (DESIGN.md §4)."""

import pytest
import time_machine
from django.db.models import Avg, Count
from django.urls import reverse

from apps.participant_reports import selectors, services
from apps.participant_reports.models import ParticipantReport, ParticipantReportAnswer, ParticipantReportStatusChange
from apps.participant_reports.personal_data import EXPORT_FIELDS, report_export
from apps.participants import services as participants
from apps.participants.models import AccessAction, PersonalDataAccess
from apps.participants.signals import participant_erased
from apps.reference.models import ReportOutcomeStatement
from tests.factories import MobilityFactory, ParticipantFactory, SubmittedParticipantReportFactory, UserFactory

from .conftest import END, at

pytestmark = pytest.mark.django_db

COMMENTS = "Anna Kowalska here: my host mentor Mr Silva was great."
DETAILS = "Counted as my work placement at ZSZ nr 3 in Gdynia."


def _submitted(mobility, user, *, comments=COMMENTS, details=DETAILS, satisfaction=5, agreement=4):
    with time_machine.travel(at(END, 12), tick=False):
        report = services.report_request(mobility_id=mobility.pk, today=END.replace(day=30))
    codes = ReportOutcomeStatement.objects.filter(audience=report.audience).values_list("code", flat=True)
    return services.report_submit(
        report=report,
        by=user,
        satisfaction=satisfaction,
        agreements=dict.fromkeys(codes, agreement),
        recognition="partly",
        recognition_details=details,
        comments=comments,
    )


@pytest.fixture
def report(mobility, participant_user):
    return _submitted(mobility, participant_user)


# --- Export ---------------------------------------------------------------------------------------------------


def test_the_export_holds_the_report_its_answers_and_history(report, mobility, manager_a):
    export = participants.participant_export(participant=mobility.participant, by=manager_a)
    (section,) = export["participant_reports"]
    assert section["mobility"] == mobility.pk
    assert (section["status"], section["satisfaction"], section["recognition"]) == ("submitted", 5, "partly")
    assert section["comments"] == COMMENTS and section["recognition_details"] == DETAILS
    statements = ReportOutcomeStatement.objects.filter(audience="learner")
    assert len(section["answers"]) == statements.count()
    assert {answer["agreement"] for answer in section["answers"]} == {4}
    assert section["answers"][0]["text"] == statements.order_by("pk").first().statement
    assert [(change["from"], change["to"]) for change in section["history"]] == [
        ("", "requested"),
        ("requested", "submitted"),
    ]
    # Who moved the status is a member's (or the participant's account's) data, not part of the section.
    assert "learner-a@test.example" not in str(section)
    entry = PersonalDataAccess.objects.get(action=AccessAction.EXPORT)
    assert entry.user == manager_a and set(EXPORT_FIELDS) <= set(entry.fields)


def test_the_participant_exports_their_own_report(report, participant_user):
    export = participants.participant_export(participant=participant_user.participant, by=participant_user)
    assert export["participant_reports"][0]["comments"] == COMMENTS


def test_without_a_report_the_section_is_empty_and_not_logged(mobility, manager_a):
    export = participants.participant_export(participant=mobility.participant, by=manager_a)
    assert export["participant_reports"] == []
    entry = PersonalDataAccess.objects.get(action=AccessAction.EXPORT)
    assert not set(EXPORT_FIELDS) & set(entry.fields)


def test_the_section_takes_three_queries_however_many_reports(project, participant_user, django_assert_num_queries):
    participant = participant_user.participant
    for _ in range(3):
        SubmittedParticipantReportFactory(mobility=MobilityFactory(project=project, participant=participant))
    with django_assert_num_queries(3):
        rows = report_export(participant)
    assert len(rows) == 3 and all(row["answers"] for row in rows)


# --- Erasure --------------------------------------------------------------------------------------------------


def _figures():
    return ParticipantReport.objects.aggregate(
        reports=Count("pk", distinct=True), satisfaction=Avg("satisfaction"), answers=Count("answers")
    )


def test_erasure_removes_the_free_text_and_the_account_link_and_keeps_the_figures(
    report, mobility, project, participant_user, manager_a
):
    someone = ParticipantFactory(organisation=project.application.organisation, user=UserFactory())
    other = MobilityFactory(project=project, participant=someone, status="completed")
    _submitted(other, someone.user, comments="Someone else's comment", details="Theirs", satisfaction=3, agreement=2)
    before = _figures()
    counts = selectors.project_report_counts(project=project)

    participants.participant_erase(participant=participant_user.participant, by=manager_a)

    erased = ParticipantReport.objects.get(pk=report.pk)
    assert (erased.comments, erased.recognition_details) == ("", "")
    assert erased.submitted_by is None
    assert not ParticipantReportStatusChange.objects.filter(changed_by=participant_user).exists()
    # Nothing of the free text is left anywhere in the app's tables.
    assert not ParticipantReport.objects.filter(comments__contains="Kowalska").exists()
    assert not ParticipantReport.objects.filter(recognition_details__contains="Gdynia").exists()
    # The numbers, the choice, the state and the dates stay: the programme's figures do not move.
    assert (erased.status, erased.satisfaction, erased.recognition) == ("submitted", 5, "partly")
    assert erased.submitted_at == report.submitted_at
    assert ParticipantReportAnswer.objects.filter(report=erased).count() == report.answers.count()
    assert _figures() == before
    assert selectors.project_report_counts(project=project) == counts
    # The other participant's report is untouched.
    kept = ParticipantReport.objects.get(mobility=other)
    assert kept.comments == "Someone else's comment" and kept.submitted_by is not None
    # One erasure entry naming what the reports erased too.
    entry = PersonalDataAccess.objects.get(participant=participant_user.participant, action=AccessAction.ERASE)
    assert {"report_comments", "report_recognition_details", "report_submitted_by"} <= set(entry.fields)


def test_after_erasure_the_reports_history_page_names_nobody(client, report, mobility, participant_user, manager_a):
    participants.participant_erase(participant=participant_user.participant, by=manager_a)
    client.force_login(manager_a)
    page = client.get(reverse("participant_reports:mobility", args=[mobility.pk])).content.decode()
    assert "learner-a@test.example" not in page
    assert "Kowalska" not in page and "Gdynia" not in page


def test_erasure_without_reports_logs_no_report_fields(mobility, participant_user, manager_a):
    participants.participant_erase(participant=participant_user.participant, by=manager_a)
    entry = PersonalDataAccess.objects.get(participant=participant_user.participant, action=AccessAction.ERASE)
    assert not [name for name in entry.fields if name.startswith("report_")]


def test_a_failing_receiver_rolls_the_reports_erasure_back(report, participant_user, manager_a):
    def broken(sender, **kwargs):
        raise RuntimeError("boom")

    participant_erased.connect(broken, dispatch_uid="test-broken-reports")
    try:
        with pytest.raises(RuntimeError):
            participants.participant_erase(participant=participant_user.participant, by=manager_a)
    finally:
        participant_erased.disconnect(dispatch_uid="test-broken-reports")
    kept = ParticipantReport.objects.get(pk=report.pk)
    assert (kept.comments, kept.recognition_details) == (COMMENTS, DETAILS)
    assert kept.submitted_by == participant_user
    assert not PersonalDataAccess.objects.filter(action=AccessAction.ERASE).exists()
