from django.contrib import admin

from cpom.web.forms import AdminForm

from .models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = AdminForm
    list_display = ["user", "managing_body", "authority", "is_platform", "role"]
    list_filter = ["role", "is_platform"]
