"""The participant report: one per mobility, requested after the physical end date (RULES.md, "Reporting").

- ``ParticipantReport``: its state (requested → submitted, requested → overdue → submitted; the one table
  of moves is ``services.REPORT_TRANSITIONS``), when it was requested, by when it is due, when the last
  reminder went out, and the participant's answers (satisfaction, recognition of the outcomes, comments).
- ``ParticipantReportAnswer``: how much the participant agrees (1–5) with one outcome statement of their
  audience (``reference.ReportOutcomeStatement``, learner or staff).
- ``ParticipantReportStatusChange``: the history (who, when, from, to, why), like the mobility's.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.reference.models import RateCategory
from apps.reserve_list.models import StatusChange

SCALE = range(1, 6)
SCALE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class ReportStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("participant report status", "requested")
    OVERDUE = "overdue", pgettext_lazy("participant report status", "overdue")
    SUBMITTED = "submitted", pgettext_lazy("participant report status", "submitted")


class Recognition(models.TextChoices):
    YES = "yes", pgettext_lazy("recognition of outcomes", "yes")
    PARTLY = "partly", pgettext_lazy("recognition of outcomes", "partly")
    NO = "no", pgettext_lazy("recognition of outcomes", "no")
    NOT_YET = "not_yet", pgettext_lazy("recognition of outcomes", "not yet")


class ParticipantReport(models.Model):
    mobility = models.OneToOneField(
        "mobility.Mobility", verbose_name=_("mobility"), on_delete=models.CASCADE, related_name="participant_report"
    )
    # Whose statements the participant answers, fixed when the report is requested (rules.audience_for).
    audience = models.CharField(_("audience"), max_length=10, choices=RateCategory.choices)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.REQUESTED)
    requested_at = models.DateTimeField(_("requested"))
    due_date = models.DateField(_("due"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction"), null=True, blank=True, validators=SCALE_VALIDATORS
    )
    recognition = models.CharField(_("outcomes recognised"), max_length=10, choices=Recognition.choices, blank=True)
    recognition_details = models.TextField(_("about the recognition"), blank=True)
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        verbose_name = _("participant report")
        verbose_name_plural = _("participant reports")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["status", "last_reminded_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="participant_report_satisfaction_1_5",
            ),
            # A submitted report has its answers; an open one has no submission time.
            models.CheckConstraint(
                condition=~models.Q(status="submitted")
                | (models.Q(submitted_at__isnull=False, satisfaction__isnull=False) & ~models.Q(recognition="")),
                name="participant_report_submitted_complete",
            ),
        ]

    def __str__(self):
        return f"{self.mobility_id} · {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status != ReportStatus.SUBMITTED


class ParticipantReportAnswer(models.Model):
    report = models.ForeignKey(ParticipantReport, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(
        "reference.ReportOutcomeStatement", verbose_name=_("statement"), on_delete=models.PROTECT, related_name="+"
    )
    agreement = models.PositiveSmallIntegerField(_("agreement"), validators=SCALE_VALIDATORS)

    class Meta:
        verbose_name = _("participant report answer")
        verbose_name_plural = _("participant report answers")
        ordering = ["report", "statement_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "statement"], name="participant_report_answer_unique"),
            models.CheckConstraint(
                condition=models.Q(agreement__gte=1, agreement__lte=5), name="participant_report_answer_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.statement_id}: {self.agreement}"


class ParticipantReportStatusChange(StatusChange):
    """The report's status history (who, when, from, to, why), like the mobility's."""

    report = models.ForeignKey(ParticipantReport, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        pass
