"""Deleting an item the sending organisation added: from one mobility or the whole project, never the template's."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.passport import services
from apps.passport.models import ChecklistItem, ProjectItem, Tick
from tests.factories import MobilityFactory

pytestmark = pytest.mark.django_db


def _add(mobility, by, *, whole_project=False, name="Meet the mentor online"):
    return services.checklist_item_add(
        mobility=mobility, by=by, whole_project=whole_project, name=name, section="host_mentor", phase="before",
        ticker="both",
    )  # fmt: skip


def _template_item(mobility):
    return services.checklist_ensure(mobility=mobility).items.filter(from_organisation=False).first()


def test_a_member_deletes_an_item_added_to_one_mobility_and_the_history_says_who(
    mobility, contributor_a, manager_a, participant_user
):
    item = _add(mobility, manager_a)
    services.item_tick(item=item, by=participant_user, side="participant", ticked=True)
    assert services.checklist_item_delete(item=item, by=contributor_a) == 1
    assert not ChecklistItem.objects.filter(pk=item.pk).exists()
    assert not Tick.objects.filter(item_id=item.pk).exists()
    deletion = ChecklistItem.history.filter(id=item.pk).latest("history_date")
    assert deletion.history_type == "-" and deletion.history_user == contributor_a
    # Its last state: who had ticked it.
    assert deletion.participant_ticked_by == participant_user and deletion.name == "Meet the mentor online"
    addition = ChecklistItem.history.filter(id=item.pk).earliest("history_date")
    assert addition.history_type == "+" and addition.history_user == manager_a


def test_an_item_of_the_whole_project_is_deleted_from_one_mobility_or_from_all(project, mobility, manager_a):
    sibling = MobilityFactory(project=project, status="confirmed")
    item = _add(mobility, manager_a, whole_project=True)
    services.checklist_ensure(mobility=sibling)
    assert ChecklistItem.objects.filter(project_item=item.project_item).count() == 2
    # From this mobility only: the project keeps it, the sibling's copy stays.
    assert services.checklist_item_delete(item=item, by=manager_a) == 1
    assert ProjectItem.objects.filter(pk=item.project_item_id).exists()
    copy = ChecklistItem.objects.get(project_item=item.project_item)
    # From the whole project: every copy, and mobilities recorded later do not get it.
    assert services.checklist_item_delete(item=copy, by=manager_a, whole_project=True) == 1
    assert not ProjectItem.objects.exists() and not ChecklistItem.objects.filter(from_organisation=True).exists()
    later = MobilityFactory(project=project, status="planned")
    assert not services.checklist_ensure(mobility=later).items.filter(from_organisation=True).exists()
    assert ProjectItem.history.filter(history_type="-", history_user=manager_a).count() == 1


def test_whole_project_deletion_of_an_item_of_one_mobility_is_refused(mobility, manager_a):
    item = _add(mobility, manager_a)
    with pytest.raises(services.PassportError, match="this mobility only"):
        services.checklist_item_delete(item=item, by=manager_a, whole_project=True)
    assert ChecklistItem.objects.filter(pk=item.pk).exists()


def test_template_items_cannot_be_deleted(mobility, manager_a):
    item = _template_item(mobility)
    with pytest.raises(PermissionDenied, match="template cannot be deleted"):
        services.checklist_item_delete(item=item, by=manager_a)
    assert ChecklistItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("who", ["participant_user", "manager_b", "officer"])
def test_only_the_sending_organisations_members_delete(request, mobility, manager_a, who):
    item = _add(mobility, manager_a)
    with pytest.raises(PermissionDenied):
        services.checklist_item_delete(item=item, by=request.getfixturevalue(who))
    assert ChecklistItem.objects.filter(pk=item.pk).exists()


def test_the_copies_of_a_project_item_count_as_added_by_the_organisation(project, mobility, manager_a):
    _add(mobility, manager_a, whole_project=True)
    later = MobilityFactory(project=project, status="planned")
    copy = services.checklist_ensure(mobility=later).items.get(project_item__isnull=False)
    assert copy.from_organisation


# --- The pages ------------------------------------------------------------------------------------


def test_the_mobility_page_offers_deletion_of_added_items_only(client, mobility, contributor_a, manager_a):
    item = _add(mobility, manager_a)
    template_item = _template_item(mobility)
    client.force_login(contributor_a)
    html = client.get(f"/mobilities/{mobility.pk}/passport/").content.decode()
    assert f"/passport/items/{item.pk}/delete/" in html
    assert f"/passport/items/{template_item.pk}/delete/" not in html


def test_the_participants_page_offers_no_deletion(client, mobility, manager_a, participant_user):
    item = _add(mobility, manager_a)
    client.force_login(participant_user)
    assert f"/items/{item.pk}/delete/" not in client.get(f"/me/mobilities/{mobility.pk}/passport/").content.decode()


def test_deletion_is_confirmed_first(client, mobility, manager_a):
    item = _add(mobility, manager_a)
    client.force_login(manager_a)
    url = f"/mobilities/{mobility.pk}/passport/items/{item.pk}/delete/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Meet the mentor online" in html and "also deletes its ticks" in html
    assert 'name="whole_project"' not in html  # an item of this mobility only: nothing to choose
    assert ChecklistItem.objects.filter(pk=item.pk).exists()
    response = client.post(url, {}, follow=True)
    assert response.redirect_chain[-1][0] == f"/mobilities/{mobility.pk}/passport/"
    assert "The item is deleted from this passport." in response.content.decode()
    assert not ChecklistItem.objects.filter(pk=item.pk).exists()


def test_the_confirmation_of_a_project_item_asks_where_from(client, project, mobility, manager_a):
    MobilityFactory(project=project, status="planned")
    item = _add(mobility, manager_a, whole_project=True)
    client.force_login(manager_a)
    url = f"/mobilities/{mobility.pk}/passport/items/{item.pk}/delete/"
    html = client.get(url).content.decode()
    assert 'name="whole_project"' in html and "2 mobilities have it" in html
    response = client.post(url, {"whole_project": "1"}, follow=True)
    assert "The item is deleted from the project (2 mobilities)." in response.content.decode()
    assert not ChecklistItem.objects.filter(from_organisation=True).exists()


def test_deleting_a_template_item_or_another_mobilitys_item_is_refused(client, project, mobility, manager_a):
    client.force_login(manager_a)
    template_item = _template_item(mobility)
    assert client.get(f"/mobilities/{mobility.pk}/passport/items/{template_item.pk}/delete/").status_code == 403
    assert client.post(f"/mobilities/{mobility.pk}/passport/items/{template_item.pk}/delete/").status_code == 403
    other = _add(MobilityFactory(project=project, status="planned"), manager_a)
    assert client.post(f"/mobilities/{mobility.pk}/passport/items/{other.pk}/delete/").status_code == 404
    assert ChecklistItem.objects.filter(pk__in=[template_item.pk, other.pk]).count() == 2


def test_another_organisations_member_gets_404(client, mobility, manager_a, manager_b):
    item = _add(mobility, manager_a)
    client.force_login(manager_b)
    assert client.post(f"/mobilities/{mobility.pk}/passport/items/{item.pk}/delete/").status_code == 404
    assert ChecklistItem.objects.filter(pk=item.pk).exists()


def test_the_admin_lists_who_deleted_an_item(client, mobility, manager_a, agency_admin):
    item = _add(mobility, manager_a, name="Meet the mentor online")
    services.checklist_item_delete(item=item, by=manager_a)
    deletion = ChecklistItem.history.get(id=item.pk, history_type="-")
    client.force_login(agency_admin)
    html = client.get("/admin/passport/historicalchecklistitem/?history_type=-").content.decode()
    assert "Meet the mentor online" in html and str(manager_a) in html
    # Read only: the record opens for reading, nothing to save or delete.
    detail = client.get(f"/admin/passport/historicalchecklistitem/{deletion.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
