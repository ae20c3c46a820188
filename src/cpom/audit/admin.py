"""The journal in the admin is read only; every other admin edit is written to it (who, when, before, after).

Admin edits bypass the pages' services, so :func:`audit_every_admin` (called once the admin modules are loaded)
gives every registered model admin the :class:`AuditedAdmin` behaviour, whichever app or package registered it.
"""

from django.contrib import admin

from .models import AuditEntry
from .services import record, snapshot


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "organisation_label", "object_type", "object_id", "action"]
    list_filter = ["object_type"]
    search_fields = ["action", "object_id", "organisation_label"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _label(obj) -> str:
    return f"{obj._meta.verbose_name} {obj}"


class AuditedAdmin:
    """Records each save, deletion and inline change made through the admin."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        request._cpom_audit = (obj, before)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj, before = getattr(request, "_cpom_audit", (form.instance, None))
        action = "Modification" if change else "Création"
        record(request.user, obj, f"Administration : {action} de {_label(obj)}", before, snapshot(obj))

    def save_formset(self, request, form, formset, change):
        befores = {o.pk: snapshot(o) for o in formset.get_queryset()} if formset.is_bound else {}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record(request.user, obj, f"Administration : Création de {_label(obj)}", None, snapshot(obj))
        for obj, _fields in formset.changed_objects:
            record(
                request.user, obj, f"Administration : Modification de {_label(obj)}", befores.get(obj.pk), snapshot(obj)
            )
        for obj in formset.deleted_objects:
            record(request.user, obj, f"Administration : Suppression de {_label(obj)}", befores.get(obj.pk), None)

    def delete_model(self, request, obj):
        record(request.user, obj, f"Administration : Suppression de {_label(obj)}", snapshot(obj), None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(request.user, obj, f"Administration : Suppression de {_label(obj)}", snapshot(obj), None)
        super().delete_queryset(request, queryset)


def audit_every_admin(site=admin.site) -> None:
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, (AuditedAdmin, AuditEntryAdmin)):
            continue
        audited = type(f"Audited{type(model_admin).__name__}", (AuditedAdmin, type(model_admin)), {})
        site._registry[model] = audited(model, site)
