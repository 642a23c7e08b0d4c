"""Certificates of mobility (Europass Mobility-like PDFs), their versions, verification codes and bulk issues."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Crockford's base-32 alphabet: digits and capitals without I, L, O and U, so that a code read aloud or
# typed from paper is not mistaken (codes.normalise_code maps I/L to 1 and O to 0).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits, typed as three groups of four: ABCD-EFGH-JKMN


class CertificateStatus(models.TextChoices):
    CURRENT = "current", pgettext_lazy("certificate status", "current")
    SUPERSEDED = "superseded", pgettext_lazy("certificate status", "superseded")


class RenderState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("rendering state", "queued")
    RENDERING = "rendering", pgettext_lazy("rendering state", "rendering")
    DONE = "done", pgettext_lazy("rendering state", "ready")
    FAILED = "failed", pgettext_lazy("rendering state", "failed")


class BatchState(models.TextChoices):
    RUNNING = "running", pgettext_lazy("certificate batch state", "rendering")
    FINISHED = "finished", pgettext_lazy("certificate batch state", "finished")


class CertificateBatch(models.Model):
    """One bulk issue of a project's certificates; its counters follow the certificates' rendering."""

    project = models.ForeignKey(
        "mobility.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="certificate_batches"
    )
    total = models.PositiveIntegerField(_("certificates"))
    done = models.PositiveIntegerField(_("rendered"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.RUNNING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.project} · {self.done + self.failed}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100


def certificate_upload_to(certificate: "Certificate", filename: str) -> str:
    # Files are served only through the portal's views (never from MEDIA_URL), so the path may hold the code.
    return f"certificates/{certificate.mobility_id}/{certificate.code}-v{certificate.version}.pdf"


class Certificate(models.Model):
    """One version of a mobility's certificate. Re-issuing supersedes the current version with version n+1."""

    mobility = models.ForeignKey(
        "mobility.Mobility", verbose_name=_("mobility"), on_delete=models.PROTECT, related_name="certificates"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.CURRENT
    )
    language = models.CharField(_("language"), max_length=10)
    render_state = models.CharField(
        _("rendering"), max_length=10, choices=RenderState.choices, default=RenderState.QUEUED
    )
    render_error = models.TextField(_("rendering error"), blank=True)
    render_attempts = models.PositiveSmallIntegerField(_("rendering attempts"), default=0)
    render_started_at = models.DateTimeField(_("rendering started"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=certificate_upload_to, blank=True)
    batch = models.ForeignKey(
        CertificateBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("first downloaded by the participant"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["mobility", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["mobility", "version"], name="certificate_version_unique"),
            models.UniqueConstraint(
                fields=["mobility"],
                condition=models.Q(status="current"),
                name="certificate_one_current_per_mobility",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="certificate_version_positive"),
        ]
        indexes = [models.Index(fields=["render_state"])]

    def __str__(self):
        return f"{self.display_code} (v{self.version})"

    @property
    def display_code(self) -> str:
        """The code as printed and typed: three groups of four."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_current(self) -> bool:
        return self.status == CertificateStatus.CURRENT

    @property
    def is_ready(self) -> bool:
        return self.render_state == RenderState.DONE and bool(self.file)
