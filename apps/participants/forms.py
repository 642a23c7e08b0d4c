"""Forms check the types; the services check the rules and their errors are moved onto the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.participants.models import FewerOpportunitiesReason, Participant, ParticipantCategory


def _model_field(name: str, **kwargs):
    return Participant._meta.get_field(name).formfield(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ParticipantForm(forms.Form):
    """Personal data. A plain form, not a ModelForm: the rules (graduates' dates, unique addresses)
    live in ``participant_create``/``participant_update`` and are checked once, there."""

    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    email = _model_field("email")
    birth_date = _model_field("birth_date", widget=DateInput)
    gender = _model_field("gender")
    nationality = _model_field("nationality")
    category = _model_field("category")
    graduation_date = _model_field("graduation_date", widget=DateInput, help_text=_("Required for recent graduates."))

    @classmethod
    def for_participant(cls, participant: Participant, data=None):
        initial = {name: getattr(participant, name) for name in cls.base_fields}
        initial["nationality"] = str(participant.nationality or "")
        return cls(data, initial=initial)


class SpecialCategoryForm(forms.Form):
    fewer_opportunities = forms.BooleanField(
        label=_("Participant with fewer opportunities"),
        required=False,
        help_text=_("Special-category personal data: every view and change is logged."),
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"),
        choices=FewerOpportunitiesReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only for a participant with fewer opportunities."),
    )

    @classmethod
    def for_data(cls, data, post=None):
        initial = {"fewer_opportunities": data.fewer_opportunities, "reasons": list(data.reasons)} if data else None
        return cls(post, initial=initial)


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or e-mail"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("all categories")), *ParticipantCategory.choices], required=False
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the participant's personal data will be erased and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
