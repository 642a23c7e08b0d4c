"""A corrected rate changes no stored grant until an agency administrator confirms it (rate_changes.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.mobility.mobilities import mobility_create
from apps.mobility.models import GrantLine, Mobility, MobilityStatusChange
from apps.mobility.rate_changes import apply_rate_changes, pending_rate_changes
from apps.participants.models import SpecialCategoryData
from apps.reference.models import TravelBand
from tests.factories import HostOrganisationFactory, OrganisationFactory, ParticipantFactory, ProjectFactory

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/agency/rate-changes/"


@pytest.fixture
def city_countries():
    return ("PL", "PT")


@pytest.fixture
def project(cities):
    sending = OrganisationFactory(legal_name="Zespół Szkół Łączności w Gdańsku", city="Gdańsk")
    return ProjectFactory(application__organisation=sending, application__call__year=2024)


@pytest.fixture
def host(cities):
    return HostOrganisationFactory(legal_name="Escola Profissional de Lisboa", city="Lisbon")


def record(project, host, **extra):
    """The worked example's mobility (RULES.md): 28 days in Lisbon from Gdańsk, travel 395 EUR."""
    participant = ParticipantFactory(organisation=project.application.organisation, **extra)
    mobility, violations = mobility_create(
        project=project,
        by=None,
        participant=participant,
        activity_type="LM-SHORT-VET",
        host=host,
        destination_city="Lisbon",
        start_date=date(2024, 9, 2),
        end_date=date(2024, 9, 29),
        travel_days=2,
    )
    assert violations == {}
    mobility.refresh_from_db()
    return mobility


def lines(mobility) -> dict[str, Decimal]:
    return dict(GrantLine.objects.filter(mobility=mobility).values_list("item", "amount"))


def raise_travel_band(km: int = 2715, amount: str = "420.00") -> TravelBand:
    """An administrator corrects the band holding ``km`` in the admin (a plain save: simple-history keeps it)."""
    band = TravelBand.objects.filter(call_year=2024, min_km__lte=km).order_by("-min_km").first()
    band.standard_eur = D(amount)
    band.save()
    return band


def test_a_corrected_rate_changes_no_stored_grant(project, host):
    mobility = record(project, host)
    before_lines, before_total = lines(mobility), mobility.grant_total
    assert before_lines["travel"] == D("395.00")

    band = raise_travel_band()

    mobility.refresh_from_db()
    assert lines(mobility) == before_lines
    assert mobility.grant_total == before_total
    # simple-history keeps the corrected rate (the reference data is loaded without history rows, so the
    # first correction is its first row; the old amount stays in the stored grant lines until applied).
    assert band.history.latest().standard_eur == D("420.00")


def test_the_pending_changes_list_old_and_new_amounts(project, host):
    mobility = record(project, host)
    assert pending_rate_changes() == []
    raise_travel_band()

    [row] = pending_rate_changes()

    assert row.mobility == mobility
    assert row.old_total == mobility.grant_total
    assert row.new_total == mobility.grant_total + D("25.00")
    travel = next(line for line in row.lines if line.item == "travel")
    assert (travel.old, travel.new, travel.changed) == (D("395.00"), D("420.00"), True)
    assert all(not line.changed for line in row.lines if line.item != "travel")
    assert pending_rate_changes(call_year=2024) == [row] and pending_rate_changes(call_year=2025) == []


def test_the_participants_number_and_fewer_opportunities_are_read_as_the_service_reads_them(project, host):
    mobility = record(project, host)
    SpecialCategoryData.objects.create(participant=mobility.participant, fewer_opportunities=True, reasons=["x"])
    others = [record(project, host) for _ in range(2)]
    # Nothing changed in the rates: only the fewer-opportunities flag added since, which the service reads too.
    [row] = pending_rate_changes()
    assert row.mobility == mobility
    assert {line.item for line in row.lines if line.changed} == {"inclusion_support"}
    apply_rate_changes(mobility_ids=[mobility.pk], by=None)
    assert pending_rate_changes() == []
    assert all(lines(other) == lines(others[0]) for other in others)


def test_the_page_lists_and_the_administrator_applies_the_selected_changes(client, agency_admin, project, host):
    chosen, left = record(project, host), record(project, host)
    raise_travel_band()
    client.force_login(agency_admin)

    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{chosen.pk}"' in html and f'value="{left.pk}"' in html and "checked" in html
    assert "395.00" in html and "420.00" in html
    assert "Apply the new rates to the selected mobilities" in html

    old_total = left.grant_total
    answer = client.post(URL, {"mobility": [str(chosen.pk)]}, follow=True)
    assert answer.redirect_chain == [(reverse("mobility:rate_changes"), 302)]
    assert "The new rates are applied to 1 mobility." in answer.content.decode()

    chosen.refresh_from_db()
    left.refresh_from_db()
    assert lines(chosen)["travel"] == D("420.00")
    assert chosen.grant_total == old_total + D("25.00")
    change = MobilityStatusChange.objects.filter(mobility=chosen, reason__contains="recomputed").get()
    assert change.changed_by == agency_admin
    assert str(old_total) in change.reason and str(chosen.grant_total) in change.reason
    assert lines(left)["travel"] == D("395.00") and left.grant_total == old_total
    assert not MobilityStatusChange.objects.filter(mobility=left, reason__contains="recomputed").exists()

    client.post(URL, {"mobility": [str(left.pk)]})
    assert "No stored grant differs from the current rates." in client.get(URL).content.decode()
    # Applying again changes nothing and writes no history.
    assert apply_rate_changes(mobility_ids=[chosen.pk, left.pk], by=agency_admin) == 0
    assert MobilityStatusChange.objects.filter(reason__contains="recomputed").count() == 2


def test_nothing_pending(client, agency_admin):
    client.force_login(agency_admin)
    assert "No stored grant differs from the current rates." in client.get(URL).content.decode()


def test_the_query_count_does_not_grow_with_the_mobilities(client, agency_admin, project, host):
    client.force_login(agency_admin)
    for _ in range(2):
        record(project, host)
    raise_travel_band()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    with_two = queries()
    for _ in range(8):
        record(project, host)
    raise_travel_band(amount="430.00")
    assert Mobility.objects.count() == 10
    assert len(pending_rate_changes()) == 10
    assert queries() == with_two


@pytest.mark.parametrize("persona", ["officer", "manager_a", "participant_user"])
def test_only_agency_administrators(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"mobility": ["1"]}).status_code == 403


def test_anonymous_users_sign_in(client):
    answer = client.get(URL)
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_the_agency_home_links_to_the_page_for_administrators_only(client, agency_admin, officer):
    client.force_login(agency_admin)
    assert URL in client.get(reverse("portal:agency_home")).content.decode()
    client.force_login(officer)
    assert URL not in client.get(reverse("portal:agency_home")).content.decode()
