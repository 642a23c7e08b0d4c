"""The mobility passport: the agency's checklist template, each mobility's copy of it, ticks and extra support.

A mobility's checklist is a copy taken when it is first needed (``services.checklists_ensure``): later
changes of the template do not rewrite it, so what a participant and their organisation ticked stays
what they were asked. Extra support for a participant with fewer opportunities is special-category data:
it is read and written only through the services and selectors that log each access.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.reference.models import BilingualName


class Section(models.TextChoices):
    PREPARATION = "preparation", _("Pedagogical, linguistic and cultural preparation")
    TRAVEL = "travel", _("Travel and insurance")
    HOME_CONTACT = "home_contact", _("Contact person at home")
    HOST_MENTOR = "host_mentor", _("Mentor at the host")
    DEBRIEF = "debrief", _("Debrief after return")
    RECOGNITION = "recognition", _("Recognition of outcomes")


class Phase(models.TextChoices):
    BEFORE = "before", _("before the mobility")
    DURING = "during", _("during the mobility")
    AFTER = "after", _("after the mobility")


PHASE_RANK = {phase: rank for rank, phase in enumerate(Phase.values)}


class Ticker(models.TextChoices):
    """Who ticks an item: done when every side it names has ticked it."""

    PARTICIPANT = "participant", _("the participant")
    ORGANISATION = "organisation", _("the sending organisation")
    BOTH = "both", _("both")


class Side(models.TextChoices):
    PARTICIPANT = "participant", _("participant")
    ORGANISATION = "organisation", _("organisation")


SIDES_OF_TICKER = {
    Ticker.PARTICIPANT: (Side.PARTICIPANT,),
    Ticker.ORGANISATION: (Side.ORGANISATION,),
    Ticker.BOTH: (Side.PARTICIPANT, Side.ORGANISATION),
}


class ItemText(BilingualName):
    """What an item says, in English and Polish (an organisation may write one language only)."""

    name = models.CharField(_("title (English)"), max_length=200)
    name_pl = models.CharField(_("title (Polish)"), max_length=200, blank=True)
    description = models.TextField(_("description (English)"), blank=True)
    description_pl = models.TextField(_("description (Polish)"), blank=True)
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    ticker = models.CharField(_("ticked by"), max_length=20, choices=Ticker.choices, default=Ticker.BOTH)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    @property
    def display_description(self) -> str:
        polish = (get_language() or "en").startswith("pl")
        return self.description_pl if polish and self.description_pl else self.description

    @property
    def sort_key(self) -> tuple:
        return (PHASE_RANK.get(self.phase, 99), self.position, self.pk or 0)

    @property
    def sides(self) -> tuple[str, ...]:
        return SIDES_OF_TICKER[self.ticker]


class TemplateItem(ItemText):
    """One item of the checklist the agency maintains; inactive items are no longer copied."""

    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("passport template item")
        verbose_name_plural = _("passport template items")
        ordering = ["position", "pk"]


class ProjectItem(ItemText):
    """An item the sending organisation added to every mobility of a project (also to those recorded later)."""

    project = models.ForeignKey("mobility.Project", on_delete=models.CASCADE, related_name="passport_items")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Who added or removed it, and when (the organisation may delete the items it added).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project passport item")
        verbose_name_plural = _("project passport items")
        ordering = ["position", "pk"]


class Checklist(models.Model):
    """A mobility's passport checklist, copied from the template (and its project's items) when first needed."""

    mobility = models.OneToOneField("mobility.Mobility", on_delete=models.CASCADE, related_name="passport")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("passport checklist")
        verbose_name_plural = _("passport checklists")

    def __str__(self):
        return str(self.mobility_id)


class ChecklistItem(ItemText):
    """One item of a mobility's checklist, with the last tick of each side (the whole history is in ``Tick``)."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    template_item = models.ForeignKey(TemplateItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project_item = models.ForeignKey(ProjectItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Added by the sending organisation (to this mobility or its project): only such an item may be
    # deleted; the template's items stay (a deleted template item leaves template_item empty, not this).
    from_organisation = models.BooleanField(_("added by the sending organisation"), default=False)
    participant_ticked_at = models.DateTimeField(_("ticked by the participant"), null=True, blank=True)
    participant_ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_ticked_at = models.DateTimeField(_("ticked by the organisation"), null=True, blank=True)
    organisation_ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Every side the ticker names has ticked: kept by services.item_tick, so that completion is one COUNT.
    done = models.BooleanField(_("done"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Additions, ticks and deletions with who and when (copies from the template are bulk-created, unrecorded).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("passport item")
        verbose_name_plural = _("passport items")
        ordering = ["checklist", "position", "pk"]
        indexes = [models.Index(fields=["checklist", "done"])]
        constraints = [
            # Copying twice (a retried request, two people opening the passport at once) cannot double an item.
            models.UniqueConstraint(fields=["checklist", "template_item"], name="passport_item_once_per_template"),
            models.UniqueConstraint(fields=["checklist", "project_item"], name="passport_item_once_per_project_item"),
        ]

    def __str__(self):
        return self.display_name

    def ticked_at(self, side: str):
        return getattr(self, f"{side}_ticked_at")

    def ticked_by(self, side: str):
        return getattr(self, f"{side}_ticked_by")

    @property
    def tick_states(self) -> list[dict]:
        """Each side that ticks this item: its label, and when and by whom it was last ticked (or None)."""
        return [
            {"side": side, "label": Side(side).label, "at": self.ticked_at(side), "by": self.ticked_by(side)}
            for side in self.sides
        ]


class Tick(models.Model):
    """The history of ticks: every tick and untick, by whom and when."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="ticks")
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    ticked = models.BooleanField(_("ticked"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("passport tick")
        verbose_name_plural = _("passport ticks")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.item_id} {self.side} {self.ticked}"


class ExtraSupport(models.Model):
    """Support planned for a participant with fewer opportunities: special-category data, every access logged."""

    mobility = models.ForeignKey("mobility.Mobility", on_delete=models.CASCADE, related_name="extra_support")
    description = models.TextField(_("support"))
    phase = models.CharField(_("when"), max_length=10, choices=Phase.choices)
    provided_by = models.CharField(_("provided by"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("extra support")
        verbose_name_plural = _("extra support")
        ordering = ["mobility", "pk"]

    def __str__(self):
        return f"{self.mobility_id}: {self.get_phase_display()}"
