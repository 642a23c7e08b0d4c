"""Key competences and learning outcomes of a mobility.

- ``LevelDescriptor``: the one-line descriptor of each level 1–5 of the self-assessment scale, in English and
  Polish (reference-style data loaded by a data migration, edited in the admin). Generic per level, not per
  competence: one scale for all eight competences keeps the before/after comparison meaningful.
- ``CompetenceAssessment``: the participant's own level of one competence, before or after the mobility
  (one row per mobility, competence and phase; the eight rows of a phase are written together).
- ``LearningOutcomes``: what the sending organisation records after the mobility: vocational outcomes
  (free text) and the host mentor's name and overall rating.
- ``CompetenceOutcome``: per competence, the learning outcome text and the host mentor's rating.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LEVELS = range(1, 6)
LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def _level_check(field: str, name: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


class Phase(models.TextChoices):
    BEFORE = "before", _("before the mobility")
    AFTER = "after", _("after the mobility")


class LevelDescriptor(models.Model):
    level = models.PositiveSmallIntegerField(_("level"), unique=True, validators=LEVEL_VALIDATORS)
    text = models.CharField(_("descriptor (English)"), max_length=200)
    text_pl = models.CharField(_("descriptor (Polish)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("competence level descriptor")
        verbose_name_plural = _("competence level descriptors")
        ordering = ["level"]
        constraints = [_level_check("level", "outcomes_descriptor_level_range")]

    def __str__(self):
        return f"{self.level}: {self.display_text}"

    @property
    def display_text(self) -> str:
        return self.text_pl if (get_language() or "en").startswith("pl") and self.text_pl else self.text


class CompetenceAssessment(models.Model):
    mobility = models.ForeignKey(
        "mobility.Mobility", verbose_name=_("mobility"), on_delete=models.CASCADE, related_name="competence_assessments"
    )
    competence = models.ForeignKey(
        "reference.KeyCompetence", verbose_name=_("key competence"), on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    submitted_at = models.DateTimeField(_("first submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("key competence self-assessment")
        verbose_name_plural = _("key competence self-assessments")
        ordering = ["mobility", "phase", "competence__number"]
        constraints = [
            models.UniqueConstraint(fields=["mobility", "competence", "phase"], name="outcomes_assessment_unique"),
            _level_check("level", "outcomes_assessment_level_range"),
        ]

    def __str__(self):
        return f"{self.mobility_id} · {self.competence_id} · {self.phase}: {self.level}"


class LearningOutcomes(models.Model):
    mobility = models.OneToOneField(
        "mobility.Mobility", verbose_name=_("mobility"), on_delete=models.CASCADE, related_name="learning_outcomes"
    )
    vocational_outcomes = models.TextField(_("vocational outcomes"), blank=True)
    mentor_name = models.CharField(_("host mentor's name"), max_length=200, blank=True)
    mentor_overall = models.PositiveSmallIntegerField(
        _("host mentor's overall rating"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("learning outcomes")
        verbose_name_plural = _("learning outcomes")
        constraints = [_level_check("mentor_overall", "outcomes_mentor_overall_range", nullable=True)]

    def __str__(self):
        return f"{self.mobility_id}"


class CompetenceOutcome(models.Model):
    mobility = models.ForeignKey(
        "mobility.Mobility", verbose_name=_("mobility"), on_delete=models.CASCADE, related_name="competence_outcomes"
    )
    competence = models.ForeignKey(
        "reference.KeyCompetence", verbose_name=_("key competence"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("learning outcome"), blank=True)
    mentor_level = models.PositiveSmallIntegerField(
        _("host mentor's rating"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )

    class Meta:
        verbose_name = _("learning outcome per competence")
        verbose_name_plural = _("learning outcomes per competence")
        ordering = ["mobility", "competence__number"]
        constraints = [
            models.UniqueConstraint(fields=["mobility", "competence"], name="outcomes_competence_outcome_unique"),
            _level_check("mentor_level", "outcomes_mentor_level_range", nullable=True),
        ]

    def __str__(self):
        return f"{self.mobility_id} · {self.competence_id}"
