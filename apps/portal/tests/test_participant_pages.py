"""The participant's /me/ pages and the project's invitation page."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from apps.notifications.models import Notification
from apps.participants.invitations import participant_invite
from apps.participants.models import ParticipantInvitation
from apps.portal import participant as me
from tests.factories import MembershipFactory, MobilityFactory, ParticipantFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

STATUSES = ("planned", "confirmed", "ongoing", "completed", "reported")


@pytest.fixture
def project(organisation_a):
    return ProjectFactory(application__organisation=organisation_a)


@pytest.fixture
def learner(participant_user):
    return participant_user.participant


def _mobility(project, participant, status="planned", **fields):
    return MobilityFactory(project=project, participant=participant, status=status, **fields)


# --- /me/ ---------------------------------------------------------------------------------------------


def test_home_lists_own_mobilities_with_timeline_dates_host_and_city(client, project, learner, participant_user):
    mobility = _mobility(
        project, learner, "confirmed", start_date=datetime.date(2031, 3, 2), end_date=datetime.date(2031, 3, 29)
    )
    _mobility(project, learner, "draft")  # the organisation is still planning it: not shown
    _mobility(project, ParticipantFactory(organisation=project.application.organisation), "planned")  # not theirs
    client.force_login(participant_user)
    response = client.get(reverse("portal:participant_home"))
    page = response.content.decode()
    assert [row[0] for row in response.context["mobilities"]] == [mobility]
    assert mobility.host.legal_name in page and "Lisbon" in page and "Portugal" in page
    assert reverse("portal:participant_mobility", args=[mobility.pk]) in page
    timeline = response.context["mobilities"][0][1]
    assert [(step.label, step.state) for step in timeline] == [
        ("planned", "done"),
        ("confirmed", "current"),
        ("ongoing", "todo"),
        ("completed", "todo"),
        ("reported", "todo"),
    ]
    assert 'aria-current="step"' in page


def test_cancelled_and_force_majeure_are_said_plainly(client, project, learner, participant_user):
    _mobility(project, learner, "cancelled")
    _mobility(project, learner, "force_majeure")
    client.force_login(participant_user)
    page = client.get(reverse("portal:participant_home")).content.decode()
    assert "This mobility was cancelled." in page
    assert "stopped by force majeure" in page


def test_next_steps_are_merged_and_sorted(monkeypatch, project, learner):
    first, second = _mobility(project, learner), _mobility(project, learner)
    due = datetime.date(2030, 1, 10)

    def provider(order, label, **step):
        def next_steps(*, participant, mobilities):
            return {m.pk: [me.NextStep(label=label, url="/x/", order=order, **step)] for m in mobilities}

        return next_steps

    monkeypatch.setattr(
        me,
        "STEP_PROVIDERS",
        (
            provider(40, "report", due=due, overdue=True),
            provider(10, "passport"),
            lambda *, participant, mobilities: {second.pk: [me.NextStep("certificate", "/c/", 50)]},
        ),
    )
    steps = me.next_steps(participant=learner, mobilities=[first, second])
    assert [step.label for step in steps[first.pk]] == ["passport", "report"]
    assert [step.label for step in steps[second.pk]] == ["passport", "report", "certificate"]
    # Overdue first, then by due date, then in the apps' order.
    assert [(m, s.label) for m, s in me.first_steps([first, second], steps, limit=4)] == [
        (first, "report"),
        (second, "report"),
        (first, "passport"),
        (second, "passport"),
    ]


def test_overdue_steps_come_first_with_their_due_date(client, monkeypatch, project, learner, participant_user):
    mobility = _mobility(project, learner, "completed")
    monkeypatch.setattr(
        me,
        "STEP_PROVIDERS",
        (
            lambda *, participant, mobilities: {
                mobility.pk: [
                    me.NextStep("Fill in your report", "/r/", 40, due=datetime.date(2030, 1, 10), overdue=True)
                ]
            },
        ),
    )
    client.force_login(participant_user)
    page = client.get(reverse("portal:participant_home")).content.decode()
    assert "Fill in your report" in page and "overdue" in page and "2030" in page


def _me_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:participant_home")).status_code == 200
    return len(queries)


def test_home_queries_do_not_grow_with_mobilities(client, project, learner, participant_user):
    future = {"start_date": datetime.date(2031, 3, 2), "end_date": datetime.date(2031, 3, 29)}
    _mobility(project, learner, "planned", **future)
    one = _me_queries(client, participant_user)
    for _ in range(4):
        _mobility(project, learner, "planned", **future)
    assert _me_queries(client, participant_user) == one


def test_home_queries_do_not_grow_with_mobilities_in_every_status(client, project, learner, participant_user):
    for status in STATUSES:
        _mobility(project, learner, status)
    five = _me_queries(client, participant_user)
    for status in STATUSES:
        _mobility(project, learner, status)
    assert _me_queries(client, participant_user) == five


def test_a_member_may_set_a_password_link_only_without_one(client, project, learner, participant_user):
    client.force_login(participant_user)
    assert reverse("account_set_password") not in client.get(reverse("portal:participant_home")).content.decode()
    participant_user.set_unusable_password()
    participant_user.save()
    client.force_login(participant_user)
    assert reverse("account_set_password") in client.get(reverse("portal:participant_home")).content.decode()


# --- /me/mobilities/<pk>/ -----------------------------------------------------------------------------


def test_mobility_page_shows_details_and_links_the_apps_pages(client, project, learner, participant_user):
    mobility = _mobility(project, learner, "planned")
    client.force_login(participant_user)
    response = client.get(reverse("portal:participant_mobility", args=[mobility.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert project.agreement_number in page and mobility.host.legal_name in page
    for name, kwargs in [
        ("passport:participant", {}),
        ("outcomes:assessment", {"phase": "before"}),
        ("outcomes:assessment", {"phase": "after"}),
        ("participant_reports:own", {}),
        ("certificates:own", {}),
    ]:
        assert reverse(name, kwargs={"pk": mobility.pk, **kwargs}) in page


def test_another_participants_mobility_and_drafts_are_404(client, project, learner, participant_user):
    others = _mobility(project, ParticipantFactory(organisation=project.application.organisation), "planned")
    draft = _mobility(project, learner, "draft")
    client.force_login(participant_user)
    assert client.get(reverse("portal:participant_mobility", args=[others.pk])).status_code == 404
    assert client.get(reverse("portal:participant_mobility", args=[draft.pk])).status_code == 404


def test_an_invited_account_reaches_only_its_own_records_before_and_after_sign_in(client, project, manager_a):
    """Before following the link, an account with the invited address is nobody's participant; after it, it
    reaches that participant's mobility and nothing else (another participant's answers 404)."""
    organisation = project.application.organisation
    invited = ParticipantFactory(organisation=organisation, email="newbie@test.example")
    own = _mobility(project, invited, "planned")
    other = _mobility(project, ParticipantFactory(organisation=organisation), "planned")
    participant_invite(participant=invited, invited_by=manager_a)
    account = UserFactory(email="newbie@test.example")  # an account of that address, not yet linked
    client.force_login(account)
    assert client.get(reverse("portal:participant_home")).status_code == 403
    assert client.get(reverse("portal:participant_mobility", args=[own.pk])).status_code == 403
    assert client.get(reverse("participants:detail", args=[invited.pk])).status_code == 404
    client.logout()

    link = Notification.objects.get(kind="participant_invitation").url
    response = client.post(link)
    assert response["Location"] == reverse("portal:participant_home")
    invited.refresh_from_db()
    assert invited.user == account
    assert client.get(reverse("portal:participant_mobility", args=[own.pk])).status_code == 200
    assert client.get(reverse("portal:participant_mobility", args=[other.pk])).status_code == 404
    assert client.get(reverse("participants:detail", args=[invited.pk])).status_code == 404
    assert client.get(reverse("participants:detail", args=[other.participant_id])).status_code == 404
    assert client.get(reverse("mobility:mobility", args=[own.pk])).status_code in (403, 404)
    assert client.get(reverse("portal:project_invitations", args=[project.pk])).status_code == 404


def test_a_token_for_another_participant_signs_in_as_that_participant_only(client, project, manager_a):
    organisation = project.application.organisation
    first = ParticipantFactory(organisation=organisation, email="first@test.example")
    second = ParticipantFactory(organisation=organisation, email="second@test.example")
    own_second = _mobility(project, second, "planned")
    own_first = _mobility(project, first, "planned")
    participant_invite(participant=second, invited_by=manager_a)
    token = resolve(Notification.objects.get(email="second@test.example").url).kwargs["token"]
    client.post(reverse("participants:invitation", args=[token]))
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.user is not None and first.user is None
    assert client.get(reverse("portal:participant_mobility", args=[own_second.pk])).status_code == 200
    assert client.get(reverse("portal:participant_mobility", args=[own_first.pk])).status_code == 404


# --- The project's invitations --------------------------------------------------------------------


def test_manager_invites_every_participant_of_the_project_at_once(
    client, project, manager_a, django_capture_on_commit_callbacks
):
    organisation = project.application.organisation
    planned = [_mobility(project, ParticipantFactory(organisation=organisation)) for _ in range(3)]
    signed_in = _mobility(project, ParticipantFactory(organisation=organisation, user=UserFactory()))
    draft = _mobility(project, ParticipantFactory(organisation=organisation), "draft")
    client.force_login(manager_a)
    url = reverse("portal:project_invitations", args=[project.pk])
    page = client.get(url).content.decode()
    assert "not invited" in page and draft.participant.email not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "3 participants invited. 1 skipped" in response.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(m.participant.email for m in planned)
    assert ParticipantInvitation.objects.count() == 3
    assert not ParticipantInvitation.objects.filter(participant=signed_in.participant).exists()
    assert "invited on" in client.get(url).content.decode()
    # The project page links the invitations.
    assert url in client.get(reverse("mobility:project", args=[project.pk])).content.decode()


def test_a_contributor_sees_the_states_but_may_not_invite(client, project):
    contributor = MembershipFactory(organisation=project.application.organisation, role="contributor").user
    _mobility(project, ParticipantFactory(organisation=project.application.organisation))
    client.force_login(contributor)
    url = reverse("portal:project_invitations", args=[project.pk])
    assert "Invite all participants" not in client.get(url).content.decode()
    assert client.post(url).status_code == 403
    assert not ParticipantInvitation.objects.exists()


def test_invitation_page_queries_do_not_grow_with_participants(client, project, manager_a):
    organisation = project.application.organisation

    def count():
        client.force_login(manager_a)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("portal:project_invitations", args=[project.pk]))
        return len(queries)

    for _ in range(2):
        participant_invite(
            participant=_mobility(project, ParticipantFactory(organisation=organisation)).participant,
            invited_by=manager_a,
        )
    two = count()
    for _ in range(8):
        _mobility(project, ParticipantFactory(organisation=organisation))
    assert count() == two


def test_the_demo_learner_finds_their_planned_mobility_on_me(client):
    from django.core.management import call_command

    from apps.accounts.models import User
    from apps.reference.cities import load_cities

    load_cities(countries=["PL", "PT", "ES"])
    call_command("seed_demo")
    client.force_login(User.objects.get(email="learner@school-a.example"))
    response = client.get(reverse("portal:participant_home"))
    (mobility, timeline, _steps), *others = response.context["mobilities"]
    assert not others
    assert (mobility.status, mobility.host.city, mobility.project.application.organisation.oid) == (
        "planned",
        "Lisbon",
        "E10012345",
    )
    assert client.get(reverse("portal:participant_mobility", args=[mobility.pk])).status_code == 200


@pytest.mark.parametrize("status", [*STATUSES, "cancelled", "force_majeure"])
def test_every_page_the_mobility_page_links_opens(client, project, learner, participant_user, status):
    mobility = _mobility(project, learner, status)
    client.force_login(participant_user)
    pages = client.get(reverse("portal:participant_mobility", args=[mobility.pk])).context["pages"]
    assert len(pages) >= 4
    assert {page.label: client.get(page.url).status_code for page in pages} == dict.fromkeys(
        (page.label for page in pages), 200
    )
