"""Admin for the platform team: the frames as loaded, the diagnostics to look into, never to rewrite.

Diagnostic content is written through the pages, which check who writes, lock against lost updates and record
every change in the audit log; an admin edit would do none of that, so those models are read-only here.
"""

from django.contrib import admin

from .models import (
    Attachment,
    AxisPerspective,
    ChecklistItem,
    Diagnostic,
    DiagnosticTemplate,
    Finding,
    Remark,
    SectionEntry,
    TemplateSection,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TemplateSection
    fields = ["order", "code", "part", "parent", "axis", "title", "indicator_codes", "checklist_codes"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class ChecklistInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ChecklistItem
    fields = ["order", "code", "label", "hint"]
    readonly_fields = fields
    extra = 0


@admin.register(DiagnosticTemplate)
class DiagnosticTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Frames are data files: change the TOML and run « cpom diagnostic charger-trame »."""

    list_display = ["label", "code", "version", "authority"]
    list_filter = ["authority"]
    inlines = [ChecklistInline, SectionInline]


@admin.register(TemplateSection)
class TemplateSectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "short_title", "part", "axis", "template"]
    list_filter = ["template", "part", "axis"]
    search_fields = ["code", "title"]


class PerspectiveInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AxisPerspective
    extra = 0
    fields = ["axis", "text"]
    readonly_fields = fields


@admin.register(Diagnostic)
class DiagnosticAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["contract", "template", "version"]
    search_fields = ["contract__reference", "contract__title"]
    inlines = [PerspectiveInline]


@admin.register(SectionEntry)
class SectionEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["diagnostic", "section", "establishment", "updated_at", "updated_by", "version"]
    list_filter = ["section__part"]
    search_fields = ["diagnostic__contract__reference", "section__code", "text"]
    list_select_related = ["diagnostic__contract", "section", "establishment", "updated_by"]


@admin.register(Remark)
class RemarkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entry", "authority", "author", "at"]
    list_filter = ["authority"]
    search_fields = ["text"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["label", "original_name", "kind", "size", "organisation_label", "at"]
    list_filter = ["kind"]
    search_fields = ["label", "original_name", "sha256"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["text", "nature", "level", "section", "priority", "lever_exists", "organisation_label"]
    list_filter = ["nature", "level", "priority", "lever_exists"]
    search_fields = ["text", "diagnostic__contract__reference"]
    list_select_related = ["section"]
