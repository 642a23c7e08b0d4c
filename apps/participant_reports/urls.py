from django.urls import path

from apps.participant_reports import views

app_name = "participant_reports"
urlpatterns = [
    # The participant's own.
    path("me/mobilities/<int:pk>/report/", views.own_report, name="own"),
    path("me/mobilities/<int:pk>/report.pdf", views.own_report_pdf, name="own_pdf"),
    # The sending organisation's and the agency's.
    path("mobilities/<int:pk>/participant-report/", views.report_detail, name="mobility"),
    path("projects/<int:pk>/participant-reports/", views.project_reports, name="project"),
    path("agency/participant-reports/", views.agency_reports, name="agency"),
]
