"""The participant report's states and reminders, with time frozen (issue 5, item 5; RULES.md "Reporting")."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from apps.mobility.mobilities import mobility_violations
from apps.mobility.models import MobilityStatus, MobilityStatusChange
from apps.notifications.models import Notification
from apps.participant_reports import selectors, services
from apps.participant_reports.models import ParticipantReport, ParticipantReportAnswer, ReportStatus
from apps.participant_reports.services import KIND_REMINDER, KIND_REQUESTED, ReportError
from apps.reference.models import ReportOutcomeStatement
from tests.factories import MobilityFactory, ParticipantFactory, UserFactory

from .conftest import END, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
REQUEST_DAY = END + DAY


def run_daily(day: datetime.date) -> dict:
    """What the three beat tasks do on ``day`` (request 06:00, overdue 06:10, reminders 09:00)."""
    with time_machine.travel(at(day, 6), tick=False):
        requested = services.reports_request_due()
    with time_machine.travel(at(day, 6, 10), tick=False):
        overdue = services.reports_mark_overdue()
    with time_machine.travel(at(day, 9), tick=False):
        reminded = services.reports_remind_due()
    return {"requested": requested, "overdue": overdue, "reminded": reminded}


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def answers(report, value=4) -> dict:
    codes = ReportOutcomeStatement.objects.filter(audience=report.audience).values_list("code", flat=True)
    return dict.fromkeys(codes, value)


def submit(report, user, **changes):
    kwargs = {
        "satisfaction": 5,
        "agreements": answers(report),
        "recognition": "partly",
        "recognition_details": "Counted as my work placement.",
        "comments": "Great host.",
        **changes,
    }
    return services.report_submit(report=report, by=user, **kwargs)


def test_the_test_mobility_breaks_no_rule(mobility):
    assert mobility_violations(mobility=mobility) == {}


# --- Requesting -------------------------------------------------------------------------------------------------


def test_requested_on_the_day_after_the_end_and_only_once(mobility, participant_user):
    assert run_daily(END)["requested"] == 0
    assert not ParticipantReport.objects.exists()

    assert run_daily(REQUEST_DAY)["requested"] == 1
    report = ParticipantReport.objects.get(mobility=mobility)
    assert report.status == ReportStatus.REQUESTED
    assert report.due_date == REQUEST_DAY + datetime.timedelta(days=30)
    assert report.audience == "learner"
    assert report.last_reminded_at is None
    assert kinds(participant_user) == [KIND_REQUESTED]
    notification = Notification.objects.get(kind=KIND_REQUESTED)
    assert notification.url == f"/me/mobilities/{mobility.pk}/report/"
    assert "before Oct. 30, 2024" in notification.body_text
    assert [(c.from_status, c.to_status) for c in report.status_changes.all()] == [("", "requested")]

    # The task runs twice (a redelivery) and again the next day: still one report, one notification.
    assert run_daily(REQUEST_DAY)["requested"] == 0
    assert run_daily(REQUEST_DAY + DAY)["requested"] == 0
    assert ParticipantReport.objects.count() == 1
    assert kinds(participant_user) == [KIND_REQUESTED]


@pytest.mark.parametrize(
    ("status", "requested"),
    [
        ("draft", False),
        ("planned", False),
        ("cancelled", False),
        ("force_majeure", False),
        ("reported", False),
        ("confirmed", True),
        ("ongoing", True),
        ("completed", True),
    ],
)
def test_which_mobilities_get_a_report(project, status, requested):
    MobilityFactory(project=project, status=status)
    assert run_daily(REQUEST_DAY)["requested"] == int(requested)


def test_a_participant_without_an_account_waits_and_is_reminded_once_they_have_one(project):
    participant = ParticipantFactory(organisation=project.application.organisation)
    mobility = MobilityFactory(project=project, participant=participant, status="completed")
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    assert not Notification.objects.exists()
    # No account: no reminder either, and the week is not used up.
    assert run_daily(REQUEST_DAY + 7 * DAY)["reminded"] == 0
    report.refresh_from_db()
    assert report.last_reminded_at is None

    participant.user = UserFactory(email="late-signer@test.example")
    participant.save()
    # /me/ shows the request as soon as they sign in (next_steps), and the next daily sweep reminds them.
    steps = selectors.next_steps(participant=participant, mobilities=[mobility])
    assert [step.order for step in steps[mobility.pk]] == [40]
    assert run_daily(REQUEST_DAY + 8 * DAY)["reminded"] == 1
    assert kinds(participant.user) == [KIND_REMINDER]


def test_audience_of_a_recent_graduate_and_of_an_accompanying_person(project):
    graduate = ParticipantFactory(
        organisation=project.application.organisation,
        category="recent_graduate",
        graduation_date=datetime.date(2024, 6, 20),
    )
    teacher = ParticipantFactory(organisation=project.application.organisation, category="staff")
    learner_mobility = MobilityFactory(project=project, participant=graduate, status="completed")
    MobilityFactory(project=project, participant=teacher, status="completed", accompanying=True)
    run_daily(REQUEST_DAY)
    audiences = dict(ParticipantReport.objects.values_list("mobility__participant__category", "audience"))
    assert audiences == {"recent_graduate": "learner", "staff": "staff"}
    report = ParticipantReport.objects.get(mobility=learner_mobility)
    assert [s.audience for s in services.statements_for(report)] == ["learner"] * 10


# --- Reminders and overdue ----------------------------------------------------------------------------------------


def test_reminded_weekly_never_twice_in_a_week(mobility, participant_user):
    run_daily(REQUEST_DAY)
    reminded = {}
    for offset in range(1, 22):
        reminded[offset] = run_daily(REQUEST_DAY + offset * DAY)["reminded"]
    assert [offset for offset, count in reminded.items() if count] == [7, 14, 21]

    # The beat task runs a second time the same day (or is redelivered): nothing more goes out.
    with time_machine.travel(at(REQUEST_DAY + 21 * DAY, 9, 5), tick=False):
        assert services.reports_remind_due() == 0
    with time_machine.travel(at(REQUEST_DAY + 21 * DAY, 23, 30), tick=False):
        assert services.reports_remind_due() == 0
    report = ParticipantReport.objects.get(mobility=mobility)
    assert report.reminders_sent == 3
    assert kinds(participant_user) == [KIND_REQUESTED] + [KIND_REMINDER] * 3


def test_a_stale_claim_cannot_send_a_second_reminder(mobility, participant_user):
    """Two workers read the same candidates; only the one whose conditional UPDATE matches sends."""
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    with time_machine.travel(at(REQUEST_DAY + 7 * DAY, 9), tick=False):
        assert services.reports_remind_due() == 1
        # A second worker with the same view of the table claims nothing: last_reminded_at moved on.
        assert services.reports_remind_due() == 0
    report.refresh_from_db()
    assert report.reminders_sent == 1


def test_overdue_on_day_30_then_submitted(mobility, participant_user):
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    assert run_daily(REQUEST_DAY + 29 * DAY) == {"requested": 0, "overdue": 0, "reminded": 1}
    assert ParticipantReport.objects.get(pk=report.pk).status == ReportStatus.REQUESTED

    assert run_daily(REQUEST_DAY + 30 * DAY)["overdue"] == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.OVERDUE
    assert run_daily(REQUEST_DAY + 31 * DAY)["overdue"] == 0  # idempotent

    # Still reminded weekly while overdue (a week after the last reminder); the reminder says it is overdue.
    assert run_daily(REQUEST_DAY + 35 * DAY)["reminded"] == 0
    assert run_daily(REQUEST_DAY + 36 * DAY)["reminded"] == 1
    last = Notification.objects.filter(kind=KIND_REMINDER).latest("pk")
    assert "It was due by" in last.body_text

    with time_machine.travel(at(REQUEST_DAY + 36 * DAY, 18), tick=False):
        submit(report, participant_user)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    history = [(c.from_status, c.to_status) for c in report.status_changes.order_by("changed_at", "pk")]
    assert history == [("", "requested"), ("requested", "overdue"), ("overdue", "submitted")]
    assert report.status_changes.get(to_status="submitted").changed_by == participant_user
    # Nothing more after submission.
    assert run_daily(REQUEST_DAY + 42 * DAY) == {"requested": 0, "overdue": 0, "reminded": 0}


# --- Submitting ---------------------------------------------------------------------------------------------------


def test_submission_stores_the_answers_and_reports_a_completed_mobility(mobility, participant_user):
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    submit(report, participant_user, agreements={**answers(report, 3), "employability": 5})
    report.refresh_from_db()
    assert (report.satisfaction, report.recognition, report.comments) == (5, "partly", "Great host.")
    assert report.submitted_by == participant_user
    stored = dict(ParticipantReportAnswer.objects.filter(report=report).values_list("statement__code", "agreement"))
    assert len(stored) == 10 and stored["employability"] == 5 and stored["learning_performance"] == 3
    mobility.refresh_from_db()
    assert mobility.status == MobilityStatus.REPORTED
    change = MobilityStatusChange.objects.filter(mobility=mobility).latest("pk")
    assert (change.from_status, change.to_status, change.changed_by) == ("completed", "reported", participant_user)


def test_a_mobility_not_yet_completed_keeps_its_status(project, participant_user):
    mobility = MobilityFactory(project=project, participant=participant_user.participant, status="ongoing")
    run_daily(REQUEST_DAY)
    submit(ParticipantReport.objects.get(mobility=mobility), participant_user)
    mobility.refresh_from_db()
    assert mobility.status == MobilityStatus.ONGOING


def test_a_completed_mobility_breaking_a_rule_stays_completed_but_the_report_stands(project, participant_user):
    # No distance: moving to reported is refused by the mobility's rules; the report is submitted anyway.
    mobility = MobilityFactory(project=project, participant=participant_user.participant, status="completed")
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    submit(report, participant_user)
    report.refresh_from_db()
    mobility.refresh_from_db()
    assert (report.status, mobility.status) == (ReportStatus.SUBMITTED, MobilityStatus.COMPLETED)


def test_missing_answers_name_their_fields_and_save_nothing(mobility, participant_user):
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    partial = answers(report)
    del partial["employability"]
    partial["intercultural"] = 6
    with pytest.raises(ValidationError) as caught:
        submit(report, participant_user, satisfaction=None, agreements=partial, recognition="maybe")
    assert sorted(caught.value.message_dict) == [
        "recognition",
        "satisfaction",
        "statement_employability",
        "statement_intercultural",
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.REQUESTED
    assert not ParticipantReportAnswer.objects.exists()


def test_only_the_participant_submits_and_only_once(mobility, participant_user, manager_a):
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    with pytest.raises(ReportError):
        submit(report, manager_a)
    submit(report, participant_user)
    with pytest.raises(ReportError):
        submit(report, participant_user)
    assert ParticipantReportAnswer.objects.count() == 10


def test_pipeline_refuses_moves_it_does_not_list(mobility):
    run_daily(REQUEST_DAY)
    report = ParticipantReport.objects.get(mobility=mobility)
    report.status = ReportStatus.SUBMITTED
    with pytest.raises(ReportError):
        services._set_status(report, ReportStatus.OVERDUE, by=None)
    assert {
        "requested": {"submitted", "overdue"},
        "overdue": {"submitted"},
        "submitted": set(),
    } == services.REPORT_TRANSITIONS


# --- Next steps -----------------------------------------------------------------------------------------------------


def test_next_steps_in_one_query(mobility, participant_user, django_assert_num_queries):
    other = MobilityFactory(project=mobility.project, participant=participant_user.participant, status="planned")
    run_daily(REQUEST_DAY)
    participant = participant_user.participant
    with time_machine.travel(at(REQUEST_DAY + 3 * DAY), tick=False), django_assert_num_queries(1):
        steps = selectors.next_steps(participant=participant, mobilities=[mobility, other])
    assert list(steps) == [mobility.pk]
    (step,) = steps[mobility.pk]
    assert (step.label, step.order, step.due, step.overdue) == (
        "Fill in your participant report",
        40,
        REQUEST_DAY + 30 * DAY,
        False,
    )
    assert step.url == f"/me/mobilities/{mobility.pk}/report/"

    run_daily(REQUEST_DAY + 30 * DAY)
    (step,) = selectors.next_steps(participant=participant, mobilities=[mobility])[mobility.pk]
    assert step.overdue
    submit(ParticipantReport.objects.get(mobility=mobility), participant_user)
    assert selectors.next_steps(participant=participant, mobilities=[mobility]) == {}
    assert selectors.next_steps(participant=participant, mobilities=[]) == {}
