from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class ParticipantCategory(models.TextChoices):
    LEARNER = "learner", _("learner")
    RECENT_GRADUATE = "recent_graduate", _("recent graduate")
    STAFF = "staff", _("staff")


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    NON_BINARY = "non_binary", _("non-binary")
    UNDISCLOSED = "undisclosed", _("prefer not to say")


class FewerOpportunitiesReason(models.TextChoices):
    DISABILITY = "disability", _("disability")
    HEALTH = "health", _("health problems")
    EDUCATIONAL = "educational", _("educational difficulties")
    ECONOMIC = "economic", _("economic obstacles")
    SOCIAL = "social", _("social obstacles")
    CULTURAL = "cultural", _("cultural differences")
    GEOGRAPHIC = "geographic", _("geographical obstacles")


class Participant(models.Model):
    """A person sent abroad by an organisation: personal data.

    Whether they have fewer opportunities, and why, is special-category data and
    lives apart in ``SpecialCategoryData``, read and written only through the
    services that log each access.
    """

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
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=ParticipantCategory.choices)
    graduation_date = models.DateField(_("graduation date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="participant_unique_email_per_organisation"),
            models.CheckConstraint(
                condition=~models.Q(category="recent_graduate") | models.Q(graduation_date__isnull=False),
                name="participant_graduate_has_graduation_date",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class SpecialCategoryData(models.Model):
    """Fewer opportunities and their reasons: special-category personal data (GDPR art. 9)."""

    participant = models.OneToOneField(
        Participant, primary_key=True, on_delete=models.CASCADE, related_name="special_category_data"
    )
    fewer_opportunities = models.BooleanField(_("fewer opportunities"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("special-category data")
        verbose_name_plural = _("special-category data")

    def __str__(self):
        return str(self.participant_id)


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    CHANGE = "change", _("changed")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")


class PersonalDataAccess(models.Model):
    """Every view and change of special-category data: who, when, what."""

    participant = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="personal_data_accesses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    fields = models.JSONField(_("fields"), default=list)
    context = models.CharField(_("where"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.action} {self.participant_id}"


class ParticipantInvitation(models.Model):
    """The participant's e-mailed sign-in link: one per participant (inviting again replaces the token).

    Only the token's hash is stored (``apps.core.tokens``). Following the link once signs the
    participant in without a password, creating their account if needed.
    """

    participant = models.OneToOneField(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="invitation"
    )
    email = models.EmailField(_("sent to"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant invitation")
        verbose_name_plural = _("participant invitations")

    def __str__(self):
        return f"{self.email} ({self.participant_id})"

    @property
    def is_expired(self) -> bool:
        return self.used_at is None and self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return self.used_at is None and not self.is_expired
