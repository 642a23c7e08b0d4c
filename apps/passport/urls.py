from django.urls import path

from apps.passport import views

app_name = "passport"
urlpatterns = [
    path("me/mobilities/<int:pk>/passport/", views.participant_passport, name="participant"),
    path("me/mobilities/<int:pk>/passport/items/<int:item>/tick/", views.participant_tick, name="participant_tick"),
    path("mobilities/<int:pk>/passport/", views.mobility_passport, name="mobility"),
    path("mobilities/<int:pk>/passport/items/<int:item>/tick/", views.organisation_tick, name="organisation_tick"),
    path("mobilities/<int:pk>/passport/items/new/", views.item_add, name="item_add"),
    path("mobilities/<int:pk>/passport/items/<int:item>/delete/", views.item_delete, name="item_delete"),
    path("mobilities/<int:pk>/passport/support/new/", views.support_add, name="support_add"),
    path("mobilities/<int:pk>/passport/support/<int:support>/", views.support_edit, name="support_edit"),
    path("projects/<int:pk>/passport/", views.project_overview, name="project"),
    path("agency/passport/", views.agency_completion, name="agency"),
    path("agency/passport-template/", views.template_list, name="template"),
    path("agency/passport-template/new/", views.template_add, name="template_add"),
    path("agency/passport-template/<int:pk>/", views.template_edit, name="template_edit"),
    path("agency/passport-template/<int:pk>/move/", views.template_move, name="template_move"),
]
