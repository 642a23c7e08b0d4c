from django.urls import path

from apps.certificates import views

app_name = "certificates"
urlpatterns = [
    # Public: anyone holding a certificate (an employer, a school) checks it here, without signing in.
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    # The participant's own.
    path("me/mobilities/<int:pk>/certificate/", views.own_certificate, name="own"),
    path("me/mobilities/<int:pk>/certificate.pdf", views.own_certificate_pdf, name="own_pdf"),
    # The sending organisation's and the agency's.
    path("mobilities/<int:pk>/certificates/", views.mobility_certificates, name="mobility"),
    path("mobilities/<int:pk>/certificates/v<int:version>.pdf", views.certificate_download, name="download"),
    path("projects/<int:pk>/certificates/", views.project_certificates, name="project"),
    path("projects/<int:pk>/certificates/progress/", views.project_progress, name="project_progress"),
]
