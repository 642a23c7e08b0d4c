import pytest

from apps.passport import selectors, services
from apps.passport.models import TemplateItem
from tests.factories import MobilityFactory, TemplateItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    TemplateItem.objects.update(active=False)
    return [
        TemplateItemFactory(name="Insurance", ticker="organisation", phase="before", position=10),
        TemplateItemFactory(name="Debrief", ticker="both", phase="after", position=5),
        TemplateItemFactory(name="Language course", ticker="participant", phase="before", position=20),
    ]


def test_the_first_item_the_participant_must_tick(template, participant_user, mobility):
    steps = selectors.next_steps(participant=participant_user.participant, mobilities=[mobility])
    # Not opened yet: the template's first item for the participant (before comes before after).
    [step] = steps[mobility.pk]
    assert step.label == "Tick in your passport: Language course"
    assert step.url == f"/me/mobilities/{mobility.pk}/passport/" and step.order == 10
    checklist = services.checklist_ensure(mobility=mobility)
    services.item_tick(
        item=checklist.items.get(name="Language course"), by=participant_user, side="participant", ticked=True
    )
    steps = selectors.next_steps(participant=participant_user.participant, mobilities=[mobility])
    assert steps[mobility.pk][0].label == "Tick in your passport: Debrief"
    services.item_tick(item=checklist.items.get(name="Debrief"), by=participant_user, side="participant", ticked=True)
    # Nothing left for the participant (the organisation's insurance is not theirs to tick).
    assert selectors.next_steps(participant=participant_user.participant, mobilities=[mobility]) == {}


def test_drafts_and_cancelled_have_no_step_and_two_queries_at_most(
    template, participant_user, project, django_assert_max_num_queries
):
    participant = participant_user.participant
    opened = MobilityFactory(project=project, participant=participant, status="confirmed")
    services.checklist_ensure(mobility=opened)
    fresh = MobilityFactory(project=project, participant=participant, status="planned")
    draft = MobilityFactory(project=project, participant=participant, status="draft")
    cancelled = MobilityFactory(project=project, participant=participant, status="cancelled")
    with django_assert_max_num_queries(2):
        steps = selectors.next_steps(participant=participant, mobilities=[opened, fresh, draft, cancelled])
    assert set(steps) == {opened.pk, fresh.pk}
