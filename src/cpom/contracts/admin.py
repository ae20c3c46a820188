from django.contrib import admin

from cpom.web.forms import AdminForm

from .models import Contract, ContractParty, Transition


def _unsigned(obj) -> bool:
    """The database freezes a contract sent for signature or signed: the admin does not offer to change it."""
    return obj is None or not obj.is_frozen


class PartyInline(admin.TabularInline):
    """Read only: parties change through the contract's form, which checks their competence for the perimeter."""

    form = AdminForm
    model = ContractParty
    extra = 0
    fields = ["authority", "is_lead", "acceptance_requested_at", "accepted_at", "accepted_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    """The history is written by the lifecycle service only, and the database keeps it append-only."""

    form = AdminForm
    model = Transition
    extra = 0
    readonly_fields = ["from_state", "to_state", "user", "organisation_label", "at", "comment"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = AdminForm
    list_display = ["reference", "title", "managing_body", "state", "start_date", "end_date"]
    list_filter = ["state"]
    search_fields = ["reference", "title"]
    # The state only changes through the lifecycle service, which records each transition.
    readonly_fields = ["state"]
    filter_horizontal = ["establishments"]
    inlines = [PartyInline, TransitionInline]

    def has_change_permission(self, request, obj=None):
        return _unsigned(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A contract is never deleted (its history is append-only): one given up is closed by « Abandonner ».
        return False
