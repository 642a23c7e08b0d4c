from django.urls import path

from apps.mobility import views

app_name = "mobility"
urlpatterns = [
    path("offers/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/withdraw/", views.project_withdraw, name="project_withdraw"),
    path("grant-calculator/", views.grant_calculator, name="calculator"),
]
