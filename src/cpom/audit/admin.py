from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "organisation_label", "object_type", "object_id", "action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
