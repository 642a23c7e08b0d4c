from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.mobility import quote


class DateInput(forms.DateInput):
    input_type = "date"


class AgreementForm(forms.Form):
    agreement_number = forms.CharField(label=_("Grant agreement number"), max_length=60)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    start_date = forms.DateField(label=_("Project start"), widget=DateInput)
    end_date = forms.DateField(label=_("Project end"), widget=DateInput, help_text=_("6 to 18 months after the start."))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    retained_amount = forms.DecimalField(
        label=_("Already paid out (EUR)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text=_("This part stays committed; the rest returns to the call's budget."),
    )


class GrantCalculatorForm(forms.Form):
    """The fields of ``POST /api/v1/grant-quote``, flattened (``origin.city`` is ``origin_city``).

    Choices come from the reference data (three queries when the form is built); validating them
    needs no further query.
    """

    call_year = forms.TypedChoiceField(label=gettext_lazy("Call year"), coerce=int)
    activity_type = forms.ChoiceField(label=gettext_lazy("Activity type"))
    participant_category = forms.ChoiceField(label=gettext_lazy("Participant"), choices=quote.PARTICIPANT_CATEGORIES)
    graduation_date = forms.DateField(
        label=gettext_lazy("Graduation date"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("Recent graduates only."),
    )
    fewer_opportunities = forms.BooleanField(label=gettext_lazy("Participant with fewer opportunities"), required=False)
    start_date = forms.DateField(
        label=gettext_lazy("First day of the activity"),
        widget=DateInput,
        help_text=gettext_lazy("Travel days not included."),
    )
    end_date = forms.DateField(label=gettext_lazy("Last day of the activity"), widget=DateInput)
    travel_days = forms.IntegerField(
        label=gettext_lazy("Travel days"), min_value=0, max_value=365, required=False, initial=2
    )
    green_travel = forms.BooleanField(
        label=gettext_lazy("Green travel (train, bus, car-sharing or bike for most of the journey)"), required=False
    )
    origin_city = forms.CharField(label=gettext_lazy("Sending city"), max_length=200)
    origin_country = forms.ChoiceField(label=gettext_lazy("Sending country"), initial="PL")
    destination_city = forms.CharField(label=gettext_lazy("Host city"), max_length=200)
    destination_country = forms.ChoiceField(label=gettext_lazy("Host country"))
    distance_km = forms.IntegerField(
        label=gettext_lazy("Distance in km"),
        min_value=0,
        max_value=quote.MAX_DISTANCE_KM,
        required=False,
        help_text=gettext_lazy("Optional: replaces the distance between the two cities."),
    )
    course_days = forms.IntegerField(
        label=gettext_lazy("Course days"),
        min_value=0,
        max_value=365,
        required=False,
        help_text=gettext_lazy("Courses and training only."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = quote.call_years()
        self.fields["call_year"].choices = [(year, year) for year in years]
        self.fields["call_year"].initial = years[0] if years else None
        self.fields["activity_type"].choices = [("", "---------"), *quote.activity_type_choices()]
        countries = [("", "---------"), *quote.country_choices()]
        self.fields["origin_country"].choices = countries
        self.fields["destination_country"].choices = countries

    def quote_data(self) -> dict:
        """The cleaned data in the API's shape, for ``quote.grant_quote``."""
        data = dict(self.cleaned_data)
        for end in ("origin", "destination"):
            data[end] = {"city": data.pop(f"{end}_city"), "country": data.pop(f"{end}_country")}
        data["travel_days"] = data["travel_days"] or 0
        data["course_days"] = data["course_days"] or 0
        return data

    def add_quote_error(self, error: dict) -> None:
        """An error of the quote (field as a dotted JSON path) next to its field, or above the form."""
        name = (error["field"] or "").replace(".", "_")
        self.add_error(name if name in self.fields else None, error["message"])


# --- Mobilities -----------------------------------------------------------------------------------------------------

# Violations on fields the mobility form does not have, shown on the form field they come from (None: above it).
VIOLATION_FIELDS = {
    "category": "participant",
    "graduation_date": "participant",
    "fewer_opportunities": "participant",
    "destination_country": "host",
    "origin_city": None,
    "persons": None,
}


class MobilityForm(forms.Form):
    """The fields of a mobility that the organisation enters (``mobilities.INPUT_FIELDS`` but the destination
    country, which is the host's); ``mobilities.mobility_create``/``mobility_update`` check and record them."""

    participant = forms.ModelChoiceField(label=_("Participant"), queryset=None)
    activity_type = forms.ModelChoiceField(label=_("Activity type"), queryset=None)
    accompanying = forms.BooleanField(label=_("Accompanying person"), required=False)
    accompanies = forms.ModelChoiceField(
        label=_("Accompanies"),
        queryset=None,
        required=False,
        help_text=_("Accompanying persons only: the learner's mobility."),
    )
    host = forms.ModelChoiceField(label=_("Host organisation"), queryset=None)
    destination_city = forms.CharField(
        label=_("Destination city"),
        max_length=200,
        required=False,
        help_text=_("In the host's country; empty: the host's city."),
    )
    start_date = forms.DateField(
        label=_("Start of the physical activity"), widget=DateInput, help_text=_("Travel days not included.")
    )
    end_date = forms.DateField(label=_("End of the physical activity"), widget=DateInput)
    virtual_component = forms.BooleanField(label=_("Virtual component"), required=False)
    virtual_description = forms.CharField(
        label=_("Virtual component: description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    virtual_start = forms.DateField(label=_("Virtual component: start"), required=False, widget=DateInput)
    virtual_end = forms.DateField(label=_("Virtual component: end"), required=False, widget=DateInput)
    travel_days = forms.IntegerField(label=_("Travel days"), min_value=0, max_value=365, required=False, initial=2)
    green_travel = forms.BooleanField(
        label=_("Green travel (train, bus, car-sharing or bike for most of the journey)"), required=False
    )
    travel_means = forms.ChoiceField(label=_("Means of travel"), required=False)
    course_days = forms.IntegerField(
        label=_("Course days"),
        min_value=0,
        max_value=365,
        required=False,
        initial=0,
        help_text=_("Courses and training only."),
    )

    def __init__(self, *args, project, mobility=None, **kwargs):
        from apps.mobility.models import Mobility, TravelMeans
        from apps.organisations.models import Organisation
        from apps.participants.models import Participant
        from apps.reference.models import ActivityType

        if mobility is not None:
            kwargs.setdefault("initial", self.initial_of(mobility))
        super().__init__(*args, **kwargs)
        sending = project.application.organisation
        self.fields["participant"].queryset = Participant.objects.filter(organisation=sending).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["activity_type"].queryset = ActivityType.objects.order_by("code")
        accompanied = Mobility.objects.filter(project=project, accompanying=False).select_related(
            "participant", "activity_type"
        )
        if mobility is not None:
            accompanied = accompanied.exclude(pk=mobility.pk)
        self.fields["accompanies"].queryset = accompanied
        self.fields["host"].queryset = Organisation.objects.exclude(country=sending.country).order_by(
            "legal_name", "pk"
        )
        self.fields["travel_means"].choices = [("", "---------"), *TravelMeans.choices]

    @staticmethod
    def initial_of(mobility) -> dict:
        from apps.mobility.mobilities import INPUT_FIELDS

        initial = {
            name: getattr(mobility, name)
            for name in INPUT_FIELDS
            if name not in ("destination_city", "destination_country")
        }
        initial["destination_city"] = mobility.destination_city.name if mobility.destination_city_id else ""
        return initial

    def service_data(self) -> dict:
        """The cleaned data as ``mobility_create``/``mobility_update`` take it."""
        data = dict(self.cleaned_data)
        data["travel_days"] = data["travel_days"] or 0
        data["course_days"] = data["course_days"] or 0
        data["destination_city"] = data["destination_city"].strip() or None
        return data

    def add_service_errors(self, errors: dict) -> None:
        """A ``ValidationError``'s message dict or the violations' messages, next to their fields."""
        for name, messages in errors.items():
            field = VIOLATION_FIELDS.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


class MobilityStatusForm(forms.Form):
    to = forms.CharField(max_length=20)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- Preparatory visits and imports ---------------------------------------------------------------------------------


class PreparatoryVisitForm(forms.Form):
    """The fields of a preparatory visit (``visits.INPUT_FIELDS``); ``visits.preparatory_visit_create``/``_update``
    check them against the rules, whose errors come back next to these fields."""

    activity_type = forms.ModelChoiceField(
        label=_("For activity type"),
        queryset=None,
        help_text=_("The activity the visit prepares (not courses and training)."),
    )
    host = forms.ModelChoiceField(label=_("Host organisation"), queryset=None, required=False)
    destination_country = forms.ChoiceField(
        label=_("Destination country"), required=False, help_text=_("Empty: the host's country.")
    )
    persons = forms.IntegerField(label=_("Persons"), min_value=0, max_value=99, initial=1)
    start_date = forms.DateField(label=_("Start"), widget=DateInput)
    end_date = forms.DateField(label=_("End"), widget=DateInput)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project, visit=None, **kwargs):
        from apps.organisations.models import Organisation
        from apps.reference.models import ActivityType, Country

        if visit is not None:
            kwargs.setdefault("initial", {name: getattr(visit, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        sending = project.application.organisation
        self.fields["activity_type"].queryset = ActivityType.objects.order_by("code")
        self.fields["host"].queryset = Organisation.objects.exclude(country=sending.country).order_by(
            "legal_name", "pk"
        )
        countries = Country.objects.exclude(iso2=sending.country.code).order_by("name")
        self.fields["destination_country"].choices = [("", "---------")] + [(c.iso2, str(c)) for c in countries]

    def service_data(self) -> dict:
        """The cleaned data as the visit services take it."""
        return dict(self.cleaned_data)

    def add_service_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)


class MobilityImportForm(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    file = forms.FileField(
        label=_("Participants and mobilities (CSV or XLSX)"),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
        help_text=_("Column set version 1, header names in any order; at most 20 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split it into several imports."))
        return upload
