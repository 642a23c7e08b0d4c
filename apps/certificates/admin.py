from django.contrib import admin

from apps.certificates.models import Certificate, CertificateBatch


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("code", "mobility", "version", "status", "render_state", "issued_at")
    list_filter = ("status", "render_state")
    search_fields = ("code",)
    raw_id_fields = ("mobility", "batch", "issued_by")
    readonly_fields = ("code", "version", "issued_at", "superseded_at", "rendered_at", "render_attempts")


@admin.register(CertificateBatch)
class CertificateBatchAdmin(admin.ModelAdmin):
    list_display = ("project", "total", "done", "failed", "state", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("project", "requested_by")
