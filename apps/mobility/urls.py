from django.urls import path

from apps.mobility import views

app_name = "mobility"
urlpatterns = [
    path("offers/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/withdraw/", views.project_withdraw, name="project_withdraw"),
    path("projects/<int:pk>/mobilities/new/", views.mobility_create, name="mobility_create"),
    path("mobilities/<int:pk>/", views.mobility_detail, name="mobility"),
    path("mobilities/<int:pk>/edit/", views.mobility_edit, name="mobility_edit"),
    path("mobilities/<int:pk>/status/", views.mobility_status, name="mobility_status"),
    path("grant-calculator/", views.grant_calculator, name="calculator"),
    path("agency/rate-changes/", views.rate_changes, name="rate_changes"),
]
urlpatterns += [
    path("projects/<int:pk>/export.csv", views.project_export, {"fmt": "csv"}, name="project_export_csv"),
    path("projects/<int:pk>/export.xlsx", views.project_export, {"fmt": "xlsx"}, name="project_export_xlsx"),
]
urlpatterns += [
    path("projects/<int:pk>/import/", views.project_import, name="project_import"),
    path(
        "projects/<int:pk>/import/template.csv",
        views.project_import_template,
        {"fmt": "csv"},
        name="project_import_template_csv",
    ),
    path(
        "projects/<int:pk>/import/template.xlsx",
        views.project_import_template,
        {"fmt": "xlsx"},
        name="project_import_template_xlsx",
    ),
    path("projects/<int:pk>/import/<slug:token>/", views.project_import_preview, name="project_import_preview"),
    path("projects/<int:pk>/import/<slug:token>/discard/", views.project_import_discard, name="project_import_discard"),
    path("projects/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", views.visit_delete, name="visit_delete"),
]
