from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

oid_validator = RegexValidator(r"^E\d{8}\Z", _("An OID is the letter E followed by 8 digits, e.g. E10012345."))
pic_validator = RegexValidator(r"^\d{9}\Z", _("A PIC is 9 digits."))


class OrganisationType(models.TextChoices):
    VET_SCHOOL = "vet_school", _("VET school")
    VET_CENTRE = "vet_centre", _("VET centre")
    COMPANY = "company", _("company")
    PUBLIC_AUTHORITY = "public_authority", _("public authority")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("other")


class Organisation(models.Model):
    """A sending organisation (beneficiary) or a foreign host, identified by its Erasmus+ OID."""

    oid = models.CharField(_("OID"), max_length=9, unique=True, validators=[oid_validator])
    pic = models.CharField(_("PIC"), max_length=9, blank=True, validators=[pic_validator])
    legal_name = models.CharField(_("legal name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    country = CountryField(_("country"))
    region = models.ForeignKey(
        "reference.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    city = models.CharField(_("city"), max_length=100)
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name", "pk"]
        indexes = [models.Index(fields=["country", "kind"]), models.Index(fields=["legal_name"])]

    def __str__(self):
        return self.short_name or self.legal_name

    @property
    def display_name(self) -> str:
        return str(self)


class MembershipRole(models.TextChoices):
    MANAGER = "manager", _("manager")
    CONTRIBUTOR = "contributor", _("contributor")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__legal_name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class Invitation(models.Model):
    """An e-mailed link that makes its holder a member. Only the token's hash is stored."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.accepted_at is None and self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and not self.is_expired
