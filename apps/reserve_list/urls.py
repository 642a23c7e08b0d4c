from django.urls import path

from apps.reserve_list import views

app_name = "reserve_list"
urlpatterns = [
    path("agency/reserve-list/", views.overview, name="overview"),
    path("agency/reserve-list/import/", views.import_upload, name="import"),
    path("agency/reserve-list/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("agency/reserve-list/<int:year>/", views.ranking, name="ranking"),
    path("agency/reserve-list/<int:year>/envelope/", views.envelope, name="envelope"),
    path("agency/reserve-list/<int:year>/round/", views.funding_round, name="round"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/reinstate/", views.application_reinstate, name="reinstate"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
]
