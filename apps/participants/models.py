from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantCategory(models.TextChoices):
    LEARNER = "learner", _("learner")
    RECENT_GRADUATE = "recent_graduate", _("recent graduate")
    STAFF = "staff", _("staff")


class Participant(models.Model):
    """A person sent abroad by an organisation. Personal data: see the access rules in services."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("sending organisation"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participant",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"))
    category = models.CharField(_("category"), max_length=20, choices=ParticipantCategory.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="participant_unique_email_per_organisation")
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"
