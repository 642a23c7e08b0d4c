from django.urls import path

from apps.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("me/mobilities/<int:pk>/competences/<str:phase>/", views.self_assessment, name="assessment"),
    path("mobilities/<int:pk>/outcomes/", views.mobility_outcomes, name="mobility"),
    path("projects/<int:pk>/outcomes/", views.project_summary, name="project"),
    path("agency/outcomes/", views.agency_summary, name="agency"),
]
