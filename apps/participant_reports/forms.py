from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.participant_reports.models import Recognition
from apps.participant_reports.services import statement_field

SATISFACTION_CHOICES = [
    (1, _("1 – very dissatisfied")),
    (2, _("2 – dissatisfied")),
    (3, _("3 – neither satisfied nor dissatisfied")),
    (4, _("4 – satisfied")),
    (5, _("5 – very satisfied")),
]
AGREEMENT_CHOICES = [
    (1, _("1 – strongly disagree")),
    (2, _("2 – disagree")),
    (3, _("3 – neither agree nor disagree")),
    (4, _("4 – agree")),
    (5, _("5 – strongly agree")),
]
TEXT_MAX = 4000


def _scale(label, choices, message):
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class ReportForm(forms.Form):
    """The participant report: satisfaction, one 1–5 agreement per outcome statement of the participant's
    audience (fields ``statement_<code>``, in the reference data's order), recognition, comments."""

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["satisfaction"] = _scale(
            _("Overall, how satisfied are you with your mobility?"),
            SATISFACTION_CHOICES,
            _("Choose how satisfied you are, from 1 to 5."),
        )
        self.statement_fields = []
        for statement in statements:
            name = statement_field(statement.code)
            # The statements are reference data in English; their Polish is in the catalogue (statements.py).
            self.fields[name] = _scale(
                gettext(statement.statement), AGREEMENT_CHOICES, _("Choose how much you agree, from 1 to 5.")
            )
            self.statement_fields.append(name)
        self.fields["recognition"] = forms.ChoiceField(
            label=_("Were your learning outcomes recognised by your school or employer?"),
            choices=Recognition.choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Say whether your learning outcomes were recognised."),
                "invalid_choice": _("Say whether your learning outcomes were recognised."),
            },
        )
        self.fields["recognition_details"] = forms.CharField(
            label=_("How were they recognised, or why not? (optional)"),
            required=False,
            max_length=TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["comments"] = forms.CharField(
            label=_("Comments (optional)"),
            required=False,
            max_length=TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def statements_bound(self):
        """The outcome statements' bound fields, in order, for the template's radio groups."""
        return [self[name] for name in self.statement_fields]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "satisfaction": data["satisfaction"],
            "agreements": {name.removeprefix("statement_"): data[name] for name in self.statement_fields},
            "recognition": data["recognition"],
            "recognition_details": data["recognition_details"],
            "comments": data["comments"],
        }
