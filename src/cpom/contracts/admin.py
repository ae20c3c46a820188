from django.contrib import admin

from cpom.ui import AdminForm

from .models import Contract, ContractParty, Transition


class PartyInline(admin.TabularInline):
    form = AdminForm
    model = ContractParty
    extra = 0


class TransitionInline(admin.TabularInline):
    form = AdminForm
    model = Transition
    extra = 0
    readonly_fields = ["from_state", "to_state", "user", "organisation_label", "at", "comment"]
    can_delete = False


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
