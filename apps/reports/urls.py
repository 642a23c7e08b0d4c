from django.urls import path

from apps.reports import views

app_name = "reports"
urlpatterns = [
    path("agency/projects/", views.project_list, name="projects"),
    path("agency/mobilities/", views.mobility_list, name="mobilities"),
    path("agency/progress/", views.progress, name="progress"),
]
urlpatterns += [
    path("agency/mobilities/export.csv", views.mobility_export, {"fmt": "csv"}, name="mobilities_export_csv"),
    path("agency/mobilities/export.xlsx", views.mobility_export, {"fmt": "xlsx"}, name="mobilities_export_xlsx"),
]
