import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.mobility.models import Project
from apps.reserve_list.models import Application, EnvelopeChange, Offer
from apps.reserve_list.services import offer_accept
from tests.factories import ApplicationFactory, CallFactory, OfferFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(db):
    return CallFactory(year=2023, envelope=Decimal("200000.00"))


def _count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx)


def test_overview_shows_money_per_call(client, officer, call):
    OfferFactory(application__call=call, amount=Decimal("50000.00"))
    client.force_login(officer)
    response = client.get(reverse("reserve_list:overview"))
    (overview,) = response.context["overviews"]
    assert (overview.committed, overview.free) == (Decimal("50000.00"), Decimal("150000.00"))
    assert overview.counts == {"offered": 1}


def test_ranking_draws_the_budget_line_with_constant_queries(client, officer, call):
    client.force_login(officer)
    for total in (90, 85):
        ApplicationFactory(
            call=call,
            score_relevance=total // 3,
            score_quality_design=total // 3,
            score_quality_follow_up=total - 2 * (total // 3),
            requested_grant=Decimal("80000.00"),
        )
    url = reverse("reserve_list:ranking", args=[2023])
    few = _count_queries(client, url)
    ApplicationFactory.create_batch(
        30, call=call, requested_grant=Decimal("80000.00"), organisation=OrganisationFactory()
    )
    many = _count_queries(client, url)
    assert many == few
    rows = client.get(url).context["page"].object_list
    assert [r.within_budget for r in rows[:3]] == [True, True, False]
    assert rows[2].line_before and not any(r.line_before for r in rows[3:])
    assert "Budget line" in client.get(url).content.decode()


def test_what_if_then_commit(client, officer, call, manager_a):
    first = ApplicationFactory(
        call=call, organisation=manager_a.memberships.get().organisation, requested_grant=Decimal("120000.00")
    )
    ApplicationFactory(call=call, requested_grant=Decimal("100000.00"))
    client.force_login(officer)
    url = reverse("reserve_list:round", args=[2023])
    response = client.get(url, {"amount": "200000.00", "policy": "stop", "response_days": 14})
    assert [o.number for o in response.context["plan"].offers] == [first.number]
    assert not Offer.objects.exists()
    response = client.post(url, {"amount": "200000.00", "policy": "stop", "response_days": 14})
    assert response.status_code == 302
    assert Offer.objects.get().application == first


def test_commit_above_the_free_budget_is_refused_next_to_the_amount(client, officer, call):
    ApplicationFactory(call=call, requested_grant=Decimal("100000.00"))
    client.force_login(officer)
    url = reverse("reserve_list:round", args=[2023])
    response = client.get(url, {"amount": "900000", "policy": "skip", "response_days": 14})
    assert response.context["exceeds_free"] and len(response.context["plan"].offers) == 1
    response = client.post(url, {"amount": "900000", "policy": "skip", "response_days": 14})
    assert response.status_code == 200
    assert "uncommitted budget" in str(response.context["form"].errors["amount"])
    assert not Offer.objects.exists()


def test_partial_policy_needs_a_minimum_share(client, officer, call):
    client.force_login(officer)
    response = client.get(
        reverse("reserve_list:round", args=[2023]),
        {"amount": "1000", "policy": "partial", "min_share": "", "response_days": 14},
    )
    assert "min_share" in response.context["form"].errors


def test_finance_changes_the_envelope_never_below_committed(client, finance, officer, call):
    OfferFactory(application__call=call, amount=Decimal("150000.00"))
    client.force_login(finance)
    url = reverse("reserve_list:envelope", args=[2023])
    response = client.post(url, {"new_envelope": "100000.00", "reason": "cut"})
    assert "already committed" in str(response.context["form"].errors["new_envelope"])
    response = client.post(url, {"new_envelope": "250000.00", "reason": "Extra ESF+ money"})
    assert response.status_code == 302
    change = EnvelopeChange.objects.get()
    assert (change.old_envelope, change.new_envelope, change.changed_by) == (
        Decimal("200000.00"),
        Decimal("250000.00"),
        finance,
    )
    client.force_login(officer)
    assert client.get(url).status_code == 403


def test_member_sees_own_applications_with_rank_and_constant_queries(client, manager_a, call):
    organisation = manager_a.memberships.get().organisation
    ApplicationFactory(call=call, score_relevance=30, score_quality_design=40, score_quality_follow_up=30)
    mine = ApplicationFactory(call=call, organisation=organisation)
    client.force_login(manager_a)
    url = reverse("reserve_list:my_applications")
    few = _count_queries(client, url)
    (row,) = client.get(url).context["page"].object_list
    assert row == mine and row.rank == 2
    for _ in range(10):
        OfferFactory(application__call=call, application__organisation=organisation)
    assert _count_queries(client, url) == few


def test_another_organisations_application_and_offer_answer_404(client, manager_b, call):
    offer = OfferFactory(application__call=call)
    client.force_login(manager_b)
    assert client.get(reverse("reserve_list:application", args=[offer.application.pk])).status_code == 404
    assert client.get(reverse("reserve_list:offer", args=[offer.pk])).status_code == 404
    assert client.post(reverse("reserve_list:offer_accept", args=[offer.pk])).status_code == 404


def test_manager_accepts_and_history_shows_it(client, manager_a, call):
    offer = OfferFactory(application__call=call, application__organisation=manager_a.memberships.get().organisation)
    client.force_login(manager_a)
    assert client.post(reverse("reserve_list:offer_accept", args=[offer.pk])).status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted" and offer.answered_by == manager_a
    page = client.get(reverse("reserve_list:application", args=[offer.application.pk]))
    assert any(change.to_status == "accepted" for _kind, change in page.context["history"])


def test_decline_needs_a_reason(client, manager_a, contributor_a, officer, call):
    organisation = manager_a.memberships.get().organisation
    offer = OfferFactory(application__call=call, application__organisation=organisation)
    client.force_login(contributor_a)
    assert client.post(reverse("reserve_list:offer_decline", args=[offer.pk]), {"reason": "x"}).status_code == 403
    client.force_login(officer)
    assert client.post(reverse("reserve_list:offer_decline", args=[offer.pk]), {"reason": "x"}).status_code == 403
    client.force_login(manager_a)
    response = client.post(reverse("reserve_list:offer_decline", args=[offer.pk]), {"reason": ""})
    assert response.status_code == 400 and "reason" in response.context["decline_form"].errors
    response = client.post(reverse("reserve_list:offer_decline", args=[offer.pk]), {"reason": "No staff"})
    offer.refresh_from_db()
    assert offer.status == "declined" and offer.decline_reason == "No staff"


def test_officer_reinstates_a_declined_application(client, officer, call):
    application = ApplicationFactory(call=call, status="declined")
    client.force_login(officer)
    url = reverse("reserve_list:reinstate", args=[application.pk])
    client.post(url, {"reason": ""})
    application.refresh_from_db()
    assert application.status == "declined"
    client.post(url, {"reason": "Board decision 12/2026"})
    application.refresh_from_db()
    assert application.status == "reserve"


def test_finance_records_the_agreement_and_withdraws(client, finance, manager_a, call):
    offer = OfferFactory(application__call=call, application__organisation=manager_a.memberships.get().organisation)
    offer_accept(offer=offer, by=manager_a)
    client.force_login(finance)
    url = reverse("mobility:agreement", args=[offer.pk])
    bad = {
        "agreement_number": "2023-1-PL01-KA122-VET-000000001-FERS",
        "signed_on": "2023-06-10",
        "start_date": "2023-07-01",
        "end_date": "2023-09-30",
    }
    response = client.post(url, bad)
    assert "end_date" in response.context["form"].errors
    response = client.post(url, {**bad, "end_date": "2024-06-30"})
    project = Project.objects.get()
    assert response["Location"] == reverse("mobility:project", args=[project.pk])
    assert Application.objects.get(pk=offer.application.pk).status == "contracted"
    assert client.get(reverse("mobility:project", args=[project.pk])).status_code == 200

    response = client.post(
        reverse("mobility:project_withdraw", args=[project.pk]),
        {"reason": "School closed", "retained_amount": "10000.00"},
    )
    assert response.status_code == 302
    overview = client.get(reverse("reserve_list:overview")).context["overviews"][0]
    assert overview.committed == Decimal("10000.00")


def test_agreement_dates_reach_the_project(client, finance, manager_a, call):
    offer = OfferFactory(application__call=call, application__organisation=manager_a.memberships.get().organisation)
    offer_accept(offer=offer, by=manager_a)
    client.force_login(finance)
    client.post(
        reverse("mobility:agreement", args=[offer.pk]),
        {"agreement_number": "A-1", "signed_on": "2023-06-10", "start_date": "2023-07-01", "end_date": "2024-12-31"},
    )
    project = Project.objects.get()
    assert (project.start_date, project.end_date, project.awarded_grant) == (
        datetime.date(2023, 7, 1),
        datetime.date(2024, 12, 31),
        offer.amount,
    )


def test_upload_preview_confirm(client, officer):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    CallFactory(year=2023, envelope=Decimal("1000000.00"))
    data = (Path(__file__).parent / "data" / "reserve_list_example.csv").read_bytes()
    client.force_login(officer)
    response = client.post(reverse("reserve_list:import"), {"file": SimpleUploadedFile("list.csv", data)})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["plan"].summary()["created"] == 2
    assert not Application.objects.exists()  # the preview saves nothing
    assert client.post(response["Location"]).status_code == 302
    assert Application.objects.count() == 2


def test_upload_with_errors_shows_row_and_column_and_saves_nothing(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    CallFactory(year=2023)
    bad = (
        "application_number,call_year,oid,organisation_name,organisation_city,region,score_relevance,"
        "score_quality_design,score_quality_follow_up,score_total,requested_grant_eur,planned_learners,"
        "planned_staff,submitted_at\n"
        "2023-1-PL01-KA122-VET-000111001,2023,E1001234,Szkoła,Poznań,30,26,33,24,83,1000.00,2,1,"
        "2023-02-21T10:15:00+01:00\n"
    ).encode()
    client.force_login(officer)
    response = client.post(reverse("reserve_list:import"), {"file": SimpleUploadedFile("bad.csv", bad)})
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "oid" in body and "<td>2</td>" in body
    client.post(response["Location"])
    assert not Application.objects.exists()
