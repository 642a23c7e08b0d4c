"""Redeeming a sign-in link while the participant is being erased: no deadlock (PostgreSQL only).

Both use cases lock the participant's row first and the invitation's second. The test holds the
participant's lock (as an erasure's first step does) in the test's thread, lets a redemption start in
another thread and waits until PostgreSQL reports it waiting for a lock; then it erases, in the same
transaction. Had the redemption locked the invitation first, the erasure's DELETE of that invitation
would wait for it while it waits for the participant: PostgreSQL would break the deadlock by failing
one of them. Here the redemption holds nothing while it waits, the erasure completes, and once it
commits the redemption finds no link and refuses.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from apps.participants import invitations
from apps.participants.invitations import ParticipantInvitationError
from apps.participants.models import Participant, ParticipantInvitation
from apps.participants.services import participant_erase
from apps.participants.tests.test_invitations import _token
from tests.factories import MembershipFactory, OrganisationFactory, ParticipantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _wait_until_someone_waits_for_a_lock(timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction otherwise reads one snapshot
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def test_redeeming_during_an_erasure_waits_and_is_refused():
    organisation = OrganisationFactory(region=None)
    manager = MembershipFactory(organisation=organisation, role="manager").user
    learner = ParticipantFactory(organisation=organisation, email="ola@test.example")
    invitations.participant_invite(participant=learner, invited_by=manager)
    token = _token(learner)
    outcome = {}

    def redeem():
        try:
            outcome["user"] = invitations.invitation_redeem(token=token)
        except ParticipantInvitationError as exc:
            outcome["refused"] = str(exc)
        except Exception as exc:  # a deadlock would land here  # noqa: BLE001
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=redeem)
    with transaction.atomic():
        Participant.objects.select_for_update().get(pk=learner.pk)  # the erasure's first lock
        thread.start()
        assert _wait_until_someone_waits_for_a_lock(), "the redemption did not wait for the participant's row"
        # The redemption holds no lock on the invitation: taking it does not wait.
        ParticipantInvitation.objects.select_for_update(nowait=True).get(participant=learner)
        participant_erase(participant=learner, by=manager)
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert "not valid" in outcome["refused"]
    learner.refresh_from_db()
    assert learner.user_id is None
    assert not ParticipantInvitation.objects.exists()
