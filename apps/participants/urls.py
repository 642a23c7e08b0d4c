from django.urls import path

from apps.participants import views

app_name = "participants"
urlpatterns = [
    path("organisations/<int:org_pk>/participants/", views.participant_list, name="list"),
    path("organisations/<int:org_pk>/participants/new/", views.participant_create, name="create"),
    path("participants/<int:pk>/", views.participant_detail, name="detail"),
    path("participants/<int:pk>/edit/", views.participant_edit, name="edit"),
    path("participants/<int:pk>/special-category/", views.participant_special_category, name="special_category"),
    path("participants/<int:pk>/export/", views.participant_export, name="export"),
    path("participants/<int:pk>/erase/", views.participant_erase, name="erase"),
    path("participants/<int:pk>/access-log/", views.participant_access_log, name="access_log"),
    path("participants/<int:pk>/invite/", views.participant_invite, name="invite"),
    # The participant's e-mailed sign-in link (no account needed: following it creates one).
    path("invitations/participant/<str:token>/", views.invitation_signin, name="invitation"),
]
