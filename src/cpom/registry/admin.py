from django.contrib import admin

from cpom.web.forms import AdminForm

from .bindings import bound_fields
from .models import Authority, Contact, Establishment, ManagingBody


@admin.register(ManagingBody)
class ManagingBodyAdmin(admin.ModelAdmin):
    form = AdminForm
    list_display = ["name", "legal_status", "siren", "city"]
    search_fields = ["name", "siren"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    form = AdminForm
    list_display = ["name", "kind", "territory"]


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    form = AdminForm
    list_display = ["finess", "name", "category", "department", "managing_body"]
    list_filter = ["category", "sector", "department"]
    search_fields = ["finess", "name"]
    filter_horizontal = ["funders"]

    def get_readonly_fields(self, request, obj=None):
        # What a signed contract binds: the database refuses it, the admin does not offer it.
        return sorted(bound_fields(obj)) if obj is not None else []


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = AdminForm
    list_display = ["last_name", "first_name", "role", "managing_body", "authority", "start_date", "end_date"]
