from django.urls import path

from apps.reference import views

app_name = "reference"
urlpatterns = [
    path("reference/", views.reference_index, name="index"),
    path("reference/cities/", views.city_autocomplete, name="cities"),
]
