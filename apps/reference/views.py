from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apps.reference import selectors


@login_required
def reference_index(request):
    years = selectors.call_years()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = None
    context = {"years": years, "year": year, **selectors.reference_tables(call_year=year)}
    return render(request, "reference/index.html", context)
