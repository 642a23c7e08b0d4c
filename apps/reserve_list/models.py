from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Programme(models.Model):
    """A nationally funded programme that funds applications from Erasmus+ reserve lists."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    sending_country = CountryField(_("sending country"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR", editable=False)
    target_learners = models.PositiveIntegerField(_("target: learners and recent graduates"))
    target_staff = models.PositiveIntegerField(_("target: staff"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Call(models.Model):
    """One Erasmus+ call year whose reserve list the programme funds, with its budget envelope."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="calls"
    )
    year = models.PositiveSmallIntegerField(_("call year"))
    action = models.CharField(_("action"), max_length=20, default="KA122-VET")
    envelope = models.DecimalField(
        _("budget envelope (EUR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["programme", "year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "action"], name="call_unique_year_action"),
            models.CheckConstraint(condition=models.Q(envelope__gte=0), name="call_envelope_not_negative"),
        ]

    def __str__(self):
        return f"{self.year} {self.action}"
