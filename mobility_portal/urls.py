from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts import views as account_views
from apps.mobility.api import GrantQuoteView
from apps.portal import views as portal_views

admin.site.site_header = "Mobility Portal"
admin.site.site_title = "Mobility Portal"
# Sign in to the admin through allauth too, so that its two-factor step and rate limits apply there.
admin.site.login = secure_admin_login(admin.site.login)

# The public JSON API and its OpenAPI schema, documented by Swagger UI served from local static files
# (drf-spectacular-sidecar; no Redoc page: its stock template loads Google's fonts).
api_patterns = [
    path("v1/grant-quote", GrantQuoteView.as_view(), name="grant_quote"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("apps.portal.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.reference.urls")),
    path("", include("apps.organisations.urls")),
    path("", include("apps.participants.urls")),
    path("", include("apps.reserve_list.urls")),
    path("", include("apps.mobility.urls")),
    path("", include("apps.passport.urls")),
    path("", include("apps.outcomes.urls")),
    path("", include("apps.participant_reports.urls")),
    path("", include("apps.certificates.urls")),
    path("", include("apps.reports.urls")),
    path("api/", include((api_patterns, "api"))),
]

handler403 = "apps.portal.views.permission_denied"
handler404 = "apps.portal.views.page_not_found"
handler500 = "apps.portal.views.server_error"
