"""The passport's pages: ticking with and without htmx, who sees what, the template pages, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.participants.models import PersonalDataAccess
from apps.passport import services
from apps.passport.models import ChecklistItem, ExtraSupport, TemplateItem, Tick
from tests.factories import ExtraSupportFactory, MobilityFactory, TemplateItemFactory

pytestmark = pytest.mark.django_db


def _item(mobility, ticker="both"):
    return services.checklist_ensure(mobility=mobility).items.filter(ticker=ticker).order_by("position").first()


def test_the_participant_sees_and_ticks_their_passport(client, participant_user, mobility):
    client.force_login(participant_user)
    url = f"/me/mobilities/{mobility.pk}/passport/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Pedagogical preparation" in page.content.decode()
    item = _item(mobility)
    response = client.post(f"{url}items/{item.pk}/tick/", {"ticked": "on"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.participant_ticked_by == participant_user
    # Without "ticked" the form unticks.
    client.post(f"{url}items/{item.pk}/tick/", {})
    item.refresh_from_db()
    assert item.participant_ticked_at is None
    assert Tick.objects.filter(item=item).count() == 2


def test_ticking_with_htmx_answers_the_item_alone(client, participant_user, mobility):
    client.force_login(participant_user)
    item = _item(mobility)
    response = client.post(
        f"/me/mobilities/{mobility.pk}/passport/items/{item.pk}/tick/", {"ticked": "on"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="item-{item.pk}"' in html and "ticked by" in html and "Untick" in html


def test_a_side_that_does_not_tick_an_item_is_told_so(client, participant_user, mobility):
    client.force_login(participant_user)
    item = _item(mobility, "organisation")
    response = client.post(
        f"/me/mobilities/{mobility.pk}/passport/items/{item.pk}/tick/", {"ticked": "on"}, follow=True
    )
    assert "This item is ticked by the sending organisation." in response.content.decode()
    item.refresh_from_db()
    assert item.participant_ticked_at is None


def test_another_participants_mobility_and_drafts_answer_404(client, participant_user, project, mobility):
    client.force_login(participant_user)
    someone_else = MobilityFactory(project=project, status="planned")
    draft = MobilityFactory(project=project, participant=participant_user.participant, status="draft")
    assert client.get(f"/me/mobilities/{someone_else.pk}/passport/").status_code == 404
    assert client.get(f"/me/mobilities/{draft.pk}/passport/").status_code == 404
    # An item of another mobility, through one's own mobility's URL.
    other_item = _item(someone_else)
    url = f"/me/mobilities/{mobility.pk}/passport/items/{other_item.pk}/tick/"
    assert client.post(url, {"ticked": "on"}).status_code == 404


def test_the_organisation_sees_who_ticked_and_when(client, participant_user, contributor_a, mobility):
    item = _item(mobility)
    services.item_tick(item=item, by=participant_user, side="participant", ticked=True)
    client.force_login(contributor_a)
    url = f"/mobilities/{mobility.pk}/passport/"
    client.post(f"{url}items/{item.pk}/tick/", {"ticked": "on"})
    html = client.get(url).content.decode()
    assert "learner-a@test.example" in html and "contrib-a@test.example" in html
    assert 'id="tick-history"' in html
    item.refresh_from_db()
    assert item.done


def test_a_draft_has_no_passport_yet(client, manager_a, project):
    draft = MobilityFactory(project=project, status="draft")
    client.force_login(manager_a)
    html = client.get(f"/mobilities/{draft.pk}/passport/").content.decode()
    assert "The passport opens when the mobility is planned." in html
    assert "Add an item" not in html


def test_the_organisation_adds_an_item_for_the_whole_project(client, manager_a, project, mobility):
    other = MobilityFactory(project=project, status="planned")
    client.force_login(manager_a)
    response = client.post(
        f"/mobilities/{mobility.pk}/passport/items/new/",
        {
            "name": "Meet last year's learners",
            "section": "preparation",
            "phase": "before",
            "ticker": "participant",
            "whole_project": "on",
        },
    )
    assert response.status_code == 302
    assert ChecklistItem.objects.filter(name="Meet last year's learners").count() == 2
    assert services.checklist_ensure(mobility=other).items.filter(name="Meet last year's learners").exists()


def test_a_bad_item_names_the_field(client, manager_a, mobility):
    client.force_login(manager_a)
    response = client.post(f"/mobilities/{mobility.pk}/passport/items/new/", {"name": "", "section": "travel"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "phase", "ticker"}


# --- Extra support --------------------------------------------------------------------------------


def _views():
    return list(PersonalDataAccess.objects.filter(action="view").values_list("user__email", "fields"))


def test_managers_see_extra_support_and_the_view_is_logged(client, manager_a, mobility):
    ExtraSupportFactory(mobility=mobility, description="Interpreter at the host")
    client.force_login(manager_a)
    html = client.get(f"/mobilities/{mobility.pk}/passport/").content.decode()
    assert "Interpreter at the host" in html and "Record extra support" in html
    assert _views() == [("manager-a@test.example", ["extra_support"])]


def test_contributors_and_finance_do_not_see_it_nor_is_anything_logged(client, contributor_a, finance, mobility):
    ExtraSupportFactory(mobility=mobility, description="Interpreter at the host")
    for user in (contributor_a, finance):
        client.force_login(user)
        html = client.get(f"/mobilities/{mobility.pk}/passport/").content.decode()
        assert "Interpreter at the host" not in html and "Extra support" not in html
        assert client.get(f"/mobilities/{mobility.pk}/passport/support/new/").status_code == 403
    assert _views() == []


def test_the_participant_sees_their_own_extra_support(client, participant_user, mobility):
    ExtraSupportFactory(mobility=mobility, description="Interpreter at the host")
    client.force_login(participant_user)
    html = client.get(f"/me/mobilities/{mobility.pk}/passport/").content.decode()
    assert "Interpreter at the host" in html and "/passport/support/" not in html
    assert _views() == [("learner-a@test.example", ["extra_support"])]


def test_extra_support_is_recorded_changed_and_removed(client, manager_a, mobility):
    client.force_login(manager_a)
    base = f"/mobilities/{mobility.pk}/passport/support/"
    assert client.post(f"{base}new/", {"description": "", "phase": "before", "provided_by": ""}).status_code == 200
    assert not ExtraSupport.objects.exists()
    client.post(f"{base}new/", {"description": "Mentor", "phase": "before", "provided_by": "Teacher"})
    row = ExtraSupport.objects.get()
    client.post(f"{base}{row.pk}/", {"description": "Two mentors", "phase": "before", "provided_by": "Teacher"})
    row.refresh_from_db()
    assert row.description == "Two mentors" and row.updated_by == manager_a
    client.post(f"{base}{row.pk}/", {"delete": "1"})
    assert not ExtraSupport.objects.exists()
    changes = PersonalDataAccess.objects.filter(action="change").count()
    assert changes == 3


# --- The template ---------------------------------------------------------------------------------


def test_officers_add_change_deactivate_and_reorder_template_items(client, officer):
    client.force_login(officer)
    data = {
        "name": "Visa",
        "name_pl": "Wiza",
        "section": "travel",
        "phase": "before",
        "ticker": "organisation",
        "active": "on",
    }
    assert client.post("/agency/passport-template/new/", data).status_code == 302
    item = TemplateItem.objects.get(name="Visa")
    client.post(f"/agency/passport-template/{item.pk}/", {**data, "active": ""})
    item.refresh_from_db()
    assert not item.active and item.history.count() == 2
    before = [i.pk for i in TemplateItem.objects.filter(phase="before").order_by("position", "pk")]
    client.post(f"/agency/passport-template/{before[0]}/move/", {"direction": "down"})
    after = [i.pk for i in TemplateItem.objects.filter(phase="before").order_by("position", "pk")]
    assert after[:2] == [before[1], before[0]]
    html = client.get("/agency/passport-template/").content.decode()
    assert "Wiza" in html and "inactive" in html


def test_a_bad_template_item_names_the_field(client, officer):
    client.force_login(officer)
    response = client.post("/agency/passport-template/new/", {"name": "", "section": "x", "phase": "before"})
    assert set(response.context["form"].errors) >= {"name", "section"}


# --- Query counts ---------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_passport_page_queries_do_not_grow_with_items(client, manager_a, participant_user, mobility):
    TemplateItem.objects.update(active=False)
    TemplateItemFactory.create_batch(2)
    checklist = services.checklist_ensure(mobility=mobility)
    for url, user in (
        (f"/mobilities/{mobility.pk}/passport/", manager_a),
        (f"/me/mobilities/{mobility.pk}/passport/", participant_user),
    ):
        client.force_login(user)
        few = _count(client, url)
        for n in range(8):
            item = services.checklist_item_add(
                mobility=mobility, by=manager_a, name=f"Own {n}", section="travel", phase="during", ticker="both"
            )
            services.item_tick(item=item, by=manager_a, side="organisation", ticked=True)
        assert checklist.items.count() >= 10
        assert _count(client, url) == few
        ChecklistItem.objects.filter(checklist=checklist, added_by=manager_a).delete()


def test_the_template_list_queries_do_not_grow(client, officer):
    client.force_login(officer)
    TemplateItem.objects.all().delete()
    TemplateItemFactory.create_batch(2)
    few = _count(client, "/agency/passport-template/")
    TemplateItemFactory.create_batch(8)
    assert _count(client, "/agency/passport-template/") == few
