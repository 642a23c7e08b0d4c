import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.outcomes.services import competence_field
from apps.participants.models import ParticipantCategory
from apps.reference.models import ActivityType, Region
from apps.reserve_list.models import Call

LEVEL_CHOICES = [(level, str(level)) for level in range(1, 6)]
OPTIONAL_LEVEL_CHOICES = [("", _("not rated")), *LEVEL_CHOICES]


class AssessmentForm(forms.Form):
    """One radio group per key competence (``competence_<number>``), levels 1–5; the template renders each
    group as a fieldset with the competence as its legend and the level descriptors beside the buttons."""

    def __init__(self, *args, competences, initial_levels: dict[int, int], descriptors, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.competences = list(competences)
        texts = {descriptor.level: descriptor.display_text for descriptor in descriptors}
        choices = [
            (level, f"{level} – {texts[level]}" if level in texts else str(level)) for level, _label in LEVEL_CHOICES
        ]
        for competence in self.competences:
            name = competence_field(competence.number)
            self.fields[name] = forms.TypedChoiceField(
                label=competence.display_name,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=initial_levels.get(competence.pk),
                disabled=disabled,
                error_messages={"required": _("Choose a level from 1 to 5.")},
            )

    def groups(self):
        """(competence, bound field) pairs, in the competences' order."""
        return [(competence, self[competence_field(competence.number)]) for competence in self.competences]

    def levels(self) -> dict[int, int]:
        return {c.number: self.cleaned_data.get(competence_field(c.number)) for c in self.competences}


class OutcomesForm(forms.Form):
    vocational_outcomes = forms.CharField(
        label=_("Vocational outcomes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the participant learnt in their vocation: tasks, tools, standards."),
    )
    mentor_name = forms.CharField(label=_("Host mentor's name"), required=False, max_length=200)
    mentor_overall = forms.TypedChoiceField(
        label=_("Host mentor's overall rating"),
        choices=OPTIONAL_LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, competences, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.competences = list(competences)
        for competence in self.competences:
            name = competence_field(competence.number)
            self.fields[f"{name}_text"] = forms.CharField(
                label=_("Learning outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{name}_mentor_level"] = forms.TypedChoiceField(
                label=_("Host mentor's rating"),
                choices=OPTIONAL_LEVEL_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )

        if disabled:
            for field in self.fields.values():
                field.disabled = True

    def groups(self):
        return [
            (
                competence,
                self[f"{competence_field(competence.number)}_text"],
                self[f"{competence_field(competence.number)}_mentor_level"],
            )
            for competence in self.competences
        ]

    def competence_values(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            c.number: {
                "text": data.get(f"{competence_field(c.number)}_text", ""),
                "mentor_level": data.get(f"{competence_field(c.number)}_mentor_level"),
            }
            for c in self.competences
        }


def outcomes_initial(*, recorded, per_competence: dict, competences) -> dict:
    """The form's initial values from what the organisation recorded."""
    initial = {}
    if recorded is not None:
        initial.update(
            vocational_outcomes=recorded.vocational_outcomes,
            mentor_name=recorded.mentor_name,
            mentor_overall=recorded.mentor_overall,
        )
    for competence in competences:
        row = per_competence.get(competence.pk)
        if row is not None:
            name = competence_field(competence.number)
            initial[f"{name}_text"] = row.text
            initial[f"{name}_mentor_level"] = row.mentor_level
    return initial


class OutcomesFilter(django_filters.FilterSet):
    """Filters of the agency's key competence aggregates, over mobilities."""

    call = django_filters.ModelChoiceFilter(
        label=_("Call"), field_name="project__application__call", queryset=Call.objects.select_related("programme")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region of the sending organisation"),
        field_name="project__application__organisation__region",
        queryset=Region.objects.all(),
    )
    activity_type = django_filters.ModelChoiceFilter(label=_("Activity type"), queryset=ActivityType.objects.all())
    category = django_filters.ChoiceFilter(
        label=_("Participant category"), field_name="participant__category", choices=ParticipantCategory.choices
    )


class ProjectOutcomesFilter(django_filters.FilterSet):
    """Filters of a project's key competence page, over its mobilities (annotated by
    ``selectors.with_outcome_states``)."""

    category = django_filters.ChoiceFilter(
        label=_("Participant category"), field_name="participant__category", choices=ParticipantCategory.choices
    )
    activity_type = django_filters.ModelChoiceFilter(label=_("Activity type"), queryset=ActivityType.objects.all())
    rated = django_filters.ChoiceFilter(
        label=_("Self-assessment"),
        method="by_rated",
        choices=[
            ("both", _("rated before and after")),
            ("before_only", _("rated before only")),
            ("after_missing", _("not rated after")),
            ("none", _("not rated")),
        ],
    )
    outcomes = django_filters.ChoiceFilter(
        label=_("Learning outcomes"),
        method="by_outcomes",
        choices=[("recorded", _("recorded")), ("missing", _("not yet"))],
    )

    def by_rated(self, queryset, name, value):
        conditions = {
            "both": {"rated_before": True, "rated_after": True},
            "before_only": {"rated_before": True, "rated_after": False},
            "after_missing": {"rated_after": False},
            "none": {"rated_before": False, "rated_after": False},
        }
        return queryset.filter(**conditions[value])

    def by_outcomes(self, queryset, name, value):
        return queryset.filter(outcomes_recorded=value == "recorded")
