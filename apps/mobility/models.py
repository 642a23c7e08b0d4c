from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.reserve_list.models import StatusChange


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


class MobilityStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("mobility status", "draft")
    PLANNED = "planned", pgettext_lazy("mobility status", "planned")
    CONFIRMED = "confirmed", pgettext_lazy("mobility status", "confirmed")
    ONGOING = "ongoing", pgettext_lazy("mobility status", "ongoing")
    COMPLETED = "completed", pgettext_lazy("mobility status", "completed")
    REPORTED = "reported", pgettext_lazy("mobility status", "reported")
    CANCELLED = "cancelled", pgettext_lazy("mobility status", "cancelled")
    FORCE_MAJEURE = "force_majeure", pgettext_lazy("mobility status", "force majeure")


class TravelMeans(models.TextChoices):
    PLANE = "plane", _("plane")
    TRAIN = "train", _("train")
    BUS = "bus", _("bus")
    CAR_SHARING = "car_sharing", _("car-sharing")
    CAR = "car", _("car")
    BIKE = "bike", _("bike")
    OTHER = "other", _("other")


class Mobility(models.Model):
    """One participant's mobility activity, with the Beneficiary Module's fields.

    Distance, band and grant are stored as computed (with the call year whose
    rates were used), so that a later change of a rate never changes them silently.
    """

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="mobilities")
    participant = models.ForeignKey(
        "participants.Participant", verbose_name=_("participant"), on_delete=models.PROTECT, related_name="mobilities"
    )
    activity_type = models.ForeignKey(
        "reference.ActivityType", verbose_name=_("activity type"), on_delete=models.PROTECT, related_name="+"
    )
    accompanying = models.BooleanField(_("accompanying person"), default=False)
    accompanies = models.ForeignKey(
        "self",
        verbose_name=_("accompanies"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accompanied_by",
    )
    host = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="hosted_mobilities",
    )
    origin_city = models.ForeignKey(
        "reference.City",
        verbose_name=_("from (city)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination_city = models.ForeignKey(
        "reference.City",
        verbose_name=_("destination city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination_country = models.CharField(_("destination country"), max_length=2)
    start_date = models.DateField(_("start of the physical activity"))
    end_date = models.DateField(_("end of the physical activity"))
    virtual_component = models.BooleanField(_("virtual component"), default=False)
    virtual_description = models.TextField(_("virtual component: description"), blank=True)
    virtual_start = models.DateField(_("virtual component: start"), null=True, blank=True)
    virtual_end = models.DateField(_("virtual component: end"), null=True, blank=True)
    travel_days = models.PositiveSmallIntegerField(_("travel days"), default=0)
    green_travel = models.BooleanField(_("green travel"), default=False)
    travel_means = models.CharField(_("means of travel"), max_length=20, choices=TravelMeans.choices, blank=True)
    course_days = models.PositiveSmallIntegerField(_("course days"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=MobilityStatus.choices, default=MobilityStatus.DRAFT)
    distance_km = models.PositiveIntegerField(_("distance (km)"), null=True, blank=True)
    distance_band = models.CharField(_("distance band"), max_length=20, blank=True)
    distance_manual = models.BooleanField(_("distance set by hand"), default=False)
    distance_justification = models.TextField(_("justification of the distance"), blank=True)
    grant_total = models.DecimalField(_("grant (EUR)"), max_digits=12, decimal_places=2, default=0)
    grant_call_year = models.PositiveSmallIntegerField(_("rates of call"), null=True, blank=True)
    grant_computed_at = models.DateTimeField(_("grant computed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mobility")
        verbose_name_plural = _("mobilities")
        ordering = ["start_date", "pk"]
        indexes = [
            models.Index(fields=["project", "status"]),
            models.Index(fields=["status", "start_date"]),
            models.Index(fields=["destination_country"]),
            # The lists' order (Meta.ordering): a page of the agency's list reads 50 rows, not sorts them all.
            models.Index(fields=["start_date", "id"], name="mobility_start_date_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="mobility_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.participant} · {self.activity_type.code} · {self.start_date}"


class MobilityStatusChange(StatusChange):
    """The mobility's status history (who, when, from, to, why), like the reserve list's."""

    mobility = models.ForeignKey(Mobility, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        pass


class GrantLine(models.Model):
    """One budget line of a mobility's grant, with how it was computed."""

    mobility = models.ForeignKey(Mobility, on_delete=models.CASCADE, related_name="grant_lines")
    item = models.CharField(_("item"), max_length=30)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    explanation = models.TextField(_("how it was computed"))
    basis = models.JSONField(_("basis"), default=dict)

    class Meta:
        verbose_name = _("grant line")
        verbose_name_plural = _("grant lines")
        ordering = ["mobility", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mobility", "item"], name="grant_line_one_per_item"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="grant_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.item}: {self.amount}"


class PreparatoryVisit(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="preparatory_visits")
    activity_type = models.ForeignKey(
        "reference.ActivityType", verbose_name=_("for activity type"), on_delete=models.PROTECT, related_name="+"
    )
    host = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("host organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination_country = models.CharField(_("destination country"), max_length=2)
    persons = models.PositiveSmallIntegerField(_("persons"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    purpose = models.TextField(_("purpose"), blank=True)
    amount = models.DecimalField(_("grant (EUR)"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("preparatory visit")
        verbose_name_plural = _("preparatory visits")
        ordering = ["start_date", "pk"]

    def __str__(self):
        return f"{self.project} · {self.start_date}"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", pgettext_lazy("import status", "previewed")
    APPLIED = "applied", pgettext_lazy("import status", "applied")
    DISCARDED = "discarded", pgettext_lazy("import status", "discarded")
    EXPIRED = "expired", pgettext_lazy("import status", "expired")


class MobilityImport(models.Model):
    """A file of participants and mobilities uploaded for a project: previewed, then applied or discarded.

    The file and the row-level preview hold personal data (names, e-mails, birth dates, the special-category
    flag): both are deleted when the upload is discarded and, for every upload, ``IMPORT_RETENTION_DAYS`` after
    it was uploaded (``imports_web.uploads_purge``, daily on beat). What stays is the record: who uploaded which
    file when, and what the import did (the counts).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imports")
    token = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to="imports/mobility/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    language = models.CharField(_("language"), max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    # The preview: per row {"row", "email", "participant", "host", "violations"}, or the errors [row, column, message].
    rows = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    purged_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("mobility import")
        verbose_name_plural = _("mobility imports")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["project", "-uploaded_at"], name="mobility_import_project_recent")]

    def __str__(self):
        return self.original_name

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def purged(self) -> bool:
        return self.purged_at is not None
