from celery import shared_task

from apps.certificates import rendering

MAX_RETRIES = 3


@shared_task(bind=True, name="certificates.render", acks_late=True, max_retries=MAX_RETRIES)
def render_certificate(self, certificate_id: int) -> bool:
    """Render and store one certificate's PDF; a second run of a rendered certificate does nothing."""
    try:
        return rendering.certificate_render(certificate_id=certificate_id)
    except rendering.CertificateRenderError as exc:
        # The row is marked failed (with the error) until a retry renders it.
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
