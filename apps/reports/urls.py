from django.urls import path

from apps.reports import views

app_name = "reports"
urlpatterns = [
    path("agency/projects/", views.project_list, name="projects"),
    path("agency/mobilities/", views.mobility_list, name="mobilities"),
    path("agency/progress/", views.progress, name="progress"),
]
