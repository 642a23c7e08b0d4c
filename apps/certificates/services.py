"""Issuing certificates: one mobility's (a new version supersedes the current one) or a whole project's.

A certificate row is written in the request; its PDF is rendered by the ``certificates.render`` task,
enqueued when the transaction commits (``rendering.certificate_render`` does the work).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.certificates import selectors
from apps.certificates.codes import generate_code
from apps.certificates.models import Certificate, CertificateBatch, CertificateStatus, RenderState
from apps.mobility.models import Mobility, Project

# A 60-bit code collides with another once in ~10^18 draws: a few attempts are plenty.
CODE_ATTEMPTS = 5


class CertificateError(Exception):
    """A certificate cannot be issued; the message says why, for the person who asked."""


def _check_may_issue(*, user, organisation) -> None:
    allowed, reason = selectors.can_issue_certificates(user=user, organisation=organisation)
    if not allowed:
        raise PermissionDenied(reason)


def _lock_project(pk: int) -> None:
    Project.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()


def _enqueue(certificate_ids: list[int]) -> None:
    from apps.certificates.tasks import render_certificate  # the task module imports the services

    def send():
        # One broker connection for the whole batch rather than one per message.
        with render_certificate.app.producer_or_acquire() as producer:
            for certificate_id in certificate_ids:
                render_certificate.apply_async((certificate_id,), producer=producer)

    transaction.on_commit(send)


def _create_with_codes(certificates: list[Certificate]) -> list[Certificate]:
    """Insert the certificates with fresh codes, drawing again in the unlikely case of a collision."""
    for attempt in range(CODE_ATTEMPTS):
        for certificate in certificates:
            certificate.code = generate_code()
        try:
            with transaction.atomic():
                return Certificate.objects.bulk_create(certificates)
        except IntegrityError:
            if attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def certificate_issue(*, mobility: Mobility, by, language: str | None = None) -> Certificate:
    """Issue the mobility's certificate: version 1, or version n+1 that supersedes the current version n.

    Only a completed or reported mobility gets one. The PDF renders after the commit.
    """
    _check_may_issue(user=by, organisation=mobility.project.application.organisation)
    # One issuer at a time per project (single and bulk issues alike): the version numbers, the single current
    # certificate and the bulk issue's "has none yet" are read after the lock, so they cannot go stale.
    _lock_project(mobility.project_id)
    mobility = Mobility.objects.get(pk=mobility.pk)
    if not selectors.is_issuable(mobility):
        raise CertificateError(
            _("A certificate is issued once the mobility is completed or reported; this one is %(status)s.")
            % {"status": mobility.get_status_display()}
        )
    now = timezone.now()
    latest = Certificate.objects.filter(mobility=mobility).aggregate(version=Max("version"))["version"] or 0
    Certificate.objects.filter(mobility=mobility, status=CertificateStatus.CURRENT).update(
        status=CertificateStatus.SUPERSEDED, superseded_at=now
    )
    (certificate,) = _create_with_codes(
        [
            Certificate(
                mobility=mobility,
                version=latest + 1,
                language=language or settings.LANGUAGE_CODE,
                issued_by=by,
                issued_at=now,
            )
        ]
    )
    _enqueue([certificate.pk])
    return certificate


@transaction.atomic
def certificates_issue_for_project(*, project, by, language: str | None = None) -> CertificateBatch:
    """Issue version 1 for every completed or reported mobility of the project that has no certificate yet,
    as one batch whose counters follow the rendering. Mobilities that have one are left alone (re-issuing is
    done one mobility at a time)."""
    _check_may_issue(user=by, organisation=project.application.organisation)
    _lock_project(project.pk)
    mobilities = list(
        Mobility.objects.filter(project=project, status__in=selectors.ISSUABLE_STATUSES)
        .exclude(pk__in=Certificate.objects.filter(mobility__project=project).values("mobility_id"))
        .order_by("pk")
    )
    if not mobilities:
        raise CertificateError(
            _("No mobility of this project awaits a certificate: each completed or reported one has one already.")
        )
    now = timezone.now()
    batch = CertificateBatch.objects.create(project=project, total=len(mobilities), requested_by=by)
    language = language or settings.LANGUAGE_CODE
    certificates = _create_with_codes(
        [
            Certificate(mobility=mobility, version=1, language=language, issued_by=by, issued_at=now, batch=batch)
            for mobility in mobilities
        ]
    )
    _enqueue([certificate.pk for certificate in certificates])
    return batch


def certificate_record_download(*, certificate: Certificate, by) -> None:
    """Remember the participant's first download (their "Download your certificate" step is then done)."""
    if certificate.downloaded_at is not None or certificate.mobility.participant.user_id != by.pk:
        return
    Certificate.objects.filter(pk=certificate.pk, downloaded_at=None).update(downloaded_at=timezone.now())


# --- Erasure (apps.participants.signals.participant_erased) ---------------------------------------

ERASED_RENDER_ERROR = "Erased with the participant's personal data."


@transaction.atomic
def participant_certificates_erase(*, participant) -> list[str]:
    """Delete the stored PDFs of an erased participant's certificates; the names of the fields erased.

    Called inside ``participants.services.participant_erase`` (which checks who may and logs the erasure).
    The rows stay, so that their codes still verify (showing the erased name); the files, which print the
    person's name and outcomes, are deleted from storage once the erasure commits (a rolled-back erasure
    keeps them). The certificates are not rendered again.
    """
    certificates = Certificate.objects.filter(mobility__participant=participant).exclude(file="")
    names = list(certificates.values_list("file", flat=True))
    if not names:
        return []
    certificates.update(file="", render_state=RenderState.FAILED, render_error=ERASED_RENDER_ERROR)
    storage = Certificate._meta.get_field("file").storage

    def delete_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return ["certificate_pdf"]
