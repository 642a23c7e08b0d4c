import django_filters
from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from apps.mobility.models import MobilityStatus, ProjectStatus
from apps.reference.models import ActivityType, Country, Region
from apps.reports.selectors import may_filter_by_fewer_opportunities
from apps.reserve_list.models import Call


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python, the same HTML as Django's templates write it.

    Django renders every ``<option>`` through two templates: with the countries, regions, calls and activity
    types, that was a third of the agency's mobility list's time (bench/bench_mobility_list.py).
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], _attrs(option["attrs"]), option["label"]) for option in options),
            )
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        options = mark_safe("".join(groups))  # noqa: S308 (each option built with format_html: escaped)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], _attrs(widget["attrs"]), options)


class _PlainChoices(django_filters.fields.ModelChoiceIterator):
    """The choices read with one plain query: ``queryset.iterator()``, which Django's iterator uses, opens a
    server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) for a few dozen rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _ReferenceChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _PlainChoices


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice among the rows of a small reference table (calls, regions, activity types, countries)."""

    field_class = _ReferenceChoiceField


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html`` in Python: in order, ``True`` as a bare name, ``False`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _call_years():
    return [(year, year) for year in Call.objects.order_by("year").values_list("year", flat=True).distinct()]


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    call_year = django_filters.TypedChoiceFilter(
        label=_("Call year"), field_name="application__call__year", choices=_call_years, coerce=int
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), field_name="application__organisation__region", queryset=Region.objects.all()
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(agreement_number__icontains=value)
            | Q(application__number__icontains=value)
            | Q(application__organisation__legal_name__icontains=value)
            | Q(application__organisation__short_name__icontains=value)
            | Q(application__organisation__oid__iexact=value)
        )


class MobilityFilter(django_filters.FilterSet):
    call = ReferenceChoiceFilter(
        label=_("Call"),
        field_name="project__application__call",
        queryset=Call.objects.select_related("programme"),
        widget=QuickSelect,
    )
    region = ReferenceChoiceFilter(
        label=_("Region of the sending organisation"),
        field_name="project__application__organisation__region",
        queryset=Region.objects.all(),
        widget=QuickSelect,
    )
    activity_type = ReferenceChoiceFilter(
        label=_("Activity type"), queryset=ActivityType.objects.all(), widget=QuickSelect
    )
    destination_country = ReferenceChoiceFilter(
        label=_("Destination country"),
        queryset=Country.objects.all(),
        to_field_name="iso2",
        method="by_country",
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MobilityStatus.choices, widget=QuickSelect)
    fewer_opportunities = django_filters.BooleanFilter(
        label=_("Fewer opportunities"), field_name="participant__special_category_data__fewer_opportunities"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Special-category data: the filter is neither offered to nor applied for other agency staff.
        if not may_filter_by_fewer_opportunities(user):
            del self.filters["fewer_opportunities"]
        # Bootstrap's classes, as crispy-forms would add them (templates/reports/_plain_filter_form.html).
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def by_country(self, queryset, name, value):
        return queryset.filter(destination_country=value.iso2)
