from django.urls import path

from apps.portal import views

app_name = "portal"
urlpatterns = [
    path("agency/", views.agency_home, name="agency_home"),
    path("org/", views.organisation_home, name="organisation_home"),
    path("me/", views.participant_home, name="participant_home"),
]
