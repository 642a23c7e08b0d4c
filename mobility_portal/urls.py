from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from apps.accounts import views as account_views
from apps.portal import views as portal_views

admin.site.site_header = "Mobility Portal"
admin.site.site_title = "Mobility Portal"
# Sign in to the admin through allauth too, so that its two-factor step and rate limits apply there.
admin.site.login = secure_admin_login(admin.site.login)

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
    path("", include("apps.reserve_list.urls")),
    path("", include("apps.mobility.urls")),
]

handler403 = "apps.portal.views.permission_denied"
handler404 = "apps.portal.views.page_not_found"
handler500 = "apps.portal.views.server_error"
