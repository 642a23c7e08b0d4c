"""Reads of certificates, scoped to who may see them, and the role rules for issuing them."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role
from apps.certificates.models import Certificate, CertificateBatch, CertificateStatus, RenderState
from apps.mobility.models import Mobility, MobilityStatus
from apps.mobility.selectors import mobilities_for_user
from apps.mobility.steps import NextStep
from apps.organisations.selectors import is_manager

# A certificate records what was achieved: it is issued once the activity is over (completed), or after the
# participant's report (reported). Cancelled and force-majeure mobilities get none (docs/decisions.md).
ISSUABLE_STATUSES = frozenset({MobilityStatus.COMPLETED, MobilityStatus.REPORTED})

# What the certificate and its verification page show of a mobility, in one query.
MOBILITY_RELATED = (
    "participant",
    "activity_type",
    "host",
    "destination_city",
    "project",
    "project__application__organisation",
)


# --- Role rules: (allowed, reason) ----------------------------------------------------------------


def can_issue_certificates(*, user, organisation) -> tuple[bool, str]:
    """The sending organisation's managers and agency officers (and administrators) issue certificates."""
    if has_agency_role(user, AgencyRole.OFFICER) or is_manager(user=user, organisation=organisation):
        return True, ""
    return False, _("Only the sending organisation's managers and agency officers issue certificates.")


def is_issuable(mobility: Mobility) -> bool:
    return mobility.status in ISSUABLE_STATUSES


# --- The organisation's and the agency's reads ------------------------------------------------------------


def certificates_of_mobility(*, mobility: Mobility):
    """Every version of the mobility's certificate, newest first (the mobility is already scoped to the user)."""
    return Certificate.objects.filter(mobility=mobility).select_related("issued_by").order_by("-version")


def get_certificate_version(*, mobility: Mobility, version: int) -> Certificate:
    certificate = Certificate.objects.filter(mobility=mobility, version=version).first()
    if certificate is None:
        raise Http404
    return certificate


def project_certificate_rows(*, user, project):
    """The project's mobilities the user may see, each with ``current_certificates`` (a list of at most one),
    in two queries whatever their number."""
    current = Certificate.objects.filter(status=CertificateStatus.CURRENT)
    return (
        mobilities_for_user(user=user)
        .filter(project=project)
        .prefetch_related(Prefetch("certificates", queryset=current, to_attr="current_certificates"))
        .order_by("participant__last_name", "participant__first_name", "start_date", "pk")
    )


def project_certificate_overview(*, user, project) -> dict:
    """The project's certificate page: its rows (each mobility with ``current`` and ``issuable``) and how
    many mobilities await a certificate, in two queries."""
    rows = list(project_certificate_rows(user=user, project=project))
    for mobility in rows:
        mobility.current = mobility.current_certificates[0] if mobility.current_certificates else None
        mobility.issuable = is_issuable(mobility)
    return {"rows": rows, "awaiting": sum(1 for row in rows if row.issuable and row.current is None)}


def latest_batch(*, project) -> CertificateBatch | None:
    return CertificateBatch.objects.filter(project=project).order_by("-created_at", "-pk").first()


# --- The participant's reads ------------------------------------------------------------------------------


def current_certificate(*, mobility: Mobility) -> Certificate | None:
    return Certificate.objects.filter(mobility=mobility, status=CertificateStatus.CURRENT).first()


def next_steps(*, participant, mobilities) -> dict[int, list[NextStep]]:
    """ "Download your certificate" for each mobility whose current certificate is rendered and that the
    participant has not downloaded yet; one query for all the mobilities."""
    ids = [mobility.pk for mobility in mobilities]
    if not ids:
        return {}
    ready = Certificate.objects.filter(
        mobility_id__in=ids,
        mobility__participant=participant,
        status=CertificateStatus.CURRENT,
        render_state=RenderState.DONE,
        downloaded_at=None,
    ).values_list("mobility_id", flat=True)
    return {
        mobility_id: [
            NextStep(
                label=_("Download your certificate"),
                url=reverse("certificates:own", kwargs={"pk": mobility_id}),
                order=50,
            )
        ]
        for mobility_id in ready
    }


# --- Public verification ----------------------------------------------------------------------------------


def certificate_for_verification(*, code: str) -> Certificate | None:
    """The certificate with this (normalised) code, with what its verification page shows, or None."""
    return (
        Certificate.objects.filter(code=code)
        .select_related(*(f"mobility__{name}" for name in MOBILITY_RELATED))
        .first()
    )


def certificates_export(participant) -> list[dict]:
    """The participant's certificates (every version), for their data export (``participants.services.
    participant_export``, which logs the export)."""
    return [
        {
            "mobility": row.mobility_id,
            "version": row.version,
            "verification_code": row.display_code,
            "status": row.status,
            "issued_at": row.issued_at.isoformat(),
            "superseded_at": row.superseded_at.isoformat() if row.superseded_at else None,
            "downloaded_at": row.downloaded_at.isoformat() if row.downloaded_at else None,
        }
        for row in Certificate.objects.filter(mobility__participant=participant).order_by("mobility_id", "version")
    ]
