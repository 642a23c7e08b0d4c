from django.urls import path

from apps.organisations import views

app_name = "organisations"
urlpatterns = [
    path("organisations/", views.organisation_list, name="list"),
    path("organisations/new/", views.organisation_create, name="create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("organisations/<int:pk>/invite/", views.organisation_invite, name="invite"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]
