from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

application_number_validator = RegexValidator(
    r"^20\d{2}-\d-[A-Z]{2}\d{2}-KA122-VET-\d{9}\Z",
    _("An application number looks like 2023-1-PL01-KA122-VET-000111001."),
)


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
    """One Erasmus+ call year whose reserve list the programme funds, with its budget envelope.

    What is committed is derived from the offers (see ``selectors.call_budget``);
    every write that changes it locks this row first.
    """

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


class EnvelopeChange(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="envelope_changes")
    old_envelope = models.DecimalField(_("from"), max_digits=14, decimal_places=2)
    new_envelope = models.DecimalField(_("to"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.call}: {self.old_envelope} → {self.new_envelope}"


class ApplicationStatus(models.TextChoices):
    RESERVE = "reserve", pgettext_lazy("application status", "reserve")
    OFFERED = "offered", pgettext_lazy("application status", "offered")
    ACCEPTED = "accepted", pgettext_lazy("application status", "accepted")
    CONTRACTED = "contracted", pgettext_lazy("application status", "contracted")
    DECLINED = "declined", pgettext_lazy("application status", "declined")
    EXPIRED = "expired", pgettext_lazy("application status", "expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "withdrawn")
    BELOW_THRESHOLD = "below_threshold", pgettext_lazy("application status", "below threshold")


# RULES.md: total descending; ties by relevance, then quality of design, earlier submission, number.
RANKING_ORDER = ["-score_total", "-score_relevance", "-score_quality_design", "submitted_at", "number"]


class Application(models.Model):
    """An application that passed assessment in an Erasmus+ call, as it stands on the reserve list."""

    number = models.CharField(
        _("application number"), max_length=40, unique=True, validators=[application_number_validator]
    )
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    score_relevance = models.PositiveSmallIntegerField(_("relevance"))
    score_quality_design = models.PositiveSmallIntegerField(_("quality of project design"))
    score_quality_follow_up = models.PositiveSmallIntegerField(_("quality of follow-up"))
    score_total = models.PositiveSmallIntegerField(_("total score"))
    requested_grant = models.DecimalField(_("requested grant (EUR)"), max_digits=12, decimal_places=2)
    planned_learners = models.PositiveIntegerField(_("planned learners"))
    planned_staff = models.PositiveIntegerField(_("planned staff"))
    submitted_at = models.DateTimeField(_("submitted"))
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.RESERVE
    )
    history = HistoricalRecords(excluded_fields=["status"])

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["call", *RANKING_ORDER]
        indexes = [models.Index(fields=["call", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(requested_grant__gt=0), name="application_requested_positive"),
            models.CheckConstraint(
                condition=models.Q(
                    score_total=models.F("score_relevance")
                    + models.F("score_quality_design")
                    + models.F("score_quality_follow_up")
                ),
                name="application_total_is_sum",
            ),
        ]

    def __str__(self):
        return self.number


class OfferStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("offer status", "open")
    ACCEPTED = "accepted", pgettext_lazy("offer status", "accepted")
    DECLINED = "declined", pgettext_lazy("offer status", "declined")
    EXPIRED = "expired", pgettext_lazy("offer status", "expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("offer status", "withdrawn")


class FundingPolicy(models.TextChoices):
    STOP = "stop", _("stop at the first that does not fit (strict ranking)")
    SKIP = "skip", _("skip those that do not fit")
    PARTIAL = "partial", _("offer the rest as a partial grant, then stop")


class FundingRound(models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="rounds")
    amount = models.DecimalField(_("amount distributed (EUR)"), max_digits=14, decimal_places=2)
    policy = models.CharField(_("policy"), max_length=10, choices=FundingPolicy.choices)
    min_share = models.DecimalField(_("minimum share"), max_digits=4, decimal_places=3, null=True, blank=True)
    response_days = models.PositiveSmallIntegerField(_("days to answer"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("committed"), auto_now_add=True)

    class Meta:
        verbose_name = _("funding round")
        verbose_name_plural = _("funding rounds")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.call} · {self.created_at:%Y-%m-%d}"


class Offer(models.Model):
    """A grant offered to an application in a funding round.

    Committed money: the amount while open or accepted; after a withdrawal only
    ``retained_amount`` (what was already paid out) stays committed.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="offers"
    )
    funding_round = models.ForeignKey(
        FundingRound, verbose_name=_("funding round"), on_delete=models.PROTECT, related_name="offers"
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    is_partial = models.BooleanField(_("partial grant"), default=False)
    deadline = models.DateTimeField(_("answer by"))
    status = models.CharField(_("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    retained_amount = models.DecimalField(
        _("retained after withdrawal (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("offered"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="offer_amount_positive"),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=["open", "accepted"]),
                name="offer_one_live_per_application",
            ),
        ]

    def __str__(self):
        return f"{self.application.number}: {self.amount} EUR"


class StatusChange(models.Model):
    """Who moved what from where to where, when and why."""

    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class ApplicationStatusChange(StatusChange):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")


class OfferStatusChange(StatusChange):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="status_changes")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("previewed")
    APPLIED = "applied", _("applied")


class ReserveListImport(models.Model):
    """An uploaded reserve-list file: previewed first, applied on confirmation."""

    file = models.FileField(_("file"), upload_to="imports/reserve-list/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    summary = models.JSONField(_("summary"), default=dict)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("reserve-list import")
        verbose_name_plural = _("reserve-list imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name
