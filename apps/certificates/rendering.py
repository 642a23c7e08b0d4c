"""Rendering a certificate's PDF and storing it: the service the ``certificates.render`` task runs.

Idempotent: the task claims the row with a conditional UPDATE (queued or failed → rendering), so a
redelivered task (``acks_late``) or a second run finds nothing to claim and does nothing. A claim older than
``STALE_CLAIM`` (its worker died mid-render) may be taken over. The file goes through Django's storage API
and is overwritten, never duplicated, when a version is rendered again.
"""

from __future__ import annotations

import base64
import datetime
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries

from apps.certificates.models import BatchState, Certificate, CertificateBatch, CertificateStatus, RenderState
from apps.core.pdf import render_pdf
from apps.mobility.models import Mobility
from apps.notifications.services import notify

PDF_TEMPLATE = "certificates/certificate_pdf.html"
PDF_STYLESHEET = "certificates/certificate_pdf.css"
STALE_CLAIM = datetime.timedelta(minutes=10)
MAX_ERROR_LENGTH = 2000


class CertificateRenderError(Exception):
    """Rendering or storing the PDF failed; the row says so and the task retries."""


def verification_url(certificate: Certificate) -> str:
    """The absolute address printed on the certificate and in its QR code (the code in its printed form)."""
    return settings.SITE_URL + reverse("certificates:verify", kwargs={"code": certificate.display_code})


def qr_data_uri(url: str) -> str:
    """A PNG QR code as a data URI (PNG renders faster in WeasyPrint than an inline SVG).

    One pixel per module: the template scales it up with ``image-rendering: pixelated`` (sharp edges, no
    interpolation), so the image is small to build, encode and embed.
    """
    import qrcode

    image = qrcode.make(url, box_size=1, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def certificate_context(certificate: Certificate) -> dict:
    """What the PDF template shows; ``certificate`` as ``certificate_for_pdf`` gives it."""
    from apps.outcomes.selectors import certificate_content

    mobility = certificate.mobility
    url = verification_url(certificate)
    return {
        "certificate": certificate,
        "mobility": mobility,
        "participant": mobility.participant,
        "sending": mobility.project.application.organisation,
        "host": mobility.host,
        "destination_country": countries.name(mobility.destination_country) or mobility.destination_country,
        "duration_days": (mobility.end_date - mobility.start_date).days + 1,
        "content": certificate_content(mobility=mobility),
        "issuer": certificate.issued_by,
        "verification_url": url,
        "qr_code": qr_data_uri(url),
    }


def certificate_pdf(context: dict) -> bytes:
    """The certificate's PDF for ``certificate_context``'s context, in the active language."""
    return render_pdf(PDF_TEMPLATE, context, light=True, stylesheet=PDF_STYLESHEET)


def certificate_for_pdf(certificate_id: int) -> Certificate:
    """The certificate with what its PDF shows (the issuer and ``selectors.MOBILITY_RELATED``), in two queries.

    Not one: PostgreSQL takes longer to plan a join of these ten tables (~7 ms, weighing join orders) than to
    plan and run two joins of five (~1 ms each), and a worker renders certificates by the thousand.
    """
    certificate = Certificate.objects.select_related(
        "issued_by", "mobility__participant", "mobility__activity_type"
    ).get(pk=certificate_id)
    mobility = certificate.mobility
    places = Mobility.objects.select_related("host", "destination_city", "project__application__organisation").get(
        pk=mobility.pk
    )
    mobility.host, mobility.destination_city, mobility.project = places.host, places.destination_city, places.project
    return certificate


def _claim(certificate_id: int) -> bool:
    now = timezone.now()
    claimable = Q(render_state__in=[RenderState.QUEUED, RenderState.FAILED]) | Q(
        render_state=RenderState.RENDERING, render_started_at__lt=now - STALE_CLAIM
    )
    return bool(
        Certificate.objects.filter(claimable, pk=certificate_id).update(
            render_state=RenderState.RENDERING, render_started_at=now, render_attempts=F("render_attempts") + 1
        )
    )


def certificate_render(*, certificate_id: int) -> bool:
    """Render the certificate's PDF and store it; True when this call rendered it, False when there was
    nothing to do (already rendered, or being rendered by another worker)."""
    if not _claim(certificate_id):
        return False
    certificate = certificate_for_pdf(certificate_id)
    try:
        with translation.override(certificate.language):
            pdf = certificate_pdf(certificate_context(certificate))
        storage = certificate.file.storage
        name = certificate.file.field.generate_filename(certificate, "certificate.pdf")
        if storage.exists(name):
            storage.delete(name)  # a second rendering of the same version replaces the first
        stored = storage.save(name, ContentFile(pdf))
    except Exception as exc:  # whatever WeasyPrint or the storage raised: recorded on the row, then retried
        _finish(certificate, RenderState.FAILED, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH])
        raise CertificateRenderError(str(exc)) from exc
    _finish(certificate, RenderState.DONE, file=stored)
    _notify_participant(certificate)
    return True


def _notify_participant(certificate: Certificate) -> None:
    """Tell the participant (once they have an account) that their certificate can be downloaded; only the
    claim's winner gets here, so a version is announced once."""
    mobility = certificate.mobility
    user = mobility.participant.user
    if user is None or not Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.CURRENT).exists():
        return
    notify(
        kind="certificate_ready",
        recipient=user,
        context={"participant": mobility.participant, "mobility": mobility, "certificate": certificate},
        url=reverse("certificates:own", kwargs={"pk": mobility.pk}),
    )


def _finish(certificate: Certificate, state: str, *, file: str | None = None, error: str = "") -> None:
    changes = {"render_state": state, "render_error": error}
    if file is not None:
        changes.update(file=file, rendered_at=timezone.now())
    with transaction.atomic():
        # The row's move and its count in the batch commit together: a worker that took over a stale claim and
        # finds the row already moved waits for this commit before it recounts, so nothing is counted twice.
        moved = Certificate.objects.filter(pk=certificate.pk, render_state=RenderState.RENDERING).update(**changes)
        counted = moved and state == RenderState.DONE and certificate.render_attempts == 1
        if counted and certificate.batch_id is not None:
            _batch_count_first_render(certificate.batch_id)
    if certificate.batch_id is not None and not counted:
        batch_refresh(batch_id=certificate.batch_id)


def _batch_count_first_render(batch_id: int) -> None:
    """Add one rendered certificate to the batch's counters, in one UPDATE.

    Exact without a recount: a certificate rendered at its first claim was never counted (neither failed nor
    rendered before), only the worker whose UPDATE moved it to done gets here, and it commits both together.
    PostgreSQL applies the increment to the latest row version when two workers update the batch at once.
    Anything else (a retry after a failure, a taken-over claim) recounts with ``batch_refresh``.
    """
    now_finished = Q(total__lte=F("done") + F("failed") + 1)
    CertificateBatch.objects.filter(pk=batch_id).update(
        done=F("done") + 1,
        state=Case(When(now_finished, then=Value(BatchState.FINISHED)), default=Value(BatchState.RUNNING)),
        finished_at=Case(When(now_finished, then=Coalesce(F("finished_at"), Value(timezone.now()))), default=None),
    )


@transaction.atomic
def batch_refresh(*, batch_id: int) -> CertificateBatch:
    """Recount the batch's rendered and failed certificates.

    The batch row is locked first, so that of two workers finishing at once the later one counts after the
    earlier one's commit: the counters end exact, however the renders interleave.
    """
    batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
    counts = Certificate.objects.filter(batch_id=batch_id).aggregate(
        done=Count("pk", filter=Q(render_state=RenderState.DONE)),
        failed=Count("pk", filter=Q(render_state=RenderState.FAILED)),
    )
    batch.done, batch.failed = counts["done"], counts["failed"]
    finished = batch.done + batch.failed >= batch.total
    batch.state = BatchState.FINISHED if finished else BatchState.RUNNING
    batch.finished_at = (batch.finished_at or timezone.now()) if finished else None
    batch.save(update_fields=["done", "failed", "state", "finished_at"])
    return batch
