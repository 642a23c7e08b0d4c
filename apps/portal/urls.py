from django.urls import path

from apps.portal import views

app_name = "portal"
urlpatterns = [
    path("agency/", views.agency_home, name="agency_home"),
    path("org/", views.organisation_home, name="organisation_home"),
    path("me/", views.participant_home, name="participant_home"),
    path("me/mobilities/<int:pk>/", views.participant_mobility, name="participant_mobility"),
    # Lives here rather than in participants, which may not import projects (DESIGN.md §3).
    path("projects/<int:pk>/invitations/", views.project_invitations, name="project_invitations"),
]
