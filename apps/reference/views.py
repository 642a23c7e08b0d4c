from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

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


@login_required
@require_GET
@cache_control(private=True, max_age=3600)
def city_autocomplete(request):
    """A city field's autocomplete: ``?q=lis&country=PT`` (country optional), at most 20, most populous first."""
    cities = selectors.city_autocomplete(request.GET.get("q", ""), country=request.GET.get("country") or None)
    results = [
        {
            "id": city.pk,
            "name": city.name,
            "country": city.country,
            "admin1": city.admin1,
            "population": city.population,
            "latitude": city.latitude,
            "longitude": city.longitude,
            "label": f"{city.name} ({city.country})",
        }
        for city in cities
    ]
    return JsonResponse({"results": results})
