from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProjectStatus(models.TextChoices):
    CONTRACTED = "contracted", pgettext_lazy("project status", "contracted")
    RUNNING = "running", pgettext_lazy("project status", "running")
    FINAL_REPORT_SUBMITTED = "final_report_submitted", pgettext_lazy("project status", "final report submitted")
    CLOSED = "closed", pgettext_lazy("project status", "closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("project status", "withdrawn")


class Project(models.Model):
    """A short-term project: an accepted offer with a signed grant agreement."""

    application = models.OneToOneField(
        "reserve_list.Application", verbose_name=_("application"), on_delete=models.PROTECT, related_name="project"
    )
    agreement_number = models.CharField(_("grant agreement number"), max_length=60, unique=True)
    signed_on = models.DateField(_("signed on"))
    start_date = models.DateField(_("project start"))
    end_date = models.DateField(_("project end"))
    awarded_grant = models.DecimalField(_("awarded grant (EUR)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=30, choices=ProjectStatus.choices, default=ProjectStatus.CONTRACTED
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-signed_on", "agreement_number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")), name="project_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.agreement_number
